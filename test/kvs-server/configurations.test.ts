import {
  CreateStreamCommand,
  DescribeImageGenerationConfigurationCommand,
  DescribeNotificationConfigurationCommand,
  ImageGenerationConfiguration,
  InvalidArgumentException,
  NoDataRetentionException,
  NotificationConfiguration,
  ResourceInUseException,
  UpdateImageGenerationConfigurationCommand,
  UpdateNotificationConfigurationCommand,
} from '@aws-sdk/client-kinesis-video';
import { activeStream, Harness, rejection, startHarness } from './testing';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:fragments';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.server.stop());

const notification = (Uri: string, Status: 'ENABLED' | 'DISABLED' = 'ENABLED'): NotificationConfiguration => ({ Status, DestinationConfig: { Uri } });
const image = (overrides: Partial<ImageGenerationConfiguration> = {}, destination = { Uri: 's3://images-bucket/cam', DestinationRegion: 'us-east-1' }) => ({
  Status: 'ENABLED' as const,
  ImageSelectorType: 'SERVER_TIMESTAMP' as const,
  DestinationConfig: destination,
  SamplingInterval: 3000,
  Format: 'JPEG' as const,
  ...overrides,
});

async function expectInvalid(promise: Promise<unknown>, message: string) {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(InvalidArgumentException);
  expect(err.message).toBe(message);
}

describe('notification configuration', () => {
  const update = (config?: NotificationConfiguration) =>
    h.kvs.send(new UpdateNotificationConfigurationCommand({ StreamName: 'cam', NotificationConfiguration: config }));
  const describe_ = async () => (await h.kvs.send(new DescribeNotificationConfigurationCommand({ StreamName: 'cam' }))).NotificationConfiguration;

  test('is set, replaced, and deleted by an update without a configuration', async () => {
    await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    expect(await describe_()).toBeUndefined();
    await update(notification(TOPIC));
    expect(await describe_()).toEqual(notification(TOPIC));
    await update(notification(`${TOPIC}-2`, 'DISABLED'));
    expect(await describe_()).toEqual(notification(`${TOPIC}-2`, 'DISABLED'));
    await update(undefined);
    expect(await describe_()).toBeUndefined();
    expect(h.server.state().streams[0].notificationConfiguration).toBeUndefined();
  });

  test('does not change the stream version or status', async () => {
    await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    const { version } = h.server.state().streams[0];
    await update(notification(TOPIC));
    expect(h.server.state().streams[0]).toMatchObject({ version, status: 'ACTIVE' });
  });

  test('fails on a stream without retention with NoDataRetentionException, but may still be deleted there', async () => {
    await activeStream(h, { StreamName: 'cam' });
    const err = await rejection(update(notification(TOPIC)));
    expect(err).toBeInstanceOf(NoDataRetentionException);
    expect(err.message).toBe('The Stream data retention in hours is equal to zero.');
    await update(undefined);
    expect(await describe_()).toBeUndefined();
  });

  test('fails while the stream is not ACTIVE', async () => {
    const { StreamARN } = await h.kvs.send(new CreateStreamCommand({ StreamName: 'cam', DataRetentionInHours: 24 }));
    const err = await rejection(update(notification(TOPIC)));
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect(err.message).toBe(`The stream ${StreamARN} is CREATING; the operation requires it to be ACTIVE.`);
  });

  test('fails destinations other than an SNS standard topic ARN', async () => {
    await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    await expectInvalid(update(notification(`${TOPIC}.fifo`)),
      `DestinationConfig.Uri ${TOPIC}.fifo is an SNS FIFO topic; notifications go to SNS standard topics only.`);
    await expectInvalid(update(notification('s3://bucket/prefix')), 'DestinationConfig.Uri s3://bucket/prefix is not an SNS topic ARN.');
    await expectInvalid(update(notification('no scheme')),
      "1 validation error detected: Value 'no scheme' at 'notificationConfiguration.destinationConfig.uri' failed to satisfy constraint: "
      + 'Member must satisfy regular expression pattern: ^[a-zA-Z_0-9]+:(//)?([^/]+)/?([^*]*)$');
    expect(await describe_()).toBeUndefined();
  });
});

describe('image generation configuration', () => {
  const update = (config?: ImageGenerationConfiguration) =>
    h.kvs.send(new UpdateImageGenerationConfigurationCommand({ StreamName: 'cam', ImageGenerationConfiguration: config }));
  const describe_ = async () => (await h.kvs.send(new DescribeImageGenerationConfigurationCommand({ StreamName: 'cam' }))).ImageGenerationConfiguration;

  test('is set as given, and deleted by an update without a configuration', async () => {
    await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    const config = image({ FormatConfig: { JPEGQuality: '90' }, WidthPixels: 1920, HeightPixels: 1080 });
    await update(config);
    expect(await describe_()).toEqual(config);
    expect(h.server.state().streams[0].imageGenerationConfiguration).toEqual(config);
    await update(undefined);
    expect(await describe_()).toBeUndefined();
  });

  test('fails a DestinationRegion other than the stream\'s Region', async () => {
    await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    await expectInvalid(update(image({}, { Uri: 's3://images-bucket', DestinationRegion: 'eu-west-1' })),
      'DestinationConfig.DestinationRegion eu-west-1 must match the Region of the stream, us-east-1.');
  });

  test('accepts the server\'s own Region when it is not us-east-1', async () => {
    await h.server.stop();
    h = await startHarness({ region: 'eu-west-1' });
    const arn = await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    expect(arn).toMatch(/^arn:aws:kinesisvideo:eu-west-1:123456789012:stream\/cam\/\d{13}$/);
    await update(image({}, { Uri: 's3://images-bucket', DestinationRegion: 'eu-west-1' }));
    expect((await describe_())!.DestinationConfig).toEqual({ Uri: 's3://images-bucket', DestinationRegion: 'eu-west-1' });
  });

  test('fails a sampling interval under 200 ms, a JPEG quality outside 1–100 and a destination that is not s3://bucket[/prefix]', async () => {
    await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    await expectInvalid(update(image({ SamplingInterval: 199 })), 'SamplingInterval must be at least 200 ms; received 199.');
    await expectInvalid(update(image({ FormatConfig: { JPEGQuality: '0' } })), "FormatConfig.JPEGQuality must be an integer from 1 to 100; received '0'.");
    await expectInvalid(update(image({ FormatConfig: { JPEGQuality: '101' } })), "FormatConfig.JPEGQuality must be an integer from 1 to 100; received '101'.");
    await expectInvalid(update(image({}, { Uri: 'https://images-bucket', DestinationRegion: 'us-east-1' })),
      'DestinationConfig.Uri https://images-bucket is not an S3 location of the form s3://bucket[/prefix].');
    await expectInvalid(update(image({ WidthPixels: 3841 })),
      "1 validation error detected: Value 3841 at 'imageGenerationConfiguration.widthPixels' failed to satisfy constraint: Member must have value less than or equal to 3840");
    await update(image({ SamplingInterval: 200, FormatConfig: { JPEGQuality: '1' } }));
    expect((await describe_())!.SamplingInterval).toBe(200);
  });

  test('fails on a stream without retention with NoDataRetentionException', async () => {
    await activeStream(h, { StreamName: 'cam' });
    expect(await rejection(update(image()))).toBeInstanceOf(NoDataRetentionException);
  });
});
