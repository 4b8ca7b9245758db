import { ImageGenerationConfiguration, NotificationConfiguration } from '@aws-sdk/client-kinesis-video';
import {
  CONFIGURATION_STATUSES,
  IMAGE_FORMATS,
  IMAGE_SELECTOR_TYPES,
  ResourceType,
  StreamConfigurationProperties,
} from '../../src/private/custom-resource-contract';
import { ApiError, IN_USE_ERROR, NOT_FOUND_ERROR } from '../errors';
import { KvsApi, orUndefinedIfNotFound } from '../kvs-api';
import { optional, propertiesOf, readEnum, readInteger, readObject, readString } from '../parse';
import { StreamTargetHandler } from '../stream-target-handler';
import { streamByArn } from '../subject';
import { RawProperties } from '../types';
import { done, Progress, waiting } from '../wait';

const KIND = 'StreamConfiguration';

/** `Custom::KinesisVideoStreamConfiguration`, parsed. An absent member is not managed by the resource. */
interface StreamConfiguration {
  readonly streamArn: string;
  readonly notification?: NotificationConfiguration;
  readonly imageGeneration?: ImageGenerationConfiguration;
}

/** One configuration of a stream that the resource manages: read, written and removed the same way. */
interface ConfigurationKind<T> {
  readonly name: string;
  select(config: StreamConfiguration): T | undefined;
  describe(api: KvsApi, streamArn: string): Promise<T | undefined>;
  /** `undefined` removes the configuration. */
  update(api: KvsApi, streamArn: string, configuration: T | undefined): Promise<void>;
}

const NOTIFICATION: ConfigurationKind<NotificationConfiguration> = {
  name: 'notification configuration',
  select: (config) => config.notification,
  describe: (api, arn) => api.describeNotificationConfiguration(arn),
  update: (api, arn, configuration) => api.updateNotificationConfiguration(arn, configuration),
};

const IMAGE_GENERATION: ConfigurationKind<ImageGenerationConfiguration> = {
  name: 'image generation configuration',
  select: (config) => config.imageGeneration,
  describe: (api, arn) => api.describeImageGenerationConfiguration(arn),
  update: (api, arn, configuration) => api.updateImageGenerationConfiguration(arn, configuration),
};

const KINDS: readonly ConfigurationKind<object>[] = [NOTIFICATION, IMAGE_GENERATION];

/**
 * Notification and image generation of one stream. Create and Update converge each present member on the stream and,
 * on an Update that keeps the stream, remove members that were dropped. Delete (and an Update's dropped members) remove
 * a configuration only while the stream still holds what this resource set. Notifications start about a minute after
 * the update; nothing observes that, so the handler does not wait for it.
 */
export class StreamConfigurationHandler extends StreamTargetHandler<StreamConfiguration> {
  /** Kinds this invocation already sent an update for: a lagging Describe must not make it send them again. */
  private readonly sent = new Set<string>();

  protected readonly kind = KIND;

  protected parse(raw: RawProperties): StreamConfiguration {
    return parse(raw);
  }

  protected async removeFrom(streamArn: string, set: StreamConfiguration): Promise<Progress> {
    const stream = streamByArn(streamArn);
    const info = await orUndefinedIfNotFound(this.api.describeStreamByArn(streamArn));
    if (!info || info.Status === 'DELETING') {
      this.ctx.log(`Nothing to remove: ${stream.label} is gone`);
      return done();
    }
    if (info.Status !== 'ACTIVE') return waiting(`${stream.label} to become ACTIVE (now ${info.Status})`);
    try {
      return await this.removeAll(streamArn, set);
    } catch (err) {
      if (!(err instanceof ApiError && err.errorName === NOT_FOUND_ERROR)) throw err;
      this.ctx.log(`Nothing left to remove: ${stream.label} was deleted meanwhile`);
      return done();
    }
  }

  /** Sets each member of `desired`; removes the members of `previous` (same stream) that `desired` dropped. */
  protected async converge(desired: StreamConfiguration, previous: StreamConfiguration | undefined): Promise<Progress> {
    const stream = streamByArn(desired.streamArn);
    const info = await this.api.describeStreamByArn(desired.streamArn);
    if (info?.Status === 'DELETING') throw new Error(`Cannot configure ${stream.label}: the stream is being deleted.`);
    if (info?.Status !== 'ACTIVE') return waiting(`${stream.label} to become ACTIVE (now ${info?.Status})`);

    return this.eachKind(async (kind) => {
      const want = kind.select(desired);
      const had = previous && kind.select(previous);
      return want ? this.set(kind, desired.streamArn, want, had) : had ? this.remove(kind, desired.streamArn, had) : undefined;
    }, { StreamArn: desired.streamArn, StreamName: stream.streamName ?? desired.streamArn });
  }

  private removeAll(streamArn: string, set: StreamConfiguration): Promise<Progress> {
    return this.eachKind(async (kind) => {
      const had = kind.select(set);
      return had ? this.remove(kind, streamArn, had) : undefined;
    }, {});
  }

  /** Runs `act` for each kind in turn: done with `data` when none awaits anything; a busy stream ends the step. */
  private async eachKind(act: (kind: ConfigurationKind<object>) => Promise<string | undefined>, data: { [key: string]: string }): Promise<Progress> {
    const pending: string[] = [];
    try {
      for (const kind of KINDS) {
        const left = await act(kind);
        if (left) pending.push(left);
      }
    } catch (err) {
      if (err instanceof StreamBusy) return waiting(err.message);
      throw err;
    }
    return pending.length > 0 ? waiting(pending.join('; ')) : done(data);
  }

  /**
   * Makes the stream hold `want` (replacing `had`, the previous properties' configuration on the same stream, if any);
   * returns what is still awaited, if anything.
   */
  private async set<T extends object>(kind: ConfigurationKind<T>, streamArn: string, want: T, had: T | undefined): Promise<string | undefined> {
    if (!this.writesUnread(kind)) {
      const held = await kind.describe(this.api, streamArn);
      if (contains(want, held) && !stillHoldsDropped(want, had, held)) return undefined;
    }
    if (!this.sent.has(kind.name)) {
      await this.send(kind, streamArn, want);
      if (contains(want, await kind.describe(this.api, streamArn))) return undefined;
    }
    return `the ${kind.name} of ${streamByArn(streamArn).label} to match`;
  }

  /**
   * Whether to send `kind` without reading the stream first: only in a Create's `onEvent`, before it has sent anything.
   * No previous properties of this resource are on the stream then, so a read could at most spare an identical update,
   * and it would cost a call of the Describe*Configuration quota (50 TPS per account) that a whole fleet shares: with
   * the read that confirms the update, the read first made those calls twice the updates. An Update reads first, to see
   * what the previous properties left; so do `isComplete` polls, whose event carries the physical id `onEvent` returned.
   */
  private writesUnread(kind: ConfigurationKind<object>): boolean {
    return this.event.RequestType === 'Create' && this.event.PhysicalResourceId === undefined && !this.sent.has(kind.name);
  }

  /** Removes the configuration only while the stream holds the one this resource set (`had`). */
  private async remove<T extends object>(kind: ConfigurationKind<T>, streamArn: string, had: T): Promise<string | undefined> {
    const held = await kind.describe(this.api, streamArn);
    if (held === undefined) return undefined;
    if (!contains(had, held)) {
      this.ctx.log(`Leaving the ${kind.name} of ${streamByArn(streamArn).label} in place: it is not the one this resource set`, { set: had, held });
      return undefined;
    }
    if (!this.sent.has(kind.name)) {
      await this.send(kind, streamArn, undefined);
      if ((await kind.describe(this.api, streamArn)) === undefined) return undefined;
    }
    return `the ${kind.name} of ${streamByArn(streamArn).label} to be removed`;
  }

  /** Sends the update. A ResourceInUseException while the stream is not ACTIVE ends the step: see {@link StreamBusy}. */
  private async send<T extends object>(kind: ConfigurationKind<T>, streamArn: string, configuration: T | undefined): Promise<void> {
    try {
      await kind.update(this.api, streamArn, configuration);
      this.sent.add(kind.name);
    } catch (err) {
      if (!(err instanceof ApiError && err.errorName === IN_USE_ERROR)) throw err;
      const status = (await this.api.describeStreamByArn(streamArn))?.Status;
      if (status === 'ACTIVE') throw err;
      throw new StreamBusy(`${streamByArn(streamArn).label} to become ACTIVE (now ${status})`);
    }
  }
}

/** The stream turned out not to be ACTIVE when an update was sent: the step ends, and the next one starts over. */
class StreamBusy extends Error {}

/**
 * Whether `observed` holds every value `wanted` sets. Members `wanted` leaves out are not compared: the service may
 * report defaults for them (for example a JPEG quality).
 */
function contains(wanted: unknown, observed: unknown): boolean {
  if (wanted === undefined) return true;
  if (typeof wanted !== 'object' || wanted === null) return wanted === observed;
  if (typeof observed !== 'object' || observed === null) return false;
  return Object.entries(wanted).every(([key, value]) => contains(value, (observed as { [key: string]: unknown })[key]));
}

type NotificationProperties = NonNullable<StreamConfigurationProperties['NotificationConfiguration']>;
type ImageGenerationProperties = NonNullable<StreamConfigurationProperties['ImageGenerationConfiguration']>;

function parse(properties: RawProperties): StreamConfiguration {
  const type = ResourceType.STREAM_CONFIGURATION;
  const raw = propertiesOf<StreamConfigurationProperties>(properties);
  return {
    streamArn: readString(raw.StreamArn, `${type} StreamArn`),
    notification: optional(raw.NotificationConfiguration, `${type} NotificationConfiguration`, parseNotification),
    imageGeneration: optional(raw.ImageGenerationConfiguration, `${type} ImageGenerationConfiguration`, parseImageGeneration),
  };
}

function parseNotification(value: unknown, path: string): NotificationConfiguration {
  const raw = readObject<NotificationProperties>(value, path);
  const destination = readObject<NotificationProperties['DestinationConfig']>(raw.DestinationConfig, `${path}.DestinationConfig`);
  return {
    Status: readEnum(raw.Status, `${path}.Status`, CONFIGURATION_STATUSES),
    DestinationConfig: { Uri: readString(destination.Uri, `${path}.DestinationConfig.Uri`) },
  };
}

function parseImageGeneration(value: unknown, path: string): ImageGenerationConfiguration {
  const raw = readObject<ImageGenerationProperties>(value, path);
  const destination = readObject<ImageGenerationProperties['DestinationConfig']>(raw.DestinationConfig, `${path}.DestinationConfig`);
  const formatConfig = optional(raw.FormatConfig, `${path}.FormatConfig`, readObject<NonNullable<ImageGenerationProperties['FormatConfig']>>);
  const jpegQuality = optional(formatConfig?.JPEGQuality, `${path}.FormatConfig.JPEGQuality`, readString);
  return withoutUndefined({
    Status: readEnum(raw.Status, `${path}.Status`, CONFIGURATION_STATUSES),
    ImageSelectorType: readEnum(raw.ImageSelectorType, `${path}.ImageSelectorType`, IMAGE_SELECTOR_TYPES),
    DestinationConfig: {
      Uri: readString(destination.Uri, `${path}.DestinationConfig.Uri`),
      DestinationRegion: readString(destination.DestinationRegion, `${path}.DestinationConfig.DestinationRegion`),
    },
    SamplingInterval: readInteger(raw.SamplingInterval, `${path}.SamplingInterval`),
    Format: readEnum(raw.Format, `${path}.Format`, IMAGE_FORMATS),
    // The API's FormatConfig is a map of strings: the quality stays a string.
    FormatConfig: jpegQuality === undefined ? undefined : { JPEGQuality: jpegQuality },
    WidthPixels: optional(raw.WidthPixels, `${path}.WidthPixels`, readInteger),
    HeightPixels: optional(raw.HeightPixels, `${path}.HeightPixels`, readInteger),
  });
}

/**
 * Whether `observed` still holds a member that `previous` set and `wanted` drops (for example a width no longer asked
 * for), with the value `previous` gave it: then an update is due even though `observed` contains `wanted`.
 */
function stillHoldsDropped(wanted: unknown, previous: unknown, observed: unknown): boolean {
  if (typeof previous !== 'object' || previous === null || typeof observed !== 'object' || observed === null) return false;
  return Object.entries(previous).some(([key, value]) => {
    const want = (wanted as { [key: string]: unknown } | undefined)?.[key];
    const seen = (observed as { [key: string]: unknown })[key];
    return want === undefined ? value !== undefined && contains(value, seen) : stillHoldsDropped(want, value, seen);
  });
}

/** Drops absent members, so that the request carries none and `contains` compares only what is set. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
