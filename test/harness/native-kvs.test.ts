import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteStreamCommand } from '@aws-sdk/client-kinesis-video';
import { CfnDeletionPolicy, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kv from 'aws-cdk-lib/aws-kinesisvideo';
import { DeployHarness } from '.';
import { KvsTestServer } from '../kvs-server';
import { customEventLines, eventLine, fixtureProvider, fixtureResource, TempDirs } from './fixtures/apps';

let server: KvsTestServer;
let harness: DeployHarness;
let dirs: TempDirs;

beforeEach(async () => {
  server = await KvsTestServer.start();
  harness = new DeployHarness({ server, timeScale: 0.01 });
  dirs = new TempDirs();
});

afterEach(async () => {
  await harness.close();
  await server.stop();
  dirs.removeAll();
});

function kvsApp(build: (stack: Stack) => void): string {
  return dirs.synth(build, 'Cams');
}

interface StreamProps {
  readonly name?: string;
  readonly retention?: number;
  readonly mediaType?: string;
  readonly tags?: Record<string, string>;
  readonly tier?: string;
}

function stream(stack: Stack, id: string, props: StreamProps): kv.CfnStream {
  return new kv.CfnStream(stack, id, {
    name: props.name,
    dataRetentionInHours: props.retention,
    mediaType: props.mediaType,
    tags: props.tags && Object.entries(props.tags).map(([key, value]) => ({ key, value })),
    streamStorageConfiguration: props.tier ? { defaultStorageTier: props.tier } : undefined,
  });
}

/** The requests that change something, in order, with their bodies. */
function mutations(): [string, unknown][] {
  return server.requests().filter((r) => !/^(Describe|List)/.test(r.action)).map((r) => [r.action, r.body]);
}

function resourceLines(events: Parameters<typeof customEventLines>[0], type: string): string[] {
  return events.filter((e) => e.resourceType === type || e.resourceType === 'AWS::CloudFormation::Stack').map(eventLine);
}

describe('create', () => {
  test('creates streams and channels through the server, waits for ACTIVE, and resolves Ref (the name) and Arn', async () => {
    const result = await harness.deploy(kvsApp((stack) => {
      const cam = stream(stack, 'Cam', { name: 'cam-1', retention: 2, mediaType: 'video/h264', tags: { site: 's1' }, tier: 'WARM' });
      cam.deviceName = 'dev1';
      const bell = new kv.CfnSignalingChannel(stack, 'Bell', { messageTtlSeconds: 30, tags: [{ key: 'site', value: 's1' }] });
      new CfnOutput(stack, 'StreamRef', { value: cam.ref });
      new CfnOutput(stack, 'StreamArn', { value: cam.attrArn });
      new CfnOutput(stack, 'ChannelRef', { value: bell.ref });
      new CfnOutput(stack, 'ChannelArn', { value: bell.attrArn });
    }));

    expect(result.status).toBe('CREATE_COMPLETE');
    const { streams, channels } = server.state();
    const channelName = channels[0].name;
    expect(channelName).toMatch(/^Cams-Bell-[A-Z0-9]{12}$/);
    expect(mutations().sort(([a], [b]) => a.localeCompare(b))).toEqual([
      ['CreateSignalingChannel', {
        ChannelName: channelName,
        ChannelType: 'SINGLE_MASTER',
        SingleMasterConfiguration: { MessageTtlSeconds: 30 },
        Tags: [{ Key: 'site', Value: 's1' }],
      }],
      ['CreateStream', {
        StreamName: 'cam-1',
        DataRetentionInHours: 2,
        DeviceName: 'dev1',
        MediaType: 'video/h264',
        StreamStorageConfiguration: { DefaultStorageTier: 'WARM' },
        Tags: { site: 's1' },
      }],
    ]);
    expect(result.outputs).toEqual({ StreamRef: 'cam-1', StreamArn: streams[0].arn, ChannelRef: channelName, ChannelArn: channels[0].arn });
    expect(streams.map((s) => [s.name, s.status, s.dataRetentionInHours, s.streamStorageConfiguration.DefaultStorageTier, s.tags]))
      .toEqual([['cam-1', 'ACTIVE', 2, 'WARM', { site: 's1' }]]);
    // CREATE_COMPLETE comes once the server reports ACTIVE, after its 50 ms creation transition.
    const complete = result.events.find((e) => e.logicalId === 'Cam' && e.status === 'CREATE_COMPLETE')!;
    expect(complete.timestamp - streams[0].creationTime).toBeGreaterThanOrEqual(50);
    expect(server.requests({ action: 'DescribeStream' }).at(-1)?.at).toBeLessThanOrEqual(complete.timestamp);
  });

  test('reports every stack status to the server\'s DescribeStacks', async () => {
    const result = await harness.deploy(kvsApp((stack) => stream(stack, 'Cam', { name: 'cam-1' })));
    const described = await server.cloudFormationClient().send(new DescribeStacksCommand({ StackName: result.stackId }));
    expect(described.Stacks?.[0].StackStatus).toBe('CREATE_COMPLETE');
  });

  test('retries throttling, as CloudFormation\'s handler does', async () => {
    server.injectFault('CreateStream', { kind: 'throttle' }, { times: 2 });
    const result = await harness.deploy(kvsApp((stack) => stream(stack, 'Cam', { name: 'cam-1' })));
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(server.requests({ action: 'CreateStream' }).map((r) => r.errorType)).toEqual(['ClientLimitExceededException', 'ClientLimitExceededException', undefined]);
  });

  test('fails with the service\'s message and CloudFormation\'s handler error code', async () => {
    server.injectFault('CreateStream', { kind: 'error', errorType: 'AccountStreamLimitExceededException', status: 400, message: 'Too many streams' });
    const result = await harness.deploy(kvsApp((stack) => stream(stack, 'Cam', { name: 'cam-1' })));
    expect(resourceLines(result.events, 'AWS::KinesisVideo::Stream')).toEqual([
      'Cams CREATE_IN_PROGRESS — User Initiated',
      'Cam CREATE_IN_PROGRESS',
      'Cam CREATE_FAILED — Resource handler returned message: "Too many streams" (HandlerErrorCode: ServiceLimitExceeded)',
      'Cams ROLLBACK_IN_PROGRESS — The following resource(s) failed to create: [Cam]. Rollback requested by user.',
      'Cam DELETE_IN_PROGRESS',
      'Cam DELETE_COMPLETE',
      'Cams ROLLBACK_COMPLETE',
    ]);
  });

  test('fails when properties break the resource schema, before any request', async () => {
    const result = await harness.deploy(kvsApp((stack) => {
      stream(stack, 'Cam', { name: 'cam 1', retention: 90000 }).addPropertyOverride('Tags', []);
      new kv.CfnSignalingChannel(stack, 'Bell', { messageTtlSeconds: 3, type: 'FULL_MESH' });
    }));
    const reasons = Object.fromEntries(result.events.filter((e) => e.status === 'CREATE_FAILED').map((e) => [e.logicalId, e.reason]));
    expect(reasons).toEqual({
      Cam: 'Properties validation failed for resource Cam with message:\n[#/Name: string [cam 1] does not match pattern ^[a-zA-Z0-9_.-]+$, '
        + '#/DataRetentionInHours: 90000 is not less or equal to 87600, #/Tags: expected minimum item count: 1, found: 0]',
      Bell: 'Properties validation failed for resource Bell with message:\n[#/Type: FULL_MESH is not a valid enum value, #/MessageTtlSeconds: 3 is not greater or equal to 5]',
    });
    expect(mutations()).toEqual([]);
  });
});

describe('update', () => {
  test('updates a stream in place: UpdateStream, retention as a delta, storage configuration and tags, each with the current version', async () => {
    await harness.deploy(kvsApp((stack) => stream(stack, 'Cam', { name: 'cam-1', retention: 2, mediaType: 'video/h264', tags: { site: 's1', zone: 'z1' } })));
    server.clearRequests();
    const versions: string[] = [server.state().streams[0].version];

    const result = await harness.deploy(kvsApp((stack) => stream(stack, 'Cam', {
      name: 'cam-1', retention: 5, mediaType: 'video/h265', tags: { site: 's2', owner: 'me' }, tier: 'WARM',
    })));

    expect(resourceLines(result.events, 'AWS::KinesisVideo::Stream')).toEqual([
      'Cams UPDATE_IN_PROGRESS — User Initiated',
      'Cam UPDATE_IN_PROGRESS [cam-1]',
      'Cam UPDATE_COMPLETE [cam-1]',
      'Cams UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'Cams UPDATE_COMPLETE',
    ]);
    const sent = mutations();
    versions.push(...sent.slice(1, 3).map(([, body]) => (body as { CurrentVersion: string }).CurrentVersion));
    expect(new Set(versions).size).toBe(3);
    expect(sent).toEqual([
      ['UpdateStream', { StreamName: 'cam-1', CurrentVersion: versions[0], MediaType: 'video/h265' }],
      ['UpdateDataRetention', { StreamName: 'cam-1', CurrentVersion: versions[1], Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 3 }],
      ['UpdateStreamStorageConfiguration', { StreamName: 'cam-1', CurrentVersion: versions[2], StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } }],
      ['UntagStream', { StreamName: 'cam-1', TagKeyList: ['zone'] }],
      ['TagStream', { StreamName: 'cam-1', Tags: { site: 's2', owner: 'me' } }],
    ]);
    const after = server.state().streams[0];
    expect([after.status, after.mediaType, after.dataRetentionInHours, after.streamStorageConfiguration, after.tags])
      .toEqual(['ACTIVE', 'video/h265', 5, { DefaultStorageTier: 'WARM' }, { site: 's2', owner: 'me' }]);

    server.clearRequests();
    await harness.deploy(kvsApp((stack) => stream(stack, 'Cam', { name: 'cam-1', retention: 1, mediaType: 'video/h265', tags: { site: 's2', owner: 'me' }, tier: 'WARM' })));
    expect(mutations()).toEqual([
      ['UpdateDataRetention', { StreamName: 'cam-1', CurrentVersion: expect.any(String), Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 4 }],
    ]);
  });

  test('updates a channel in place: UpdateSignalingChannel and tags', async () => {
    await harness.deploy(kvsApp((stack) => new kv.CfnSignalingChannel(stack, 'Bell', { name: 'bell', messageTtlSeconds: 30 })));
    const before = server.state().channels[0];
    server.clearRequests();
    await harness.deploy(kvsApp((stack) => new kv.CfnSignalingChannel(stack, 'Bell', { name: 'bell', messageTtlSeconds: 90, tags: [{ key: 'k', value: 'v' }] })));
    expect(mutations()).toEqual([
      ['UpdateSignalingChannel', { ChannelARN: before.arn, CurrentVersion: before.version, SingleMasterConfiguration: { MessageTtlSeconds: 90 } }],
      ['TagResource', { ResourceARN: before.arn, Tags: [{ Key: 'k', Value: 'v' }] }],
    ]);
    expect(server.state().channels.map((c) => [c.status, c.singleMasterConfiguration, c.tags])).toEqual([['ACTIVE', { MessageTtlSeconds: 90 }, { k: 'v' }]]);
  });

  test('a new Name replaces the stream: the new one is created and referenced, the old one deleted in cleanup', async () => {
    await harness.deploy(kvsApp((stack) => {
      const cam = stream(stack, 'Cam', { name: 'cam-1', retention: 2 });
      new CfnOutput(stack, 'Arn', { value: cam.attrArn });
    }));
    server.clearRequests();
    const result = await harness.deploy(kvsApp((stack) => {
      const cam = stream(stack, 'Cam', { name: 'cam-2', retention: 2 });
      new CfnOutput(stack, 'Arn', { value: cam.attrArn });
    }));

    expect(resourceLines(result.events, 'AWS::KinesisVideo::Stream')).toEqual([
      'Cams UPDATE_IN_PROGRESS — User Initiated',
      'Cam UPDATE_IN_PROGRESS [cam-1] — Requested update requires the creation of a new physical resource; hence creating one.',
      'Cam UPDATE_COMPLETE [cam-2]',
      'Cams UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'Cam DELETE_IN_PROGRESS [cam-1]',
      'Cam DELETE_COMPLETE [cam-1]',
      'Cams UPDATE_COMPLETE',
    ]);
    expect(mutations().map(([action, body]) => [action, (body as { StreamName?: string; StreamARN?: string }).StreamName
      ?? (body as { StreamARN: string }).StreamARN.split('/')[1]])).toEqual([['CreateStream', 'cam-2'], ['DeleteStream', 'cam-1']]);
    expect(server.state().streams.map((s) => s.name)).toEqual(['cam-2']);
    expect(result.outputs.Arn).toBe(server.state().streams[0].arn);
  });

  test('UpdateReplacePolicy Retain keeps the old stream of a replacement', async () => {
    const build = (name: string) => kvsApp((stack) => {
      stream(stack, 'Cam', { name }).cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    });
    await harness.deploy(build('cam-1'));
    const result = await harness.deploy(build('cam-2'));
    expect(result.events.filter((e) => e.logicalId === 'Cam').map(eventLine).slice(-1)).toEqual(['Cam DELETE_SKIPPED [cam-1]']);
    expect(server.state().streams.map((s) => s.name).sort()).toEqual(['cam-1', 'cam-2']);
  });

  test('fails: rollback updates the stream back to its old retention, with a delta in the other direction', async () => {
    const build = (retention: number, failing: Record<string, unknown>) => kvsApp((stack) => {
      const cam = stream(stack, 'Cam', { name: 'cam-1', retention });
      fixtureResource(stack, 'Check', fixtureProvider(stack), { Stream: cam.ref, Retention: retention, ...failing });
    });
    await harness.deploy(build(2, {}));
    server.clearRequests();
    const result = await harness.deploy(build(5, { FailOn: 'Update', FailMessage: 'no' }));

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.events.filter((e) => e.logicalId === 'Cam').map(eventLine)).toEqual([
      'Cam UPDATE_IN_PROGRESS [cam-1]',
      'Cam UPDATE_COMPLETE [cam-1]',
      'Cam UPDATE_IN_PROGRESS [cam-1]',
      'Cam UPDATE_COMPLETE [cam-1]',
    ]);
    expect(mutations()).toEqual([
      ['UpdateDataRetention', { StreamName: 'cam-1', CurrentVersion: expect.any(String), Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 3 }],
      ['UpdateDataRetention', { StreamName: 'cam-1', CurrentVersion: expect.any(String), Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 3 }],
    ]);
    expect(server.state().streams[0].dataRetentionInHours).toBe(2);
  });
});

describe('delete', () => {
  test('DeletionPolicy Retain keeps the stream and channel; Delete deletes them with their current version and waits until they are gone', async () => {
    await harness.deploy(kvsApp((stack) => {
      stream(stack, 'Kept', { name: 'kept' }).applyRemovalPolicy(RemovalPolicy.RETAIN);
      stream(stack, 'Dropped', { name: 'dropped' });
      new kv.CfnSignalingChannel(stack, 'KeptBell', { name: 'kept-bell' }).applyRemovalPolicy(RemovalPolicy.RETAIN);
      new kv.CfnSignalingChannel(stack, 'DroppedBell', { name: 'dropped-bell' });
    }));
    const before = server.state();
    server.clearRequests();

    const result = await harness.destroy('Cams');

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(result.events.map(eventLine).sort()).toEqual([
      'Cams DELETE_COMPLETE',
      'Cams DELETE_IN_PROGRESS — User Initiated',
      'Dropped DELETE_COMPLETE [dropped]',
      'Dropped DELETE_IN_PROGRESS [dropped]',
      'DroppedBell DELETE_COMPLETE [dropped-bell]',
      'DroppedBell DELETE_IN_PROGRESS [dropped-bell]',
      'Kept DELETE_SKIPPED [kept]',
      'KeptBell DELETE_SKIPPED [kept-bell]',
    ]);
    const dropped = before.streams.find((s) => s.name === 'dropped')!;
    const droppedBell = before.channels.find((c) => c.name === 'dropped-bell')!;
    expect(mutations().sort(([a], [b]) => a.localeCompare(b))).toEqual([
      ['DeleteSignalingChannel', { ChannelARN: droppedBell.arn, CurrentVersion: droppedBell.version }],
      ['DeleteStream', { StreamARN: dropped.arn, CurrentVersion: dropped.version }],
    ]);
    expect(server.state().streams.map((s) => s.name)).toEqual(['kept']);
    expect(server.state().channels.map((c) => c.name)).toEqual(['kept-bell']);
    expect(result.serverState).toEqual(server.state());
  });

  test('a stream already gone counts as deleted', async () => {
    await harness.deploy(kvsApp((stack) => stream(stack, 'Cam', { name: 'cam-1' })));
    await server.client().send(new DeleteStreamCommand({ StreamARN: server.state().streams[0].arn }));
    const result = await harness.destroy('Cams');
    expect(result.status).toBe('DELETE_COMPLETE');
  });
});
