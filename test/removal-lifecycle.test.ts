/**
 * Removal that really removes: every custom resource of the library dropped from an app is removed from the service
 * in the same deployment. Each scenario deploys a stack through the local CloudFormation harness (CloudFormation's
 * update order: the new policy in the update phase, removed resources deleted in the cleanup phase in reverse
 * dependency order of the previous template), with every call of the handlers evaluated by a real IAM policy
 * evaluator against the provider role's policies at that moment. After each deployment the service's state is asserted.
 */
import { CreateSignalingChannelCommand, CreateStreamCommand } from '@aws-sdk/client-kinesis-video';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ChannelSettings, EdgeConfiguration, HubDevice, ImageGenerationOptions, MediaUriType, SignalingChannel, Stream, StreamSettings,
} from '../src';
import { DeployHarness, OperationResult } from './harness';
import { KinesisVideoProvider } from '../src/private/provider';
import { TempDirs } from './harness/fixtures/apps';
import { KvsTestServer } from './kvs-server';
import type { ChannelState, StreamState } from './kvs-server';

const STACK = 'Removal';

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

/** Deploys the stack as `declare` builds it (a create, then updates); fails the test on any failed resource. */
async function deploy(declare: (stack: Stack) => void): Promise<OperationResult> {
  const result = await harness.deploy(dirs.synth(declare, STACK));
  expect(failures(result)).toEqual([]);
  expect(result.status).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
  return result;
}

/** Failed resources of an operation, with their reasons. */
function failures(result: OperationResult): string[] {
  return result.events.filter((e) => e.status.endsWith('_FAILED')).map((e) => `${e.logicalId} ${e.status}: ${e.reason}`);
}

/** Calls the service denied since the last check. */
function denials(): string[] {
  const denied = server.requests().filter((r) => r.errorType === 'AccessDeniedException' || r.errorType === 'AccessDenied');
  server.clearRequests();
  return denied.map((r) => r.action);
}

function stream(name: string): StreamState | undefined {
  return server.state().streams.find((s) => s.name === name);
}

function channel(name: string): ChannelState | undefined {
  return server.state().channels.find((c) => c.name === name);
}

/** The notification and image generation of a stream, ENABLED or absent. */
function configurations(name: string): [string | undefined, string | undefined] {
  const s = stream(name);
  if (!s) throw new Error(`no stream ${name}`);
  return [s.notificationConfiguration?.Status, s.imageGenerationConfiguration?.Status];
}

const images = (bucket: s3.IBucket): ImageGenerationOptions => ({ bucket, samplingInterval: Duration.seconds(3) });

/** Streams named `names`, each configured with notifications and images as `configure` says. */
function configuredStreams(stack: Stack, configure: Record<string, { notify?: boolean; images?: boolean; allowRetentionDecrease?: boolean }>) {
  const topic = new sns.Topic(stack, 'Events', { enforceSSL: true });
  const bucket = new s3.Bucket(stack, 'Thumbnails', { enforceSSL: true });
  for (const [name, options] of Object.entries(configure)) {
    const s = new Stream(stack, name, { streamName: name, allowRetentionDecrease: options.allowRetentionDecrease });
    if (options.notify) s.configureNotifications({ topic });
    if (options.images) s.configureImageGeneration(images(bucket));
  }
}

describe('configurations of streams that stay in the stack', () => {
  test('removes one configuration of several, and every configuration of one stream, while the others stay', async () => {
    await deploy((stack) => configuredStreams(stack, {
      'cam-a': { notify: true, images: true }, 'cam-b': { notify: true, images: true }, 'cam-c': { notify: true, images: true },
    }));
    expect(['cam-a', 'cam-b', 'cam-c'].map(configurations)).toEqual([['ENABLED', 'ENABLED'], ['ENABLED', 'ENABLED'], ['ENABLED', 'ENABLED']]);

    await deploy((stack) => configuredStreams(stack, { 'cam-a': { images: true }, 'cam-b': {}, 'cam-c': { notify: true, images: true } }));

    expect(['cam-a', 'cam-b', 'cam-c'].map(configurations)).toEqual([[undefined, 'ENABLED'], [undefined, undefined], ['ENABLED', 'ENABLED']]);
    expect(denials()).toEqual([]);
  });

  test('removes the last configuration of the stack; the provider stays for the retention guard', async () => {
    await deploy((stack) => configuredStreams(stack, { 'cam-a': { notify: true, images: true } }));

    const result = await deploy((stack) => configuredStreams(stack, { 'cam-a': {} }));

    expect(configurations('cam-a')).toEqual([undefined, undefined]);
    expect(result.resources.map((r) => r.type)).toContain('Custom::KinesisVideoRetentionGuard');
    expect(denials()).toEqual([]);
  });

  test('removes the configurations of a stream with allowRetentionDecrease, and the whole provider with the last of them', async () => {
    await deploy((stack) => configuredStreams(stack, { 'cam-a': { notify: true, images: true, allowRetentionDecrease: true } }));

    const result = await deploy((stack) => configuredStreams(stack, { 'cam-a': { allowRetentionDecrease: true } }));

    expect(configurations('cam-a')).toEqual([undefined, undefined]);
    expect(result.resources.filter((r) => r.logicalId.startsWith('CdkKinesisVideoProvider'))).toEqual([]);
    expect(denials()).toEqual([]);
  });
});

describe('streams that leave the stack', () => {
  test('a renamed stream: the new one is configured, the old one is retained with its video and without its configuration', async () => {
    await deploy((stack) => configuredStreams(stack, { 'cam-v1': { notify: true, images: true } }));
    const oldArn = stream('cam-v1')!.arn;

    await deploy((stack) => {
      const s = new Stream(stack, 'cam-v1', { streamName: 'cam-v2' });
      s.configureNotifications({ topic: new sns.Topic(stack, 'Events', { enforceSSL: true }) });
      s.configureImageGeneration(images(new s3.Bucket(stack, 'Thumbnails', { enforceSSL: true })));
    });

    expect(stream('cam-v1')?.arn).toBe(oldArn);
    expect(configurations('cam-v1')).toEqual([undefined, undefined]);
    expect(configurations('cam-v2')).toEqual(['ENABLED', 'ENABLED']);
    expect(denials()).toEqual([]);
  });

  test('a stream removed from the app is retained with its video and without its configuration', async () => {
    await deploy((stack) => configuredStreams(stack, { 'cam-a': { notify: true, images: true }, 'cam-b': { notify: true } }));

    await deploy((stack) => configuredStreams(stack, { 'cam-b': { notify: true } }));

    expect(stream('cam-a')?.status).toBe('ACTIVE');
    expect(configurations('cam-a')).toEqual([undefined, undefined]);
    expect(configurations('cam-b')).toEqual(['ENABLED', undefined]);
    expect(denials()).toEqual([]);
  });
});

describe('media storage, edge configurations and settings', () => {
  const channels = (stack: Stack, storing: string[], all: string[]) => {
    for (const name of all) {
      const c = new SignalingChannel(stack, `${name}-channel`, { channelName: name });
      const s = new Stream(stack, `${name}-stream`, { streamName: `${name}-recording` });
      if (storing.includes(name)) c.enableMediaStorage(s);
    }
  };

  test('disables the media storage of one channel while the others keep theirs', async () => {
    await deploy((stack) => channels(stack, ['door', 'gate'], ['door', 'gate']));
    expect([channel('door'), channel('gate')].map((c) => c?.mediaStorageConfiguration.Status)).toEqual(['ENABLED', 'ENABLED']);

    await deploy((stack) => channels(stack, ['gate'], ['door', 'gate']));

    expect(channel('door')?.mediaStorageConfiguration).toEqual({ Status: 'DISABLED' });
    expect(channel('gate')?.mediaStorageConfiguration).toEqual({ Status: 'ENABLED', StreamARN: stream('gate-recording')!.arn });
    expect(stream('door-recording')?.mappedChannelArn).toBeUndefined();
    expect(denials()).toEqual([]);
  });

  const edge = (stack: Stack, withEdge: boolean) => {
    const s = new Stream(stack, 'Basement', { streamName: 'basement' });
    if (!withEdge) return;
    new EdgeConfiguration(stack, 'BasementEdge', {
      stream: s,
      hubDevice: HubDevice.fromThingName('site-hub'),
      mediaSource: { secret: new secretsmanager.Secret(stack, 'CameraUri', { secretName: 'basement-camera' }), uriType: MediaUriType.RTSP_URI },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  };

  test('deletes an edge configuration with RemovalPolicy.DESTROY that leaves the app', async () => {
    await deploy((stack) => edge(stack, true));
    expect(stream('basement')?.edgeConfiguration?.edgeConfig.HubDeviceArn).toBe('arn:aws:iot:us-east-1:123456789012:thing/site-hub');

    await deploy((stack) => edge(stack, false));

    expect(stream('basement')?.edgeConfiguration).toBeUndefined();
    expect(denials()).toEqual([]);
  });

  test('restores a device-created stream and channel when their StreamSettings and ChannelSettings leave the app', async () => {
    const admin = server.client();
    await admin.send(new CreateStreamCommand({ StreamName: 'gate-cam', DataRetentionInHours: 24, Tags: { owner: 'device' } }));
    await admin.send(new CreateSignalingChannelCommand({ ChannelName: 'gate-webrtc', Tags: [{ Key: 'owner', Value: 'device' }] }));
    const settings = (stack: Stack, declared: boolean) => {
      new Stream(stack, 'Kept', { streamName: 'kept' });
      if (!declared) return;
      new StreamSettings(stack, 'GateCam', {
        stream: Stream.fromStreamName(stack, 'GateCamStream', 'gate-cam'),
        dataRetention: Duration.days(3),
        tags: { site: 'gate' },
        restoreOnDelete: true,
        // Restoring puts back the lower retention the device had: the stack accepts the loss of the older video.
        allowRetentionDecrease: true,
      });
      new ChannelSettings(stack, 'GateWebrtc', {
        channel: SignalingChannel.fromChannelName(stack, 'GateWebrtcChannel', 'gate-webrtc'),
        messageTtl: Duration.seconds(30),
        tags: { site: 'gate' },
        restoreOnDelete: true,
      });
    };
    await deploy((stack) => settings(stack, true));
    expect([stream('gate-cam')?.dataRetentionInHours, stream('gate-cam')?.tags]).toEqual([72, { owner: 'device', site: 'gate' }]);
    expect([channel('gate-webrtc')?.singleMasterConfiguration.MessageTtlSeconds, channel('gate-webrtc')?.tags]).toEqual([30, { owner: 'device', site: 'gate' }]);

    await deploy((stack) => settings(stack, false));

    expect([stream('gate-cam')?.dataRetentionInHours, stream('gate-cam')?.tags]).toEqual([24, { owner: 'device' }]);
    expect([channel('gate-webrtc')?.singleMasterConfiguration.MessageTtlSeconds, channel('gate-webrtc')?.tags]).toEqual([60, { owner: 'device' }]);
    expect(denials()).toEqual([]);
  });
});

describe('a Delete IAM denies', () => {
  test('fails naming the API, the resource, the permission and what to do; the configuration stays live and the stack completes', async () => {
    await deploy((stack) => configuredStreams(stack, { 'cam-a': { notify: true } }));

    // An explicit deny from outside the library's policy, added in the same deployment that drops the configuration.
    const result = await harness.deploy(dirs.synth((stack) => {
      configuredStreams(stack, { 'cam-a': {} });
      const handlerRole = KinesisVideoProvider.getOrCreate(stack).node.findChild('HandlerRole') as iam.Role;
      new iam.Policy(stack, 'Guardrail', {
        roles: [handlerRole],
        statements: [new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['kinesisvideo:UpdateNotificationConfiguration'], resources: ['*'] })],
      });
    }, STACK));

    const arn = stream('cam-a')!.arn;
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(failures(result)).toEqual([expect.stringMatching(new RegExp('^cama?Configuration[0-9A-F]{8} DELETE_FAILED: '))]);
    expect(failures(result)[0]).toContain(
      `UpdateNotificationConfiguration failed for stream "cam-a" (${arn}): AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/`);
    expect(failures(result)[0]).toContain(
      `is not authorized to perform: kinesisvideo:UpdateNotificationConfiguration on resource: ${arn} with an explicit deny in an identity-based policy. `
      + `The Delete stopped here: stream "cam-a" (${arn}) keeps what this call would have removed. Give the provider's handler role `
      + `kinesisvideo:UpdateNotificationConfiguration on ${arn} (a policy or permissions boundary outside the stack denies it), then retry the `
      + 'deployment or stack deletion; or remove the configuration by hand with UpdateNotificationConfiguration.');
    expect(configurations('cam-a')).toEqual(['ENABLED', undefined]);
  });
});

describe('fleets at IAM\'s limits', () => {
  /** `count` channels storing into their own streams, named `name(i)`; the first `disabled` without media storage. */
  const fleet = (count: number, name: (i: number) => string, disabled = 0) => (stack: Stack) => {
    for (let i = 0; i < count; i++) {
      const c = new SignalingChannel(stack, `Channel${i}`, { channelName: name(i) });
      const s = new Stream(stack, `Stream${i}`, { streamName: name(i) });
      if (i >= disabled) c.enableMediaStorage(s);
    }
  };

  test.each([
    ['110 channels with media storage (346 resources)', 110, (i: number) => `site1-door-${String(i).padStart(3, '0')}`],
    ['60 channels with 120-character names', 60, (i: number) => `${String(i).padStart(3, '0')}-${'c'.repeat(116)}`],
  ])('%s: deployed within IAM\'s quotas (which the harness enforces), then 10 media storages removed in the same deployment', async (_name, count, name) => {
    // Every invocation runs in its own process: at this concurrency on two cores, Lambda's timeouts need a larger scale.
    await harness.close();
    harness = new DeployHarness({ server, timeScale: 0.1 });
    const created = await deploy(fleet(count, name));
    expect(created.resources).toHaveLength(3 * count + 16);
    expect(server.state().channels.filter((c) => c.mediaStorageConfiguration.Status === 'ENABLED')).toHaveLength(count);

    await deploy(fleet(count, name, 10));

    const statuses = Array.from({ length: count }, (_, i) => channel(name(i))?.mediaStorageConfiguration.Status);
    expect(statuses).toEqual(Array.from({ length: count }, (_, i) => (i < 10 ? 'DISABLED' : 'ENABLED')));
    expect(denials()).toEqual([]);
  }, 240_000);
});
