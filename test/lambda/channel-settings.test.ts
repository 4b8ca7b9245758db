import { CreateSignalingChannelCommand, TagResourceCommand, UpdateSignalingChannelCommand } from '@aws-sdk/client-kinesis-video';
import { events, Harness, inContext, runProvider, STACK_ID, uniqueName } from './support/harness';
import { RawProperties } from '../../lambda/types';
import { ResourceType } from '../../src/private/custom-resource-contract';
import { DEFAULT_TRANSITIONS } from '../kvs-server';

const TYPE = ResourceType.CHANNEL_SETTINGS;
const VERSION_MISMATCH = 'The signaling channel version that you specified is not the latest version. To get the latest version, use the DescribeSignalingChannel API.';
/** What the doorbell app gave its channel when it first connected. */
const DEVICE_TAGS = { owner: 'device', site: 'unknown' };
const DECLARED = { MessageTtlSeconds: '30', Tags: { site: 'hq', team: 'video' } };
const CONFIRM = ['DescribeSignalingChannel', 'ListTagsForResource'];

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.stop());

let name: string;
let arn: string;
let handlers: ReturnType<typeof inContext>;
beforeEach(async () => {
  name = uniqueName('doorbell');
  arn = await deviceChannel(name);
  h.server.setStackStatus(STACK_ID, 'UPDATE_IN_PROGRESS');
  h.server.setTransitionTimes({ channelUpdate: DEFAULT_TRANSITIONS.channelUpdate });
  handlers = inContext(h.context());
  h.reset();
});

/** A channel created the way the device's WebRTC SDK creates its own on first connect. */
async function deviceChannel(channelName: string): Promise<string> {
  const { ChannelARN } = await h.kvs.send(new CreateSignalingChannelCommand({
    ChannelName: channelName,
    SingleMasterConfiguration: { MessageTtlSeconds: 60 },
    Tags: Object.entries(DEVICE_TAGS).map(([Key, Value]) => ({ Key, Value })),
  }));
  h.time.advance(DEFAULT_TRANSITIONS.channelCreate);
  return ChannelARN!;
}

function props(extra: RawProperties = {}, channelName = name): RawProperties {
  return { ChannelName: channelName, RestoreOnDelete: 'false', ...extra };
}

function doneFor(channelArn: string, channelName = name) {
  return { IsComplete: true, Data: { ChannelArn: channelArn, ChannelName: channelName } };
}

function anchorOf(physicalId: string): { kind: string; target: string; data: unknown } {
  const [kind, target, blob] = physicalId.split('|');
  return { kind, target, data: JSON.parse(Buffer.from(blob, 'base64url').toString('utf8')) };
}

async function create(properties: RawProperties): Promise<string> {
  const run = await runProvider(events.create(TYPE, properties), handlers);
  expect(run.result.IsComplete).toBe(true);
  h.reset();
  return run.physicalResourceId;
}

function body(action: string, index = 0) {
  return h.server.requests({ action })[index].body;
}

const ttlOf = (channelArn: string) => h.channel(channelArn).singleMasterConfiguration.MessageTtlSeconds;

describe('create', () => {
  test('adopts a device-created channel: the TTL at its current version, then the tags', async () => {
    const version = h.channel(arn).version;

    const run = await runProvider(events.create(TYPE, props(DECLARED)), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual([
      'DescribeSignalingChannel', 'ListTagsForResource',
      'DescribeSignalingChannel', 'UpdateSignalingChannel',
      'DescribeSignalingChannel', 'ListTagsForResource', 'TagResource',
    ]);
    expect(h.time.sleeps).toEqual([200]);
    expect(body('DescribeSignalingChannel', 0)).toEqual({ ChannelName: name });
    expect(body('DescribeSignalingChannel', 1)).toEqual({ ChannelARN: arn });
    expect(body('UpdateSignalingChannel')).toEqual({ ChannelARN: arn, CurrentVersion: version, SingleMasterConfiguration: { MessageTtlSeconds: 30 } });
    expect(body('TagResource')).toEqual({ ResourceARN: arn, Tags: [{ Key: 'site', Value: 'hq' }, { Key: 'team', Value: 'video' }] });
    expect(body('ListTagsForResource')).toEqual({ ResourceARN: arn });
    expect(ttlOf(arn)).toBe(30);
    expect(h.channel(arn).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
    expect(anchorOf(run.physicalResourceId)).toEqual({
      kind: 'ChannelSettings', target: arn, data: { recorded: { settings: { messageTtlSeconds: 60 }, tags: { site: 'unknown' } } },
    });
  });

  test('manages only the tags when that is all the properties declare', async () => {
    const run = await runProvider(events.create(TYPE, props({ Tags: { team: 'video' } })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual(['DescribeSignalingChannel', 'ListTagsForResource', ...CONFIRM, 'TagResource']);
    expect(ttlOf(arn)).toBe(60);
    expect(h.channel(arn).tags).toEqual({ ...DEVICE_TAGS, team: 'video' });
  });

  test('fails when the channel does not exist, saying how to wait for it', async () => {
    const missing = uniqueName('not-yet');

    await expect(handlers.onEvent(events.create(TYPE, props(DECLARED, missing)))).rejects.toThrow(
      `Cannot apply the settings of signaling channel "${missing}": it does not exist (no device has created it yet, or it was deleted). `
      + 'Let the device create it (it does so when it first connects) and deploy again, or set waitForChannel on its ChannelSettings to wait for it.');
    expect(h.calls()).toEqual(['DescribeSignalingChannel:ResourceNotFoundException']);
  });

  test('fails when a channel imported by ARN does not exist', async () => {
    const gone = arn.replace(name, 'gone');

    await expect(handlers.onEvent(events.create(TYPE, props({ ChannelArn: gone, ...DECLARED }, 'gone')))).rejects.toThrow(
      `Cannot apply the settings of signaling channel "gone" (${gone}): it does not exist. A signaling channel imported by its ARN is that `
      + 'signaling channel only: to follow a signaling channel that devices recreate under the same name, import it by name (SignalingChannel.fromChannelName).');
  });

  test('waits for a channel that does not exist yet', async () => {
    const later = uniqueName('later');
    const event = events.create(TYPE, props({ ...DECLARED, WaitForChannelSeconds: '600' }, later));
    const started = h.time.now();

    const { PhysicalResourceId } = await handlers.onEvent(event);

    expect(anchorOf(PhysicalResourceId)).toEqual({ kind: 'ChannelSettings', target: later, data: { waitUntil: started + 600_000 } });
    const laterArn = await deviceChannel(later);
    h.reset();
    const merged = { ...event, PhysicalResourceId };
    expect(await handlers.isComplete(merged)).toEqual({ IsComplete: false });
    expect(h.calls()).toEqual(['DescribeSignalingChannel', 'UpdateSignalingChannel']);
    h.time.advance(10_000);
    expect(await handlers.isComplete(merged)).toEqual(doneFor(laterArn, later));
    expect(ttlOf(laterArn)).toBe(30);
    expect(h.channel(laterArn).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
  });

  test('fails before tagging when the channel would carry more than 50 tags', async () => {
    const foreign = Array.from({ length: 47 }, (_, i) => ({ Key: `device-${i}`, Value: 'x' }));
    await h.kvs.send(new TagResourceCommand({ ResourceARN: arn, Tags: foreign }));
    h.reset();

    await expect(runProvider(events.create(TYPE, props({ Tags: { a: '1', b: '2' } })), handlers)).rejects.toThrow(
      `Cannot tag signaling channel "${name}" (${arn}): it carries 49 tags, and the 2 that this resource adds would make 51, over the limit `
      + 'of 50 tags per signaling channel. Remove tags the signaling channel no longer needs, or manage fewer tags.');
    expect(h.calls()).toEqual(['DescribeSignalingChannel', 'ListTagsForResource', ...CONFIRM]);
  });
});

describe('update', () => {
  test('a no-op update only reads', async () => {
    const physicalId = await create(props(DECLARED));

    const run = await runProvider(events.update(TYPE, physicalId, props(DECLARED), props(DECLARED)), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: doneFor(arn) });
    expect(h.calls()).toEqual(['DescribeSignalingChannel', ...CONFIRM]);
  });

  test('changes the TTL and the tags, removing a key it stops managing', async () => {
    const physicalId = await create(props(DECLARED));
    const changed = props({ MessageTtlSeconds: '120', Tags: { site: 'hq' } });

    const run = await runProvider(events.update(TYPE, physicalId, changed, props(DECLARED)), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: doneFor(arn) });
    expect(h.calls()).toEqual([
      'DescribeSignalingChannel', 'DescribeSignalingChannel', 'UpdateSignalingChannel',
      'DescribeSignalingChannel', 'ListTagsForResource', 'UntagResource',
    ]);
    expect(body('UntagResource')).toEqual({ ResourceARN: arn, TagKeyList: ['team'] });
    expect(ttlOf(arn)).toBe(120);
    expect(h.channel(arn).tags).toEqual({ owner: 'device', site: 'hq' });
  });

  test('rollback restores the previous TTL and tags', async () => {
    const physicalId = await create(props(DECLARED));
    const failed = props({ MessageTtlSeconds: '5', Tags: { site: 'elsewhere' } });
    await runProvider(events.update(TYPE, physicalId, failed, props(DECLARED)), handlers);
    h.reset();

    const run = await runProvider(events.update(TYPE, physicalId, props(DECLARED), failed), handlers);

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: doneFor(arn) });
    expect(h.calls()).toEqual([
      'DescribeSignalingChannel', 'DescribeSignalingChannel', 'UpdateSignalingChannel',
      'DescribeSignalingChannel', 'ListTagsForResource', 'TagResource',
    ]);
    expect(body('TagResource')).toEqual({ ResourceARN: arn, Tags: [{ Key: 'site', Value: 'hq' }, { Key: 'team', Value: 'video' }] });
    expect(ttlOf(arn)).toBe(30);
    expect(h.channel(arn).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
  });

  test('another channel replaces the resource, and the Delete of the old id acts on the old channel only', async () => {
    const oldId = await create(props(DECLARED));
    const other = uniqueName('gate');
    const otherArn = await deviceChannel(other);
    h.reset();

    const run = await runProvider(events.update(TYPE, oldId, props(DECLARED, other), props(DECLARED)), handlers);

    expect(anchorOf(run.physicalResourceId).target).toBe(otherArn);
    expect(ttlOf(otherArn)).toBe(30);
    h.reset();

    await runProvider(events.delete(TYPE, oldId, props(DECLARED)), handlers);

    expect(h.server.requests().every((r) => (r.body.ChannelARN ?? r.body.ResourceARN) === arn)).toBe(true);
    expect(h.channel(arn).tags).toEqual({ owner: 'device', site: 'hq' });
    expect(h.channel(otherArn).tags).toEqual({ owner: 'device', site: 'hq', team: 'video' });
  });
});

describe('delete', () => {
  test('by default leaves the TTL and removes only the tags it added', async () => {
    const physicalId = await create(props(DECLARED));

    const run = await runProvider(events.delete(TYPE, physicalId, props(DECLARED)), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeSignalingChannel', 'ListTagsForResource', 'UntagResource']);
    expect(ttlOf(arn)).toBe(30);
    expect(h.channel(arn).tags).toEqual({ owner: 'device', site: 'hq' });
  });

  test('with restoreOnDelete, puts back the TTL and the tags the channel had', async () => {
    const restoring = props({ ...DECLARED, RestoreOnDelete: 'true' });
    const physicalId = await create(restoring);

    const run = await runProvider(events.delete(TYPE, physicalId, restoring), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual([
      'DescribeSignalingChannel', 'UpdateSignalingChannel',
      'DescribeSignalingChannel', 'ListTagsForResource', 'UntagResource', 'TagResource',
    ]);
    expect(body('UpdateSignalingChannel')).toMatchObject({ SingleMasterConfiguration: { MessageTtlSeconds: 60 } });
    expect(body('TagResource')).toEqual({ ResourceARN: arn, Tags: [{ Key: 'site', Value: 'unknown' }] });
    expect(ttlOf(arn)).toBe(60);
    expect(h.channel(arn).tags).toEqual(DEVICE_TAGS);
  });

  test('with restoreOnDelete, leaves a TTL someone else has changed since', async () => {
    const restoring = props({ ...DECLARED, RestoreOnDelete: 'true' });
    const physicalId = await create(restoring);
    await h.kvs.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: h.channel(arn).version, SingleMasterConfiguration: { MessageTtlSeconds: 90 },
    }));
    h.time.advance(DEFAULT_TRANSITIONS.channelUpdate);
    h.reset();

    await runProvider(events.delete(TYPE, physicalId, restoring), handlers);

    expect(h.server.requests({ action: 'UpdateSignalingChannel' })).toHaveLength(0);
    expect(ttlOf(arn)).toBe(90);
    expect(h.logs).toContain(`Leaving the message TTL of signaling channel "${name}" (${arn}) at 90: it no longer holds the 30 this resource set`);
  });

  test('succeeds when the channel is already gone', async () => {
    const physicalId = await create(props(DECLARED));
    await h.deleteChannel(arn);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(DECLARED)), handlers);

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeSignalingChannel:ResourceNotFoundException']);
    expect(h.logs).toContain(`Nothing to release: signaling channel "${name}" (${arn}) is gone`);
  });
});

describe('concurrent changes', () => {
  test('waits for a channel that is UPDATING, then changes it at its new version', async () => {
    h.server.setTransitionTimes({ channelUpdate: 500 });
    await h.startChannelUpdate(arn);
    h.reset();

    const run = await runProvider(events.create(TYPE, props({ MessageTtlSeconds: '45' })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual([
      'DescribeSignalingChannel', 'DescribeSignalingChannel', 'DescribeSignalingChannel', 'DescribeSignalingChannel', 'UpdateSignalingChannel',
      'DescribeSignalingChannel',
    ]);
    expect(h.time.sleeps).toEqual([200, 400, 800]);
    expect(ttlOf(arn)).toBe(45);
  });

  test('fails when the channel keeps changing', async () => {
    h.server.injectFault('UpdateSignalingChannel', { kind: 'error', errorType: 'VersionMismatchException', message: VERSION_MISMATCH }, { times: 6 });

    await expect(runProvider(events.create(TYPE, props({ MessageTtlSeconds: '45' })), handlers)).rejects.toThrow(
      `UpdateSignalingChannel failed for signaling channel "${name}" (${arn}): VersionMismatchException: ${VERSION_MISMATCH} `
      + `Signaling channel "${name}" (${arn}) changed 6 times while this deployment applied its settings: something else is changing it. `
      + 'Deploy again once it is done.');
    expect(h.calls()).toEqual(['DescribeSignalingChannel', ...Array(6).fill(['DescribeSignalingChannel', 'UpdateSignalingChannel:VersionMismatchException']).flat()]);
    expect(ttlOf(arn)).toBe(60);
  });

  test('retries a version mismatch from a new describe', async () => {
    h.server.injectFault('UpdateSignalingChannel', { kind: 'error', errorType: 'VersionMismatchException', message: VERSION_MISMATCH });

    const run = await runProvider(events.create(TYPE, props({ MessageTtlSeconds: '45' })), handlers);

    expect(run.result).toEqual(doneFor(arn));
    expect(h.calls()).toEqual([
      'DescribeSignalingChannel', 'DescribeSignalingChannel', 'UpdateSignalingChannel:VersionMismatchException',
      'DescribeSignalingChannel', 'UpdateSignalingChannel', 'DescribeSignalingChannel',
    ]);
    expect(h.time.sleeps).toEqual([200, 400]);
    expect(ttlOf(arn)).toBe(45);
  });
});
