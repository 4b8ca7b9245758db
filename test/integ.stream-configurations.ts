/**
 * Integration test for a real account: a stream with every configuration (notifications and image generation with
 * every option) and the retention guard. The assertions read the configurations back from Kinesis Video Streams.
 *
 * Run it as docs/compliance.md ("Running them") says; `test/integ-snapshots.test.ts` checks its committed snapshot offline.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ImageFormat, ImageSelector, MediaType, StorageTier, Stream } from '../src';
import { leaveNothingBehind } from './support/integ';

/** Builds the test's app: the stack under test and the assertions. */
export function buildApp(app = new App()): App {
  const stack = new Stack(app, 'KvsIntegStreamConfigurations');

  const topic = new sns.Topic(stack, 'Events', { enforceSSL: true });
  const bucket = new s3.Bucket(stack, 'Images', {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  const stream = new Stream(stack, 'Camera', {
    dataRetention: Duration.hours(2),
    mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
    deviceName: 'integ-camera',
    storageTier: StorageTier.HOT,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  stream.configureNotifications({ topic });
  stream.configureImageGeneration({
    bucket,
    keyPrefix: 'integ/camera',
    samplingInterval: Duration.seconds(3),
    format: ImageFormat.JPEG,
    jpegQuality: 70,
    imageSelector: ImageSelector.PRODUCER_TIMESTAMP,
    widthPixels: 640,
    heightPixels: 480,
  });

  const integ = new IntegTest(app, 'StreamConfigurations', { testCases: [stack] });
  integ.assertions.awsApiCall('KinesisVideo', 'DescribeNotificationConfiguration', { StreamName: stream.streamName })
    .expect(ExpectedResult.objectLike({
      NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: topic.topicArn } },
    }));
  integ.assertions.awsApiCall('KinesisVideo', 'DescribeImageGenerationConfiguration', { StreamName: stream.streamName })
    .expect(ExpectedResult.objectLike({
      ImageGenerationConfiguration: {
        Status: 'ENABLED',
        ImageSelectorType: 'PRODUCER_TIMESTAMP',
        DestinationConfig: { Uri: `s3://${bucket.bucketName}/integ/camera`, DestinationRegion: Aws.REGION },
        SamplingInterval: 3000,
        Format: 'JPEG',
        FormatConfig: { JPEGQuality: '70' },
        WidthPixels: 640,
        HeightPixels: 480,
      },
    }));
  integ.assertions.awsApiCall('KinesisVideo', 'DescribeStream', { StreamName: stream.streamName })
    .expect(ExpectedResult.objectLike({
      StreamInfo: { Status: 'ACTIVE', DataRetentionInHours: 2, MediaType: 'video/h264,audio/aac', DeviceName: 'integ-camera' },
    }));

  leaveNothingBehind(app);
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
