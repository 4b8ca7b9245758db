import {
  ChannelInfo,
  DeleteEdgeConfigurationCommand,
  DescribeEdgeConfigurationCommand,
  DescribeEdgeConfigurationOutput,
  DescribeImageGenerationConfigurationCommand,
  DescribeMappedResourceConfigurationCommand,
  DescribeMediaStorageConfigurationCommand,
  DescribeNotificationConfigurationCommand,
  DescribeSignalingChannelCommand,
  DescribeStreamCommand,
  DescribeStreamStorageConfigurationCommand,
  EdgeConfig,
  ImageGenerationConfiguration,
  KinesisVideoClient,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  MappedResourceConfigurationListItem,
  MediaStorageConfiguration,
  NotificationConfiguration,
  StartEdgeConfigurationUpdateCommand,
  StartEdgeConfigurationUpdateOutput,
  StreamInfo,
  StreamStorageConfiguration,
  TagResourceCommand,
  TagStreamCommand,
  UntagResourceCommand,
  UntagStreamCommand,
  UpdateDataRetentionCommand,
  UpdateDataRetentionOperation,
  UpdateImageGenerationConfigurationCommand,
  UpdateMediaStorageConfigurationCommand,
  UpdateNotificationConfigurationCommand,
  UpdateSignalingChannelCommand,
  UpdateStreamCommand,
  UpdateStreamStorageConfigurationCommand,
} from '@aws-sdk/client-kinesis-video';
import { ApiError, NOT_FOUND_ERROR } from './errors';
import { ServiceApi } from './retry';
import { channelByArn, channelByName, streamByArn, streamByName, Subject } from './subject';
import { TagMap } from '../src/private/custom-resource-contract';

/** The tagging APIs of one kind of resource (streams and signaling channels each have their own). */
export interface Tagging {
  /** Every tag of the resource, all pages read. */
  list(arn: string): Promise<TagMap>;
  tag(arn: string, tags: TagMap): Promise<void>;
  untag(arn: string, keys: string[]): Promise<void>;
}

/**
 * The Kinesis Video control-plane calls the handlers make, each with throttling retries and translated failures
 * (ApiError). Wrap a call in {@link orUndefinedIfNotFound} where a missing resource is an answer, not a failure.
 */
export class KvsApi extends ServiceApi<KinesisVideoClient> {
  protected readonly service = 'kinesisvideo';

  /** The tagging APIs of signaling channels: ListTagsForResource, TagResource, UntagResource. */
  public readonly channelTags: Tagging = {
    list: (arn) => readAllTags((nextToken) => this.send('ListTagsForResource', channelByArn(arn),
      () => this.client.send(new ListTagsForResourceCommand({ ResourceARN: arn, NextToken: nextToken })))),
    tag: async (arn, tags) => {
      const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
      await this.send('TagResource', channelByArn(arn), () => this.client.send(new TagResourceCommand({ ResourceARN: arn, Tags: list })));
    },
    untag: async (arn, keys) => {
      await this.send('UntagResource', channelByArn(arn), () => this.client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeyList: keys })));
    },
  };

  /** The tagging APIs of streams: ListTagsForStream, TagStream, UntagStream. */
  public readonly streamTags: Tagging = {
    list: (arn) => readAllTags((nextToken) => this.send('ListTagsForStream', streamByArn(arn),
      () => this.client.send(new ListTagsForStreamCommand({ StreamARN: arn, NextToken: nextToken })))),
    tag: async (arn, tags) => {
      await this.send('TagStream', streamByArn(arn), () => this.client.send(new TagStreamCommand({ StreamARN: arn, Tags: { ...tags } })));
    },
    untag: async (arn, keys) => {
      await this.send('UntagStream', streamByArn(arn), () => this.client.send(new UntagStreamCommand({ StreamARN: arn, TagKeyList: keys })));
    },
  };

  public describeStreamByArn(streamArn: string): Promise<StreamInfo | undefined> {
    return this.describeStream(streamByArn(streamArn), { StreamARN: streamArn });
  }

  public describeStreamByName(streamName: string): Promise<StreamInfo | undefined> {
    return this.describeStream(streamByName(streamName), { StreamName: streamName });
  }

  public describeChannel(channelArn: string): Promise<ChannelInfo | undefined> {
    return this.describeSignalingChannel(channelByArn(channelArn), { ChannelARN: channelArn });
  }

  public describeChannelByName(channelName: string): Promise<ChannelInfo | undefined> {
    return this.describeSignalingChannel(channelByName(channelName), { ChannelName: channelName });
  }

  /** Sets the channel's message TTL, at the version described (a change in between fails with VersionMismatchException). */
  public async updateSignalingChannel(channelArn: string, currentVersion: string, messageTtlSeconds: number): Promise<void> {
    await this.send('UpdateSignalingChannel', channelByArn(channelArn), () => this.client.send(new UpdateSignalingChannelCommand({
      ChannelARN: channelArn,
      CurrentVersion: currentVersion,
      SingleMasterConfiguration: { MessageTtlSeconds: messageTtlSeconds },
    })));
  }

  /**
   * Sets the media type and device name, at the version described. Both are sent: UpdateStream's documentation does
   * not say that a member left out is kept.
   */
  public async updateStream(streamArn: string, currentVersion: string, mediaType: string | undefined, deviceName: string | undefined): Promise<void> {
    await this.send('UpdateStream', streamByArn(streamArn), () => this.client.send(new UpdateStreamCommand({
      StreamARN: streamArn,
      CurrentVersion: currentVersion,
      MediaType: mediaType,
      DeviceName: deviceName,
    })));
  }

  /** `UpdateDataRetention` takes the change, not the value: INCREASE or DECREASE by `changeInHours`, at the version described. */
  public async updateDataRetention(
    streamArn: string, currentVersion: string, operation: UpdateDataRetentionOperation, changeInHours: number): Promise<void> {
    await this.send('UpdateDataRetention', streamByArn(streamArn), () => this.client.send(new UpdateDataRetentionCommand({
      StreamARN: streamArn,
      CurrentVersion: currentVersion,
      Operation: operation,
      DataRetentionChangeInHours: changeInHours,
    })));
  }

  public async describeStreamStorageConfiguration(streamArn: string): Promise<StreamStorageConfiguration | undefined> {
    const out = await this.send('DescribeStreamStorageConfiguration', streamByArn(streamArn),
      () => this.client.send(new DescribeStreamStorageConfigurationCommand({ StreamARN: streamArn })));
    return out.StreamStorageConfiguration;
  }

  public async updateStreamStorageConfiguration(streamArn: string, currentVersion: string, configuration: StreamStorageConfiguration): Promise<void> {
    await this.send('UpdateStreamStorageConfiguration', streamByArn(streamArn), () => this.client.send(new UpdateStreamStorageConfigurationCommand({
      StreamARN: streamArn,
      CurrentVersion: currentVersion,
      StreamStorageConfiguration: configuration,
    })));
  }

  /** The stream's edge configuration; fails with StreamEdgeConfigurationNotFoundException when it has none. */
  public describeEdgeConfiguration(streamArn: string): Promise<DescribeEdgeConfigurationOutput> {
    return this.send('DescribeEdgeConfiguration', streamByArn(streamArn),
      () => this.client.send(new DescribeEdgeConfigurationCommand({ StreamARN: streamArn })));
  }

  public startEdgeConfigurationUpdate(streamArn: string, config: EdgeConfig): Promise<StartEdgeConfigurationUpdateOutput> {
    return this.send('StartEdgeConfigurationUpdate', streamByArn(streamArn),
      () => this.client.send(new StartEdgeConfigurationUpdateCommand({ StreamARN: streamArn, EdgeConfig: config })));
  }

  public async deleteEdgeConfiguration(streamArn: string): Promise<void> {
    await this.send('DeleteEdgeConfiguration', streamByArn(streamArn),
      () => this.client.send(new DeleteEdgeConfigurationCommand({ StreamARN: streamArn })));
  }

  public async describeNotificationConfiguration(streamArn: string): Promise<NotificationConfiguration | undefined> {
    const out = await this.send('DescribeNotificationConfiguration', streamByArn(streamArn),
      () => this.client.send(new DescribeNotificationConfigurationCommand({ StreamARN: streamArn })));
    return out.NotificationConfiguration;
  }

  /** `undefined` removes the stream's notification configuration. */
  public async updateNotificationConfiguration(streamArn: string, configuration: NotificationConfiguration | undefined): Promise<void> {
    await this.send('UpdateNotificationConfiguration', streamByArn(streamArn),
      () => this.client.send(new UpdateNotificationConfigurationCommand({ StreamARN: streamArn, NotificationConfiguration: configuration })));
  }

  public async describeImageGenerationConfiguration(streamArn: string): Promise<ImageGenerationConfiguration | undefined> {
    const out = await this.send('DescribeImageGenerationConfiguration', streamByArn(streamArn),
      () => this.client.send(new DescribeImageGenerationConfigurationCommand({ StreamARN: streamArn })));
    return out.ImageGenerationConfiguration;
  }

  /** `undefined` removes the stream's image generation configuration. */
  public async updateImageGenerationConfiguration(streamArn: string, configuration: ImageGenerationConfiguration | undefined): Promise<void> {
    await this.send('UpdateImageGenerationConfiguration', streamByArn(streamArn),
      () => this.client.send(new UpdateImageGenerationConfigurationCommand({ StreamARN: streamArn, ImageGenerationConfiguration: configuration })));
  }

  public async describeMediaStorageConfiguration(channelArn: string): Promise<MediaStorageConfiguration | undefined> {
    const out = await this.send('DescribeMediaStorageConfiguration', channelByArn(channelArn),
      () => this.client.send(new DescribeMediaStorageConfigurationCommand({ ChannelARN: channelArn })));
    return out.MediaStorageConfiguration;
  }

  /** Failures name the channel; `streamArn` (when given) is the stream the configuration stores into. */
  public async updateMediaStorageConfiguration(channelArn: string, configuration: MediaStorageConfiguration, streamArn?: string): Promise<void> {
    const subject = channelByArn(channelArn);
    // NoDataRetentionException is about the stream: let its advice name the stream.
    const withStream = streamArn ? { ...subject, streamName: streamByArn(streamArn).streamName } : subject;
    await this.send('UpdateMediaStorageConfiguration', withStream,
      () => this.client.send(new UpdateMediaStorageConfigurationCommand({ ChannelARN: channelArn, MediaStorageConfiguration: configuration })));
  }

  /** The resources (at most one: a signaling channel) that store media into the stream. */
  public async describeMappedResourceConfiguration(streamArn: string): Promise<MappedResourceConfigurationListItem[]> {
    const out = await this.send('DescribeMappedResourceConfiguration', streamByArn(streamArn),
      () => this.client.send(new DescribeMappedResourceConfigurationCommand({ StreamARN: streamArn })));
    return out.MappedResourceConfigurationList ?? [];
  }

  private async describeStream(subject: Subject, input: { StreamARN?: string; StreamName?: string }): Promise<StreamInfo | undefined> {
    const out = await this.send('DescribeStream', subject, () => this.client.send(new DescribeStreamCommand(input)));
    return out.StreamInfo;
  }

  private async describeSignalingChannel(subject: Subject, input: { ChannelARN?: string; ChannelName?: string }): Promise<ChannelInfo | undefined> {
    const out = await this.send('DescribeSignalingChannel', subject, () => this.client.send(new DescribeSignalingChannelCommand(input)));
    return out.ChannelInfo;
  }
}

/** Reads a paged tag listing to the end. */
async function readAllTags(page: (nextToken: string | undefined) => Promise<{ Tags?: TagMap; NextToken?: string }>): Promise<TagMap> {
  const tags: { [key: string]: string } = {};
  let nextToken: string | undefined;
  do {
    const out = await page(nextToken);
    Object.assign(tags, out.Tags);
    nextToken = out.NextToken;
  } while (nextToken);
  return tags;
}

/** Resolves to `undefined` instead of failing when the service answers ResourceNotFoundException. */
export async function orUndefinedIfNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApiError && err.errorName === NOT_FOUND_ERROR) return undefined;
    throw err;
  }
}
