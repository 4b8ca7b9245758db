import { UpdateNotificationConfigurationCommand } from '@aws-sdk/client-kinesis-video';
import { isComplete, onEvent } from '../../lambda';
import { captureConsole, events, Harness, inContext, runProvider, uniqueName } from './support/harness';
import { RawProperties } from '../../lambda/types';
import { ResourceType } from '../../src/private/custom-resource-contract';

const TYPE = ResourceType.STREAM_CONFIGURATION;
const ENTRY_POINTS = { onEvent, isComplete };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:camera-events';
const THROTTLED = 'Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls. Try making the call later.';

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
const PNG_IMAGES = { Status: 'ENABLED', ImageSelectorType: 'PRODUCER_TIMESTAMP', DestinationConfig: IMAGES.DestinationConfig, SamplingInterval: '500', Format: 'PNG' };
const PNG_IMAGES_HELD = { ...PNG_IMAGES, SamplingInterval: 500 };

/** A Create's `onEvent` writes each configuration, then reads it back to confirm. */
const WRITE_NOTIFICATION = ['UpdateNotificationConfiguration', 'DescribeNotificationConfiguration'];
const WRITE_IMAGES = ['UpdateImageGenerationConfiguration', 'DescribeImageGenerationConfiguration'];
/** Updates, Deletes and polls read first, write only what differs, and confirm. */
const SET_NOTIFICATION = ['DescribeNotificationConfiguration', ...WRITE_NOTIFICATION];
const SET_IMAGES = ['DescribeImageGenerationConfiguration', ...WRITE_IMAGES];
/** One reconcile step that finds both configurations in place. */
const CONFIRM = ['DescribeStream', 'DescribeNotificationConfiguration', 'DescribeImageGenerationConfiguration'];

let h: Harness;
let restoreEnvironment: () => void;
let console_: ReturnType<typeof captureConsole>;
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
  console_ = captureConsole();
});
afterEach(() => console_.restore());

const stateOf = (streamArn: string) => h.stream(streamArn);
const id = (streamArn: string) => `StreamConfiguration|${streamArn}`;
const both = (streamArn: string) => ({ StreamArn: streamArn, NotificationConfiguration: NOTIFICATION, ImageGenerationConfiguration: IMAGES });
const done = (streamArn: string, streamName: string) => ({ IsComplete: true, Data: { StreamArn: streamArn, StreamName: streamName } });

/** Creates the resource through the entry points and forgets the calls it made. */
async function create(properties: RawProperties = both(arn)): Promise<string> {
  const { physicalResourceId } = await runProvider(events.create(TYPE, properties), ENTRY_POINTS);
  h.reset();
  return physicalResourceId;
}

/** Someone else's notification configuration on the stream. */
async function overwriteNotification(streamArn: string, uri: string) {
  await h.kvs.send(new UpdateNotificationConfigurationCommand({ StreamARN: streamArn, NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: uri } } }));
  h.reset();
}

describe('create', () => {
  test('sets both configurations without reading them first, confirms them, and reports the stream', async () => {
    const run = await runProvider(events.create(TYPE, both(arn)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: id(arn), polls: 1, result: done(arn, name) });
    expect(h.calls()).toEqual(['DescribeStream', ...WRITE_NOTIFICATION, ...WRITE_IMAGES]);
    expect(h.server.requests({ action: 'UpdateNotificationConfiguration' })[0].body).toEqual({ StreamARN: arn, NotificationConfiguration: NOTIFICATION });
    expect(h.server.requests({ action: 'UpdateImageGenerationConfiguration' })[0].body).toEqual({ StreamARN: arn, ImageGenerationConfiguration: IMAGES_HELD });
    expect(stateOf(arn).notificationConfiguration).toEqual(NOTIFICATION);
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(IMAGES_HELD);
  });

  test('manages only the configurations present', async () => {
    const run = await runProvider(events.create(TYPE, { StreamArn: arn, ImageGenerationConfiguration: PNG_IMAGES }), ENTRY_POINTS);

    expect(run.result).toEqual(done(arn, name));
    expect(h.calls()).toEqual(['DescribeStream', ...WRITE_IMAGES]);
    expect(stateOf(arn).notificationConfiguration).toBeUndefined();
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(PNG_IMAGES_HELD);
  });

  test('a repeated Create sends the same updates and leaves the stream as declared', async () => {
    await create();

    const run = await runProvider(events.create(TYPE, both(arn)), ENTRY_POINTS);

    expect(run.result).toEqual(done(arn, name));
    expect(h.calls()).toEqual(['DescribeStream', ...WRITE_NOTIFICATION, ...WRITE_IMAGES]);
    expect(stateOf(arn).notificationConfiguration).toEqual(NOTIFICATION);
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(IMAGES_HELD);
  });

  test('isComplete reads before it writes, and sends nothing when onEvent\'s update is already in place', async () => {
    await create();
    const handlers = inContext(h.context());

    const result = await handlers.isComplete({ ...events.create(TYPE, both(arn)), PhysicalResourceId: id(arn) });

    expect(result).toEqual(done(arn, name));
    expect(h.calls()).toEqual(CONFIRM);
  });

  test('fails naming the stream and what to do when the stream keeps no data', async () => {
    const bare = uniqueName('bare');
    const bareArn = await h.createStream(bare, 0);
    h.reset();

    await expect(onEvent(events.create(TYPE, both(bareArn)))).rejects.toThrow(
      `UpdateNotificationConfiguration failed for stream "${bare}" (${bareArn}): NoDataRetentionException: `
      + `The Stream data retention in hours is equal to zero. Set dataRetention above 0 on stream "${bare}".`);
    expect(h.calls()).toEqual(['DescribeStream', 'UpdateNotificationConfiguration:NoDataRetentionException']);
    expect(stateOf(bareArn).notificationConfiguration).toBeUndefined();
  });

  test('fails when the stream does not exist', async () => {
    const missing = arn.replace(name, 'missing');

    await expect(onEvent(events.create(TYPE, both(missing)))).rejects.toThrow(
      `DescribeStream failed for stream "missing" (${missing}): ResourceNotFoundException: The requested stream is not found or not active. `
      + 'It does not exist (or was deleted): check the ARN, and that it is in the same account and region as the stack.');
    expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
  });

  test('fails naming the permission when access is denied', async () => {
    h.server.injectFault('DescribeImageGenerationConfiguration', { kind: 'error', errorType: 'AccessDeniedException', message: 'User is not authorized' });

    await expect(onEvent(events.create(TYPE, both(arn)))).rejects.toThrow(
      `DescribeImageGenerationConfiguration failed for stream "${name}" (${arn}): AccessDeniedException: User is not authorized. `
      + `The handler's role needs kinesisvideo:DescribeImageGenerationConfiguration on ${arn}.`);
    expect(h.calls()).toEqual(['DescribeStream', ...WRITE_NOTIFICATION, 'UpdateImageGenerationConfiguration', 'DescribeImageGenerationConfiguration:AccessDeniedException']);
  });

  test('fails with the service\'s detail when it rejects a value', async () => {
    const tooFast = { ...IMAGES, SamplingInterval: '100' };

    await expect(onEvent(events.create(TYPE, { StreamArn: arn, ImageGenerationConfiguration: tooFast }))).rejects.toThrow(
      `UpdateImageGenerationConfiguration failed for stream "${name}" (${arn}): InvalidArgumentException: `
      + 'SamplingInterval must be at least 200 ms; received 100. Correct the value the service rejected.');
    expect(stateOf(arn).imageGenerationConfiguration).toBeUndefined();
  });

  test('fails on a property that does not parse, before any call', async () => {
    await expect(onEvent(events.create(TYPE, { StreamArn: arn, ImageGenerationConfiguration: { ...IMAGES, WidthPixels: 'wide' } }))).rejects.toThrow(
      'Invalid Custom::KinesisVideoStreamConfiguration ImageGenerationConfiguration.WidthPixels: expected an integer of at least 0, received "wide"');
    expect(h.calls()).toEqual([]);
  });
});

describe('update', () => {
  test('a no-op update only reads', async () => {
    const physicalId = await create();

    const run = await runProvider(events.update(TYPE, physicalId, both(arn), both(arn)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: done(arn, name) });
    expect(h.calls()).toEqual(CONFIRM);
  });

  test('changes a configuration and removes one the new properties drop', async () => {
    const physicalId = await create();

    const pngOnly = { StreamArn: arn, ImageGenerationConfiguration: PNG_IMAGES };
    const run = await runProvider(events.update(TYPE, physicalId, pngOnly, both(arn)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: done(arn, name) });
    expect(h.calls()).toEqual(['DescribeStream', ...SET_NOTIFICATION, ...SET_IMAGES]);
    expect(h.server.requests({ action: 'UpdateNotificationConfiguration' })[0].body).toEqual({ StreamARN: arn });
    expect(stateOf(arn).notificationConfiguration).toBeUndefined();
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(PNG_IMAGES_HELD);
  });

  test('drops optional members the new properties leave out', async () => {
    const physicalId = await create();
    const { FormatConfig: _quality, WidthPixels: _width, HeightPixels: _height, ...plain } = IMAGES;
    const next = { StreamArn: arn, NotificationConfiguration: NOTIFICATION, ImageGenerationConfiguration: plain };

    const run = await runProvider(events.update(TYPE, physicalId, next, both(arn)), ENTRY_POINTS);

    expect(run.result).toEqual(done(arn, name));
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeNotificationConfiguration', ...SET_IMAGES]);
    expect(stateOf(arn).imageGenerationConfiguration).toEqual({ ...plain, SamplingInterval: 3000 });
  });

  test('leaves a dropped configuration in place when someone else has changed it', async () => {
    const physicalId = await create();
    await overwriteNotification(arn, 'arn:aws:sns:us-east-1:123456789012:someone-else');

    await runProvider(events.update(TYPE, physicalId, { StreamArn: arn, ImageGenerationConfiguration: IMAGES }, both(arn)), ENTRY_POINTS);

    expect(h.calls()).toEqual(CONFIRM);
    expect(stateOf(arn).notificationConfiguration?.DestinationConfig?.Uri).toBe('arn:aws:sns:us-east-1:123456789012:someone-else');
    expect(console_.messages).toContain(`Leaving the notification configuration of stream "${name}" (${arn}) in place: it is not the one this resource set`);
  });

  test('rollback restores the previous configuration', async () => {
    const physicalId = await create();
    const changed = { StreamArn: arn, ImageGenerationConfiguration: PNG_IMAGES };
    await runProvider(events.update(TYPE, physicalId, changed, both(arn)), ENTRY_POINTS);
    h.reset();

    // CloudFormation's rollback: an Update back to the old properties, the failed update's as the "old" ones.
    const run = await runProvider(events.update(TYPE, physicalId, both(arn), changed), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: done(arn, name) });
    expect(h.calls()).toEqual(['DescribeStream', ...SET_NOTIFICATION, ...SET_IMAGES]);
    expect(stateOf(arn).notificationConfiguration).toEqual(NOTIFICATION);
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(IMAGES_HELD);
  });

  test('a new stream replaces the resource, and the Delete of the old id cleans up only the old stream', async () => {
    const oldId = await create();
    const other = uniqueName('cam');
    const otherArn = await h.createStream(other);
    h.reset();

    const run = await runProvider(events.update(TYPE, oldId, both(otherArn), both(arn)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: id(otherArn), polls: 1, result: done(otherArn, other) });
    expect(h.calls()).toEqual(['DescribeStream', ...SET_NOTIFICATION, ...SET_IMAGES]);
    expect(h.server.requests().every((r) => r.body.StreamARN === otherArn)).toBe(true);
    h.reset();

    // CloudFormation then deletes the old physical resource, with the old properties.
    const deleted = await runProvider(events.delete(TYPE, oldId, both(arn)), ENTRY_POINTS);

    expect(deleted).toEqual({ physicalResourceId: oldId, polls: 1, result: { IsComplete: true, Data: {} } });
    expect(h.calls()).toEqual(['DescribeStream', ...SET_NOTIFICATION, ...SET_IMAGES]);
    expect(h.server.requests().every((r) => r.body.StreamARN === arn)).toBe(true);
    expect(stateOf(arn).notificationConfiguration).toBeUndefined();
    expect(stateOf(arn).imageGenerationConfiguration).toBeUndefined();
    expect(stateOf(otherArn).notificationConfiguration).toEqual(NOTIFICATION);
    expect(stateOf(otherArn).imageGenerationConfiguration).toEqual(IMAGES_HELD);
  });
});

describe('delete', () => {
  test('removes both configurations', async () => {
    const physicalId = await create();

    const run = await runProvider(events.delete(TYPE, physicalId, both(arn)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: { IsComplete: true, Data: {} } });
    expect(h.calls()).toEqual(['DescribeStream', ...SET_NOTIFICATION, ...SET_IMAGES]);
    expect(h.server.requests({ action: 'UpdateImageGenerationConfiguration' })[0].body).toEqual({ StreamARN: arn });
    expect(stateOf(arn).notificationConfiguration).toBeUndefined();
    expect(stateOf(arn).imageGenerationConfiguration).toBeUndefined();
  });

  test('acts on the stream in its physical id, and leaves a configuration it did not set', async () => {
    const physicalId = await create();
    await overwriteNotification(arn, 'arn:aws:sns:us-east-1:123456789012:someone-else');

    // Properties naming another stream do not redirect the Delete.
    await runProvider(events.delete(TYPE, physicalId, { ...both(arn), StreamArn: 'arn:aws:kinesisvideo:us-east-1:123456789012:stream/elsewhere/1' }), ENTRY_POINTS);

    expect(h.calls()).toEqual(['DescribeStream', 'DescribeNotificationConfiguration', ...SET_IMAGES]);
    expect(console_.messages).toContain(`Leaving the notification configuration of stream "${name}" (${arn}) in place: it is not the one this resource set`);
    expect(stateOf(arn).notificationConfiguration?.DestinationConfig?.Uri).toBe('arn:aws:sns:us-east-1:123456789012:someone-else');
    expect(stateOf(arn).imageGenerationConfiguration).toBeUndefined();
  });

  test('a repeated Delete succeeds without calls that change anything', async () => {
    const physicalId = await create();
    await runProvider(events.delete(TYPE, physicalId, both(arn)), ENTRY_POINTS);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, both(arn)), ENTRY_POINTS);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(CONFIRM);
  });

  test('succeeds when the stream is already gone', async () => {
    const physicalId = await create();
    await h.deleteStream(arn);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, both(arn)), ENTRY_POINTS);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
    expect(console_.messages).toContain(`Nothing to remove: stream "${name}" (${arn}) is gone`);
  });

  test('fails a Delete that IAM denies, naming the permission and what to do, and keeps what it could not remove', async () => {
    const physicalId = await create();
    h.server.setAuthorizer({
      authorize: async ({ action, resource }) => (action === 'kinesisvideo:UpdateImageGenerationConfiguration'
        ? { allowed: false, message: `User: arn:aws:sts::123456789012:assumed-role/Handler/fn is not authorized to perform: ${action} on resource: ${resource}` }
        : { allowed: true }),
    });

    await expect(onEvent(events.delete(TYPE, physicalId, both(arn)))).rejects.toThrow(
      `UpdateImageGenerationConfiguration failed for stream "${name}" (${arn}): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/Handler/fn `
      + `is not authorized to perform: kinesisvideo:UpdateImageGenerationConfiguration on resource: ${arn}. The Delete stopped here: stream "${name}" (${arn}) `
      + `keeps what this call would have removed. Give the provider's handler role kinesisvideo:UpdateImageGenerationConfiguration on ${arn} (a policy or `
      + 'permissions boundary outside the stack denies it), then retry the deployment or stack deletion; or remove the configuration by hand with '
      + 'UpdateImageGenerationConfiguration.');
    expect(h.calls()).toEqual(['DescribeStream', ...SET_NOTIFICATION, 'DescribeImageGenerationConfiguration', 'UpdateImageGenerationConfiguration:AccessDeniedException']);
    expect(stateOf(arn).notificationConfiguration).toBeUndefined();
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(IMAGES_HELD);
  });

  test('does nothing for a physical id it did not create', async () => {
    const run = await runProvider(events.delete(TYPE, 'CREATE_FAILED_PLACEHOLDER', both(arn)), ENTRY_POINTS);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual([]);
  });
});

describe('waiting', () => {
  afterEach(() => h.server.setTransitionTimes({ streamUpdate: 50 }));

  test('onEvent waits inline while the stream is UPDATING, so isComplete finds the work done', async () => {
    h.server.setTransitionTimes({ streamUpdate: 1_000 });
    await h.startStreamUpdate(arn);
    h.reset();

    const run = await runProvider(events.create(TYPE, both(arn)), inContext(h.context()));

    expect(run.result).toEqual(done(arn, name));
    // 200 + 400 + 800 ms of backoff outlast the 1 s update: ≤ 1 s after the stream becomes ACTIVE.
    expect(h.time.sleeps).toEqual([200, 400, 800]);
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'DescribeStream', 'DescribeStream', ...WRITE_NOTIFICATION, ...WRITE_IMAGES]);
  });

  test('after the inline budget, isComplete reports progress without Data until the stream is ACTIVE', async () => {
    h.server.setTransitionTimes({ streamUpdate: 60_000 });
    await h.startStreamUpdate(arn);
    h.reset();
    const handlers = inContext(h.context());

    const { PhysicalResourceId } = await handlers.onEvent(events.create(TYPE, both(arn)));

    // Backoff 200, 400, 800, then 1 s polls, stopping before the 20 s budget is spent.
    expect(h.time.sleeps).toEqual([200, 400, 800, ...Array(18).fill(1_000)]);
    expect(h.calls()).toEqual(Array(22).fill('DescribeStream'));
    const merged = { ...events.create(TYPE, both(arn)), PhysicalResourceId };
    h.reset();
    expect(await handlers.isComplete(merged)).toEqual({ IsComplete: false });
    expect(h.calls()).toEqual(['DescribeStream']);

    h.time.advance(60_000);
    expect(await handlers.isComplete(merged)).toEqual(done(arn, name));
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', ...SET_NOTIFICATION, ...SET_IMAGES]);
  });

  test('waits out a ResourceInUseException when the stream starts updating between the check and the update', async () => {
    // Hold the handler's first update long enough for the stream to start updating behind its back.
    h.server.injectFault('UpdateNotificationConfiguration', { kind: 'delay', ms: 500 });
    const handlers = inContext(h.context());
    const running = handlers.onEvent(events.create(TYPE, both(arn)));
    await until(() => h.server.requests({ action: 'DescribeStream' }).length === 1);
    await h.startStreamUpdate(arn);

    await expect(running).resolves.toEqual({ PhysicalResourceId: id(arn), Data: { StreamArn: arn, StreamName: name } });

    expect(h.calls()).toEqual([
      'DescribeStream', 'UpdateDataRetention', 'UpdateNotificationConfiguration:ResourceInUseException', 'DescribeStream',
      'DescribeStream', ...WRITE_NOTIFICATION, ...WRITE_IMAGES,
    ]);
    expect(h.time.sleeps).toEqual([200]);
    expect(stateOf(arn).notificationConfiguration).toEqual(NOTIFICATION);
  });

  test('fails on a ResourceInUseException while the stream is ACTIVE, with the service\'s detail', async () => {
    h.server.injectFault('UpdateNotificationConfiguration', { kind: 'error', errorType: 'ResourceInUseException', message: 'The stream is mapped elsewhere' });

    await expect(onEvent(events.create(TYPE, both(arn)))).rejects.toThrow(
      `UpdateNotificationConfiguration failed for stream "${name}" (${arn}): ResourceInUseException: The stream is mapped elsewhere.`);
    expect(h.calls()).toEqual(['DescribeStream', 'UpdateNotificationConfiguration:ResourceInUseException', 'DescribeStream']);
  });
});

describe('retries', () => {
  test('retries a burst of ClientLimitExceededException with backoff and jitter', async () => {
    h.server.injectFault('UpdateNotificationConfiguration', { kind: 'throttle' }, { times: 3 });

    const run = await runProvider(events.create(TYPE, both(arn)), inContext(h.context()));

    expect(run.result).toEqual(done(arn, name));
    expect(h.calls()).toEqual([
      'DescribeStream',
      ...Array(3).fill('UpdateNotificationConfiguration:ClientLimitExceededException'),
      ...WRITE_NOTIFICATION, ...WRITE_IMAGES,
    ]);
    // Equal jitter with the random draw at 0.5: ¾ of 250, 500, 1000 ms.
    expect(h.time.sleeps).toEqual([187.5, 375, 750]);
  });

  test('waits out throttling that outlasts one call\'s retries: the step runs again at the next poll and converges', async () => {
    h.server.injectFault('DescribeStream', { kind: 'throttle' }, { times: 8 });

    const run = await runProvider(events.create(TYPE, both(arn)), inContext(h.context()));

    expect(run.result).toEqual(done(arn, name));
    expect(h.calls().slice(0, 9)).toEqual([...Array(8).fill('DescribeStream:ClientLimitExceededException'), 'DescribeStream']);
    // The call's seven backoffs, then the inline wait's first poll.
    expect(h.time.sleeps.slice(0, 8)).toEqual([187.5, 375, 750, 1_500, 3_000, 6_000, 6_000, 200]);
  });

  test('never fails while the account\'s quota stays exhausted: isComplete reports in progress, and why', async () => {
    h.server.injectFault('DescribeStream', { kind: 'throttle' }, { times: 10_000 });

    const run = await runProvider(events.create(TYPE, both(arn)), inContext(h.context()), { maxPolls: 2 });

    expect(run.result).toEqual({ IsComplete: false });
    expect(run.polls).toBe(2);
    expect(h.calls().every((call) => call === 'DescribeStream:ClientLimitExceededException')).toBe(true);
    const messages: { message: string; detail?: unknown }[] = [];
    const logged = inContext({ ...h.context(), log: (message, detail) => messages.push({ message, detail }) });
    await logged.isComplete({ ...events.create(TYPE, both(arn)), PhysicalResourceId: run.physicalResourceId });
    expect(messages).toEqual([{ message: 'In progress', detail: { physicalResourceId: run.physicalResourceId, waitingFor: `the account's DescribeStream quota (DescribeStream failed for stream "${name}" (${arn}): ClientLimitExceededException: ${THROTTLED} Still throttled after 8 attempts with backoff. Polling again.)` } }]);
  });

  test('the SDK retries a 5xx answer', async () => {
    h.server.injectFault('UpdateImageGenerationConfiguration', { kind: 'http', status: 503 });

    const run = await runProvider(events.create(TYPE, both(arn)), ENTRY_POINTS);

    expect(run.result).toEqual(done(arn, name));
    expect(h.calls()).toEqual([
      'DescribeStream', ...WRITE_NOTIFICATION,
      'UpdateImageGenerationConfiguration:503', ...WRITE_IMAGES,
    ]);
    expect(stateOf(arn).imageGenerationConfiguration).toEqual(IMAGES_HELD);
  });

  test('the SDK retries a dropped connection', async () => {
    h.server.injectFault('UpdateNotificationConfiguration', { kind: 'drop' });

    const run = await runProvider(events.create(TYPE, both(arn)), ENTRY_POINTS);

    expect(run.result).toEqual(done(arn, name));
    expect(h.calls()).toEqual([
      'DescribeStream', 'UpdateNotificationConfiguration:dropped', ...WRITE_NOTIFICATION, ...WRITE_IMAGES,
    ]);
  });

  test('fails after the SDK\'s three attempts at a 5xx', async () => {
    h.server.injectFault('DescribeNotificationConfiguration', { kind: 'http', status: 500 }, { times: 3 });

    await expect(onEvent(events.create(TYPE, both(arn)))).rejects.toThrow(
      `DescribeNotificationConfiguration failed for stream "${name}" (${arn}): HTTP 500: The service answered without error details. `
      + 'The request failed 3 times: retry the deployment.');
    expect(h.calls()).toEqual(['DescribeStream', 'UpdateNotificationConfiguration', ...Array(3).fill('DescribeNotificationConfiguration:500')]);
  });

  test('fails after the SDK\'s three attempts at a dropped connection', async () => {
    h.server.injectFault('UpdateNotificationConfiguration', { kind: 'drop' }, { times: 3 });

    await expect(onEvent(events.create(TYPE, both(arn)))).rejects.toThrow(
      `UpdateNotificationConfiguration failed for stream "${name}" (${arn}): ConnectionError: AWS SDK error wrapper for TimeoutError: socket hang up. `
      + 'The request failed 3 times: retry the deployment.');
    expect(h.calls()).toEqual(['DescribeStream', ...Array(3).fill('UpdateNotificationConfiguration:dropped')]);
    expect(stateOf(arn).notificationConfiguration).toBeUndefined();
  });
});

/** Polls `condition` on the real clock (for requests in flight), for at most 5 s. */
async function until(condition: () => boolean) {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
