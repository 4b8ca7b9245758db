import { HandlerContext, ResourceHandler, ResourceHandlerClass } from './handler';
import { ChannelSettingsHandler } from './handlers/channel-settings';
import { EdgeConfigurationHandler } from './handlers/edge-configuration';
import { MediaStorageHandler } from './handlers/media-storage';
import { RetentionGuardHandler } from './handlers/retention-guard';
import { StreamConfigurationHandler } from './handlers/stream-configuration';
import { StreamSettingsHandler } from './handlers/stream-settings';
import { IsCompleteRequest } from './types';
import { ResourceType } from '../src/private/custom-resource-contract';

/** One handler class per `Custom::` type: a new type plugs in here. */
const HANDLERS: ReadonlyMap<string, ResourceHandlerClass> = new Map<string, ResourceHandlerClass>([
  [ResourceType.STREAM_CONFIGURATION, StreamConfigurationHandler],
  [ResourceType.MEDIA_STORAGE, MediaStorageHandler],
  [ResourceType.RETENTION_GUARD, RetentionGuardHandler],
  [ResourceType.EDGE_CONFIGURATION, EdgeConfigurationHandler],
  [ResourceType.STREAM_SETTINGS, StreamSettingsHandler],
  [ResourceType.CHANNEL_SETTINGS, ChannelSettingsHandler],
]);

export function handlerFor(event: IsCompleteRequest, ctx: HandlerContext): ResourceHandler {
  const Handler = HANDLERS.get(event.ResourceType);
  if (!Handler) {
    throw new Error(`Unsupported resource type "${event.ResourceType}": this function handles ${[...HANDLERS.keys()].join(', ')}`);
  }
  return new Handler(event, ctx);
}
