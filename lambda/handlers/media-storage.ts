import { ChannelInfo, MediaStorageConfiguration, StreamInfo } from '@aws-sdk/client-kinesis-video';
import { MediaStorageProperties, ResourceType } from '../../src/private/custom-resource-contract';
import { ApiError, IN_USE_ERROR } from '../errors';
import { ResourceHandler } from '../handler';
import { orUndefinedIfNotFound } from '../kvs-api';
import { propertiesOf, readString } from '../parse';
import { formatPhysicalId, parsePhysicalId } from '../physical-id';
import { channelByArn, streamByArn } from '../subject';
import { RawProperties } from '../types';
import { done, Progress, waiting } from '../wait';

const KIND = 'MediaStorage';

/** A signaling channel storing its media into a stream. */
interface Mapping {
  readonly channelArn: string;
  readonly streamArn: string;
}

/**
 * Media storage (WebRTC ingestion) of one signaling channel into one stream. Both ARNs are in the physical id, so a
 * change of either replaces the resource. Create and Update enable the mapping and wait until the channel and the
 * stream are ACTIVE again. An Update that changes the mapping first releases the old one (still held by this resource),
 * because the service refuses to map a channel or a stream that is mapped elsewhere; the Delete of the old id then
 * finds nothing of its own to disable. Delete disables the storage only while the channel still maps to that stream.
 */
export class MediaStorageHandler extends ResourceHandler {
  /** Whether this invocation already sent the enabling / disabling update. */
  private enableSent = false;
  private disableSent = false;

  protected physicalResourceId(): string {
    const mapping = parse(this.event.ResourceProperties);
    return formatPhysicalId(KIND, [mapping.channelArn, mapping.streamArn]);
  }

  protected onCreate(): Promise<Progress> {
    return this.enable(parse(this.event.ResourceProperties));
  }

  protected async onUpdate(): Promise<Progress> {
    const desired = parse(this.event.ResourceProperties);
    const previous = this.tryParse(this.event.OldResourceProperties, parse);
    if (previous && (previous.channelArn !== desired.channelArn || previous.streamArn !== desired.streamArn)) {
      const releasing = await this.release(previous);
      if (releasing) return waiting(releasing);
    }
    return this.enable(desired);
  }

  protected async onDelete(): Promise<Progress> {
    const ids = parsePhysicalId(this.currentPhysicalId(), KIND, 2);
    if (!ids) {
      this.ctx.log('Nothing to disable: the physical id is not one this handler created', { physicalResourceId: this.event.PhysicalResourceId });
      return done();
    }
    const releasing = await this.release({ channelArn: ids[0], streamArn: ids[1] }, true);
    return releasing ? waiting(releasing) : done();
  }

  /** Enables the mapping; done once the channel maps to the stream and both are ACTIVE. */
  private async enable(mapping: Mapping): Promise<Progress> {
    const busy = await this.whileBusy(mapping);
    if (busy) return waiting(busy);
    if (holds(await this.api.describeMediaStorageConfiguration(mapping.channelArn), mapping)) {
      return done({ ChannelArn: mapping.channelArn, StreamArn: mapping.streamArn });
    }
    if (this.enableSent) return waiting(`${channelByArn(mapping.channelArn).label} to store its media in ${streamByArn(mapping.streamArn).label}`);
    try {
      await this.api.updateMediaStorageConfiguration(mapping.channelArn, { StreamARN: mapping.streamArn, Status: 'ENABLED' }, mapping.streamArn);
    } catch (err) {
      if (!(err instanceof ApiError && err.errorName === IN_USE_ERROR)) throw err;
      return waiting(await this.explainInUse(err, mapping));
    }
    this.enableSent = true;
    // Confirm at once: the service usually reports the mapping (and ACTIVE resources) right after the update.
    return this.enable(mapping);
  }

  /**
   * Disables the channel's storage while it still maps to `mapping.streamArn`, and leaves any other configuration
   * alone (logging why, if `explain`). Returns what is still awaited, if anything. A channel that is gone counts as
   * released.
   */
  private async release(mapping: Mapping, explain: boolean = false): Promise<string | undefined> {
    const channel = channelByArn(mapping.channelArn);
    const held = await orUndefinedIfNotFound(this.api.describeMediaStorageConfiguration(mapping.channelArn));
    if (!holds(held, mapping)) {
      if (explain && !this.disableSent) {
        const why = held === undefined ? 'the channel is gone' : `it no longer stores its media in ${streamByArn(mapping.streamArn).label}`;
        this.ctx.log(`Not disabling the media storage of ${channel.label}: ${why}`, { held });
      }
      return undefined;
    }
    if (this.disableSent) return `${channel.label} to stop storing its media in ${streamByArn(mapping.streamArn).label}`;
    try {
      await orUndefinedIfNotFound(this.api.updateMediaStorageConfiguration(mapping.channelArn, { Status: 'DISABLED' }));
    } catch (err) {
      if (!(err instanceof ApiError && err.errorName === IN_USE_ERROR)) throw err;
      const status = (await orUndefinedIfNotFound(this.api.describeChannel(mapping.channelArn)))?.ChannelStatus;
      if (status === 'ACTIVE') throw err;
      return `${channel.label} to become ACTIVE (now ${status ?? 'gone'})`;
    }
    this.disableSent = true;
    return this.release(mapping, explain);
  }

  /** What the channel or the stream is busy with (not ACTIVE), if anything. Missing resources fail the request. */
  private async whileBusy(mapping: Mapping): Promise<string | undefined> {
    const channel: ChannelInfo | undefined = await this.api.describeChannel(mapping.channelArn);
    const stream: StreamInfo | undefined = await this.api.describeStreamByArn(mapping.streamArn);
    const statuses = [[channelByArn(mapping.channelArn).label, channel?.ChannelStatus], [streamByArn(mapping.streamArn).label, stream?.Status]];
    for (const [label, status] of statuses) {
      if (status === 'DELETING') throw new Error(`Cannot store media of ${channelByArn(mapping.channelArn).label} in ${streamByArn(mapping.streamArn).label}: ${label} is being deleted.`);
      if (status !== 'ACTIVE') return `${label} to become ACTIVE (now ${status})`;
    }
    return undefined;
  }

  /**
   * A ResourceInUseException means the channel or the stream is not ACTIVE (waited out), or that one of them is mapped
   * elsewhere: then the failure names the resource that holds it.
   */
  private async explainInUse(err: ApiError, mapping: Mapping): Promise<string> {
    const busy = await this.whileBusy(mapping);
    if (busy) return busy;
    const channel = channelByArn(mapping.channelArn);
    const stream = streamByArn(mapping.streamArn);
    const held = await this.api.describeMediaStorageConfiguration(mapping.channelArn);
    if (held?.Status === 'ENABLED' && held.StreamARN && held.StreamARN !== mapping.streamArn) {
      throw err.withAdvice(`${capitalize(channel.label)} already stores its media in ${streamByArn(held.StreamARN).label}: `
        + 'disable that media storage configuration first, or use another channel.');
    }
    const mapped = (await this.api.describeMappedResourceConfiguration(mapping.streamArn)).find((r) => r.ARN && r.ARN !== mapping.channelArn);
    if (mapped?.ARN) {
      throw err.withAdvice(`${capitalize(stream.label)} already stores the media of ${channelByArn(mapped.ARN).label}: `
        + 'a stream stores the media of one channel only; disable that mapping first, or use another stream.');
    }
    throw err;
  }
}

function holds(held: MediaStorageConfiguration | undefined, mapping: Mapping): boolean {
  return held?.Status === 'ENABLED' && held.StreamARN === mapping.streamArn;
}

function parse(properties: RawProperties): Mapping {
  const raw = propertiesOf<MediaStorageProperties>(properties);
  return {
    channelArn: readString(raw.ChannelArn, `${ResourceType.MEDIA_STORAGE} ChannelArn`),
    streamArn: readString(raw.StreamArn, `${ResourceType.MEDIA_STORAGE} StreamArn`),
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
