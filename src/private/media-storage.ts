import { CfnResource, CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { requireExactStreamArn } from './arn';
import { MediaStorageProperties, ResourceType } from './custom-resource-contract';
import { KinesisVideoProvider } from './provider';
import { retainsNoData } from './validation';

/** What media storage needs of a stream. */
export interface MediaStorageStream extends IConstruct {
  readonly streamArn: string;
  readonly streamName: string;
  readonly dataRetention?: Duration;
  grantWrite(grantee: iam.IGrantable): iam.Grant;
}

/** What media storage needs of a signaling channel. */
export interface MediaStorageChannel extends IConstruct {
  readonly channelArn: string;
  readonly channelName: string;
  _addStorageSessionRequirement(requirement: (grantee: iam.IGrantable) => void): void;
}

/** The construct id of a channel's media storage resource: public contract. */
const MEDIA_STORAGE_ID = 'MediaStorage';

/** The handler's calls; the policy names exactly these. */
const CHANNEL_ACTIONS = [
  'kinesisvideo:DescribeSignalingChannel',
  'kinesisvideo:DescribeMediaStorageConfiguration',
  'kinesisvideo:UpdateMediaStorageConfiguration',
];
const STREAM_ACTIONS = ['kinesisvideo:DescribeStream', 'kinesisvideo:DescribeMappedResourceConfiguration'];


/**
 * WebRTC ingestion: the channel's media is stored in the stream (`UpdateMediaStorageConfiguration`). Deleting the
 * resource sets the channel's media storage back to DISABLED, as long as the channel still maps to this stream.
 */
export class MediaStorage extends Construct {
  /** Enables media storage of `channel` into `stream`. A channel stores into one stream. */
  public static enable(channel: MediaStorageChannel, stream: MediaStorageStream): MediaStorage {
    const existing = channel.node.tryFindChild(MEDIA_STORAGE_ID) as MediaStorage | undefined;
    requireExactStreamArn(stream);
    if (existing) {
      throw new Error(`Signaling channel ${channel.node.path} already stores its media in stream ${existing.stream.node.path}: a channel maps to one stream`);
    }
    return new MediaStorage(channel, stream);
  }

  private constructor(channel: MediaStorageChannel, private readonly stream: MediaStorageStream) {
    super(channel, MEDIA_STORAGE_ID);
    if (retainsNoData(stream.dataRetention)) {
      throw new Error(`Cannot store the media of signaling channel ${channel.node.path} in stream ${stream.node.path}: its dataRetention is 0 hours, and media storage needs a stream that retains data. Set dataRetention to at least 1 hour.`);
    }
    const provider = KinesisVideoProvider.getOrCreate(this);
    provider.policy.allow('channel', channel.channelName, CHANNEL_ACTIONS);
    provider.policy.allow('stream', stream.streamName, STREAM_ACTIONS);
    const properties: MediaStorageProperties = { ChannelArn: channel.channelArn, StreamArn: stream.streamArn };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: ResourceType.MEDIA_STORAGE,
      properties: { ...properties },
    });
    provider.policy.requiredBy(resource.node.defaultChild as CfnResource);
    // Peers of a storage session ingest media into the stream: DescribeStream, GetDataEndpoint and PutMedia (the KVS
    // WebRTC ingestion guide), plus the stream's key and whatever its own configurations need of producers.
    channel._addStorageSessionRequirement((grantee) => stream.grantWrite(grantee));
  }
}
