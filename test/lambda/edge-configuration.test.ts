import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EdgeConfig, StartEdgeConfigurationUpdateCommand } from '@aws-sdk/client-kinesis-video';
import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { isComplete, onEvent } from '../../lambda';
import { DELETE_RETRY } from '../../lambda/handlers/edge-configuration';
import { RawProperties } from '../../lambda/types';
import { EdgeConfiguration, EdgeSyncWait, HubDevice, MediaUriType, StrategyOnFullSize, Stream } from '../../src';
import { ResourceType } from '../../src/private/custom-resource-contract';
import { DeployHarness } from '../harness';
import { KvsTestServer } from '../kvs-server';
import { captureConsole, events, Harness, inContext, runProvider, STACK_ID, uniqueName } from './support/harness';
import { restageHandler } from './support/staged-handler';

const TYPE = ResourceType.EDGE_CONFIGURATION;
const ACCOUNT = '123456789012';
const HUB = `arn:aws:iot:us-east-1:${ACCOUNT}:thing/site1-hub`;
const OTHER_HUB = `arn:aws:iot:us-east-1:${ACCOUNT}:thing/site2-hub`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:lobby-camera-AbCdEf`;
const NOT_FOUND = 'DescribeEdgeConfiguration:StreamEdgeConfigurationNotFoundException';
const SYNC_FAILED_DETAIL = (hub: string) => `The Edge Agent on hub device ${hub} did not acknowledge the edge configuration before the retry window ended.`;
const DELETE_FAILED_DETAIL = (hub: string) => `Deleting the edge configuration from hub device ${hub} failed; retry DeleteEdgeConfiguration.`;
/** The service's 15-minute retry window before SYNC_FAILED. */
const FIFTEEN_MINUTES = 900_000;
/** The Provider's queryInterval. */
const QUERY_INTERVAL = 10_000;
/** onEvent's inline backoff: 200, 400, 800 ms, then 1 s, for at most 20 s. */
const INLINE_SLEEPS = [200, 400, 800, ...Array(18).fill(1_000)];

/** An edge configuration as CloudFormation delivers it (every scalar a string), and as the service then holds it. */
const EDGE = {
  HubDeviceArn: HUB,
  RecorderConfig: { MediaSourceConfig: { MediaUriSecretArn: SECRET, MediaUriType: 'RTSP_URI' } },
  UploaderConfig: { ScheduleConfig: { ScheduleExpression: '0 0 * * * ?', DurationInSeconds: '1800' } },
  DeletionConfig: { EdgeRetentionInHours: '168', DeleteAfterUpload: 'true', LocalSizeConfig: { MaxLocalMediaSizeInMB: '4096', StrategyOnFullSize: 'DELETE_OLDEST_MEDIA' } },
};
const EDGE_HELD: EdgeConfig = {
  HubDeviceArn: HUB,
  RecorderConfig: { MediaSourceConfig: { MediaUriSecretArn: SECRET, MediaUriType: 'RTSP_URI' } },
  UploaderConfig: { ScheduleConfig: { ScheduleExpression: '0 0 * * * ?', DurationInSeconds: 1800 } },
  DeletionConfig: { EdgeRetentionInHours: 168, DeleteAfterUpload: true, LocalSizeConfig: { MaxLocalMediaSizeInMB: 4096, StrategyOnFullSize: 'DELETE_OLDEST_MEDIA' } },
};

let h: Harness;
let restoreEnvironment: () => void;
let console_: ReturnType<typeof captureConsole>;
beforeAll(async () => {
  h = await Harness.start({ transitions: { edgeSyncFailedAfter: FIFTEEN_MINUTES } });
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
  h.server.setStackStatus(STACK_ID, 'UPDATE_IN_PROGRESS');
  h.reset();
  console_ = captureConsole();
});
afterEach(() => {
  console_.restore();
  h.server.setTransitionTimes({ edgeSyncFailedAfter: FIFTEEN_MINUTES, edgeAcknowledgedToInSync: 50, streamUpdate: 50 });
  for (const hub of [HUB, OTHER_HUB]) h.server.setHubDeviceOnline(hub, true, { acknowledgeDelayMs: 50 });
});

const handlers = () => inContext(h.context());
const id = (streamArn: string) => `EdgeConfiguration|${streamArn}`;
const edgeOf = (streamArn: string) => h.stream(streamArn).edgeConfiguration;
const done = (streamArn: string, syncStatus: string, hub = HUB) => ({
  IsComplete: true,
  Data: { StreamArn: streamArn, HubDeviceArn: hub, SyncStatus: syncStatus },
});

interface Options {
  readonly waitFor?: string;
  readonly hub?: string;
  readonly allowHubDeviceChange?: boolean;
  readonly edge?: RawProperties;
}

/** The resource's properties as CloudFormation delivers them. */
function props(streamArn: string, options: Options = {}): RawProperties {
  return {
    StreamArn: streamArn,
    EdgeConfig: { ...EDGE, ...options.edge, HubDeviceArn: options.hub ?? HUB },
    WaitFor: options.waitFor ?? 'IN_SYNC',
    AllowHubDeviceChange: options.allowHubDeviceChange ? 'true' : 'false',
  };
}

/** Polls isComplete like the Provider: `between` each poll, the query interval passes. */
const everyQueryInterval = { maxPolls: 400, between: () => h.time.advance(QUERY_INTERVAL) };

/** Creates the resource (waiting for IN_SYNC) and forgets the calls it made. */
async function create(properties: RawProperties = props(arn)): Promise<string> {
  const { physicalResourceId, result } = await runProvider(events.create(TYPE, properties), handlers(), everyQueryInterval);
  expect(result.IsComplete).toBe(true);
  h.reset();
  return physicalResourceId;
}

/** Someone else's edge configuration on the stream, through the API. */
async function startElsewhere(streamArn: string, hub: string) {
  const edgeConfig = { ...EDGE_HELD, HubDeviceArn: hub, UploaderConfig: undefined };
  await h.kvs.send(new StartEdgeConfigurationUpdateCommand({ StreamARN: streamArn, EdgeConfig: edgeConfig }));
  h.time.advance(1_000);
  h.reset();
}

describe('create', () => {
  test('the construct\'s properties: starts the update on an online device and waits until IN_SYNC', async () => {
    const stack = new Stack(new App(), 'Edge', { env: { account: ACCOUNT, region: 'us-east-1' } });
    new EdgeConfiguration(stack, 'Edge', {
      stream: Stream.fromStreamArn(stack, 'Camera', arn),
      hubDevice: HubDevice.fromThingArn(HUB),
      mediaSource: { secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Uri', SECRET), uriType: MediaUriType.RTSP_URI },
      uploaderSchedule: { expression: '0 0 * * * ?', duration: Duration.minutes(30) },
      edgeRetention: Duration.days(7),
      maxLocalMediaSize: Size.gibibytes(4),
      strategyOnFullSize: StrategyOnFullSize.DELETE_OLDEST_MEDIA,
      waitFor: EdgeSyncWait.IN_SYNC,
    });
    const [resource] = Object.values(Template.fromStack(stack).findResources(TYPE)) as Array<{ Properties: RawProperties }>;
    const { ServiceToken: _token, ...properties } = resource.Properties;

    const run = await runProvider(events.create(TYPE, properties), handlers());

    expect(run).toEqual({ physicalResourceId: id(arn), polls: 1, result: done(arn, 'IN_SYNC') });
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate', 'DescribeEdgeConfiguration']);
    expect(h.server.requests({ action: 'StartEdgeConfigurationUpdate' })[0].body).toEqual({ StreamARN: arn, EdgeConfig: EDGE_HELD });
    // SYNCING → ACKNOWLEDGED after 50 ms, IN_SYNC 50 ms later: found by the first inline poll.
    expect(h.time.sleeps).toEqual([200]);
    expect(edgeOf(arn)).toMatchObject({ syncStatus: 'IN_SYNC', edgeConfig: EDGE_HELD });
  });

  test('through the entry points', async () => {
    const run = await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), { onEvent, isComplete });

    expect(run).toEqual({ physicalResourceId: id(arn), polls: 1, result: expect.objectContaining({ IsComplete: true }) });
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate']);
    expect(edgeOf(arn)?.edgeConfig).toEqual(EDGE_HELD);
  });

  test('ACCEPTED does not wait for a device that is offline', async () => {
    h.server.setHubDeviceOnline(HUB, false);

    const run = await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), handlers());

    expect(run).toEqual({ physicalResourceId: id(arn), polls: 1, result: done(arn, 'SYNCING') });
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate']);
    expect(h.time.sleeps).toEqual([]);
    expect(edgeOf(arn)?.syncStatus).toBe('SYNCING');
  });

  test('ACKNOWLEDGED does not wait for IN_SYNC', async () => {
    h.server.setTransitionTimes({ edgeAcknowledgedToInSync: 600_000 });

    const run = await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACKNOWLEDGED' })), handlers());

    expect(run.result).toEqual(done(arn, 'ACKNOWLEDGED'));
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate', 'DescribeEdgeConfiguration']);
    expect(edgeOf(arn)?.syncStatus).toBe('ACKNOWLEDGED');
  });

  test('a device that acknowledges late: isComplete polls until IN_SYNC', async () => {
    h.server.setHubDeviceOnline(HUB, true, { acknowledgeDelayMs: 45_000 });

    const run = await runProvider(events.create(TYPE, props(arn)), handlers(), everyQueryInterval);

    // onEvent gives up after its 19.4 s of inline polls; isComplete then polls at 19.4, 29.4, 39.4 and 49.4 s.
    expect(run).toEqual({ physicalResourceId: id(arn), polls: 4, result: done(arn, 'IN_SYNC') });
    expect(h.time.sleeps).toEqual(INLINE_SLEEPS);
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate', ...Array(21 + 4).fill('DescribeEdgeConfiguration')]);
    expect(h.logs).toContain('Not done within the inline wait budget; isComplete polls from here');
  });

  test('fails with the service\'s FailedStatusDetails when the device never connects', async () => {
    h.server.setHubDeviceOnline(HUB, false);

    const run = runProvider(events.create(TYPE, props(arn)), handlers(), everyQueryInterval);

    await expect(run).rejects.toThrow(
      `The edge configuration of stream "${name}" (${arn}) did not reach hub device ${HUB}: SYNC_FAILED: ${SYNC_FAILED_DETAIL(HUB).replace(/\.$/, '')}. `
      + 'Check that the device is online and runs the Kinesis Video Streams Edge Agent, then retry the deployment; '
      + 'or deploy with waitFor: EdgeSyncWait.ACCEPTED to not wait for the device.');
    // The service gives up after 15 minutes: isComplete polls from 19.4 s to 909.4 s, 90 polls, and fails on the last.
    const describes = h.calls().filter((c) => c === 'DescribeEdgeConfiguration').length;
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate', ...Array(describes).fill('DescribeEdgeConfiguration')]);
    expect(describes).toBe(21 + 90);
    expect(edgeOf(arn)).toMatchObject({ syncStatus: 'SYNC_FAILED', failedStatusDetails: SYNC_FAILED_DETAIL(HUB) });
  });

  test('a repeated Create converges without starting the update again', async () => {
    await create();

    const run = await runProvider(events.create(TYPE, props(arn)), handlers());

    expect(run.result).toEqual(done(arn, 'IN_SYNC'));
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration']);
  });

  test('starts a configuration found SYNC_FAILED from an earlier deployment again', async () => {
    h.server.setHubDeviceOnline(HUB, false);
    await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), handlers());
    h.time.advance(FIFTEEN_MINUTES);
    expect(edgeOf(arn)?.syncStatus).toBe('SYNC_FAILED');
    h.server.setHubDeviceOnline(HUB, true);
    h.reset();

    const run = await runProvider(events.create(TYPE, props(arn)), handlers());

    expect(run.result).toEqual(done(arn, 'IN_SYNC'));
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'StartEdgeConfigurationUpdate', 'DescribeEdgeConfiguration']);
    expect(h.logs).toContain(`Starting the sync of stream "${name}" (${arn}) again: it is SYNC_FAILED from an earlier deployment`);
  });

  test('waits for an earlier update to reach a terminal state before starting', async () => {
    h.server.setHubDeviceOnline(HUB, true, { acknowledgeDelayMs: 1_500 });
    await startElsewhere(arn, HUB);

    const run = await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), handlers());

    // The earlier update (started 1 s before) is IN_SYNC 550 ms later: after the 200 and 400 ms polls.
    expect(run.result).toEqual(done(arn, 'SYNCING'));
    expect(h.time.sleeps).toEqual([200, 400]);
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'DescribeEdgeConfiguration', 'DescribeEdgeConfiguration', 'StartEdgeConfigurationUpdate']);
    expect(h.server.requests({ action: 'StartEdgeConfigurationUpdate' }).map((r) => r.status)).toEqual([200]);
    expect(edgeOf(arn)?.edgeConfig).toEqual(EDGE_HELD);
  });

  test('waits out a ResourceInUseException while the stream is UPDATING', async () => {
    h.server.setTransitionTimes({ streamUpdate: 1_000 });
    await h.startStreamUpdate(arn);
    h.reset();

    const run = await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), handlers());

    expect(run.result).toEqual(done(arn, 'SYNCING'));
    const attempt = [NOT_FOUND, 'StartEdgeConfigurationUpdate:ResourceInUseException', 'DescribeStream'];
    expect(h.calls()).toEqual([...attempt, ...attempt, ...attempt, NOT_FOUND, 'StartEdgeConfigurationUpdate']);
    expect(h.time.sleeps).toEqual([200, 400, 800]);
  });

  test('fails naming the stream and what to do when the stream keeps no data', async () => {
    const bare = uniqueName('bare');
    const bareArn = await h.createStream(bare, 0);
    h.reset();

    await expect(handlers().onEvent(events.create(TYPE, props(bareArn)))).rejects.toThrow(
      `StartEdgeConfigurationUpdate failed for stream "${bare}" (${bareArn}): NoDataRetentionException: `
      + `The Stream data retention in hours is equal to zero. Set dataRetention above 0 on stream "${bare}".`);
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate:NoDataRetentionException']);
    expect(edgeOf(bareArn)).toBeUndefined();
  });

  test('fails when the stream does not exist', async () => {
    const missing = arn.replace(name, 'missing');

    await expect(handlers().onEvent(events.create(TYPE, props(missing)))).rejects.toThrow(
      `StartEdgeConfigurationUpdate failed for stream "missing" (${missing}): ResourceNotFoundException: The requested stream is not found or not active. `
      + 'It does not exist (or was deleted): check the ARN, and that it is in the same account and region as the stack.');
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration:ResourceNotFoundException', 'StartEdgeConfigurationUpdate:ResourceNotFoundException']);
  });

  test('fails on a property that does not parse, before any call', async () => {
    const bad = { ...props(arn), WaitFor: 'FOREVER' };

    await expect(handlers().onEvent(events.create(TYPE, bad))).rejects.toThrow(
      'Invalid Custom::KinesisVideoEdgeConfiguration WaitFor: expected one of IN_SYNC, ACKNOWLEDGED, ACCEPTED, received "FOREVER"');
    expect(h.calls()).toEqual([]);
  });

  test('adopts a configuration retained by an earlier stack for the same device, without deleting anything', async () => {
    await startElsewhere(arn, HUB);

    const run = await runProvider(events.create(TYPE, props(arn)), handlers());

    expect(run.result).toEqual(done(arn, 'IN_SYNC'));
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'StartEdgeConfigurationUpdate', 'DescribeEdgeConfiguration']);
    expect(edgeOf(arn)?.edgeConfig).toEqual(EDGE_HELD);
  });
});

describe('update', () => {
  test('a change of properties outside EdgeConfig only reads', async () => {
    const physicalId = await create();

    const run = await runProvider(events.update(TYPE, physicalId, props(arn, { waitFor: 'ACCEPTED' }), props(arn)), handlers());

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: done(arn, 'IN_SYNC') });
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration']);
  });

  test('starts an update with the new settings, and drops a schedule the new properties leave out', async () => {
    const physicalId = await create();
    const { UploaderConfig: _uploader, ...withoutUploads } = EDGE;
    const next = { ...props(arn), EdgeConfig: { ...withoutUploads, RecorderConfig: { ...EDGE.RecorderConfig, ScheduleConfig: { ScheduleExpression: '0 0 8 ? * MON-FRI *', DurationInSeconds: '3600' } } } };

    const run = await runProvider(events.update(TYPE, physicalId, next, props(arn)), handlers());

    expect(run.result).toEqual(done(arn, 'IN_SYNC'));
    // While it waits, an Update asks once per invocation whether the stack is rolling back.
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'StartEdgeConfigurationUpdate', 'DescribeStacks', 'DescribeEdgeConfiguration']);
    const { UploaderConfig: _held, ...heldWithoutUploads } = EDGE_HELD;
    const expected = { ...heldWithoutUploads, RecorderConfig: { ...EDGE.RecorderConfig, ScheduleConfig: { ScheduleExpression: '0 0 8 ? * MON-FRI *', DurationInSeconds: 3600 } } };
    expect(h.server.requests({ action: 'StartEdgeConfigurationUpdate' })[0].body).toEqual({ StreamARN: arn, EdgeConfig: expected });
    expect(edgeOf(arn)).toMatchObject({ syncStatus: 'IN_SYNC', edgeConfig: expected });
  });

  test('an update after one that did not wait waits for its sync to end first', async () => {
    h.server.setHubDeviceOnline(HUB, false);
    const physicalId = (await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), handlers())).physicalResourceId;
    h.time.advance(60_000);
    h.server.setHubDeviceOnline(HUB, true);
    h.reset();
    const next = props(arn, { waitFor: 'ACCEPTED', edge: { DeletionConfig: { ...EDGE.DeletionConfig, EdgeRetentionInHours: '24' } } });

    const run = await runProvider(events.update(TYPE, physicalId, next, props(arn, { waitFor: 'ACCEPTED' })), handlers(), everyQueryInterval);

    // The device comes online 60 s into the first sync and acknowledges 50 ms later; 50 ms after that it is IN_SYNC.
    expect(run.result).toEqual(done(arn, 'SYNCING'));
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'DescribeEdgeConfiguration', 'StartEdgeConfigurationUpdate']);
    expect(h.time.sleeps).toEqual([200]);
    expect(edgeOf(arn)?.edgeConfig.DeletionConfig?.EdgeRetentionInHours).toBe(24);
  });

  test('rollback restores the previous configuration without waiting for the device', async () => {
    const physicalId = await create();
    const next = props(arn, { edge: { DeletionConfig: { ...EDGE.DeletionConfig, EdgeRetentionInHours: '24' } } });
    h.server.setHubDeviceOnline(HUB, false);
    await expect(runProvider(events.update(TYPE, physicalId, next, props(arn)), handlers(), everyQueryInterval)).rejects.toThrow('SYNC_FAILED');
    h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
    h.reset();

    // CloudFormation's rollback: an Update back to the old properties, the failed update's as the "old" ones.
    const run = await runProvider(events.update(TYPE, physicalId, props(arn), next), handlers());

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: done(arn, 'SYNCING') });
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'StartEdgeConfigurationUpdate', 'DescribeStacks']);
    expect(edgeOf(arn)).toMatchObject({ syncStatus: 'SYNCING', edgeConfig: EDGE_HELD });
    expect(h.logs).toContain(`Not waiting for IN_SYNC during the rollback (stack is UPDATE_ROLLBACK_IN_PROGRESS); the edge configuration of stream "${name}" (${arn}) is SYNCING`);
  });

  test('a new stream replaces the resource; the Delete of the old id deletes only the old stream\'s configuration', async () => {
    const oldId = await create();
    const other = uniqueName('cam');
    const otherArn = await h.createStream(other);
    h.reset();

    const run = await runProvider(events.update(TYPE, oldId, props(otherArn), props(arn)), handlers());

    expect(run).toEqual({ physicalResourceId: id(otherArn), polls: 1, result: done(otherArn, 'IN_SYNC') });
    expect(h.calls()).toEqual([NOT_FOUND, 'StartEdgeConfigurationUpdate', 'DescribeStacks', 'DescribeEdgeConfiguration']);
    expect(h.server.requests().filter((r) => r.action !== 'DescribeStacks').every((r) => r.body.StreamARN === otherArn)).toBe(true);
    h.reset();

    // With RemovalPolicy.DESTROY, CloudFormation then deletes the old physical resource, with the old properties.
    const deleted = await runProvider(events.delete(TYPE, oldId, props(arn)), handlers());

    expect(deleted.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'DeleteEdgeConfiguration', NOT_FOUND]);
    expect(h.server.requests().every((r) => r.body.StreamARN === arn)).toBe(true);
    expect(edgeOf(arn)).toBeUndefined();
    expect(edgeOf(otherArn)).toMatchObject({ syncStatus: 'IN_SYNC', edgeConfig: EDGE_HELD });
  });
});

describe('hub device change', () => {
  test('fails with a clear message without the opt-in, before changing anything', async () => {
    const physicalId = await create();

    await expect(handlers().onEvent(events.update(TYPE, physicalId, props(arn, { hub: OTHER_HUB }), props(arn)))).rejects.toThrow(
      `Refusing to move the edge configuration of stream "${name}" (${arn}) from hub device ${HUB} to ${OTHER_HUB}: `
      + 'that needs DeleteEdgeConfiguration, which deletes every recording stored on the old device, including recordings not uploaded yet, '
      + `and no rollback brings them back. To accept that, set allowHubDeviceChange: true on the EdgeConfiguration; otherwise keep hub device ${HUB}.`);
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration']);
    expect(edgeOf(arn)).toMatchObject({ syncStatus: 'IN_SYNC', edgeConfig: EDGE_HELD });
  });

  test('fails a Create on a stream configured for another device without the opt-in', async () => {
    await startElsewhere(arn, OTHER_HUB);

    await expect(handlers().onEvent(events.create(TYPE, props(arn)))).rejects.toThrow(
      `Refusing to move the edge configuration of stream "${name}" (${arn}) from hub device ${OTHER_HUB} to ${HUB}: `);
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration']);
    expect(edgeOf(arn)?.edgeConfig.HubDeviceArn).toBe(OTHER_HUB);
  });

  test('with the opt-in: deletes the old configuration, waits until it is gone, then starts the new one', async () => {
    const physicalId = await create();

    const moved = props(arn, { hub: OTHER_HUB, allowHubDeviceChange: true });
    const run = await runProvider(events.update(TYPE, physicalId, moved, props(arn)), handlers());

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: done(arn, 'IN_SYNC', OTHER_HUB) });
    // DELETING → DELETING_ACKNOWLEDGED → gone takes 100 ms: gone at the first poll; the new sync takes another 100 ms.
    expect(h.calls()).toEqual([
      'DescribeEdgeConfiguration', 'DeleteEdgeConfiguration',
      NOT_FOUND, 'StartEdgeConfigurationUpdate', 'DescribeStacks',
      'DescribeEdgeConfiguration',
    ]);
    expect(h.time.sleeps).toEqual([200, 400]);
    expect(h.server.requests({ action: 'DeleteEdgeConfiguration' })[0].body).toEqual({ StreamARN: arn });
    expect(edgeOf(arn)).toMatchObject({ syncStatus: 'IN_SYNC', edgeConfig: { ...EDGE_HELD, HubDeviceArn: OTHER_HUB } });
  });

  test('with the opt-in: retries a DELETE_FAILED deletion, then starts the new one', async () => {
    const physicalId = await create();
    h.server.failNextEdgeDeletes(arn, 1);

    const moved = props(arn, { hub: OTHER_HUB, allowHubDeviceChange: true });
    const run = await runProvider(events.update(TYPE, physicalId, moved, props(arn)), handlers());

    expect(run.result).toEqual(done(arn, 'IN_SYNC', OTHER_HUB));
    expect(h.calls()).toEqual([
      'DescribeEdgeConfiguration', 'DeleteEdgeConfiguration',
      // 200 ms later: DELETE_FAILED (after 50 ms). The retry deletes again and waits inline: gone after 100 ms.
      'DescribeEdgeConfiguration', 'DeleteEdgeConfiguration', 'DescribeEdgeConfiguration', NOT_FOUND,
      'StartEdgeConfigurationUpdate', 'DescribeStacks', 'DescribeEdgeConfiguration',
    ]);
    expect(h.logs).toContain(`Retrying the deletion of the edge configuration of stream "${name}" (${arn}) after DELETE_FAILED (retry 1 of 3)`);
    expect(edgeOf(arn)?.edgeConfig.HubDeviceArn).toBe(OTHER_HUB);
  });

  test('a rollback moves back to the old device when the failed update was allowed to change it', async () => {
    const physicalId = await create();
    const moved = props(arn, { hub: OTHER_HUB, allowHubDeviceChange: true });
    await runProvider(events.update(TYPE, physicalId, moved, props(arn)), handlers());
    h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
    h.reset();

    const run = await runProvider(events.update(TYPE, physicalId, props(arn), moved), handlers());

    // The rollback does not wait for the device: done once the service accepts the update.
    expect(run.result).toEqual(done(arn, 'SYNCING'));
    expect(h.calls()).toEqual([
      'DescribeEdgeConfiguration', 'DescribeStacks', 'DeleteEdgeConfiguration',
      NOT_FOUND, 'StartEdgeConfigurationUpdate',
    ]);
    expect(h.logs).toContain(`Letting the rollback move the edge configuration back to hub device ${HUB}: the failed update was allowed to change it`);
    expect(edgeOf(arn)?.edgeConfig.HubDeviceArn).toBe(HUB);
  });

  test('fails to move back outside a rollback, although the previous properties had the opt-in', async () => {
    const physicalId = await create();
    const moved = props(arn, { hub: OTHER_HUB, allowHubDeviceChange: true });
    await runProvider(events.update(TYPE, physicalId, moved, props(arn)), handlers());
    h.reset();

    await expect(handlers().onEvent(events.update(TYPE, physicalId, props(arn), moved))).rejects.toThrow(
      `Refusing to move the edge configuration of stream "${name}" (${arn}) from hub device ${OTHER_HUB} to ${HUB}: `);
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'DescribeStacks']);
    expect(edgeOf(arn)?.edgeConfig.HubDeviceArn).toBe(OTHER_HUB);
  });
});

describe('delete', () => {
  test('deletes the configuration and waits until it is gone', async () => {
    const physicalId = await create();

    const run = await runProvider(events.delete(TYPE, physicalId, props(arn)), handlers());

    expect(run).toEqual({ physicalResourceId: physicalId, polls: 1, result: { IsComplete: true, Data: {} } });
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'DeleteEdgeConfiguration', NOT_FOUND]);
    expect(h.time.sleeps).toEqual([200]);
    expect(edgeOf(arn)).toBeUndefined();
  });

  test('waits through DELETING and DELETING_ACKNOWLEDGED in isComplete when the deletion is slow', async () => {
    const physicalId = await create();
    h.server.setTransitionTimes({ edgeDelete: 25_000, edgeDeletingAcknowledgedToGone: 10_000 });

    try {
      const run = await runProvider(events.delete(TYPE, physicalId, props(arn)), handlers(), everyQueryInterval);

      // Gone 35 s after the call: isComplete polls at 19.4, 29.4 and 39.4 s.
      expect(run).toEqual({ physicalResourceId: physicalId, polls: 3, result: { IsComplete: true, Data: {} } });
      expect(h.calls()).toEqual(['DescribeEdgeConfiguration', 'DeleteEdgeConfiguration', ...Array(21 + 2).fill('DescribeEdgeConfiguration'), NOT_FOUND]);
      expect(h.calls().filter((c) => c === 'DeleteEdgeConfiguration')).toHaveLength(1);
    } finally {
      h.server.setTransitionTimes({ edgeDelete: 50, edgeDeletingAcknowledgedToGone: 50 });
    }
  });

  test('retries DELETE_FAILED, then succeeds', async () => {
    const physicalId = await create();
    h.server.failNextEdgeDeletes(arn, 2);

    const run = await runProvider(events.delete(TYPE, physicalId, props(arn)), handlers());

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual([
      'DescribeEdgeConfiguration', 'DeleteEdgeConfiguration',
      'DescribeEdgeConfiguration', 'DeleteEdgeConfiguration', 'DescribeEdgeConfiguration', 'DescribeEdgeConfiguration',
      'DeleteEdgeConfiguration', 'DescribeEdgeConfiguration', NOT_FOUND,
    ]);
    expect(edgeOf(arn)).toBeUndefined();
  });

  test('fails with the service\'s detail when DELETE_FAILED outlasts the retries', async () => {
    const physicalId = await create();
    h.server.failNextEdgeDeletes(arn, 1 + DELETE_RETRY.retries);

    await expect(runProvider(events.delete(TYPE, physicalId, props(arn)), handlers())).rejects.toThrow(
      `DeleteEdgeConfiguration failed for stream "${name}" (${arn}): the edge configuration is still DELETE_FAILED after 3 retries: `
      + `${DELETE_FAILED_DETAIL(HUB).replace(/\.$/, '')}. Check that hub device ${HUB} is online and runs the Edge Agent, then retry; `
      + `or delete the configuration yourself: aws kinesisvideo delete-edge-configuration --stream-arn ${arn}.`);
    expect(h.calls().filter((c) => c === 'DeleteEdgeConfiguration')).toHaveLength(1 + DELETE_RETRY.retries);
    expect(edgeOf(arn)).toMatchObject({ syncStatus: 'DELETE_FAILED', failedStatusDetails: DELETE_FAILED_DETAIL(HUB) });
  });

  test('a repeated Delete succeeds without calls that change anything', async () => {
    const physicalId = await create();
    await runProvider(events.delete(TYPE, physicalId, props(arn)), handlers());
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(arn)), handlers());

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual([NOT_FOUND]);
    expect(h.logs).toContain(`Nothing to delete: stream "${name}" (${arn}) has no edge configuration (or is gone)`);
  });

  test('succeeds when the stream is already gone', async () => {
    const physicalId = await create();
    await h.deleteStream(arn);
    h.reset();

    const run = await runProvider(events.delete(TYPE, physicalId, props(arn)), handlers());

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration:ResourceNotFoundException']);
  });

  test('leaves a configuration it did not set in place', async () => {
    const physicalId = await create();
    const shorter = { ...EDGE_HELD, DeletionConfig: { ...EDGE_HELD.DeletionConfig, EdgeRetentionInHours: 1 } };
    await h.kvs.send(new StartEdgeConfigurationUpdateCommand({ StreamARN: arn, EdgeConfig: shorter }));
    h.reset();

    // Properties naming another stream do not redirect the Delete.
    const run = await runProvider(events.delete(TYPE, physicalId, { ...props(arn), StreamArn: `arn:aws:kinesisvideo:us-east-1:${ACCOUNT}:stream/elsewhere/1` }), handlers());

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual(['DescribeEdgeConfiguration']);
    expect(h.logs).toContain(`Leaving the edge configuration of stream "${name}" (${arn}) in place: it is not the one this resource set`);
    expect(edgeOf(arn)?.edgeConfig.DeletionConfig?.EdgeRetentionInHours).toBe(1);
  });

  test('does nothing for a physical id it did not create', async () => {
    const run = await runProvider(events.delete(TYPE, 'CREATE_FAILED_PLACEHOLDER', props(arn)), handlers());

    expect(run.result).toEqual({ IsComplete: true, Data: {} });
    expect(h.calls()).toEqual([]);
  });
});

describe('retries', () => {
  test('retries a burst of ClientLimitExceededException with backoff and jitter', async () => {
    h.server.injectFault('StartEdgeConfigurationUpdate', { kind: 'throttle' }, { times: 3 });

    const run = await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), handlers());

    expect(run.result).toEqual(done(arn, 'SYNCING'));
    expect(h.calls()).toEqual([NOT_FOUND, ...Array(3).fill('StartEdgeConfigurationUpdate:ClientLimitExceededException'), 'StartEdgeConfigurationUpdate']);
    // Equal jitter with the random draw at 0.5: ¾ of 250, 500 and 1000 ms.
    expect(h.time.sleeps).toEqual([187.5, 375, 750]);
  });

  test('a DELETE_FAILED retry within a second of the first deletion meets the 1 TPS quota of DeleteEdgeConfiguration and backs off', async () => {
    const physicalId = await create();
    h.server.failNextEdgeDeletes(arn, 1);
    h.server.setRateLimits(true);
    try {
      const run = await runProvider(events.delete(TYPE, physicalId, props(arn)), handlers());

      expect(run.result).toEqual({ IsComplete: true, Data: {} });
      expect(h.calls()).toEqual([
        'DescribeEdgeConfiguration', 'DeleteEdgeConfiguration',
        'DescribeEdgeConfiguration', ...Array(3).fill('DeleteEdgeConfiguration:ClientLimitExceededException'), 'DeleteEdgeConfiguration',
        'DescribeEdgeConfiguration', NOT_FOUND,
      ]);
      // The retry comes 200 ms after the first deletion; the backoff lets the stream's token refill after 1 s.
      expect(h.time.sleeps).toEqual([200, 187.5, 375, 750, 200]);
    } finally {
      h.server.setRateLimits(false);
    }
  });

  test('the SDK retries a 5xx answer and a dropped connection', async () => {
    h.server.injectFault('StartEdgeConfigurationUpdate', { kind: 'http', status: 503 });
    h.server.injectFault('DescribeEdgeConfiguration', { kind: 'drop' });

    const run = await runProvider(events.create(TYPE, props(arn, { waitFor: 'ACCEPTED' })), handlers());

    expect(run.result).toEqual(done(arn, 'SYNCING'));
    expect(h.calls()).toEqual([
      'DescribeEdgeConfiguration:dropped', NOT_FOUND,
      'StartEdgeConfigurationUpdate:503', 'StartEdgeConfigurationUpdate',
    ]);
  });

  test('fails naming the permission when access is denied', async () => {
    h.server.injectFault('StartEdgeConfigurationUpdate', { kind: 'error', errorType: 'AccessDeniedException', message: 'User is not authorized' });

    await expect(handlers().onEvent(events.create(TYPE, props(arn)))).rejects.toThrow(
      `StartEdgeConfigurationUpdate failed for stream "${name}" (${arn}): AccessDeniedException: User is not authorized. `
      + `The handler's role needs kinesisvideo:StartEdgeConfigurationUpdate on ${arn}.`);
  });
});

describe('deployed by CloudFormation (local deploy harness, handler bundled from these sources)', () => {
  let server: KvsTestServer;
  let deployer: DeployHarness;
  let dirs: string[];
  beforeAll(async () => {
    server = await KvsTestServer.start({ region: 'us-east-1', accountId: ACCOUNT });
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    deployer = new DeployHarness({ server, timeScale: 0.01 });
    dirs = [];
    server.clearRequests();
  });
  afterEach(async () => {
    await deployer.close();
    dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  /** Synthesizes a stack with a stream and its edge configuration; the staged handler is rebuilt from lambda/. */
  function synth(stackName: string, removalPolicy: RemovalPolicy): string {
    const outdir = mkdtempSync(join(tmpdir(), 'kvs-edge-e2e-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, stackName, { env: { account: ACCOUNT, region: 'us-east-1' } });
    const stream = new Stream(stack, 'Camera', { streamName: stackName, removalPolicy });
    new EdgeConfiguration(stack, 'Edge', {
      stream,
      hubDevice: HubDevice.fromThingArn(HUB),
      mediaSource: { secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Uri', SECRET), uriType: MediaUriType.RTSP_URI },
      waitFor: EdgeSyncWait.IN_SYNC,
      removalPolicy,
    });
    app.synth();
    restageHandler(outdir);
    return outdir;
  }

  const edgeOn = (streamName: string) => server.state().streams.find((st) => st.name === streamName)?.edgeConfiguration;

  test('RETAIN (the default): deleting the stack leaves the configuration, and the device\'s media, in place', async () => {
    const created = await deployer.deploy(synth('edge-retained', RemovalPolicy.RETAIN));
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(edgeOn('edge-retained')).toMatchObject({ syncStatus: 'IN_SYNC', edgeConfig: { HubDeviceArn: HUB } });

    const deleted = await deployer.destroy(created.stackName);

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(deleted.events.filter((e) => e.resourceType === TYPE).map((e) => e.status)).toEqual(['DELETE_SKIPPED']);
    expect(deleted.invocations.filter((i) => (i.payload as { ResourceType?: string }).ResourceType === TYPE)).toEqual([]);
    expect(server.requests({ action: 'DeleteEdgeConfiguration' })).toEqual([]);
    expect(edgeOn('edge-retained')).toMatchObject({ syncStatus: 'IN_SYNC', edgeConfig: { HubDeviceArn: HUB } });
  });

  test('DESTROY: deleting the stack deletes the configuration and waits until it is gone, before the stream', async () => {
    const created = await deployer.deploy(synth('edge-destroyed', RemovalPolicy.DESTROY));
    expect(created.status).toBe('CREATE_COMPLETE');

    const deleted = await deployer.destroy(created.stackName);

    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(deleted.events.filter((e) => e.resourceType === TYPE).map((e) => e.status)).toEqual(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    const deletions = server.requests({ action: 'DeleteEdgeConfiguration' });
    expect(deletions.map((r) => [r.body.StreamARN.split('/')[1], r.status])).toEqual([['edge-destroyed', 200]]);
    // The edge configuration was gone before CloudFormation deleted the stream it depends on.
    const [streamDeletion] = server.requests({ action: 'DeleteStream' });
    expect(server.requests({ action: 'DescribeEdgeConfiguration' }).filter((r) => r.errorType === 'StreamEdgeConfigurationNotFoundException' && r.at <= streamDeletion.at)).not.toEqual([]);
    expect(server.state().streams.find((st) => st.name === 'edge-destroyed')).toBeUndefined();
  });
});
