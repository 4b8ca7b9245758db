import { Annotations, Duration, IResource, Names, RemovalPolicy, Resource, ResourceProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnStream } from 'aws-cdk-lib/aws-kinesisvideo';
import * as kms from 'aws-cdk-lib/aws-kms';
import { aws_kinesisvideo as kvsRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { ImageGenerationOptions } from './image-generation';
import { MediaType } from './media-type';
import { NotificationOptions } from './notification';
import { KvsResourceKind, resolveImportedIdentity } from './private/arn';
import { PLAYBACK_ACTIONS, PRODUCER_ACTIONS, PRODUCER_KEY_ACTIONS, READ_ACTIONS } from './private/device-actions';
import { GranteeRequirement, GranteeRequirements } from './private/grantee-requirements';
import { RetentionGuard } from './private/retention-guard';
import { StreamConfiguration } from './private/stream-configuration';
import { requireMediaTypeObject, tagValidation, validateDataRetention, validateDeviceName, validateStreamName } from './private/validation';
import { StreamMetric } from './stream-metric';

/** Consumers need this on a customer managed key (KVS Developer Guide, "Data protection"). */
const KMS_READ_ACTIONS = ['kms:Decrypt'];

/** 24 hours, not the service's 0: archived media and every stream configuration need retention (see `dataRetention`). */
const DEFAULT_DATA_RETENTION = Duration.hours(24);
const STREAM_KIND: KvsResourceKind = {
  resource: 'stream',
  arnProp: 'streamArn',
  nameProp: 'streamName',
  validateName: validateStreamName,
};

/**
 * A Kinesis video stream, owned by this stack (`new Stream`) or imported (`Stream.from*`).
 */
export interface IStream extends IResource, kvsRefs.IStreamRef {
  /**
   * The ARN of the stream.
   *
   * For a stream imported by name only, this is the pattern `arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/*`:
   * a stream ARN ends in the stream's creation time, which the name alone does not give. The pattern fits IAM
   * policies, not API calls that take a stream ARN.
   *
   * @attribute
   */
  readonly streamArn: string;

  /**
   * The name of the stream.
   *
   * @attribute
   */
  readonly streamName: string;

  /**
   * The customer managed KMS key that encrypts the stream's data.
   *
   * @default - the stream uses the Kinesis Video Streams managed key `aws/kinesisvideo`, or the key is unknown (imported stream)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the stream keeps its data.
   *
   * @default - undefined for imported streams
   */
  readonly dataRetention?: Duration;

  /**
   * Grants the given actions on this stream.
   *
   * @param grantee the principal
   * @param actions the `kinesisvideo:` actions
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants what a producer needs to send media: `kinesisvideo:PutMedia`, `kinesisvideo:GetDataEndpoint` and
   * `kinesisvideo:DescribeStream`, plus `kms:GenerateDataKey` on the stream's customer managed key if it has one.
   *
   * Kinesis Video Streams publishes notifications and stores generated images with the producer's credentials, so
   * the grant also covers what the stream's configurations need (for example `sns:Publish` on a notification
   * topic), including configurations added after this call.
   *
   * @param grantee the producer
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants what a consumer needs to read live and archived media: `kinesisvideo:GetMedia`,
   * `kinesisvideo:GetDataEndpoint`, `kinesisvideo:DescribeStream`, `kinesisvideo:ListFragments`,
   * `kinesisvideo:GetMediaForFragmentList`, `kinesisvideo:GetClip`, `kinesisvideo:GetHLSStreamingSessionURL`,
   * `kinesisvideo:GetDASHStreamingSessionURL` and `kinesisvideo:GetImages`, plus `kms:Decrypt` on the stream's
   * customer managed key if it has one.
   *
   * @param grantee the consumer
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants what a player's backend needs to hand out HLS and DASH playback URLs and clips:
   * `kinesisvideo:GetHLSStreamingSessionURL`, `kinesisvideo:GetDASHStreamingSessionURL`, `kinesisvideo:GetClip` and
   * `kinesisvideo:GetDataEndpoint`, plus `kms:Decrypt` on the stream's customer managed key if it has one (playback
   * decrypts archived media with the credentials that requested the URL).
   *
   * @param grantee the backend that requests playback URLs
   */
  grantPlayback(grantee: iam.IGrantable): iam.Grant;

  /**
   * A metric of this stream in the `AWS/KinesisVideo` namespace, with the `StreamName` dimension.
   *
   * Every metric the KVS Developer Guide documents is listed in `StreamMetric`, with its statistic.
   *
   * @param metricName the metric's name, for example `PutMedia.IncomingBytes` or `StreamMetric.CLIP_LATENCY.metricName`
   * @param props options of the metric
   * @default - over 5 minutes, with the statistic of `StreamMetric` for a documented metric (Sum for counts and bytes,
   * Average for latencies and success rates) and Average for any other name
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.IncomingBytes`: bytes received by the stream.
   *
   * @default - sum over 5 minutes
   */
  metricPutMediaIncomingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.IncomingFragments`: complete fragments received by the stream.
   *
   * @default - sum over 5 minutes
   */
  metricPutMediaIncomingFragments(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.IncomingFrames`: complete frames received by the stream.
   *
   * @default - sum over 5 minutes
   */
  metricPutMediaIncomingFrames(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.FragmentIngestionLatency`: milliseconds between the first and last bytes of a fragment arriving.
   *
   * @default - average over 5 minutes
   */
  metricPutMediaFragmentIngestionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.FragmentPersistLatency`: milliseconds between a fragment arriving in full and being archived.
   *
   * @default - average over 5 minutes
   */
  metricPutMediaFragmentPersistLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.ConnectionErrors`: PutMedia connections that failed to establish.
   *
   * @default - sum over 5 minutes
   */
  metricPutMediaConnectionErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.Success`: 1 for each fragment written, 0 for each failure. The average is the success rate.
   *
   * @default - average over 5 minutes
   */
  metricPutMediaSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `GetMedia.OutgoingBytes`: bytes sent by GetMedia.
   *
   * @default - sum over 5 minutes
   */
  metricGetMediaOutgoingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `GetMedia.MillisBehindNow`: how far GetMedia consumers lag behind the newest fragment, in milliseconds.
   *
   * @default - average over 5 minutes
   */
  metricGetMediaMillisBehindNow(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `GetHLSStreamingSessionURL.Success`: 1 for each successful call, 0 for each failure. The average is the success
   * rate.
   *
   * @default - average over 5 minutes
   */
  metricGetHlsStreamingSessionUrlSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `GetClip.OutgoingBytes`: bytes sent by GetClip.
   *
   * @default - sum over 5 minutes
   */
  metricGetClipOutgoingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.Requests`: PutMedia requests.
   *
   * @default - sum over 5 minutes
   */
  metricPutMediaRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `PutMedia.ErrorAckCount`: error ACKs sent to producers. The ACK's error code says why ingestion failed.
   *
   * @default - sum over 5 minutes
   */
  metricPutMediaErrorAckCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `ArchivedFragmentsConsumed.Media`: fragment-media quota points consumed by the archived-media APIs
   * (GetMediaForFragmentList, GetClip, GetMP4MediaFragment, GetTSFragment, GetImages). The quota is 500 points per
   * second per stream.
   *
   * @default - sum over 5 minutes
   */
  metricArchivedFragmentsConsumedMedia(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * `ArchivedFragmentsConsumed.Metadata`: fragment-metadata quota points consumed by the archived-media APIs
   * (ListFragments, GetClip, GetHLSMediaPlaylist, GetDASHManifest, GetImages). The quota is 10,000 points per second
   * per stream.
   *
   * @default - sum over 5 minutes
   */
  metricArchivedFragmentsConsumedMetadata(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /**
   * Sends the stream's notifications to an SNS topic (`UpdateNotificationConfiguration`, through this library's
   * custom resource). The stream must retain data. `grantWrite` grants `sns:Publish` on the topic to the producers,
   * including those granted before this call. At most once per stream.
   */
  configureNotifications(options: NotificationOptions): void;

  /**
   * Generates images from the stream into an S3 bucket (`UpdateImageGenerationConfiguration`, through this
   * library's custom resource). The stream must retain data, and the bucket must be in the stream's region.
   * `grantWrite` grants `s3:PutObject` under the key prefix to the producers, including those granted before this
   * call. At most once per stream.
   */
  configureImageGeneration(options: ImageGenerationOptions): void;

  /**
   * Registers something every producer needs, for the configuration constructs of this library.
   *
   * @internal
   */
  _addIngestionRequirement(requirement: GranteeRequirement): void;

  /**
   * Grants what a producer needs besides the stream's own actions: the customer managed key, and what the stream's
   * configurations require, now and later. For principals scoped to the stream some other way, such as
   * `CameraFleetIdentity`'s role.
   *
   * @internal
   */
  _grantProducerNeeds(grantee: iam.IGrantable): iam.Grant | undefined;
}

/**
 * A stream this stack does not own. Give its ARN, its name or both.
 */
export interface StreamAttributes {
  /**
   * The ARN of the stream. A token is fine: the name is then derived with `Fn::Split`/`Fn::Select`.
   *
   * @default - the pattern `arn:<partition>:kinesisvideo:<region>:<account>:stream/<streamName>/*` (see `IStream.streamArn`)
   */
  readonly streamArn?: string;

  /**
   * The name of the stream.
   *
   * @default - taken from `streamArn`
   */
  readonly streamName?: string;

  /**
   * The customer managed KMS key that encrypts the stream's data, so that grants include it.
   *
   * @default - the grants give no KMS permissions
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Grants and metrics, written once for owned and imported streams.
 */
abstract class StreamBase extends Resource implements IStream {
  public abstract readonly streamArn: string;
  public abstract readonly streamName: string;
  public abstract readonly encryptionKey?: kms.IKey;
  public abstract readonly dataRetention?: Duration;

  /** The producers of `grantWrite` and what the stream's configurations require of them. */
  private readonly ingestion = new GranteeRequirements();

  constructor(scope: Construct, id: string, props: ResourceProps = {}) {
    super(scope, id, props);
  }

  /** A reference to this stream, for aws-cdk-lib APIs that take a `IStreamRef`. */
  public get streamRef(): kvsRefs.StreamReference {
    return { streamName: this.streamName, streamArn: this.streamArn };
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.streamArn] });
  }

  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    const grant = this.grant(grantee, ...PRODUCER_ACTIONS);
    const keyGrant = this._grantProducerNeeds(grantee);
    return keyGrant ? grant.combine(keyGrant) : grant;
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grantWithKey(grantee, READ_ACTIONS, KMS_READ_ACTIONS);
  }

  public grantPlayback(grantee: iam.IGrantable): iam.Grant {
    return this.grantWithKey(grantee, PLAYBACK_ACTIONS, KMS_READ_ACTIONS);
  }

  public configureNotifications(options: NotificationOptions): void {
    StreamConfiguration.of(this).setNotification(options);
  }

  public configureImageGeneration(options: ImageGenerationOptions): void {
    StreamConfiguration.of(this).setImageGeneration(options);
  }

  /** @internal */
  public _addIngestionRequirement(requirement: GranteeRequirement): void {
    this.ingestion.addRequirement(requirement);
  }

  /** @internal */
  public _grantProducerNeeds(grantee: iam.IGrantable): iam.Grant | undefined {
    const keyGrant = this.encryptionKey?.grant(grantee, ...PRODUCER_KEY_ACTIONS);
    this.ingestion.addGrantee(grantee);
    return keyGrant;
  }

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/KinesisVideo',
      metricName,
      dimensionsMap: { StreamName: this.streamName },
      period: Duration.minutes(5),
      statistic: StreamMetric.find(metricName)?.statistic ?? cloudwatch.Stats.AVERAGE,
      ...props,
    }).attachTo(this);
  }

  public metricPutMediaRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_REQUESTS, props);
  }

  public metricPutMediaIncomingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_INCOMING_BYTES, props);
  }

  public metricPutMediaIncomingFragments(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_INCOMING_FRAGMENTS, props);
  }

  public metricPutMediaIncomingFrames(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_INCOMING_FRAMES, props);
  }

  public metricPutMediaFragmentIngestionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_FRAGMENT_INGESTION_LATENCY, props);
  }

  public metricPutMediaFragmentPersistLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_FRAGMENT_PERSIST_LATENCY, props);
  }

  public metricPutMediaConnectionErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_CONNECTION_ERRORS, props);
  }

  public metricPutMediaErrorAckCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_ERROR_ACK_COUNT, props);
  }

  public metricPutMediaSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.PUT_MEDIA_SUCCESS, props);
  }

  public metricGetMediaOutgoingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.MEDIA_OUTGOING_BYTES, props);
  }

  public metricGetMediaMillisBehindNow(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.MEDIA_MILLIS_BEHIND_NOW, props);
  }

  public metricGetHlsStreamingSessionUrlSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.HLS_STREAMING_SESSION_URL_SUCCESS, props);
  }

  public metricGetClipOutgoingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.CLIP_OUTGOING_BYTES, props);
  }

  public metricArchivedFragmentsConsumedMedia(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.ARCHIVED_FRAGMENTS_CONSUMED_MEDIA, props);
  }

  public metricArchivedFragmentsConsumedMetadata(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(StreamMetric.ARCHIVED_FRAGMENTS_CONSUMED_METADATA, props);
  }

  private grantWithKey(grantee: iam.IGrantable, actions: string[], keyActions: string[]): iam.Grant {
    const grant = this.grant(grantee, ...actions);
    return this.encryptionKey ? grant.combine(this.encryptionKey.grant(grantee, ...keyActions)) : grant;
  }

  private metricOf(metric: StreamMetric, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metric.metricName, props);
  }
}

/**
 * Properties of a Kinesis video stream.
 */
export interface StreamProps {
  /**
   * The name of the stream: 1-256 characters of `[a-zA-Z0-9_.-]`, unique in the account and region. Changing it
   * replaces the stream.
   *
   * @default - a name unique in the app, derived from the construct path. The name is always known at synth time:
   * the retention guard and the IAM scoping of this library's custom resources refer to streams by name.
   */
  readonly streamName?: string;

  /**
   * How long the stream keeps its data: a whole number of hours from 0 to 87600 (ten years).
   *
   * The service's own default is 0, which stores nothing: fragments stay only in a 5-minute buffer, and archived
   * media (GetClip, HLS, DASH, ListFragments) and every stream configuration (notifications, image generation,
   * WebRTC media storage, Edge Agent) refuse a stream without retention. 24 hours makes all of these work out of the
   * box at the cost of a day of storage. Set 0 for live-only streams.
   *
   * The retention is always written to the template, so removing this property later shows in `cdk diff` as a change
   * to 24 hours instead of silently resetting the stream to the service's 0. Lowering retention deletes older data at
   * once.
   *
   * @default Duration.hours(24)
   */
  readonly dataRetention?: Duration;

  /**
   * The name of the device that writes to the stream: 1-128 characters of `[a-zA-Z0-9_.-]`. Kinesis Video Streams
   * stores it and does not use it.
   *
   * @default - no device name
   */
  readonly deviceName?: string;

  /**
   * The media type of the stream's tracks. Consumers, and the console's player, read it; the service does not check
   * it against the media.
   *
   * @example MediaType.of(MediaType.H264, MediaType.AAC)
   * @default - no media type
   */
  readonly mediaType?: MediaType;

  /**
   * The customer managed KMS key that encrypts the stream's data at rest.
   *
   * The key is fixed when the stream is created. CloudFormation's schema lists `KmsKeyId` as updatable, but Kinesis
   * Video Streams has no API that changes a stream's key (UpdateStream takes none), so CloudFormation cannot apply a
   * change of key: the update fails or the stream keeps its original key. To move to another key, create a new stream
   * (a new `streamName` or construct id) and move producers and consumers to it. Setting this property adds a
   * synth-time warning that says so; acknowledge it with
   * `Annotations.of(stream).acknowledgeWarning('cdk-kinesis-video:Stream.encryptionKeyIsImmutable')`.
   *
   * With a customer managed key, producers need `kms:GenerateDataKey` and consumers `kms:Decrypt` on it; the
   * stream's grants add them.
   *
   * @default - the Kinesis Video Streams managed key `aws/kinesisvideo`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The default storage tier of the stream's data.
   *
   * Nothing is written to the template when unset. To return a WARM stream to HOT, set `StorageTier.HOT` rather
   * than removing the property.
   *
   * @default - the service's default, HOT
   */
  readonly storageTier?: StorageTier;

  /**
   * What happens to the stream, and the video it holds, when it leaves the stack or is replaced.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether a deployment may lower the stream's data retention.
   *
   * Lowering the retention deletes the video older than the new retention at once, and no rollback brings it back.
   * By default the stack's retention guard (one custom resource per stack) refuses a deployment that would lower the
   * retention of the live stream, before the stream is touched. Set `true`, deploy the decrease, and consider
   * setting it back afterwards.
   *
   * @default false
   */
  readonly allowRetentionDecrease?: boolean;
}

/**
 * A Kinesis video stream.
 *
 * Tag it with `Tags.of(stream).add(key, value)`: at most 50 tags, checked when the app synthesizes.
 *
 * @example
 * declare const cameraRole: iam.IRole;
 * const stream = new Stream(this, 'Camera', {
 *   mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
 *   dataRetention: Duration.days(7),
 * });
 * stream.grantWrite(cameraRole);
 *
 * @resource AWS::KinesisVideo::Stream
 */
export class Stream extends StreamBase {
  /**
   * Imports a stream by its ARN.
   *
   * @param streamArn `arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation time>`, or a token
   */
  public static fromStreamArn(scope: Construct, id: string, streamArn: string): IStream {
    return Stream.fromStreamAttributes(scope, id, { streamArn });
  }

  /**
   * Imports a stream of this stack's account and region by its name.
   *
   * The stream's exact ARN is not known (it ends in the creation time), so `streamArn` and the grants use the
   * pattern `arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/*`.
   */
  public static fromStreamName(scope: Construct, id: string, streamName: string): IStream {
    return Stream.fromStreamAttributes(scope, id, { streamName });
  }

  /**
   * Imports a stream from its attributes. An imported stream's account and region are those of its ARN when given,
   * otherwise the stack's.
   */
  public static fromStreamAttributes(scope: Construct, id: string, attrs: StreamAttributes): IStream {
    const identity = resolveImportedIdentity(scope, STREAM_KIND, attrs.streamArn, attrs.streamName);
    class Import extends StreamBase {
      public readonly streamArn = identity.arn;
      public readonly streamName = identity.name;
      public readonly encryptionKey = attrs.encryptionKey;
      public readonly dataRetention = undefined;
    }
    return new Import(scope, id, attrs.streamArn !== undefined ? { environmentFromArn: attrs.streamArn } : {});
  }

  public readonly streamArn: string;
  public readonly streamName: string;
  public readonly encryptionKey?: kms.IKey;

  /**
   * How long the stream keeps its data, with the default filled in: always set for a stream this stack owns.
   */
  public readonly dataRetention?: Duration;

  private readonly resource: CfnStream;

  constructor(scope: Construct, id: string, props: StreamProps = {}) {
    super(scope, id, { physicalName: props.streamName });

    validateStreamName(props.streamName);
    const streamName = props.streamName ?? Names.uniqueResourceName(this, { maxLength: 256, separator: '-' });
    validateDeviceName(props.deviceName);
    requireMediaTypeObject(props.mediaType);
    const dataRetention = props.dataRetention ?? DEFAULT_DATA_RETENTION;
    validateDataRetention(dataRetention);
    this.dataRetention = dataRetention;
    this.encryptionKey = props.encryptionKey;

    this.resource = new CfnStream(this, 'Resource', {
      name: streamName,
      dataRetentionInHours: dataRetention.toHours(),
      deviceName: props.deviceName,
      mediaType: props.mediaType?.value,
      kmsKeyId: props.encryptionKey?.keyArn,
      streamStorageConfiguration: props.storageTier ? { defaultStorageTier: props.storageTier } : undefined,
    });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.node.addValidation(tagValidation(this.resource.tags));

    if (props.encryptionKey) {
      Annotations.of(this).addWarningV2(
        'cdk-kinesis-video:Stream.encryptionKeyIsImmutable',
        'The encryption key of a Kinesis video stream is fixed when the stream is created: CloudFormation cannot apply a later change of encryptionKey (Kinesis Video Streams has no API for it). To change keys, create a new stream.',
      );
    }

    if (!props.allowRetentionDecrease) {
      RetentionGuard.of(this).guard(this.resource);
    }

    this.streamArn = this.resource.attrArn;
    this.streamName = streamName;
  }
}

/**
 * The storage tier that holds a stream's data by default.
 */
export enum StorageTier {
  /** For frequent access: the lowest latency and the highest performance, for real-time applications. */
  HOT = 'HOT',
  /** For data that is accessed regularly but not continuously: balances performance and cost. */
  WARM = 'WARM',
}
