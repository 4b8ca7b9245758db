/**
 * The real `CameraFleet` through the local CloudFormation harness, nested stacks and all: a fleet of cameras with
 * notifications (a topic in the parent) and image generation (a bucket in the parent) is created, updated (cameras
 * added, removed and reordered), has its shard count raised, and is destroyed. After each deployment the service's end
 * state is asserted: every stream's status, retention and configurations, and which shard holds which camera.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CameraFleet, ImageFormat } from '../src';
import { DeployHarness, OperationResult } from './harness';
import { TempDirs } from './harness/fixtures/apps';
import { KvsTestServer } from './kvs-server';
import type { ServerState, StreamState } from './kvs-server';

const STACK = 'FleetLifecycle';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:camera-events';
const BUCKET = 'fleet-thumbnails';

let dirs: TempDirs;
let server: KvsTestServer;
let harness: DeployHarness;

beforeEach(async () => {
  dirs = new TempDirs();
  server = await KvsTestServer.start();
  // Lambda timeouts of 2 minutes become 12 s: room for the shards' functions starting at once on a loaded machine.
  harness = new DeployHarness({ server, timeScale: 0.1 });
});

afterEach(async () => {
  await harness.close();
  await server.stop();
  dirs.removeAll();
});

const camera = (n: number) => `site1-cam-${String(n).padStart(2, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Camera n keeps n % 5 + 1 days of video, so that a stream re-created with another camera's settings would show. */
const retentionHours = (name: string) => (Number(name.slice(-2)) % 5 + 1) * 24;

/** The parent stack: a topic, a bucket and a fleet of `names` (in that order) over `shards` shards. */
function synthFleet(names: readonly string[], shards: number): { outdir: string; fleet: CameraFleet } {
  const outdir = dirs.make('fleet-lifecycle-');
  const app = new App({ outdir });
  const parent = new Stack(app, STACK);
  const topic = new sns.Topic(parent, 'CameraEvents', { topicName: 'camera-events', enforceSSL: true });
  const bucket = new s3.Bucket(parent, 'Thumbnails', { bucketName: BUCKET, enforceSSL: true });
  const fleet = new CameraFleet(parent, 'Fleet', {
    shards,
    cameras: names.map((name) => ({
      name,
      site: 'site1',
      dataRetention: Duration.hours(retentionHours(name)),
      notifications: { topic },
      imageGeneration: { bucket, keyPrefix: `${name}/`, samplingInterval: Duration.seconds(10), format: ImageFormat.JPEG },
    })),
  });
  app.synth();
  return { outdir, fleet };
}

function streamOf(state: ServerState, name: string): StreamState {
  const found = state.streams.find((s) => s.name === name);
  if (!found) throw new Error(`The server holds no stream ${name} (it has ${state.streams.map((s) => s.name).join(', ')})`);
  return found;
}

/** One line per stream the server holds: status, retention, and each configuration's status and destination. */
function streamLines(state: ServerState): string[] {
  return state.streams.map((s) => `${s.name} ${s.status} ${s.dataRetentionInHours}h`
    + ` notify=${s.notificationConfiguration ? `${s.notificationConfiguration.Status} ${s.notificationConfiguration.DestinationConfig?.Uri}` : '-'}`
    + ` images=${s.imageGenerationConfiguration ? `${s.imageGenerationConfiguration.Status} ${s.imageGenerationConfiguration.DestinationConfig?.Uri}` : '-'}`).sort();
}

/** The lines `streamLines` gives for cameras as declared (`configured`) and for retained streams without configurations. */
function expectedLines(configured: readonly string[], unconfigured: readonly string[] = []): string[] {
  return [
    ...configured.map((name) => `${name} ACTIVE ${retentionHours(name)}h notify=ENABLED ${TOPIC_ARN} images=ENABLED s3://${BUCKET}/${name}/`),
    ...unconfigured.map((name) => `${name} ACTIVE ${retentionHours(name)}h notify=- images=-`),
  ].sort();
}

/** Each stream's identity: a stream deleted and created again has another ARN and creation time. */
function identities(state: ServerState, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => {
    const s = streamOf(state, name);
    return [name, `${s.arn} ${s.creationTime}`];
  }));
}

/** The shard number of a nested stack of the fleet, from the logical id of its resource in the parent. */
function shardNumber(logicalId: string): number {
  const match = /^FleetShard(\d+)NestedStack/.exec(logicalId);
  if (!match) throw new Error(`${logicalId} is not a shard of the fleet`);
  return Number(match[1]);
}

/** The streams each live nested stack of the root holds now, by shard number. */
function streamsByShard(): Record<number, string[]> {
  const shards: Record<number, string[]> = {};
  for (const nested of harness.resources(STACK)!.filter((r) => r.type === 'AWS::CloudFormation::Stack')) {
    const stackName = nested.physicalId!.split('/')[1];
    shards[shardNumber(nested.logicalId)] = harness.resources(stackName)!
      .filter((r) => r.type === 'AWS::KinesisVideo::Stream').map((r) => r.physicalId!).sort();
  }
  return shards;
}

/** What the fleet says each shard holds. */
function placementByShard(fleet: CameraFleet, names: readonly string[]): Record<number, string[]> {
  const shards: Record<number, string[]> = {};
  for (const name of [...names].sort()) (shards[fleet.shardOf(name)] ??= []).push(name);
  return shards;
}

function failures(result: OperationResult): string[] {
  return [...result.events, ...result.nestedStacks.flatMap((n) => n.events)]
    .filter((e) => e.status.endsWith('_FAILED')).map((e) => `${e.logicalId} ${e.status}: ${e.reason}`);
}

describe('CameraFleet lifecycle through nested stacks', () => {
  test('create, update, a raised shard count that fails and rolls back without losing a stream, and destroy', async () => {
    // 1. Create: 24 cameras over 3 shards.
    const initial = range(0, 24).map(camera);
    const v1 = synthFleet(initial, 3);
    const created = await harness.deploy(v1.outdir);

    expect(failures(created)).toEqual([]);
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(created.nestedStacks.map((n) => n.status)).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE', 'CREATE_COMPLETE']);
    expect(streamLines(created.serverState as ServerState)).toEqual(expectedLines(initial));
    expect(streamsByShard()).toEqual(placementByShard(v1.fleet, initial));
    expect(Object.keys(streamsByShard())).toEqual(['0', '1', '2']);
    expect(harness.iamDecisions.evaluated).toBeGreaterThan(0);
    expect(harness.iamDecisions.denied).toBe(0);
    const createdIds = identities(created.serverState as ServerState, initial);

    // 2. Update: 3 cameras added, 2 removed (default RETAIN), the inventory reversed.
    const removed = [camera(3), camera(10)];
    const second = [...initial.filter((name) => !removed.includes(name)), ...range(24, 27).map(camera)].reverse();
    const v2 = synthFleet(second, 3);
    const updated = await harness.deploy(v2.outdir);

    expect(failures(updated)).toEqual([]);
    expect(updated.status).toBe('UPDATE_COMPLETE');
    // README "Removal": a retained stream keeps its video; its configurations are removed, since the stack no longer manages them.
    expect(streamLines(updated.serverState as ServerState)).toEqual(expectedLines(second, removed));
    expect(streamsByShard()).toEqual(placementByShard(v2.fleet, second));
    // Placement is by name only: every camera that stayed is in the shard it was in, and no stream was re-created.
    for (const name of initial.filter((n) => !removed.includes(n))) expect(v2.fleet.shardOf(name)).toBe(v1.fleet.shardOf(name));
    expect(identities(updated.serverState as ServerState, [...initial])).toEqual(createdIds);
    // Only the shards whose cameras changed were updated.
    const changedShards = new Set([...removed, ...range(24, 27).map(camera)].map((name) => (removed.includes(name) ? v1 : v2).fleet.shardOf(name)));
    expect(updated.nestedStacks.map((n) => shardNumber(n.logicalId)).sort()).toEqual([...changedShards].sort());
    expect(harness.iamDecisions.denied).toBe(0);
    const updatedState = updated.serverState as ServerState;
    const updatedIds = identities(updatedState, [...second, ...removed]);

    // 3. shards 3 -> 4: the cameras the jump hash moves go to the new shard 3, whose CreateStream of the same name clashes
    // with the stream still held by the old shard (its removal waits for the root's cleanup phase).
    const v3 = synthFleet(second, 4);
    const moved = second.filter((name) => v3.fleet.shardOf(name) === 3).sort();
    expect(moved.length).toBeGreaterThan(0);
    for (const name of second) expect([v2.fleet.shardOf(name), 3]).toContain(v3.fleet.shardOf(name));
    const raised = await harness.deploy(v3.outdir);

    expect(raised.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const newShard = raised.nestedStacks.find((n) => shardNumber(n.logicalId) === 3)!;
    const clashes = newShard.events.filter((e) => e.resourceType === 'AWS::KinesisVideo::Stream' && e.status === 'CREATE_FAILED' && !/cancelled/.test(e.reason ?? ''));
    expect(clashes.length).toBeGreaterThan(0);
    // Exactly the moved cameras clash, each because the stream of its name exists.
    expect(clashes.map((e) => /^Resource handler returned message: "The stream (\S+) already exists\." \(HandlerErrorCode: ResourceConflict\)$/.exec(e.reason ?? '')?.[1]).sort())
      .toEqual(moved);
    expect(raised.events.find((e) => e.logicalId === newShard.logicalId && e.status === 'CREATE_FAILED')!.reason)
      .toMatch(/^Embedded stack .* was not successfully created: /);
    expect(harness.status(newShard.stackName)).toBeUndefined();
    // The shards that lost a camera in the failed update are rolled back with it, their removed cameras never deleted.
    for (const nested of raised.nestedStacks.filter((n) => shardNumber(n.logicalId) !== 3)) {
      expect(nested.status).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect(nested.events.filter((e) => (e.resourceType === 'AWS::KinesisVideo::Stream' || e.resourceType.startsWith('Custom::')) && e.status.startsWith('DELETE')))
        .toEqual([]);
    }
    // Every stream of the previous deployment is there, with its configurations and identity, in its old shard.
    expect(streamLines(raised.serverState as ServerState)).toEqual(streamLines(updatedState));
    expect(identities(raised.serverState as ServerState, [...second, ...removed])).toEqual(updatedIds);
    expect(streamsByShard()).toEqual(placementByShard(v2.fleet, second));
    expect(harness.iamDecisions.denied).toBe(0);

    // 4. Destroy: every stream is retained with its video; its configurations are removed with the stack.
    const deleted = await harness.destroy(STACK);

    expect(failures(deleted)).toEqual([]);
    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(deleted.nestedStacks.map((n) => n.status)).toEqual(['DELETE_COMPLETE', 'DELETE_COMPLETE', 'DELETE_COMPLETE']);
    expect(streamLines(deleted.serverState as ServerState)).toEqual(expectedLines([], [...second, ...removed]));
    expect(identities(deleted.serverState as ServerState, [...second, ...removed])).toEqual(updatedIds);
    expect(harness.iamDecisions.denied).toBe(0);
  }, 240_000);
});
