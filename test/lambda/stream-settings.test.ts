import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CreateStreamCommand,
  TagStreamCommand,
  UpdateDataRetentionCommand,
  UpdateStreamCommand,
} from '@aws-sdk/client-kinesis-video';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { CfnStream } from 'aws-cdk-lib/aws-kinesisvideo';
import { captureConsole, events, Harness, inContext, runProvider, STACK_ID, uniqueName } from './support/harness';
import { restageHandler } from './support/staged-handler';
import { isComplete, onEvent } from '../../lambda';
import { RawProperties } from '../../lambda/types';
import { Stream, StreamSettings, StreamSettingsProps } from '../../src';
import { ResourceType } from '../../src/private/custom-resource-contract';
import { DeployHarness } from '../harness';
import { DEFAULT_TRANSITIONS, KvsTestServer } from '../kvs-server';

const TYPE = ResourceType.STREAM_SETTINGS;
const VERSION_MISMATCH = 'The stream version that you specified is not the latest version. To get the latest version, use the DescribeStream API.';
const THROTTLED = 'Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls. Try making the call later.';
/** What the device gave its stream when it first connected. */
const DEVICE_TAGS = { owner: 'device', site: 'unknown' };
/** Every setting and two tags, one of which (site) the device already set. */
const EVERYTHING = {
  DataRetentionInHours: '168',
  MediaType: 'video/h264,audio/aac',
  DeviceName: 'lobby-cam',
  DefaultStorageTier: 'WARM',
  Tags: { site: 'hq', team: 'video' },
};
/** The stream as the device created it, as the resource records it. */
const DEVICE_SETTINGS = { retentionHours: 24, mediaType: 'video/h264', deviceName: 'cam-0001' };

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.stop());

let name: string;
let arn: string;
let handlers: ReturnType<typeof inContext>;
/** The stream's version after each of the handler's sleeps: the version its next update must carry. */
let versions: string[];
beforeEach(async () => {
  name = uniqueName('lobby');
  arn = await deviceStream(name);
  h.server.setStackStatus(STACK_ID, 'UPDATE_IN_PROGRESS');
  h.server.setTransitionTimes({ streamUpdate: DEFAULT_TRANSITIONS.streamUpdate });
  versions = [];
  handlers = inContext(h.context(() => versions.push(h.server.state().streams.find((s) => s.arn === arn)?.version ?? 'gone')));
  h.reset();
});

/** A stream created the way a camera creates its own on first connect. */
async function deviceStream(streamName: string): Promise<string> {
  const { StreamARN } = await h.kvs.send(new CreateStreamCommand({
    StreamName: streamName, DataRetentionInHours: 24, MediaType: 'video/h264', DeviceName: 'cam-0001', Tags: DEVICE_TAGS,
  }));
  h.time.advance(DEFAULT_TRANSITIONS.streamCreate);
  return StreamARN!;
}

/** Properties as CloudFormation delivers them, for the stream found by name. */
function props(extra: RawProperties = {}, streamName = name): RawProperties {
  return { StreamName: streamName, AllowRetentionDecrease: 'false', RestoreOnDelete: 'false', ...extra };
}

function doneFor(streamArn: string, streamName = name) {
  return { IsComplete: true, Data: { StreamArn: streamArn, StreamName: streamName } };
}

/** The physical id's parts, with its record decoded. */
function anchorOf(physicalId: string): { kind: string; target: string; data: unknown } {
  const [kind, target, blob] = physicalId.split('|');
  return { kind, target, data: JSON.parse(Buffer.from(blob, 'base64url').toString('utf8')) };
}

/** Creates the resource, lets every transition finish, and forgets the calls it made. */
async function create(properties: RawProperties): Promise<string> {
  const run = await runProvider(events.create(TYPE, properties), handlers);
  expect(run.result.IsComplete).toBe(true);
  h.reset();
  versions = [];
  return run.physicalResourceId;
}

function body(action: string, index = 0) {
  return h.server.requests({ action })[index].body;
}

const settingsOf = (streamArn: string) => {
  const s = h.stream(streamArn);
  const tier = s.streamStorageConfiguration.DefaultStorageTier;
  return { retention: s.dataRetentionInHours, mediaType: s.mediaType, deviceName: s.deviceName, tier };
};

/** Sends an update as someone else would, and lets it finish. */
async function someoneElse(send: (kvs: Harness['kvs']) => Promise<unknown>) {
  await send(h.kvs);
  h.time.advance(DEFAULT_TRANSITIONS.streamUpdate);
  h.reset();
}

describe('create', () => {
  test('adopts a device-created stream: one change at a time, each at the version described after the last', async () => {
    const v0 = h.stream(arn).version;

    const run = await runProvider(events.create(TYPE, props(EVERYTHING)), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(run.polls).toBe(1);
    expect(h.calls()).toEqual([
      // The id: the stream found by name, and what it has now.
      'DescribeStream', 'ListTagsForStream', 'DescribeStreamStorageConfiguration',
      'DescribeStream', 'UpdateDataRetention',
      'DescribeStream', 'UpdateStream',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'UpdateStreamStorageConfiguration',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'ListTagsForStream', 'TagStream',
      // isComplete trusts the Data onEvent returned: no call.
    ]);
    expect(h.time.sleeps).toEqual([200, 400, 800]);
    expect(body('DescribeStream', 0)).toEqual({ StreamName: name });
    expect(body('DescribeStream', 1)).toEqual({ StreamARN: arn });
    expect(body('UpdateDataRetention')).toEqual({ StreamARN: arn, CurrentVersion: v0, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 144 });
    expect(body('UpdateStream')).toEqual({ StreamARN: arn, CurrentVersion: versions[0], MediaType: 'video/h264,audio/aac', DeviceName: 'lobby-cam' });
    expect(body('UpdateStreamStorageConfiguration')).toEqual({ StreamARN: arn, CurrentVersion: versions[1], StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } });
    expect(body('TagStream')).toEqual({ StreamARN: arn, Tags: { site: 'hq', team: 'video' } });

    expect(settingsOf(arn)).toEqual({ retention: 168, mediaType: 'video/h264,audio/aac', deviceName: 'lobby-cam', tier: 'WARM' });
    expect(h.stream(arn).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
    expect(h.stream(arn).status).toBe('ACTIVE');
    expect(anchorOf(run.physicalResourceId)).toEqual({
      kind: 'StreamSettings',
      target: arn,
      data: { recorded: { settings: { ...DEVICE_SETTINGS, storageTier: 'HOT' }, tags: { site: 'unknown' } } },
    });
  });

  test('manages only what the properties declare', async () => {
    const run = await runProvider(events.create(TYPE, props({ Tags: { team: 'video' } })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual([
      'DescribeStream', 'ListTagsForStream',
      'DescribeStream', 'ListTagsForStream', 'TagStream',
    ]);
    expect(body('TagStream')).toEqual({ StreamARN: arn, Tags: { team: 'video' } });
    expect(settingsOf(arn)).toEqual({ retention: 24, mediaType: 'video/h264', deviceName: 'cam-0001', tier: 'HOT' });
    expect(h.stream(arn).tags).toEqual({ ...DEVICE_TAGS, team: 'video' });
    expect(anchorOf(run.physicalResourceId).data).toEqual({ recorded: { settings: DEVICE_SETTINGS, tags: {} } });
  });

  test('sends the current device name with a media type, since UpdateStream does not promise to keep what it is not given', async () => {
    await runProvider(events.create(TYPE, props({ MediaType: 'video/h265' })), handlers);

    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'UpdateStream', 'DescribeStream']);
    expect(body('UpdateStream')).toEqual({ StreamARN: arn, CurrentVersion: expect.any(String), MediaType: 'video/h265', DeviceName: 'cam-0001' });
    expect(settingsOf(arn)).toEqual({ retention: 24, mediaType: 'video/h265', deviceName: 'cam-0001', tier: 'HOT' });
  });

  test('a repeated Create converges without changing anything', async () => {
    const physicalId = await create(props(EVERYTHING));

    const run = await runProvider(events.create(TYPE, props(EVERYTHING)), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual([
      'DescribeStream', 'ListTagsForStream', 'DescribeStreamStorageConfiguration',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'ListTagsForStream',
    ]);
    // The repeat records the values it finds, which are the resource's own: a restore would then keep them.
    expect(anchorOf(run.physicalResourceId).target).toBe(anchorOf(physicalId).target);
  });

  test('finds the stream by its ARN when the import has one', async () => {
    const run = await runProvider(events.create(TYPE, props({ StreamArn: arn, DeviceName: 'lobby-cam' })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(body('DescribeStream', 0)).toEqual({ StreamARN: arn });
    expect(h.stream(arn).deviceName).toBe('lobby-cam');
  });

  test('fails when no device has created the stream yet, saying how to wait for it', async () => {
    const missing = uniqueName('not-yet');

    await expect(handlers.onEvent(events.create(TYPE, props(EVERYTHING, missing)))).rejects.toThrow(
      `Cannot apply the settings of stream "${missing}": it does not exist (no device has created it yet, or it was deleted). `
      + 'Let the device create it (it does so when it first connects) and deploy again, or set waitForStream on its StreamSettings to wait for it.');
    expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
  });

  test('fails at once when a stream imported by ARN does not exist, even with a wait', async () => {
    const gone = arn.replace(name, 'gone');

    await expect(handlers.onEvent(events.create(TYPE, props({ StreamArn: gone, WaitForStreamSeconds: '600', ...EVERYTHING }, 'gone')))).rejects.toThrow(
      `Cannot apply the settings of stream "gone" (${gone}): it does not exist. A stream imported by its ARN is that stream only: `
      + 'to follow a stream that devices recreate under the same name, import it by name (Stream.fromStreamName).');
    expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
  });

  test('fails on a property that does not parse, before any call', async () => {
    await expect(handlers.onEvent(events.create(TYPE, props({ DataRetentionInHours: 'a week' })))).rejects.toThrow(
      'Invalid Custom::KinesisVideoStreamSettings DataRetentionInHours: expected an integer of at least 0, received "a week"');
    await expect(handlers.onEvent(events.create(TYPE, props({ Tags: { site: 7 } })))).rejects.toThrow(
      'Invalid Custom::KinesisVideoStreamSettings Tags.site: expected a string, received 7');
    expect(h.calls()).toEqual([]);
  });

  test('fails when what it must record does not fit in a physical id', async () => {
    const longName = 'n'.repeat(250);
    const longArn = await deviceStream(longName);
    const longTags = Object.fromEntries(['a', 'b', 'c'].map((k) => [k.repeat(100), 'v'.repeat(200)]));
    await h.kvs.send(new TagStreamCommand({ StreamARN: longArn, Tags: longTags }));
    h.reset();
    const declared = Object.fromEntries(Object.keys(longTags).map((k) => [k, 'ours']));

    await expect(handlers.onEvent(events.create(TYPE, props({ Tags: declared }, longName)))).rejects.toThrow(
      new RegExp(`^Cannot record what stream "${longName}" \\(${longArn}\\) has before this resource changes it: the physical id that keeps it `
        + 'would be 1[0-9]{3} characters, over CloudFormation\'s 1024. Manage fewer of the tags it already carries \\(their earlier values are recorded\\), or shorter ones.$'));
    expect(h.calls()).toEqual(['DescribeStream', 'ListTagsForStream']);
    expect(h.stream(longArn).tags).toEqual({ ...DEVICE_TAGS, ...longTags });
  });
});

describe('a stream that does not exist yet', () => {
  const WAIT = { WaitForStreamSeconds: '1800', DataRetentionInHours: '72', Tags: { team: 'video' } };

  test('waits for the device to create it, then applies the settings', async () => {
    const later = uniqueName('later');
    const started = h.time.now();
    const event = events.create(TYPE, props(WAIT, later));

    const { PhysicalResourceId } = await handlers.onEvent(event);

    // Nothing to record: the stream does not exist. The id keeps its name and the end of the wait.
    expect(anchorOf(PhysicalResourceId)).toEqual({ kind: 'StreamSettings', target: later, data: { waitUntil: started + 1_800_000 } });
    expect(h.calls()).toEqual(Array(23).fill('DescribeStream:ResourceNotFoundException'));
    expect(h.server.requests().every((r) => r.body.StreamName === later)).toBe(true);
    h.reset();
    const merged = { ...event, PhysicalResourceId };
    expect(await handlers.isComplete(merged)).toEqual({ IsComplete: false });

    const laterArn = await deviceStream(later);
    h.reset();
    expect(await handlers.isComplete(merged)).toEqual({ IsComplete: false });
    expect(h.calls()).toEqual(['DescribeStream', 'UpdateDataRetention']);
    h.time.advance(10_000);
    expect(await handlers.isComplete(merged)).toEqual(doneFor(laterArn, later));
    expect(h.calls()).toEqual(['DescribeStream', 'UpdateDataRetention', 'DescribeStream', 'ListTagsForStream', 'TagStream']);
    expect(h.stream(laterArn).dataRetentionInHours).toBe(72);
    expect(h.stream(laterArn).tags).toEqual({ ...DEVICE_TAGS, team: 'video' });
  });

  test('fails once the wait is over, naming the option', async () => {
    const never = uniqueName('never');
    const event = events.create(TYPE, props(WAIT, never));
    const { PhysicalResourceId } = await handlers.onEvent(event);
    h.time.advance(1_800_000);
    h.reset();

    await expect(handlers.isComplete({ ...event, PhysicalResourceId })).rejects.toThrow(
      `Cannot apply the settings of stream "${never}": it was not created within the 1800 seconds of waitForStream. `
      + 'Let the device create it (it does so when it first connects) and deploy again, or wait longer with waitForStream.');
    expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
  });

  test('its Delete finds the stream by name, has nothing to restore, and removes its tags', async () => {
    const later = uniqueName('later');
    const restoring = props({ ...WAIT, RestoreOnDelete: 'true', AllowRetentionDecrease: 'true' }, later);
    const event = events.create(TYPE, restoring);
    const { PhysicalResourceId } = await handlers.onEvent(event);
    const laterArn = await deviceStream(later);
    for (let polls = 0; !(await handlers.isComplete({ ...event, PhysicalResourceId })).IsComplete; polls++) {
      if (polls > 3) throw new Error('the settings were not applied');
      h.time.advance(10_000);
    }
    h.reset();

    const run = await runProvider(events.delete(TYPE, PhysicalResourceId, restoring), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeStream', 'ListTagsForStream', 'UntagStream']);
    expect(body('DescribeStream')).toEqual({ StreamName: later });
    expect(h.stream(laterArn).dataRetentionInHours).toBe(72);
    expect(h.stream(laterArn).tags).toEqual(DEVICE_TAGS);
    expect(h.logs).toContain(`Leaving the data retention of stream "${later}" (${laterArn}) at 72: nothing was recorded, it did not exist when this resource was created`);
  });
});

describe('data retention', () => {
  beforeEach(async () => {
    await someoneElse((kvs) => kvs.send(new UpdateDataRetentionCommand({
      StreamARN: arn, CurrentVersion: h.stream(arn).version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 144,
    })));
  });

  test('fails before touching the stream when the settings would lower it', async () => {
    await expect(runProvider(events.create(TYPE, props({ DataRetentionInHours: '24' })), handlers)).rejects.toThrow(
      `Refusing to lower the data retention of stream "${name}" (${arn}) from 168 to 24 hours: a decrease immediately deletes the video older `
      + 'than 24 hours, and no rollback brings it back. To accept that, set allowRetentionDecrease: true on its StreamSettings.');
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'DescribeStacks']);
    expect(h.stream(arn).dataRetentionInHours).toBe(168);
  });

  test('lowers it by the difference when allowed', async () => {
    const version = h.stream(arn).version;

    const run = await runProvider(events.create(TYPE, props({ DataRetentionInHours: '24', AllowRetentionDecrease: 'true' })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'UpdateDataRetention', 'DescribeStream']);
    expect(body('UpdateDataRetention')).toEqual({ StreamARN: arn, CurrentVersion: version, Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 144 });
    expect(h.stream(arn).dataRetentionInHours).toBe(24);
  });

  test('a blocked decrease goes through once the properties allow it', async () => {
    const physicalId = await create(props({ DataRetentionInHours: '168' }));
    const lower = props({ DataRetentionInHours: '48' });

    await expect(runProvider(events.update(TYPE, physicalId, lower, props({ DataRetentionInHours: '168' })), handlers)).rejects.toThrow(
      `Refusing to lower the data retention of stream "${name}" (${arn}) from 168 to 48 hours`);
    expect(h.stream(arn).dataRetentionInHours).toBe(168);
    h.reset();

    const allowed = props({ DataRetentionInHours: '48', AllowRetentionDecrease: 'true' });
    const run = await runProvider(events.update(TYPE, physicalId, allowed, props({ DataRetentionInHours: '168' })), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: doneFor(arn) });
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'UpdateDataRetention', 'DescribeStream']);
    expect(body('UpdateDataRetention')).toMatchObject({ Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 120 });
    expect(h.stream(arn).dataRetentionInHours).toBe(48);
  });
});

describe('update', () => {
  test('a no-op update only reads, and keeps the physical id', async () => {
    const physicalId = await create(props(EVERYTHING));

    const run = await runProvider(events.update(TYPE, physicalId, props(EVERYTHING), props(EVERYTHING)), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: doneFor(arn) });
    expect(h.calls()).toEqual([
      'DescribeStream',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'ListTagsForStream',
    ]);
  });

  test('changes every setting and tag, keeping the physical id and its record', async () => {
    const physicalId = await create(props(EVERYTHING));
    const changed = props({
      DataRetentionInHours: '720', MediaType: 'video/h265', DeviceName: 'lobby-cam-2', DefaultStorageTier: 'HOT', Tags: { site: 'hq-2', floor: '3' },
    });

    const run = await runProvider(events.update(TYPE, physicalId, changed, props(EVERYTHING)), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: doneFor(arn) });
    expect(h.calls()).toEqual([
      'DescribeStream',
      'DescribeStream', 'UpdateDataRetention',
      'DescribeStream', 'UpdateStream',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'UpdateStreamStorageConfiguration',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'ListTagsForStream', 'UntagStream', 'TagStream',
    ]);
    expect(body('UpdateDataRetention')).toMatchObject({ Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 552 });
    expect(body('UntagStream')).toEqual({ StreamARN: arn, TagKeyList: ['team'] });
    expect(body('TagStream')).toEqual({ StreamARN: arn, Tags: { site: 'hq-2', floor: '3' } });
    expect(settingsOf(arn)).toEqual({ retention: 720, mediaType: 'video/h265', deviceName: 'lobby-cam-2', tier: 'HOT' });
    expect(h.stream(arn).tags).toEqual({ owner: 'device', site: 'hq-2', floor: '3' });
  });

  test('leaves a setting it stops managing as it is', async () => {
    const physicalId = await create(props(EVERYTHING));

    await runProvider(events.update(TYPE, physicalId, props({ Tags: EVERYTHING.Tags }), props(EVERYTHING)), handlers);

    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'ListTagsForStream']);
    expect(settingsOf(arn)).toEqual({ retention: 168, mediaType: 'video/h264,audio/aac', deviceName: 'lobby-cam', tier: 'WARM' });
  });

  test('with restoreOnDelete, puts back the recorded value of a setting it stops managing', async () => {
    const restoring = { RestoreOnDelete: 'true', AllowRetentionDecrease: 'true' };
    const physicalId = await create(props({ ...EVERYTHING, ...restoring }));
    const { DataRetentionInHours, MediaType, DeviceName } = EVERYTHING;
    const kept = props({ DataRetentionInHours, MediaType, DeviceName, ...restoring });

    await runProvider(events.update(TYPE, physicalId, kept, props({ ...EVERYTHING, ...restoring })), handlers);

    expect(h.calls()).toEqual([
      'DescribeStream',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'UpdateStreamStorageConfiguration',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'ListTagsForStream', 'UntagStream', 'TagStream',
    ]);
    // The tier goes back to HOT; "team" (added by this resource) is removed; "site" (the device's) is restored.
    expect(settingsOf(arn)).toEqual({ retention: 168, mediaType: 'video/h264,audio/aac', deviceName: 'lobby-cam', tier: 'HOT' });
    expect(body('UntagStream')).toEqual({ StreamARN: arn, TagKeyList: ['team'] });
    expect(body('TagStream')).toEqual({ StreamARN: arn, Tags: { site: 'unknown' } });
    expect(h.stream(arn).tags).toEqual(DEVICE_TAGS);
  });

  test('rollback restores the previous values, lowering the retention the failed update raised', async () => {
    const physicalId = await create(props(EVERYTHING));
    const failed = props({ ...EVERYTHING, DataRetentionInHours: '720', MediaType: 'video/h265', Tags: { site: 'hq', extra: 'x' } });
    await runProvider(events.update(TYPE, physicalId, failed, props(EVERYTHING)), handlers);
    h.reset();
    h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');

    // CloudFormation's rollback: an Update back to the old properties, with the failed update's as the "old" ones.
    const run = await runProvider(events.update(TYPE, physicalId, props(EVERYTHING), failed), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: doneFor(arn) });
    expect(h.calls()).toEqual([
      'DescribeStream',
      'DescribeStream', 'DescribeStacks', 'UpdateDataRetention',
      'DescribeStream', 'UpdateStream',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'ListTagsForStream', 'UntagStream', 'TagStream',
    ]);
    expect(body('UpdateDataRetention')).toMatchObject({ Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 552 });
    expect(settingsOf(arn)).toEqual({ retention: 168, mediaType: 'video/h264,audio/aac', deviceName: 'lobby-cam', tier: 'WARM' });
    expect(h.stream(arn).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
    expect(h.logs).toContain(`Lowering the data retention of stream "${name}" (${arn}) from 720 to 168 hours: CloudFormation is undoing a failed deployment`);
  });

  test('another stream replaces the resource, and the Delete of the old id acts on the old stream only', async () => {
    const oldId = await create(props(EVERYTHING));
    const other = uniqueName('hall');
    const otherArn = await deviceStream(other);
    h.reset();

    const run = await runProvider(events.update(TYPE, oldId, props(EVERYTHING, other), props(EVERYTHING)), handlers);

    expect(run.result).toEqual(doneFor(otherArn, other));
    expect(anchorOf(run.physicalResourceId)).toEqual({
      kind: 'StreamSettings', target: otherArn, data: { recorded: { settings: { ...DEVICE_SETTINGS, storageTier: 'HOT' }, tags: { site: 'unknown' } } },
    });
    expect(settingsOf(otherArn)).toEqual({ retention: 168, mediaType: 'video/h264,audio/aac', deviceName: 'lobby-cam', tier: 'WARM' });
    h.reset();

    // CloudFormation then deletes the old physical resource, with the old properties.
    const deleted = await runProvider(events.delete(TYPE, oldId, props(EVERYTHING)), handlers);

    expect(deleted.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.server.requests().every((r) => r.body.StreamARN === arn)).toBe(true);
    expect(h.stream(arn).tags).toEqual({ owner: 'device', site: 'hq' });
    expect(h.stream(otherArn).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
  });

  test('follows a stream the device recreated under the same name, with a new id', async () => {
    const oldId = await create(props(EVERYTHING));
    await h.deleteStream(arn);
    const recreated = await deviceStream(name);
    h.reset();

    const run = await runProvider(events.update(TYPE, oldId, props(EVERYTHING), props(EVERYTHING)), handlers);

    expect(run.result).toEqual(doneFor(recreated));
    expect(anchorOf(run.physicalResourceId).target).toBe(recreated);
    expect(settingsOf(recreated)).toEqual({ retention: 168, mediaType: 'video/h264,audio/aac', deviceName: 'lobby-cam', tier: 'WARM' });
    h.reset();

    const deleted = await runProvider(events.delete(TYPE, oldId, props(EVERYTHING)), handlers);

    expect(deleted.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
    expect(h.stream(recreated).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
  });

  test('fails when the stream is gone', async () => {
    const physicalId = await create(props(EVERYTHING));
    await h.deleteStream(arn);
    h.reset();

    await expect(handlers.onEvent(events.update(TYPE, physicalId, props(EVERYTHING), props(EVERYTHING)))).rejects.toThrow(
      `Cannot apply the settings of stream "${name}": it does not exist (no device has created it yet, or it was deleted). `
      + 'Let the device create it (it does so when it first connects) and deploy again, or set waitForStream on its StreamSettings to wait for it.');
  });
});

describe('tags', () => {
  test('never touches keys it does not manage, and leaves a released key someone else changed', async () => {
    const physicalId = await create(props({ Tags: { team: 'video', cost: 'cc-1' } }));
    await someoneElse((kvs) => kvs.send(new TagStreamCommand({ StreamARN: arn, Tags: { cost: 'cc-2', billing: 'ops' } })));

    await runProvider(events.update(TYPE, physicalId, props({ Tags: { team: 'video' } }), props({ Tags: { team: 'video', cost: 'cc-1' } })), handlers);

    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'ListTagsForStream']);
    expect(h.stream(arn).tags).toEqual({ ...DEVICE_TAGS, team: 'video', cost: 'cc-2', billing: 'ops' });
    expect(h.logs).toContain(`Leaving tag "cost" of stream "${name}" (${arn}): it no longer holds the value this resource set`);
  });

  test('fails before tagging when the stream would carry more than 50 tags', async () => {
    const foreign = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`device-${i}`, 'x']));
    await someoneElse((kvs) => kvs.send(new TagStreamCommand({ StreamARN: arn, Tags: foreign })));

    await expect(runProvider(events.create(TYPE, props({ Tags: { a: '1', b: '2', c: '3', site: 'hq' } })), handlers)).rejects.toThrow(
      `Cannot tag stream "${name}" (${arn}): it carries 48 tags, and the 3 that this resource adds would make 51, over the limit of 50 tags `
      + 'per stream. Remove tags the stream no longer needs, or manage fewer tags.');
    expect(h.calls()).toEqual(['DescribeStream', 'ListTagsForStream', 'DescribeStream', 'ListTagsForStream']);
    expect(Object.keys(h.stream(arn).tags)).toHaveLength(48);
  });

  test('counts the keys it removes: replacing a managed key at the limit fits', async () => {
    const foreign = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`device-${i}`, 'x']));
    await someoneElse((kvs) => kvs.send(new TagStreamCommand({ StreamARN: arn, Tags: foreign })));
    const physicalId = await create(props({ Tags: { a: '1' } }));

    await runProvider(events.update(TYPE, physicalId, props({ Tags: { b: '2' } }), props({ Tags: { a: '1' } })), handlers);

    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'ListTagsForStream', 'UntagStream', 'TagStream']);
    expect(Object.keys(h.stream(arn).tags)).toHaveLength(50);
    expect(h.stream(arn).tags.b).toBe('2');
    expect(h.stream(arn).tags.a).toBeUndefined();
  });
});

describe('delete', () => {
  test('by default leaves the settings and removes only the tags it added that still hold its value', async () => {
    const physicalId = await create(props(EVERYTHING));

    const run = await runProvider(events.delete(TYPE, physicalId, props(EVERYTHING)), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: { IsComplete: true, Data: {} } });
    expect(h.calls()).toEqual(['DescribeStream', 'ListTagsForStream', 'UntagStream']);
    expect(body('UntagStream')).toEqual({ StreamARN: arn, TagKeyList: ['team'] });
    expect(settingsOf(arn)).toEqual({ retention: 168, mediaType: 'video/h264,audio/aac', deviceName: 'lobby-cam', tier: 'WARM' });
    // "site" was the device's before this resource set it: it stays.
    expect(h.stream(arn).tags).toEqual({ owner: 'device', site: 'hq' });
    expect(h.logs).toContain(`Leaving the settings of stream "${name}" (${arn}) as they are: it is not the stack's, and restoreOnDelete is off`);
    expect(h.logs).toContain(`Leaving tag "site" of stream "${name}" (${arn}): it was there before this resource`);
  });

  test('with restoreOnDelete, puts back what the stream had, one change at a time', async () => {
    const restoring = props({ ...EVERYTHING, RestoreOnDelete: 'true', AllowRetentionDecrease: 'true' });
    const physicalId = await create(restoring);

    const run = await runProvider(events.delete(TYPE, physicalId, restoring), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual([
      'DescribeStream', 'UpdateDataRetention',
      'DescribeStream', 'UpdateStream',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'UpdateStreamStorageConfiguration',
      'DescribeStream', 'DescribeStreamStorageConfiguration', 'ListTagsForStream', 'UntagStream', 'TagStream',
    ]);
    expect(body('UpdateDataRetention')).toMatchObject({ Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 144 });
    expect(body('UpdateStream')).toEqual({ StreamARN: arn, CurrentVersion: versions[0], MediaType: 'video/h264', DeviceName: 'cam-0001' });
    expect(settingsOf(arn)).toEqual({ retention: 24, mediaType: 'video/h264', deviceName: 'cam-0001', tier: 'HOT' });
    expect(h.stream(arn).tags).toEqual(DEVICE_TAGS);
  });

  test('restores only what still holds the value it set', async () => {
    const restoring = props({ ...EVERYTHING, RestoreOnDelete: 'true', AllowRetentionDecrease: 'true' });
    const physicalId = await create(restoring);
    await someoneElse((kvs) => kvs.send(new UpdateStreamCommand({ StreamARN: arn, CurrentVersion: h.stream(arn).version, DeviceName: 'lobby-cam-by-hand' })));

    await runProvider(events.delete(TYPE, physicalId, restoring), handlers);

    expect(body('UpdateStream')).toEqual({ StreamARN: arn, CurrentVersion: versions[0], MediaType: 'video/h264', DeviceName: 'lobby-cam-by-hand' });
    expect(settingsOf(arn)).toEqual({ retention: 24, mediaType: 'video/h264', deviceName: 'lobby-cam-by-hand', tier: 'HOT' });
    expect(h.logs).toContain(`Leaving the device name of stream "${name}" (${arn}) at lobby-cam-by-hand: it no longer holds the lobby-cam this resource set`);
  });

  test('fails when restoring would lower the retention, unless CloudFormation is undoing a failed deployment', async () => {
    const restoring = props({ ...EVERYTHING, RestoreOnDelete: 'true' });
    const physicalId = await create(restoring);
    h.server.setStackStatus(STACK_ID, 'DELETE_IN_PROGRESS');

    await expect(runProvider(events.delete(TYPE, physicalId, restoring), handlers)).rejects.toThrow(
      `Refusing to restore the data retention of stream "${name}" (${arn}) from 168 to its earlier 24 hours: a decrease immediately deletes `
      + 'the video older than 24 hours, and no rollback brings it back. To accept that, set allowRetentionDecrease: true on its StreamSettings '
      + 'and deploy it first; to keep 168 hours, set restoreOnDelete: false instead.');
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStacks']);
    expect(h.stream(arn).dataRetentionInHours).toBe(168);
    h.reset();

    // A failed stack creation deletes what it created: the restore then undoes the failed deployment's own change.
    h.server.setStackStatus(STACK_ID, 'ROLLBACK_IN_PROGRESS');
    const run = await runProvider(events.delete(TYPE, physicalId, restoring), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls().slice(0, 3)).toEqual(['DescribeStream', 'DescribeStacks', 'UpdateDataRetention']);
    expect(settingsOf(arn)).toEqual({ retention: 24, mediaType: 'video/h264', deviceName: 'cam-0001', tier: 'HOT' });
  });

  test('a repeated Delete changes nothing', async () => {
    const physicalId = await create(props(EVERYTHING));
    await runProvider(events.delete(TYPE, physicalId, props(EVERYTHING)), handlers);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(EVERYTHING)), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeStream', 'ListTagsForStream']);
  });

  test('succeeds when the stream is already gone', async () => {
    const physicalId = await create(props(EVERYTHING));
    await h.deleteStream(arn);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(EVERYTHING)), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeStream:ResourceNotFoundException']);
    expect(h.logs).toContain(`Nothing to release: stream "${name}" (${arn}) is gone`);
  });

  test('does nothing for a physical id it did not make', async () => {
    const run = await runProvider(events.delete(TYPE, 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', props(EVERYTHING)), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual([]);
  });
});

describe('concurrent changes', () => {
  test('a version mismatch re-describes the stream and computes the change again', async () => {
    // The handler's UpdateDataRetention is held while someone else raises the retention by 24 hours.
    h.server.injectFault('UpdateDataRetention', { kind: 'delay', ms: 300 });
    const running = runProvider(events.create(TYPE, props({ DataRetentionInHours: '168' })), handlers);
    await until(() => h.server.requests({ action: 'DescribeStream' }).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.kvs.send(new UpdateDataRetentionCommand({ StreamARN: arn, CurrentVersion: h.stream(arn).version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 24 }));
    h.time.advance(DEFAULT_TRANSITIONS.streamUpdate);

    await expect(running).resolves.toMatchObject({ result: doneFor(arn) });

    expect(h.calls()).toEqual([
      'DescribeStream', 'DescribeStream', 'UpdateDataRetention', 'UpdateDataRetention:VersionMismatchException',
      'DescribeStream', 'UpdateDataRetention',
      'DescribeStream',
    ]);
    // 24 + 24 by someone else: 120 more, not the 144 computed before.
    expect(body('UpdateDataRetention', 2)).toMatchObject({ Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 120 });
    expect(h.stream(arn).dataRetentionInHours).toBe(168);
    expect(h.logs).toContain(`Stream "${name}" (${arn}) changed since it was described (UpdateDataRetention: VersionMismatchException): describing it again`);
  });

  test('fails when the stream keeps changing', async () => {
    h.server.injectFault('UpdateStream', { kind: 'error', errorType: 'VersionMismatchException', message: VERSION_MISMATCH }, { times: 6 });

    await expect(runProvider(events.create(TYPE, props({ DeviceName: 'lobby-cam' })), handlers)).rejects.toThrow(
      `UpdateStream failed for stream "${name}" (${arn}): VersionMismatchException: ${VERSION_MISMATCH} `
      + `Stream "${name}" (${arn}) changed 6 times while this deployment applied its settings: something else is changing it. Deploy again once it is done.`);
    expect(h.calls()).toEqual(['DescribeStream', ...Array(6).fill(['DescribeStream', 'UpdateStream:VersionMismatchException']).flat()]);
    expect(h.time.sleeps).toEqual([200, 400, 800, 1_000, 1_000]);
    expect(h.stream(arn).deviceName).toBe('cam-0001');
  });

  test('waits for a stream that is UPDATING before changing it', async () => {
    h.server.setTransitionTimes({ streamUpdate: 1_000 });
    await h.startStreamUpdate(arn);
    h.reset();

    const run = await runProvider(events.create(TYPE, props({ DeviceName: 'lobby-cam' })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    // UPDATING for 1 s, then the device name's own 1 s update: each step waits for ACTIVE.
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'DescribeStream', 'DescribeStream', 'DescribeStream', 'UpdateStream', 'DescribeStream']);
    expect(h.time.sleeps).toEqual([200, 400, 800, 1_000]);
  });

  test('waits out a ResourceInUseException when the stream starts updating between the check and the change', async () => {
    // The handler's UpdateStream is held while someone else starts an update.
    h.server.injectFault('UpdateStream', { kind: 'delay', ms: 300 });
    const running = runProvider(events.create(TYPE, props({ DeviceName: 'lobby-cam' })), handlers);
    await until(() => h.server.requests({ action: 'DescribeStream' }).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.startStreamUpdate(arn);

    await expect(running).resolves.toMatchObject({ result: doneFor(arn) });

    expect(h.calls()).toEqual([
      'DescribeStream', 'DescribeStream', 'UpdateDataRetention', 'UpdateStream:ResourceInUseException', 'DescribeStream',
      'DescribeStream', 'UpdateStream', 'DescribeStream',
    ]);
    expect(h.stream(arn).deviceName).toBe('lobby-cam');
  });

  test('fails on a ResourceInUseException while the stream is ACTIVE, with the service\'s detail', async () => {
    h.server.injectFault('UpdateStream', { kind: 'error', errorType: 'ResourceInUseException', message: 'The stream is mapped elsewhere' });

    await expect(runProvider(events.create(TYPE, props({ DeviceName: 'lobby-cam' })), handlers)).rejects.toThrow(
      `UpdateStream failed for stream "${name}" (${arn}): ResourceInUseException: The stream is mapped elsewhere.`);
    expect(h.calls()).toEqual(['DescribeStream', 'DescribeStream', 'UpdateStream:ResourceInUseException', 'DescribeStream']);
  });
});

describe('retries', () => {
  test('retries a burst of ClientLimitExceededException with backoff and jitter', async () => {
    h.server.injectFault('TagStream', { kind: 'throttle' }, { times: 2 });

    const run = await runProvider(events.create(TYPE, props({ Tags: { team: 'video' } })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual([
      'DescribeStream', 'ListTagsForStream', 'DescribeStream', 'ListTagsForStream',
      'TagStream:ClientLimitExceededException', 'TagStream:ClientLimitExceededException', 'TagStream',
    ]);
    expect(h.time.sleeps).toEqual([187.5, 375]);
  });

  test('waits out throttling that outlasts one call\'s retries: the step runs again at the next poll and converges', async () => {
    h.server.injectFault('ListTagsForStream', { kind: 'throttle' }, { times: 8 });

    const run = await runProvider(events.create(TYPE, props({ Tags: { team: 'video' } })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls().slice(0, 10)).toEqual(['DescribeStream', ...Array(8).fill('ListTagsForStream:ClientLimitExceededException'), 'DescribeStream']);
  });

  test('fails when throttling outlasts the inline wait before it has a physical id to answer with', async () => {
    h.server.injectFault('ListTagsForStream', { kind: 'throttle' }, { times: 10_000 });

    await expect(runProvider(events.create(TYPE, props({ Tags: { team: 'video' } })), handlers)).rejects.toThrow(
      `ListTagsForStream failed for stream "${name}" (${arn}): ClientLimitExceededException: ${THROTTLED} Still throttled after 8 attempts with backoff.`);
  });

  test('the SDK retries a 5xx answer and a dropped connection', async () => {
    h.server.injectFault('UpdateDataRetention', { kind: 'http', status: 503 });
    h.server.injectFault('TagStream', { kind: 'drop' });

    const run = await runProvider(events.create(TYPE, props({ DataRetentionInHours: '48', Tags: { team: 'video' } })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual([
      'DescribeStream', 'ListTagsForStream',
      'DescribeStream', 'UpdateDataRetention:503', 'UpdateDataRetention',
      'DescribeStream', 'ListTagsForStream', 'TagStream:dropped', 'TagStream',
    ]);
    expect(h.stream(arn).dataRetentionInHours).toBe(48);
    expect(h.stream(arn).tags.team).toBe('video');
  });
});

describe('entry points', () => {
  test('the bundled entry points dispatch the type', async () => {
    const restore = h.useEnvironment();
    const console_ = captureConsole();
    try {
      const run = await runProvider(events.create(TYPE, props({ Tags: { team: 'video' } })), { onEvent, isComplete });
      expect(run.result).toEqual(doneFor(arn));
      expect(h.stream(arn).tags.team).toBe('video');
    } finally {
      console_.restore();
      restore();
    }
  });
});

describe('deployed by CloudFormation (local deploy harness, handler bundled from these sources)', () => {
  const ACCOUNT = '123456789012';
  let server: KvsTestServer;
  let deployer: DeployHarness;
  let dirs: string[];
  beforeAll(async () => {
    server = await KvsTestServer.start({ region: 'us-east-1', accountId: ACCOUNT });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    deployer = new DeployHarness({ server, timeScale: 0.01 });
    dirs = [];
  });
  afterEach(async () => {
    await deployer.close();
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  /** A stack that declares the settings of the device's stream; `broken` adds a native stream that fails after them. */
  function synth(settings: Omit<StreamSettingsProps, 'stream'>, broken = false): string {
    const outdir = mkdtempSync(join(tmpdir(), 'kvs-settings-e2e-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, 'SettingsE2E', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const declared = new StreamSettings(stack, 'Lobby', { stream: Stream.fromStreamName(stack, 'Cam', 'e2e-lobby'), ...settings });
    if (broken) new CfnStream(stack, 'Broken', { name: 'not a valid name' }).node.addDependency(declared);
    app.synth();
    restageHandler(outdir);
    return outdir;
  }

  const lobby = () => server.state().streams.find((st) => st.name === 'e2e-lobby')!;
  const retentionChanges = () => server.requests({ action: 'UpdateDataRetention' }).map((r) => `${r.body.Operation} ${r.body.DataRetentionChangeInHours}`);

  test('adopts the stream, restores it when a later update rolls back, and releases its tags with the stack', async () => {
    await server.client().send(new CreateStreamCommand({ StreamName: 'e2e-lobby', DataRetentionInHours: 24, Tags: DEVICE_TAGS }));
    const settings = { dataRetention: Duration.hours(48), tags: { team: 'video' } };

    const created = await deployer.deploy(synth(settings));

    expect(created.status).toBe('CREATE_COMPLETE');
    expect(lobby()).toMatchObject({ dataRetentionInHours: 48, tags: { ...DEVICE_TAGS, team: 'video' } });

    // The settings raise the retention, then the stream declared after them fails: CloudFormation rolls the settings
    // back, and the decrease back to 48 hours passes because the stack is UPDATE_ROLLBACK_IN_PROGRESS.
    const failed = await deployer.deploy(synth({ ...settings, dataRetention: Duration.days(7) }, true));

    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(retentionChanges()).toEqual(['INCREASE_DATA_RETENTION 24', 'INCREASE_DATA_RETENTION 120', 'DECREASE_DATA_RETENTION 120']);
    expect(lobby()).toMatchObject({ dataRetentionInHours: 48, tags: { ...DEVICE_TAGS, team: 'video' } });

    const deleted = await deployer.destroy(created.stackName);

    expect(deleted.status).toBe('DELETE_COMPLETE');
    // The stream stays, with its retention; only the tag the settings added is gone.
    expect(lobby()).toMatchObject({ status: 'ACTIVE', dataRetentionInHours: 48, tags: DEVICE_TAGS });
  });
});

/** Polls `condition` on the real clock (for requests in flight), for at most 5 s. */
async function until(condition: () => boolean) {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
