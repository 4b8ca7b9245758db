import { CfnResource, CustomResource, Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { requireExactStreamArn } from './arn';
import { cfnNumber } from './cfn-scalars';
import { ResourceType, StreamConfigurationProperties } from './custom-resource-contract';
import { KinesisVideoProvider } from './provider';
import { assertLength, assertPattern, assertRange, invalid, requireConstructProp, requireDuration, retainsNoData } from './validation';
import { ImageFormat, ImageGenerationOptions, ImageSelector } from '../image-generation';
import { NotificationOptions } from '../notification';

/** What a stream offers its configurations. */
export interface ConfigurableStream extends IConstruct {
  readonly streamArn: string;
  readonly streamName: string;
  readonly env: { readonly region: string };
  /** Known for streams this stack owns; undefined for imported ones. */
  readonly dataRetention?: Duration;
  /** Grants a configuration's needs to every principal that ingests media, now and later. */
  _addIngestionRequirement(requirement: (grantee: iam.IGrantable) => void): void;
}

/** The handler's calls for a stream configuration; the policy names exactly these. */
const STREAM_CONFIGURATION_ACTIONS = [
  'kinesisvideo:DescribeStream',
  'kinesisvideo:DescribeNotificationConfiguration',
  'kinesisvideo:UpdateNotificationConfiguration',
  'kinesisvideo:DescribeImageGenerationConfiguration',
  'kinesisvideo:UpdateImageGenerationConfiguration',
];

/** The construct id of a stream's configuration resource: public contract. */
const CONFIGURATION_ID = 'Configuration';

/** `s3://bucket[/prefix]` or an SNS topic ARN, as the service's `DestinationUri` shape takes them. */
const DESTINATION_URI = /^[a-zA-Z_0-9]+:(\/\/)?([^/]+)\/?([^*]*)$/;

/**
 * The notification and image generation of one stream, held in a single custom resource so that a stream with both
 * costs one resource, not two.
 */
export class StreamConfiguration extends Construct {
  /** The stream's configuration resource, created on first use. */
  public static of(stream: ConfigurableStream): StreamConfiguration {
    const existing = stream.node.tryFindChild(CONFIGURATION_ID);
    return (existing as StreamConfiguration | undefined) ?? new StreamConfiguration(stream, CONFIGURATION_ID);
  }

  private notification?: StreamConfigurationProperties['NotificationConfiguration'];
  private imageGeneration?: StreamConfigurationProperties['ImageGenerationConfiguration'];
  private readonly stream: ConfigurableStream;
  private readonly resource: CfnResource;

  private constructor(stream: ConfigurableStream, id: string) {
    requireExactStreamArn(stream);
    super(stream, id);
    this.stream = stream;
    const provider = KinesisVideoProvider.getOrCreate(this);
    provider.policy.allow('stream', stream.streamName, STREAM_CONFIGURATION_ACTIONS);
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: ResourceType.STREAM_CONFIGURATION,
      properties: { StreamArn: stream.streamArn } satisfies Pick<StreamConfigurationProperties, 'StreamArn'>,
    });
    this.resource = resource.node.defaultChild as CfnResource;
    provider.policy.requiredBy(this.resource);
  }

  /**
   * Sets one configuration property of the resource. A property override rather than a `Lazy` property: the
   * configurations arrive after the resource exists, and an override is written once instead of resolved as a token.
   */
  private setProperty<K extends Exclude<keyof StreamConfigurationProperties, 'StreamArn'>>(key: K, value: StreamConfigurationProperties[K]): void {
    this.resource.addPropertyOverride(key, value);
  }

  /** Sets the stream's notification configuration. */
  public setNotification(options: NotificationOptions): void {
    if (this.notification) throw new Error(`Stream ${this.stream.node.path} already has a notification configuration`);
    this.requireRetention('notifications');
    requireConstructProp('topic', options.topic, 'topicArn', 'an SNS topic (sns.ITopic)');
    const topic = options.topic;
    if (!Token.isUnresolved(topic.fifo) && topic.fifo) {
      // Named by its construct path: the ARN of a topic of the app is known only at deploy time.
      throw invalid('topic', Token.isUnresolved(topic.topicArn) ? topic.node.path : topic.topicArn, 'a standard SNS topic: Kinesis Video Streams does not notify FIFO topics');
    }
    assertLength('topic', topic.topicArn, 1, 255);
    this.notification = {
      Status: options.enabled === false ? 'DISABLED' : 'ENABLED',
      DestinationConfig: { Uri: topic.topicArn },
    };
    this.setProperty('NotificationConfiguration', this.notification);
    // Exactly what publishing needs, rather than topic.grantPublish's kms:GenerateDataKey* wildcard.
    this.stream._addIngestionRequirement((grantee) => {
      iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
      topic.masterKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    });
  }

  /** Sets the stream's image generation configuration. */
  public setImageGeneration(options: ImageGenerationOptions): void {
    if (this.imageGeneration) throw new Error(`Stream ${this.stream.node.path} already has an image generation configuration`);
    this.requireRetention('image generation');
    requireConstructProp('bucket', options.bucket, 'bucketName', 'an S3 bucket (s3.IBucket)');
    requireDuration('samplingInterval', options.samplingInterval, true, 'Duration.seconds(5)');
    const format = options.format ?? ImageFormat.JPEG;
    const samplingMs = options.samplingInterval.toMilliseconds();
    assertRange('samplingInterval', samplingMs, 200, undefined, 'milliseconds');
    if (options.jpegQuality !== undefined) {
      if (format !== ImageFormat.JPEG) {
        throw invalid('jpegQuality', options.jpegQuality, `unset unless format is JPEG (format is ${format})`);
      }
      assertRange('jpegQuality', options.jpegQuality, 1, 100);
    }
    if (options.widthPixels !== undefined) assertRange('widthPixels', options.widthPixels, 1, 3840);
    if (options.heightPixels !== undefined) assertRange('heightPixels', options.heightPixels, 1, 2160);

    const region = this.stream.env.region;
    const bucketRegion = options.bucket.env.region;
    if (!Token.isUnresolved(region) && !Token.isUnresolved(bucketRegion) && region !== bucketRegion) {
      throw invalid('bucket', options.bucket.bucketName, `a bucket in the stream's region ${region} (the bucket is in ${bucketRegion})`);
    }
    const prefix = options.keyPrefix ?? '';
    const uri = `s3://${options.bucket.bucketName}${prefix ? `/${prefix}` : ''}`;
    assertLength('keyPrefix', uri, 1, 255, 'the URI s3://<bucket>/<keyPrefix>');
    assertPattern('keyPrefix', uri, DESTINATION_URI, 'free of "*" in the URI s3://<bucket>/<keyPrefix>');

    this.imageGeneration = {
      Status: options.enabled === false ? 'DISABLED' : 'ENABLED',
      ImageSelectorType: options.imageSelector ?? ImageSelector.SERVER_TIMESTAMP,
      DestinationConfig: { Uri: uri, DestinationRegion: region },
      SamplingInterval: cfnNumber(samplingMs),
      Format: format,
      FormatConfig: options.jpegQuality !== undefined ? { JPEGQuality: cfnNumber(options.jpegQuality) } : undefined,
      WidthPixels: options.widthPixels !== undefined ? cfnNumber(options.widthPixels) : undefined,
      HeightPixels: options.heightPixels !== undefined ? cfnNumber(options.heightPixels) : undefined,
    };
    this.setProperty('ImageGenerationConfiguration', this.imageGeneration);
    const bucket = options.bucket;
    // Exactly what writing an image needs, rather than bucket.grantPut's s3:Abort*, kms:ReEncrypt* and
    // kms:GenerateDataKey* wildcards.
    this.stream._addIngestionRequirement((grantee) => {
      iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [bucket.arnForObjects(`${prefix}*`)] });
      bucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey');
    });
  }

  private requireRetention(what: string): void {
    if (retainsNoData(this.stream.dataRetention)) {
      throw new Error(`Cannot configure ${what} on stream ${this.stream.node.path}: its dataRetention is 0 hours, and Kinesis Video Streams configures ${what} only on streams that retain data. Set dataRetention to at least 1 hour.`);
    }
  }
}
