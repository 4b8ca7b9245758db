import { createContext, isComplete, onEvent } from '../../lambda';
import { events, exactly } from './support/harness';
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
