import {
  ChannelInfo,
  DescribeImageGenerationConfigurationCommand,
  DescribeMappedResourceConfigurationCommand,
  DescribeMediaStorageConfigurationCommand,
  DescribeNotificationConfigurationCommand,
  DescribeSignalingChannelCommand,
  DescribeStreamCommand,
  ImageGenerationConfiguration,
  KinesisVideoClient,
  MappedResourceConfigurationListItem,
  MediaStorageConfiguration,
  NotificationConfiguration,
  StreamInfo,
  UpdateImageGenerationConfigurationCommand,
  UpdateMediaStorageConfigurationCommand,
  UpdateNotificationConfigurationCommand,
} from '@aws-sdk/client-kinesis-video';
import { ApiError, NOT_FOUND_ERROR } from './errors';
import { CallContext, invoke } from './retry';
import { channelByArn, streamByArn, streamByName, Subject } from './subject';

/**
 * The Kinesis Video control-plane calls the handlers make, each with throttling retries and translated failures
 * (ApiError). Wrap a call in {@link orUndefinedIfNotFound} where a missing resource is an answer, not a failure.
 */
export class KvsApi {
  constructor(private readonly client: KinesisVideoClient, private readonly ctx: CallContext) {}

  public describeStreamByArn(streamArn: string): Promise<StreamInfo | undefined> {
    return this.describeStream(streamByArn(streamArn), { StreamARN: streamArn });
  }

  public describeStreamByName(streamName: string): Promise<StreamInfo | undefined> {
    return this.describeStream(streamByName(streamName), { StreamName: streamName });
  }

  public async describeChannel(channelArn: string): Promise<ChannelInfo | undefined> {
    const out = await this.send('DescribeSignalingChannel', channelByArn(channelArn),
      () => this.client.send(new DescribeSignalingChannelCommand({ ChannelARN: channelArn })));
    return out.ChannelInfo;
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

  private send<T>(api: string, subject: Subject, send: () => Promise<T>): Promise<T> {
    return invoke(this.ctx, { service: 'kinesisvideo', api, subject }, send);
  }
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
