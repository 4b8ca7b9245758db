import {
  CreateStreamCommand,
  DeleteEdgeConfigurationCommand,
  DeleteStreamCommand,
  DescribeEdgeConfigurationCommand,
  EdgeConfig,
  InvalidArgumentException,
  ListEdgeAgentConfigurationsCommand,
  NoDataRetentionException,
  ResourceInUseException,
  StartEdgeConfigurationUpdateCommand,
  StreamEdgeConfigurationNotFoundException,
} from '@aws-sdk/client-kinesis-video';
import { KvsTestServerOptions } from './index';
import { activeStream, EPOCH, Harness, rejection, startHarness } from './testing';

const HUB = 'arn:aws:iot:us-east-1:123456789012:thing/hub-1';
const OTHER_HUB = 'arn:aws:iot:us-east-1:123456789012:thing/hub-2';
const edgeConfig = (hub = HUB): EdgeConfig => ({
  HubDeviceArn: hub,
  RecorderConfig: {
    MediaSourceConfig: { MediaUriSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:camera-1', MediaUriType: 'RTSP_URI' },
  },
  UploaderConfig: { ScheduleConfig: { ScheduleExpression: '0 0 * * * ?', DurationInSeconds: 600 } },
  DeletionConfig: { EdgeRetentionInHours: 72, LocalSizeConfig: { MaxLocalMediaSizeInMB: 1024, StrategyOnFullSize: 'DELETE_OLDEST_MEDIA' }, DeleteAfterUpload: true },
});

let h: Harness;
let stream: string;
async function setUp(options: KvsTestServerOptions = {}) {
  h = await startHarness(options);
  stream = await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
}
afterEach(() => h.server.stop());

const start = (hub = HUB) => h.kvs.send(new StartEdgeConfigurationUpdateCommand({ StreamName: 'cam', EdgeConfig: edgeConfig(hub) }));
const describeEdge = () => h.kvs.send(new DescribeEdgeConfigurationCommand({ StreamARN: stream }));
const syncStatus = async () => (await describeEdge()).SyncStatus;
const deleteEdge = () => h.kvs.send(new DeleteEdgeConfigurationCommand({ StreamName: 'cam' }));

/** The sync status after each step of `ms`, as a test reads it through the SDK. */
async function statusesEvery(ms: number, steps: number): Promise<(string | undefined)[]> {
  const seen = [];
  for (let i = 0; i < steps; i++) {
    h.clock.advance(ms);
    seen.push(await syncStatus().catch((e: Error) => e.name));
  }
  return seen;
}

describe('StartEdgeConfigurationUpdate', () => {
  beforeEach(() => setUp());

  test('with an online hub goes SYNCING → ACKNOWLEDGED → IN_SYNC', async () => {
    const started = EPOCH + 1_000;
    const out = await start();
    expect(out).toMatchObject({
      StreamName: 'cam', StreamARN: stream, SyncStatus: 'SYNCING', EdgeConfig: edgeConfig(), CreationTime: new Date(started), LastUpdatedTime: new Date(started),
    });
    h.clock.advance(49);
    expect(await syncStatus()).toBe('SYNCING');
    h.clock.advance(1);
    expect(await syncStatus()).toBe('ACKNOWLEDGED');
    h.clock.advance(50);
    const done = await describeEdge();
    expect([done.SyncStatus, done.FailedStatusDetails, done.EdgeConfig]).toEqual(['IN_SYNC', undefined, edgeConfig()]);
    expect(h.server.state().streams[0].edgeConfiguration).toEqual({
      syncStatus: 'IN_SYNC', edgeConfig: edgeConfig(), creationTime: started, lastUpdatedTime: started,
    });
  });

  test('with an offline hub stays SYNCING for edgeSyncFailedAfter ms, then SYNC_FAILED', async () => {
    h.server.setHubDeviceOnline(HUB, false);
    await start();
    h.clock.advance(199);
    expect(await syncStatus()).toBe('SYNCING');
    h.clock.advance(1);
    const failed = await describeEdge();
    expect(failed.SyncStatus).toBe('SYNC_FAILED');
    expect(failed.FailedStatusDetails).toBe(`The Edge Agent on hub device ${HUB} did not acknowledge the edge configuration before the retry window ended.`);
  });

  test('acknowledges acknowledgeDelayMs after a hub comes online within the retry window', async () => {
    h.server.setHubDeviceOnline(HUB, false);
    await start();
    h.clock.advance(100);
    h.server.setHubDeviceOnline(HUB, true, { acknowledgeDelayMs: 30 });
    expect(await statusesEvery(10, 4)).toEqual(['SYNCING', 'SYNCING', 'ACKNOWLEDGED', 'ACKNOWLEDGED']);
  });

  test('fails the sync when the hub comes online too late to acknowledge within the window', async () => {
    h.server.setHubDeviceOnline(HUB, false);
    await start();
    h.clock.advance(180);
    h.server.setHubDeviceOnline(HUB, true);
    h.clock.advance(20);
    expect(await syncStatus()).toBe('SYNC_FAILED');
  });

  test('fails a second update before IN_SYNC or SYNC_FAILED, and accepts one after', async () => {
    await start();
    for (const wait of [0, 50]) {
      h.clock.advance(wait);
      const err = await rejection(start());
      expect(err).toBeInstanceOf(ResourceInUseException);
      expect(err.message).toBe(`The edge configuration of stream ${stream} is ${wait === 0 ? 'SYNCING' : 'ACKNOWLEDGED'}; `
        + 'wait for IN_SYNC or SYNC_FAILED before updating it.');
    }
    h.clock.advance(50);
    const again = await start();
    expect(again).toMatchObject({ SyncStatus: 'SYNCING', CreationTime: new Date(EPOCH + 1_000), LastUpdatedTime: new Date(EPOCH + 1_100) });
  });

  test('fails a move to another hub device without DeleteEdgeConfiguration first', async () => {
    await start();
    h.clock.advance(100);
    const err = await rejection(start(OTHER_HUB));
    expect(err).toBeInstanceOf(InvalidArgumentException);
    expect(err.message).toBe(`The edge configuration of stream ${stream} belongs to hub device ${HUB}; call DeleteEdgeConfiguration before moving it to ${OTHER_HUB}.`);
  });

  test('fails on a stream without retention, or one that is not ACTIVE', async () => {
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'live' }));
    const creating = await rejection(h.kvs.send(new StartEdgeConfigurationUpdateCommand({ StreamName: 'live', EdgeConfig: edgeConfig() })));
    expect(creating).toBeInstanceOf(ResourceInUseException);
    h.clock.advance(50);
    const noRetention = await rejection(h.kvs.send(new StartEdgeConfigurationUpdateCommand({ StreamName: 'live', EdgeConfig: edgeConfig() })));
    expect(noRetention).toBeInstanceOf(NoDataRetentionException);
    expect(h.server.state().streams[1].edgeConfiguration).toBeUndefined();
  });
});

describe('DeleteEdgeConfiguration', () => {
  beforeEach(async () => {
    await setUp();
    await start();
    h.clock.advance(100);
  });

  test('goes DELETING → DELETING_ACKNOWLEDGED → gone; a repeated delete changes nothing', async () => {
    await deleteEdge();
    h.clock.advance(25);
    await deleteEdge();
    expect(await syncStatus()).toBe('DELETING');
    expect(await statusesEvery(25, 4)).toEqual(['DELETING_ACKNOWLEDGED', 'DELETING_ACKNOWLEDGED', 'StreamEdgeConfigurationNotFoundException',
      'StreamEdgeConfigurationNotFoundException']);
  });

  test('fails a StartEdgeConfigurationUpdate while deleting', async () => {
    await deleteEdge();
    expect(await rejection(start())).toBeInstanceOf(ResourceInUseException);
  });

  test('ends in DELETE_FAILED when injected, and a retry deletes', async () => {
    h.server.failNextEdgeDeletes(stream, 1);
    await deleteEdge();
    h.clock.advance(50);
    const failed = await describeEdge();
    expect([failed.SyncStatus, failed.FailedStatusDetails])
      .toEqual(['DELETE_FAILED', `Deleting the edge configuration from hub device ${HUB} failed; retry DeleteEdgeConfiguration.`]);
    expect(await rejection(start())).toBeInstanceOf(ResourceInUseException);
    await deleteEdge();
    expect((await describeEdge()).FailedStatusDetails).toBeUndefined();
    h.clock.advance(100);
    expect(h.server.state().streams[0].edgeConfiguration).toBeUndefined();
  });

  test('fails when the stream has no edge configuration', async () => {
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'bare' }));
    for (const call of [
      h.kvs.send(new DeleteEdgeConfigurationCommand({ StreamName: 'bare' })),
      h.kvs.send(new DescribeEdgeConfigurationCommand({ StreamName: 'bare' })),
    ]) {
      const err = await rejection(call);
      expect(err).toBeInstanceOf(StreamEdgeConfigurationNotFoundException);
      expect(err.message).toBe(`The stream ${h.server.state().streams[1].arn} has no edge configuration.`);
      expect(err.$metadata?.httpStatusCode).toBe(404);
    }
  });

  test('a deleted stream takes its edge configuration with it', async () => {
    await h.kvs.send(new DeleteStreamCommand({ StreamARN: stream }));
    h.clock.advance(50);
    expect((await h.kvs.send(new ListEdgeAgentConfigurationsCommand({ HubDeviceArn: HUB }))).EdgeConfigs).toEqual([]);
  });
});

describe('ASSUMPTION: the order of intermediate edge states is configurable', () => {
  test('without ACKNOWLEDGED states, SYNCING and DELETING last until the next state', async () => {
    await setUp({ edgeStates: { syncThroughAcknowledged: false, deleteThroughAcknowledged: false } });
    await start();
    expect(await statusesEvery(25, 4)).toEqual(['SYNCING', 'SYNCING', 'SYNCING', 'IN_SYNC']);
    await deleteEdge();
    expect(await statusesEvery(25, 4)).toEqual(['DELETING', 'DELETING', 'DELETING', 'StreamEdgeConfigurationNotFoundException']);
  });

  test('can be switched while running', async () => {
    await setUp();
    await start();
    h.clock.advance(50);
    expect(await syncStatus()).toBe('ACKNOWLEDGED');
    h.server.setEdgeStateAssumptions({ syncThroughAcknowledged: false });
    expect(await syncStatus()).toBe('SYNCING');
  });
});

test('ListEdgeAgentConfigurations lists the hub\'s configurations, five per page by default', async () => {
  await setUp();
  for (let i = 0; i < 7; i++) {
    await activeStream(h, { StreamName: `s${i}`, DataRetentionInHours: 1 });
    await h.kvs.send(new StartEdgeConfigurationUpdateCommand({ StreamName: `s${i}`, EdgeConfig: edgeConfig(i === 6 ? OTHER_HUB : HUB) }));
  }
  const first = await h.kvs.send(new ListEdgeAgentConfigurationsCommand({ HubDeviceArn: HUB }));
  const second = await h.kvs.send(new ListEdgeAgentConfigurationsCommand({ HubDeviceArn: HUB, NextToken: first.NextToken }));
  expect(first.EdgeConfigs!.map((c) => c.StreamName)).toEqual(['s0', 's1', 's2', 's3', 's4']);
  expect(second.EdgeConfigs!.map((c) => c.StreamName)).toEqual(['s5']);
  expect(second.NextToken).toBeUndefined();
  expect(second.EdgeConfigs![0]).toEqual({
    StreamName: 's5',
    StreamARN: h.server.state().streams[6].arn,
    CreationTime: expect.any(Date),
    LastUpdatedTime: expect.any(Date),
    SyncStatus: 'IN_SYNC',
    EdgeConfig: edgeConfig(),
  });
});
