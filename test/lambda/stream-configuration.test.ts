import { UpdateDataRetentionCommand, UpdateNotificationConfigurationCommand } from '@aws-sdk/client-kinesis-video';
import { isComplete, onEvent } from '../../lambda';
import { ResourceType } from '../../src/private/custom-resource-contract';
import { events, Harness, inContext, runProvider, uniqueName } from './support/harness';

const TYPE = ResourceType.STREAM_CONFIGURATION;
const ENTRY_POINTS = { onEvent, isComplete };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:camera-events';

/** Properties as CloudFormation delivers them: every scalar a string. */
const NOTIFICATION = { Status: 'ENABLED', DestinationConfig: { Uri: TOPIC } };
const IMAGES = {
  Status: 'ENABLED',
  ImageSelectorType: 'SERVER_TIMESTAMP',
  DestinationConfig: { Uri: 's3://camera-images/front-door', DestinationRegion: 'us-east-1' },
  SamplingInterval: '3000',
  Format: 'JPEG',
  FormatConfig: { JPEGQuality: '80' },
  WidthPixels: '1280',
  HeightPixels: '720',
};
/** The same image generation configuration as the service holds it: numbers parsed once. */
const IMAGES_HELD = { ...IMAGES, SamplingInterval: 3000, WidthPixels: 1280, HeightPixels: 720 };

const CONFIGURE = [
  'DescribeStream',
  'DescribeNotificationConfiguration', 'UpdateNotificationConfiguration', 'DescribeNotificationConfiguration',
  'DescribeImageGenerationConfiguration', 'UpdateImageGenerationConfiguration', 'DescribeImageGenerationConfiguration',
];
/** One reconcile step that finds everything in place. */
const CONFIRM = ['DescribeStream', 'DescribeNotificationConfiguration', 'DescribeImageGenerationConfiguration'];

let h: Harness;
let restoreEnvironment: () => void;
beforeAll(async () => {
  h = await Harness.start();
  restoreEnvironment = h.useEnvironment();
});
afterAll(async () => {
  restoreEnvironment();
  await h.stop();
});

let name: string;
let arn: string;
beforeEach(async () => {
  name = uniqueName('cam');
  arn = await h.createStream(name);
  h.reset();
});

const stateOf = (streamArn: string) => h.server.state().streams.find((s) => s.arn === streamArn)!;
const id = (streamArn: string) => `StreamConfiguration|${streamArn}`;

/** Creates the resource through the entry points and forgets the calls it made. */
async function created(properties: object = { StreamArn: arn, NotificationConfiguration: NOTIFICATION, ImageGenerationConfiguration: IMAGES }) {
  const { physicalResourceId } = await runProvider(events.create(TYPE, properties), ENTRY_POINTS);
  h.reset();
  return physicalResourceId;
}

describe('create', () => {
  test('sets both configurations, waits for them, and reports the stream', async () => {
    const run = await runProvider(events.create(TYPE, { StreamArn: arn, NotificationConfiguration: NOTIFICATION, ImageGenerationConfiguration: IMAGES }), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: id(arn), polls: 1, result: { IsComplete: true, Data: { StreamArn: arn, StreamName: name } } });
    expect(h.calls()).toEqual([...CONFIGURE, ...CONFIRM]);
    expect(h.server.requests({ action: 'UpdateNotificationConfiguration' })[0].body).toEqual({ StreamARN: arn, NotificationConfiguration: NOTIFICATION });
    expect(h.server.requests({ action: 'UpdateImageGenerationConfiguration' })[0].body).toEqual({ StreamARN: arn, ImageGenerationConfiguration: IMAGES_HELD });
    expect(stateOf(arn).notificationConfiguration).toEqual(NOTIFICATION);
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(IMAGES_HELD);
  });
});
