import { UpdateMediaStorageConfigurationCommand } from '@aws-sdk/client-kinesis-video';
import { isComplete, onEvent } from '../../lambda';
import { captureConsole, events, Harness, inContext, runProvider, uniqueName } from './support/harness';
import { ResourceType } from '../../src/private/custom-resource-contract';

const TYPE = ResourceType.MEDIA_STORAGE;
const ENTRY_POINTS = { onEvent, isComplete };

/** Reading the channel, the stream and the channel's media storage: one check of the mapping. */
const CHECK = ['DescribeSignalingChannel', 'DescribeStream', 'DescribeMediaStorageConfiguration'];
const ENABLE = [...CHECK, 'UpdateMediaStorageConfiguration', ...CHECK];
/** Releasing the old mapping of an Update: the old channel's storage disabled, and confirmed. */
const DISABLE = ['DescribeMediaStorageConfiguration', 'UpdateMediaStorageConfiguration', 'DescribeMediaStorageConfiguration'];

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

let channelName: string;
let channel: string;
let streamName: string;
let stream: string;
beforeEach(async () => {
  channelName = uniqueName('door');
  channel = await h.createChannel(channelName);
  streamName = uniqueName('door-video');
  stream = await h.createStream(streamName);
  h.reset();
  console_ = captureConsole();
});
afterEach(() => console_.restore());

const props = (channelArn: string, streamArn: string) => ({ ChannelArn: channelArn, StreamArn: streamArn });
const id = (channelArn: string, streamArn: string) => `MediaStorage|${channelArn}|${streamArn}`;
const done = (channelArn: string, streamArn: string) => ({ IsComplete: true, Data: { ChannelArn: channelArn, StreamArn: streamArn } });
const enabled = (streamArn: string) => ({ Status: 'ENABLED' as const, StreamARN: streamArn });
const DISABLED = { Status: 'DISABLED' as const };

async function create(channelArn = channel, streamArn = stream): Promise<string> {
  const { physicalResourceId } = await runProvider(events.create(TYPE, props(channelArn, streamArn)), ENTRY_POINTS);
  h.reset();
  return physicalResourceId;
}

/** Someone else's media storage configuration. */
async function mapElsewhere(channelArn: string, configuration: { Status: 'ENABLED' | 'DISABLED'; StreamARN?: string }) {
  await h.kvs.send(new UpdateMediaStorageConfigurationCommand({ ChannelARN: channelArn, MediaStorageConfiguration: configuration }));
  h.reset();
}

describe('create', () => {
  test('stores the channel\'s media in the stream, and reports both', async () => {
    const run = await runProvider(events.create(TYPE, props(channel, stream)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: id(channel, stream), polls: 1, result: done(channel, stream) });
    expect(h.calls()).toEqual(ENABLE);
    expect(h.server.requests({ action: 'UpdateMediaStorageConfiguration' })[0].body).toEqual({ ChannelARN: channel, MediaStorageConfiguration: enabled(stream) });
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(enabled(stream));
    expect(h.stream(stream).mappedChannelArn).toBe(channel);
  });

  test('a repeated Create converges without sending the update again', async () => {
    await create();

    const run = await runProvider(events.create(TYPE, props(channel, stream)), ENTRY_POINTS);

    expect(run.result).toEqual(done(channel, stream));
    expect(h.calls()).toEqual(CHECK);
  });

  test('waits inline while the channel is UPDATING', async () => {
    h.server.setTransitionTimes({ channelUpdate: 1_000 });
    await h.startChannelUpdate(channel);
    h.reset();

    const run = await runProvider(events.create(TYPE, props(channel, stream)), inContext(h.context()));

    expect(run.result).toEqual(done(channel, stream));
    expect(h.time.sleeps).toEqual([200, 400, 800]);
    // Three checks find the channel UPDATING; the fourth finds both ACTIVE and goes on.
    const busy = ['DescribeSignalingChannel', 'DescribeStream'];
    expect(h.calls()).toEqual([...busy, ...busy, ...busy, ...ENABLE]);
    h.server.setTransitionTimes({ channelUpdate: 50 });
  });

  test('fails naming the stream when the channel already stores its media elsewhere', async () => {
    const otherName = uniqueName('elsewhere');
    const other = await h.createStream(otherName);
    await mapElsewhere(channel, enabled(other));

    await expect(onEvent(events.create(TYPE, props(channel, stream)))).rejects.toThrow(
      `UpdateMediaStorageConfiguration failed for signaling channel "${channelName}" (${channel}): ResourceInUseException: `
      + `The signaling channel ${channel} is already mapped to stream ${other}. `
      + `Signaling channel "${channelName}" (${channel}) already stores its media in stream "${otherName}" (${other}): `
      + 'disable that media storage configuration first, or use another channel.');
    expect(h.calls()).toEqual([...CHECK, 'UpdateMediaStorageConfiguration:ResourceInUseException', ...CHECK]);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(enabled(other));
  });

  test('fails naming the channel when the stream already stores another channel\'s media', async () => {
    const otherName = uniqueName('porch');
    const other = await h.createChannel(otherName);
    await mapElsewhere(other, enabled(stream));

    await expect(onEvent(events.create(TYPE, props(channel, stream)))).rejects.toThrow(
      `UpdateMediaStorageConfiguration failed for signaling channel "${channelName}" (${channel}): ResourceInUseException: `
      + `The stream ${stream} is already mapped to signaling channel ${other}. `
      + `Stream "${streamName}" (${stream}) already stores the media of signaling channel "${otherName}" (${other}): `
      + 'a stream stores the media of one channel only; disable that mapping first, or use another stream.');
    expect(h.calls()).toEqual([...CHECK, 'UpdateMediaStorageConfiguration:ResourceInUseException', ...CHECK, 'DescribeMappedResourceConfiguration']);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(DISABLED);
  });

  test('fails naming the stream when it keeps no data', async () => {
    const bareName = uniqueName('bare');
    const bare = await h.createStream(bareName, 0);
    h.reset();

    await expect(onEvent(events.create(TYPE, props(channel, bare)))).rejects.toThrow(
      `UpdateMediaStorageConfiguration failed for signaling channel "${channelName}" (${channel}): NoDataRetentionException: `
      + `The Stream data retention in hours is equal to zero. Set dataRetention above 0 on stream "${bareName}".`);
    expect(h.calls()).toEqual([...CHECK, 'UpdateMediaStorageConfiguration:NoDataRetentionException']);
  });

  test('fails when the channel does not exist', async () => {
    const missing = channel.replace(channelName, 'missing');

    await expect(onEvent(events.create(TYPE, props(missing, stream)))).rejects.toThrow(
      `DescribeSignalingChannel failed for signaling channel "missing" (${missing}): ResourceNotFoundException: The requested channel is not found or not active. `
      + 'It does not exist (or was deleted): check the ARN, and that it is in the same account and region as the stack.');
    expect(h.calls()).toEqual(['DescribeSignalingChannel:ResourceNotFoundException']);
  });
});

describe('update', () => {
  test('a no-op update only reads', async () => {
    const physicalId = await create();

    const run = await runProvider(events.update(TYPE, physicalId, props(channel, stream), props(channel, stream)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: done(channel, stream) });
    expect(h.calls()).toEqual(CHECK);
  });

  test('a new stream replaces the resource: the old mapping is released first, and the Delete of the old id leaves the new one', async () => {
    const oldId = await create();
    const nextStream = await h.createStream(uniqueName('door-video'));
    h.reset();

    const run = await runProvider(events.update(TYPE, oldId, props(channel, nextStream), props(channel, stream)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: id(channel, nextStream), polls: 1, result: done(channel, nextStream) });
    expect(h.calls()).toEqual([...DISABLE, ...ENABLE]);
    expect(h.server.requests({ action: 'UpdateMediaStorageConfiguration' }).map((r) => r.body)).toEqual([
      { ChannelARN: channel, MediaStorageConfiguration: DISABLED },
      { ChannelARN: channel, MediaStorageConfiguration: enabled(nextStream) },
    ]);
    h.reset();

    const deleted = await runProvider(events.delete(TYPE, oldId, props(channel, stream)), ENTRY_POINTS);

    expect(deleted.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeMediaStorageConfiguration']);
    expect(console_.messages).toContain(`Not disabling the media storage of signaling channel "${channelName}" (${channel}): `
      + `it no longer stores its media in stream "${streamName}" (${stream})`);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(enabled(nextStream));
    expect(h.stream(stream).mappedChannelArn).toBeUndefined();
  });

  test('a new channel replaces the resource: the old channel stops storing, the new one starts', async () => {
    const oldId = await create();
    const nextChannel = await h.createChannel(uniqueName('door'));
    h.reset();

    const run = await runProvider(events.update(TYPE, oldId, props(nextChannel, stream), props(channel, stream)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: id(nextChannel, stream), polls: 1, result: done(nextChannel, stream) });
    expect(h.calls()).toEqual([...DISABLE, ...ENABLE]);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(DISABLED);
    expect(h.channel(nextChannel).mediaStorageConfiguration).toEqual(enabled(stream));
    h.reset();

    await runProvider(events.delete(TYPE, oldId, props(channel, stream)), ENTRY_POINTS);

    expect(h.calls()).toEqual(['DescribeMediaStorageConfiguration']);
    expect(h.stream(stream).mappedChannelArn).toBe(nextChannel);
  });

  test('rollback restores the previous mapping, and the rollback\'s Delete of the new id leaves it', async () => {
    const originalId = await create();
    const nextStream = await h.createStream(uniqueName('door-video'));
    const forward = events.update(TYPE, originalId, props(channel, nextStream), props(channel, stream));
    const { physicalResourceId: nextId } = await runProvider(forward, ENTRY_POINTS);
    h.reset();

    const run = await runProvider(events.update(TYPE, nextId, props(channel, stream), props(channel, nextStream)), ENTRY_POINTS);
    await runProvider(events.delete(TYPE, nextId, props(channel, nextStream)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: originalId, polls: 1, result: done(channel, stream) });
    expect(h.calls()).toEqual([...DISABLE, ...ENABLE, 'DescribeMediaStorageConfiguration']);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(enabled(stream));
    expect(h.stream(nextStream).mappedChannelArn).toBeUndefined();
  });
});

describe('delete', () => {
  test('disables the storage', async () => {
    const physicalId = await create();

    const run = await runProvider(events.delete(TYPE, physicalId, props(channel, stream)), ENTRY_POINTS);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: { IsComplete: true, Data: {} } });
    expect(h.calls()).toEqual(DISABLE);
    expect(h.server.requests({ action: 'UpdateMediaStorageConfiguration' })[0].body).toEqual({ ChannelARN: channel, MediaStorageConfiguration: DISABLED });
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(DISABLED);
    expect(h.stream(stream).mappedChannelArn).toBeUndefined();
  });

  test('leaves a channel that someone pointed at another stream', async () => {
    const physicalId = await create();
    const other = await h.createStream(uniqueName('elsewhere'));
    await mapElsewhere(channel, DISABLED);
    await mapElsewhere(channel, enabled(other));

    await runProvider(events.delete(TYPE, physicalId, props(channel, stream)), ENTRY_POINTS);

    expect(h.calls()).toEqual(['DescribeMediaStorageConfiguration']);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(enabled(other));
  });

  test('a repeated Delete succeeds without sending anything', async () => {
    const physicalId = await create();
    await runProvider(events.delete(TYPE, physicalId, props(channel, stream)), ENTRY_POINTS);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(channel, stream)), ENTRY_POINTS);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeMediaStorageConfiguration']);
  });

  test('succeeds when the channel is already gone', async () => {
    const physicalId = await create();
    await h.deleteChannel(channel);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(channel, stream)), ENTRY_POINTS);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeMediaStorageConfiguration:ResourceNotFoundException']);
    expect(console_.messages).toContain(`Not disabling the media storage of signaling channel "${channelName}" (${channel}): the channel is gone`);
  });

  test('waits while the channel is UPDATING, then disables', async () => {
    const physicalId = await create();
    h.server.setTransitionTimes({ channelUpdate: 300 });
    await h.startChannelUpdate(channel);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(channel, stream)), inContext(h.context()));

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.time.sleeps).toEqual([200, 400]);
    expect(h.calls()).toEqual([
      'DescribeMediaStorageConfiguration', 'UpdateMediaStorageConfiguration:ResourceInUseException', 'DescribeSignalingChannel',
      'DescribeMediaStorageConfiguration', 'UpdateMediaStorageConfiguration:ResourceInUseException', 'DescribeSignalingChannel',
      ...DISABLE,
    ]);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(DISABLED);
    h.server.setTransitionTimes({ channelUpdate: 50 });
  });
});

describe('retries', () => {
  test('retries a burst of ClientLimitExceededException', async () => {
    h.server.injectFault('UpdateMediaStorageConfiguration', { kind: 'throttle' }, { times: 2 });

    const run = await runProvider(events.create(TYPE, props(channel, stream)), inContext(h.context()));

    expect(run.result).toEqual(done(channel, stream));
    expect(h.calls()).toEqual([...CHECK, ...Array(2).fill('UpdateMediaStorageConfiguration:ClientLimitExceededException'), ...ENABLE.slice(3)]);
    expect(h.time.sleeps).toEqual([187.5, 375]);
  });

  test('the SDK retries a 5xx answer and a dropped connection', async () => {
    h.server.injectFault('DescribeMediaStorageConfiguration', { kind: 'http', status: 500 });
    h.server.injectFault('UpdateMediaStorageConfiguration', { kind: 'drop' });

    const run = await runProvider(events.create(TYPE, props(channel, stream)), ENTRY_POINTS);

    expect(run.result).toEqual(done(channel, stream));
    expect(h.calls()).toEqual([
      'DescribeSignalingChannel', 'DescribeStream', 'DescribeMediaStorageConfiguration:500', 'DescribeMediaStorageConfiguration',
      'UpdateMediaStorageConfiguration:dropped', 'UpdateMediaStorageConfiguration', ...CHECK,
    ]);
    expect(h.channel(channel).mediaStorageConfiguration).toEqual(enabled(stream));
  });
});
