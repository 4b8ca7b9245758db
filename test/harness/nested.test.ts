/**
 * Nested stacks (`AWS::CloudFormation::Stack` with a TemplateURL into the cloud assembly, as aws-cdk-lib's NestedStack
 * synthesizes it): three shards of the library's streams with notifications and image generation, created, updated
 * (a camera added to one shard, one removed from another), destroyed, and failing in a shard on create and on update.
 * The server's end state is asserted after each step.
 */
import { CreateStreamCommand } from '@aws-sdk/client-kinesis-video';
import { App, CfnOutput, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeployHarness, NestedStackResult, OperationResult, readAssemblyStack, StackEvent } from '.';
import { ImageFormat, Stream } from '../../src';
import { KvsTestServer } from '../kvs-server';
import type { ServerState } from '../kvs-server';
import { TempDirs } from './fixtures/apps';

const STACK = 'CameraShards';

/** The cameras of each shard, by number: camera n is stream `cam-n` with retention n + 1 hours. */
type Layout = readonly (readonly number[])[];
const INITIAL: Layout = [[0, 1, 2], [3, 4, 5], [6, 7, 8]];

let dirs: TempDirs;
let server: KvsTestServer;
let harness: DeployHarness;

beforeEach(async () => {
  dirs = new TempDirs();
  server = await KvsTestServer.start();
  // Lambda timeouts of 2 minutes become 12 s: room for 27 functions starting at once on a loaded machine.
  harness = new DeployHarness({ server, timeScale: 0.1 });
});

afterEach(async () => {
  await harness.close();
  await server.stop();
  dirs.removeAll();
});

/** A topic and a bucket in the parent; each shard a NestedStack of streams notifying the topic and imaging into the bucket. */
function synthShards(layout: Layout): string {
  const outdir = dirs.make('harness-nested-');
  const app = new App({ outdir });
  const parent = new Stack(app, STACK);
  const topic = new sns.Topic(parent, 'CameraEvents', { topicName: 'camera-events' });
  const bucket = new s3.Bucket(parent, 'Thumbnails', { bucketName: 'thumbnails' });
  layout.forEach((cameras, index) => {
    const nested = new NestedStack(parent, `Shard${index}`);
    for (const n of cameras) {
      const stream = new Stream(nested, `Camera${n}`, { streamName: `cam-${n}`, dataRetention: Duration.hours(n + 1), removalPolicy: RemovalPolicy.DESTROY });
      stream.configureNotifications({ topic });
      stream.configureImageGeneration({ bucket, keyPrefix: `cam-${n}/`, samplingInterval: Duration.seconds(10), format: ImageFormat.JPEG });
      // Read from the parent: Fn::GetAtt [Shard, Outputs.X].
      new CfnOutput(parent, `Camera${n}Arn`, { value: stream.streamArn });
    }
  });
  app.synth();
  return outdir;
}

/** What the server holds, one line per stream. */
function streamLines(state: ServerState): string[] {
  return state.streams.map((s) => `${s.name} ${s.status} ${s.dataRetentionInHours}h notify=${s.notificationConfiguration?.DestinationConfig?.Uri ?? '-'} `
    + `images=${s.imageGenerationConfiguration?.DestinationConfig?.Uri ?? '-'}`).sort();
}

function expectedLines(cameras: readonly number[]): string[] {
  return cameras.map((n) => `cam-${n} ACTIVE ${n + 1}h notify=arn:aws:sns:us-east-1:123456789012:camera-events images=s3://thumbnails/cam-${n}/`).sort();
}

function shard(result: OperationResult, index: number): NestedStackResult {
  const found = result.nestedStacks.find((n) => n.logicalId.startsWith(`Shard${index}NestedStack`));
  if (!found) throw new Error(`No nested stack Shard${index} in the result (it has ${result.nestedStacks.map((n) => n.logicalId).join(', ')})`);
  return found;
}

function logicalIdOf(result: OperationResult, type: string): string {
  return result.resources.find((r) => r.type === type)!.logicalId;
}

/** "physical-id STATUS" of a nested stack's stream events (the physical id of the resource as it ends). */
function streamEvents(nested: NestedStackResult): string[] {
  const streams = nested.events.filter((e) => e.resourceType === 'AWS::KinesisVideo::Stream');
  const name = (logicalId: string) => streams.filter((e) => e.logicalId === logicalId).map((e) => e.physicalId).find((id) => id !== undefined);
  return streams.map((e) => `${name(e.logicalId)} ${e.status}`);
}

function statuses(events: readonly StackEvent[], stackName: string): string[] {
  return events.filter((e) => e.logicalId === stackName).map((e) => e.status);
}

/** The seq of the event of `logicalId` with `status`. */
function seqOf(events: readonly StackEvent[], logicalId: string, status: string): number {
  const event = events.find((e) => e.logicalId === logicalId && e.status === status);
  if (!event) throw new Error(`No ${status} event for ${logicalId}`);
  return event.seq;
}

describe('nested stacks', () => {
  test('create deploys the shards in parallel, passes the parameters, reads their outputs, and leaves every stream configured', async () => {
    const created = await harness.deploy(synthShards(INITIAL));
    expect(created.status).toBe('CREATE_COMPLETE');
    expect(created.nestedStacks).toHaveLength(3);
    for (const [index, cameras] of INITIAL.entries()) {
      const nested = shard(created, index);
      expect(nested.parentStackName).toBe(STACK);
      expect(nested.stackName).toMatch(new RegExp(`^${STACK}-Shard${index}NestedStack`));
      expect(nested.stackId).toMatch(new RegExp(`^arn:aws:cloudformation:us-east-1:123456789012:stack/${nested.stackName}/`));
      expect(nested.status).toBe('CREATE_COMPLETE');
      expect(statuses(nested.events, nested.stackName)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
      // Every event of a nested stack names it, not its parent.
      expect(new Set(nested.events.map((e) => e.stackName))).toEqual(new Set([nested.stackName]));
      expect(nested.events.filter((e) => e.resourceType === 'AWS::KinesisVideo::Stream' && e.status === 'CREATE_COMPLETE').map((e) => e.physicalId).sort())
        .toEqual(cameras.map((n) => `cam-${n}`).sort());
      // The parent's resource holds the nested stack: its physical id is the stack's id.
      expect(created.resources.find((r) => r.logicalId === nested.logicalId)).toMatchObject({ type: 'AWS::CloudFormation::Stack', physicalId: nested.stackId, status: 'CREATE_COMPLETE' });
      expect(harness.status(nested.stackName)).toBe('CREATE_COMPLETE');
    }
    // Independent shards run at the same time: every shard starts before any finishes.
    const starts = created.nestedStacks.map((n) => seqOf(n.events, n.stackName, 'CREATE_IN_PROGRESS'));
    const ends = created.nestedStacks.map((n) => seqOf(n.events, n.stackName, 'CREATE_COMPLETE'));
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    // The shards wait for what they take as parameters (the topic and the bucket).
    expect(Math.min(...starts)).toBeGreaterThan(seqOf(created.events, logicalIdOf(created, 'AWS::SNS::Topic'), 'CREATE_COMPLETE'));

    expect(streamLines(created.serverState as ServerState)).toEqual(expectedLines(INITIAL.flat()));
    const arns = Object.fromEntries((created.serverState as ServerState).streams.map((s) => [s.name, s.arn]));
    for (const n of INITIAL.flat()) expect(created.outputs[`Camera${n}Arn`]).toBe(arns[`cam-${n}`]);
  });

  test('update adds a camera to one shard and removes one from another, in the parent\'s update and cleanup phases; destroy deletes in reverse order', async () => {
    await harness.deploy(synthShards(INITIAL));
    const grown: Layout = [[0, 1, 2], [3, 4, 5, 9], [6, 8]];
    const updated = await harness.deploy(synthShards(grown));

    expect(updated.status).toBe('UPDATE_COMPLETE');
    expect(statuses(updated.events, STACK)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
    // Shard 0's template did not change: CloudFormation leaves it alone.
    expect(updated.nestedStacks.map((n) => n.logicalId).sort()).toEqual([shard(updated, 1).logicalId, shard(updated, 2).logicalId].sort());
    const one = shard(updated, 1);
    const two = shard(updated, 2);
    for (const nested of [one, two]) {
      expect(nested.status).toBe('UPDATE_COMPLETE');
      expect(statuses(nested.events, nested.stackName)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE']);
    }
    expect(streamEvents(one)).toEqual(['cam-9 CREATE_IN_PROGRESS', 'cam-9 CREATE_COMPLETE']);
    expect(streamEvents(two)).toEqual(['cam-7 DELETE_IN_PROGRESS', 'cam-7 DELETE_COMPLETE']);
    // A nested stack's cleanup waits for its root's cleanup phase: until then, a failure elsewhere could roll it back.
    const parentCleanup = seqOf(updated.events, STACK, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    expect(seqOf(two.events, two.stackName, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBeLessThan(parentCleanup);
    const removed = two.events.find((e) => e.physicalId === 'cam-7')!.logicalId;
    expect(seqOf(two.events, removed, 'DELETE_IN_PROGRESS')).toBeGreaterThan(parentCleanup);
    expect(streamLines(updated.serverState as ServerState)).toEqual(expectedLines(grown.flat()));
    expect(updated.outputs.Camera9Arn).toBe((updated.serverState as ServerState).streams.find((s) => s.name === 'cam-9')!.arn);
    expect(updated.outputs.Camera7Arn).toBeUndefined();

    const deleted = await harness.destroy(STACK);
    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(deleted.nestedStacks.map((n) => n.status)).toEqual(['DELETE_COMPLETE', 'DELETE_COMPLETE', 'DELETE_COMPLETE']);
    // Reverse order: the shards, which take the topic and bucket as parameters, go first.
    const lastShard = Math.max(...deleted.nestedStacks.map((n) => seqOf(n.events, n.stackName, 'DELETE_COMPLETE')));
    expect(seqOf(deleted.events, deleted.events.find((e) => e.resourceType === 'AWS::SNS::Topic')!.logicalId, 'DELETE_IN_PROGRESS')).toBeGreaterThan(lastShard);
    for (const nested of deleted.nestedStacks) expect(harness.status(nested.stackName)).toBeUndefined();
    expect((deleted.serverState as ServerState).streams).toEqual([]);
  });

  test('fails: a shard that fails to create rolls itself back, and its parent rolls back the other shards', async () => {
    // A stream of that name already exists: CreateStream answers ResourceInUseException.
    await server.client().send(new CreateStreamCommand({ StreamName: 'cam-7', DataRetentionInHours: 8 }));
    const created = await harness.deploy(synthShards(INITIAL));

    expect(created.status).toBe('ROLLBACK_COMPLETE');
    const failed = shard(created, 2);
    const cause = failed.events.find((e) => e.resourceType === 'AWS::KinesisVideo::Stream' && e.status === 'CREATE_FAILED')!;
    expect(cause.reason).toMatch(/^Resource handler returned message: ".*cam-7.*" \(HandlerErrorCode: ResourceConflict\)$/);
    expect(statuses(failed.events, failed.stackName)).toEqual(['CREATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
    expect(created.events.find((e) => e.logicalId === failed.logicalId && e.status === 'CREATE_FAILED')!.reason)
      .toMatch(new RegExp(`^Embedded stack ${failed.stackId.replace(/[/]/g, '\\/')} was not successfully created: The following resource\\(s\\) failed to create: \\[${cause.logicalId}[,\\]]`));
    expect(statuses(created.events, STACK)[1]).toBe('ROLLBACK_IN_PROGRESS');
    expect(created.events.find((e) => e.logicalId === STACK && e.status === 'ROLLBACK_IN_PROGRESS')!.reason)
      .toContain(`The following resource(s) failed to create: [${failed.logicalId}`);
    for (const nested of created.nestedStacks) {
      expect(nested.status).toBe('DELETE_COMPLETE');
      expect(harness.status(nested.stackName)).toBeUndefined();
    }
    // Only the stream the test made is left.
    expect((created.serverState as ServerState).streams.map((s) => s.name)).toEqual(['cam-7']);
  });

  test('fails: a shard that fails to update rolls back, and the parent rolls back a shard whose update had gone through, whose removed camera was never deleted', async () => {
    await harness.deploy(synthShards(INITIAL));
    const before = streamLines(server.state());
    await server.client().send(new CreateStreamCommand({ StreamName: 'cam-10', DataRetentionInHours: 24 }));
    // Shard 1 drops camera 4 and adds camera 9; shard 2 adds camera 10, whose name is taken.
    const updated = await harness.deploy(synthShards([[0, 1, 2], [3, 5, 9], [6, 7, 8, 10]]));

    expect(updated.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(statuses(updated.events, STACK)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE']);
    const two = shard(updated, 2);
    expect(two.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(updated.events.find((e) => e.logicalId === two.logicalId && e.status === 'UPDATE_FAILED')!.reason)
      .toMatch(new RegExp(`^Embedded stack ${two.stackId.replace(/[/]/g, '\\/')} was not successfully updated\\. Currently in UPDATE_ROLLBACK_IN_PROGRESS with reason: The following resource\\(s\\) failed to (create|update): \\[`));
    const one = shard(updated, 1);
    expect(one.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(statuses(one.events, one.stackName)).toContain('UPDATE_ROLLBACK_IN_PROGRESS');
    // Camera 4 was removed from shard 1's template, but a nested stack cleans up only in its root's cleanup phase.
    expect(one.events.filter((e) => e.physicalId === 'cam-4')).toEqual([]);
    expect(streamLines(updated.serverState as ServerState)).toEqual([...before, 'cam-10 ACTIVE 24h notify=- images=-'].sort());
    expect(updated.outputs.Camera4Arn).toBe(server.state().streams.find((s) => s.name === 'cam-4')!.arn);
    expect(updated.outputs.Camera9Arn).toBeUndefined();
  });

  test('fails: a nested stack cannot be deployed or deleted on its own', async () => {
    const outdir = synthShards([[0]]);
    const created = await harness.deploy(outdir);
    const nested = created.nestedStacks[0];
    await expect(harness.destroy(nested.stackName)).rejects.toThrow(`Stack ${nested.stackName} is a nested stack of ${STACK}: delete its root stack`);
    await expect(harness.deploy(readAssemblyStack(outdir), { stackName: nested.stackName }))
      .rejects.toThrow(`Stack ${nested.stackName} is a nested stack of ${STACK}: deploy its root stack`);
    expect(harness.status(nested.stackName)).toBe('CREATE_COMPLETE');
  });
});
