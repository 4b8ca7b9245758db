import { createContext, isComplete, onEvent } from '../../lambda';
import { captureConsole, events, exactly, Harness, inContext, uniqueName } from './support/harness';
import { ResourceType } from '../../src/private/custom-resource-contract';

/** The handled types, listed in registration order; more join them as later issues add handlers. */
const HANDLED = /^Unsupported resource type "Custom::KinesisVideoSomethingElse": this function handles (Custom::KinesisVideo\w+)(, Custom::KinesisVideo\w+)*$/;

describe('dispatch', () => {
  test('fails an unknown resource type in both entry points, listing the handled ones', async () => {
    const event = events.create('Custom::KinesisVideoSomethingElse', {});

    await expect(onEvent(event)).rejects.toThrow(HANDLED);
    const failure = await isComplete({ ...event, PhysicalResourceId: 'x' }).catch((err: Error) => err.message);
    expect(failure).toMatch(HANDLED);
    expect(failure).toContain([ResourceType.STREAM_CONFIGURATION, ResourceType.MEDIA_STORAGE, ResourceType.RETENTION_GUARD].join(', '));
  });

  test('fails an unknown request type', async () => {
    const event = { ...events.delete(ResourceType.RETENTION_GUARD, 'RetentionGuard|x', { Streams: [] }), RequestType: 'Replace' as 'Delete' };

    await expect(onEvent(event)).rejects.toThrow(exactly('Unsupported RequestType "Replace": expected Create, Update or Delete'));
    await expect(isComplete(event)).rejects.toThrow(exactly('Unsupported RequestType "Replace": expected Create, Update or Delete'));
  });

  test('fails a Delete that carries no physical id', async () => {
    const event = { ...events.delete(ResourceType.RETENTION_GUARD, 'unused', { Streams: [] }), PhysicalResourceId: undefined };

    await expect(onEvent(event)).rejects.toThrow(exactly('Delete of Resource carries no PhysicalResourceId'));
  });
});

describe('createContext', () => {
  test('builds SDK clients with an explicit maxAttempts of 3', async () => {
    const ctx = createContext({});
    try {
      expect(await ctx.kinesisVideo.config.maxAttempts()).toBe(3);
      expect(await ctx.cloudFormation.config.maxAttempts()).toBe(3);
    } finally {
      ctx.kinesisVideo.destroy();
      ctx.cloudFormation.destroy();
    }
  });

  test('KVS_HANDLER_TIME_SCALE compresses every wait, and the budgets with it', async () => {
    const ctx = createContext({ KVS_HANDLER_TIME_SCALE: '0.001' });
    ctx.kinesisVideo.destroy();
    ctx.cloudFormation.destroy();
    const [realStart, scaledStart] = [Date.now(), ctx.clock.now()];

    await ctx.clock.sleep(20_000);

    // 20 s on the handler's time line is 20 ms of real time.
    expect(Date.now() - realStart).toBeLessThan(2_000);
    expect(ctx.clock.now() - scaledStart).toBeGreaterThanOrEqual(19_000);
  });

  test('fails on a KVS_HANDLER_TIME_SCALE that is not a positive number', () => {
    expect(() => createContext({ KVS_HANDLER_TIME_SCALE: '0' })).toThrow(
      exactly('Invalid KVS_HANDLER_TIME_SCALE: expected a positive number, received "0"'));
    expect(() => createContext({ KVS_HANDLER_TIME_SCALE: 'fast' })).toThrow(
      exactly('Invalid KVS_HANDLER_TIME_SCALE: expected a positive number, received "fast"'));
  });
});

describe('isComplete after onEvent', () => {
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
  afterEach(() => h.server.setTransitionTimes({ streamUpdate: 50 }));

  const configure = (streamArn: string) => events.create(ResourceType.STREAM_CONFIGURATION, {
    StreamArn: streamArn, NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: 'arn:aws:sns:us-east-1:123456789012:t' } },
  });

  test('when onEvent finished, isComplete trusts its Data and makes no call', async () => {
    const name = uniqueName('cam');
    const arn = await h.createStream(name);
    h.reset();
    const console_ = captureConsole();
    try {
      const event = configure(arn);
      const response = await onEvent(event);

      expect(response).toEqual({ PhysicalResourceId: `StreamConfiguration|${arn}`, Data: { StreamArn: arn, StreamName: name } });
      expect(h.calls()).toEqual(['DescribeStream', 'UpdateNotificationConfiguration', 'DescribeNotificationConfiguration']);
      h.reset();

      // The framework's createResponseEvent: the request merged with onEvent's whole response.
      expect(await isComplete({ ...event, ...response })).toEqual({ IsComplete: true, Data: { StreamArn: arn, StreamName: name } });
      expect(h.calls()).toEqual([]);
    } finally {
      console_.restore();
    }
  });

  test('when onEvent did not finish, it returns no Data and isComplete polls the service', async () => {
    const name = uniqueName('cam');
    const arn = await h.createStream(name);
    h.server.setTransitionTimes({ streamUpdate: 60_000 });
    await h.startStreamUpdate(arn);
    h.reset();
    const handlers = inContext(h.context());
    const event = configure(arn);

    const response = await handlers.onEvent(event);

    expect(response).toEqual({ PhysicalResourceId: `StreamConfiguration|${arn}` });
    h.reset();
    const merged = { ...event, ...response };
    expect(await handlers.isComplete(merged)).toEqual({ IsComplete: false });
    expect(h.calls()).toEqual(['DescribeStream']);

    h.time.advance(60_000);
    h.reset();
    expect(await handlers.isComplete(merged)).toEqual({ IsComplete: true, Data: { StreamArn: arn, StreamName: name } });
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeNotificationConfiguration', 'UpdateNotificationConfiguration', 'DescribeNotificationConfiguration']);
  });
});
