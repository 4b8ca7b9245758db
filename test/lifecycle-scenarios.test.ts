/**
 * Lifecycle scenarios: the example app (examples/app.ts) deployed through the local CloudFormation harness, with the
 * bundled handlers, against the KVS test server; then every configurable property changed, a stream replaced, an
 * update failed mid-way and rolled back, the retention guard refusing and then allowing a decrease, and the stack
 * destroyed. After each step the service state is asserted exactly. The same scenario runs again under the documented
 * TPS limits with throttling, 5xx and dropped connections injected at realistic, seeded rates.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { connectExampleDevices } from '../bench/support';
import { buildExampleApp } from '../examples/app';
import {
  EdgeConfigurationProps, ImageFormat, ImageGenerationOptions, ImageSelector, MediaType, NotificationOptions,
  SignalingChannelProps, StorageTier, StreamProps, StreamSettingsProps,
} from '../src';
import { DeployHarness, OperationResult } from './harness';
import { KvsTestServer } from './kvs-server';
import type { KvsTestServerOptions, ServerState } from './kvs-server';

/**
 * How a step changes the example: transforms of the props the example passes to the library's constructs. Applied by
 * wrapping the library's classes (below), as CDK property injectors would, so that examples/app.ts runs unchanged.
 */
interface Variant {
  readonly stream?: Transform<string, StreamProps>;
  readonly streamTags?: (id: string) => Record<string, string>;
  readonly notifications?: Transform<Construct, NotificationOptions>;
  readonly imageGeneration?: Transform<Construct, ImageGenerationOptions>;
  readonly channel?: Transform<string, SignalingChannelProps>;
  readonly edge?: Transform<string, EdgeConfigurationProps>;
  readonly settings?: Transform<string, StreamSettingsProps>;
}

/** A change of `value`, given what it belongs to (a construct id, or the stream being configured). */
type Transform<K, T> = (key: K, value: T) => T;

let mockVariant: Variant = {};

jest.mock('../src', () => {
  const actual = jest.requireActual<typeof import('../src')>('../src');
  class Stream extends actual.Stream {
    constructor(scope: Construct, id: string, props: StreamProps = {}) {
      super(scope, id, mockVariant.stream?.(id, props) ?? props);
      for (const [key, value] of Object.entries(mockVariant.streamTags?.(id) ?? {})) Tags.of(this).add(key, value);
    }
    public configureNotifications(options: NotificationOptions): void {
      super.configureNotifications(mockVariant.notifications?.(this, options) ?? options);
    }
    public configureImageGeneration(options: ImageGenerationOptions): void {
      super.configureImageGeneration(mockVariant.imageGeneration?.(this, options) ?? options);
    }
  }
  class SignalingChannel extends actual.SignalingChannel {
    constructor(scope: Construct, id: string, props: SignalingChannelProps = {}) {
      super(scope, id, mockVariant.channel?.(id, props) ?? props);
    }
  }
  class EdgeConfiguration extends actual.EdgeConfiguration {
    constructor(scope: Construct, id: string, props: EdgeConfigurationProps) {
      super(scope, id, mockVariant.edge?.(id, props) ?? props);
    }
  }
  class StreamSettings extends actual.StreamSettings {
    constructor(scope: Construct, id: string, props: StreamSettingsProps) {
      super(scope, id, mockVariant.settings?.(id, props) ?? props);
    }
  }
  return { ...actual, Stream, SignalingChannel, EdgeConfiguration, StreamSettings };
});

/** Each transform of `later` applies to what `earlier` produced. */
function compose(earlier: Variant, later: Variant): Variant {
  const chain = <K, T>(a?: Transform<K, T>, b?: Transform<K, T>): Transform<K, T> | undefined =>
    (a && b ? (key, value) => b(key, a(key, value)) : a ?? b);
  return {
    stream: chain(earlier.stream, later.stream),
    streamTags: (id) => ({ ...earlier.streamTags?.(id), ...later.streamTags?.(id) }),
    notifications: chain(earlier.notifications, later.notifications),
    imageGeneration: chain(earlier.imageGeneration, later.imageGeneration),
    channel: chain(earlier.channel, later.channel),
    edge: chain(earlier.edge, later.edge),
    settings: chain(earlier.settings, later.settings),
  };
}

const CAMERAS = ['entrance', 'loading-dock', 'parking'] as const;
type Camera = typeof CAMERAS[number];
const cameraOf = (id: string): Camera | undefined => CAMERAS.find((camera) => id === `Camera-${camera}`);

/** A construct of the stack, created by the first transform that needs it. */
function shared<T extends Construct>(scope: Construct, id: string, make: (stack: Stack, id: string) => T): T {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? make(stack, id);
}
const secondTopic = (scope: Construct) => shared(scope, 'CameraEventsV2', (stack, id) => new sns.Topic(stack, id, { enforceSSL: true }));
const secondBucket = (scope: Construct) => shared(scope, 'ThumbnailsV2', (stack, id) => new s3.Bucket(stack, id, { enforceSSL: true }));

/** Every configurable property of the example changed. */
const CHANGED: Variant = {
  stream: (id, props) => {
    if (cameraOf(id)) {
      return { ...props, dataRetention: Duration.days(10), deviceName: `${props.deviceName}-v2`, mediaType: MediaType.of(MediaType.H264), storageTier: StorageTier.WARM };
    }
    if (id === 'DoorbellRecording') return { ...props, dataRetention: Duration.days(45), deviceName: 'doorbell-v2', storageTier: StorageTier.WARM };
    if (id === 'Camera-basement') return { ...props, dataRetention: Duration.days(10), deviceName: 'cam-basement-v2' };
    return props;
  },
  streamTags: (id): Record<string, string> => (cameraOf(id) || id === 'Camera-basement' ? { generation: '2' } : {}),
  notifications: (stream, options) => {
    switch (cameraOf(stream.node.id)) {
      case 'entrance': return { ...options, enabled: false };
      case 'loading-dock': return { ...options, topic: secondTopic(stream) };
      default: return options;
    }
  },
  imageGeneration: (stream, options) => {
    const camera = cameraOf(stream.node.id);
    return {
      ...options,
      keyPrefix: `${options.keyPrefix}/v2`,
      samplingInterval: Duration.seconds(5),
      widthPixels: 1280,
      heightPixels: 720,
      imageSelector: ImageSelector.PRODUCER_TIMESTAMP,
      ...camera === 'parking' ? { format: ImageFormat.PNG, jpegQuality: undefined } : { jpegQuality: 90 },
      ...camera === 'entrance' ? { enabled: false } : {},
      ...camera === 'loading-dock' ? { bucket: secondBucket(stream) } : {},
    };
  },
  channel: (_id, props) => ({ ...props, messageTtl: Duration.seconds(120) }),
  edge: (_id, props) => ({
    ...props,
    edgeRetention: Duration.days(5),
    uploaderSchedule: { expression: '0 30 2 * * ?', duration: Duration.minutes(30) },
  }),
  settings: (_id, props) => ({
    ...props,
    dataRetention: Duration.days(10),
    mediaType: MediaType.of(MediaType.H264),
    deviceName: 'gate-cam-v2',
    storageTier: StorageTier.WARM,
    tags: { ...props.tags, generation: '2' },
  }),
};

/** The parking camera's stream replaced by one under a new name. */
const REPLACED = compose(CHANGED, {
  stream: (id, props) => (cameraOf(id) === 'parking' ? { ...props, streamName: 'site1-parking-v2' } : props),
});

/** An update of streams, configurations and the channel, which a fault makes fail mid-way. */
const FAILING = compose(REPLACED, {
  stream: (id, props) => (cameraOf(id) ? { ...props, dataRetention: Duration.days(12) } : props),
  imageGeneration: (_stream, options) => ({ ...options, samplingInterval: Duration.seconds(8) }),
  channel: (_id, props) => ({ ...props, messageTtl: Duration.seconds(90) }),
});

/** The cameras' retention lowered from 10 to 5 days, without opting in. */
const DECREASED = compose(REPLACED, {
  stream: (id, props) => (cameraOf(id) ? { ...props, dataRetention: Duration.days(5) } : props),
});

/** The same decrease, opted in. */
const DECREASE_ALLOWED = compose(DECREASED, {
  stream: (id, props) => (cameraOf(id) ? { ...props, allowRetentionDecrease: true } : props),
});

/** Scaled time: a 10-second query interval is 0.5 s, a 2-minute Lambda timeout 6 s (room for 2 loaded cores). */
const TIME_SCALE = 0.05;
const STACK = 'KvsCameraFleet';
const REGION = 'us-east-1';
const DEFAULT_KEY = 'arn:aws:kms:us-east-1:123456789012:alias/aws/kinesisvideo';
/** The stream the visitor gate's camera created itself: the example declares its settings without owning it. */
const DEVICE_STREAM = 'site1-visitor-gate';

const assemblies: string[] = [];

/** Synthesizes the example app, changed by `variant`, into a fresh cloud assembly. */
function synthExample(variant: Variant): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvs-lifecycle-'));
  assemblies.push(outdir);
  mockVariant = variant;
  try {
    buildExampleApp(new App({ outdir })).synth();
  } finally {
    mockVariant = {};
  }
  return outdir;
}

let steps: Record<'example' | 'changed' | 'replaced' | 'failing' | 'decreased' | 'decreaseAllowed', string>;

beforeAll(() => {
  // Synthesized once, deployed by both scenarios.
  steps = {
    example: synthExample({}),
    changed: synthExample(CHANGED),
    replaced: synthExample(REPLACED),
    failing: synthExample(FAILING),
    decreased: synthExample(DECREASED),
    decreaseAllowed: synthExample(DECREASE_ALLOWED),
  };
});

afterAll(() => {
  for (const dir of assemblies) fs.rmSync(dir, { recursive: true, force: true });
});

/** The service state that matters, by name: ARNs resolved to the names of what they point at, versions and times left out. */
function view(state: ServerState) {
  const streamName = (arn?: string) => (arn === undefined ? undefined : state.streams.find((s) => s.arn === arn)?.name ?? `deleted stream ${arn}`);
  const channelName = (arn?: string) => (arn === undefined ? undefined : state.channels.find((c) => c.arn === arn)?.name ?? `deleted channel ${arn}`);
  return {
    streams: Object.fromEntries(state.streams.map((s) => [s.name, {
      status: s.status,
      retentionHours: s.dataRetentionInHours,
      deviceName: s.deviceName,
      mediaType: s.mediaType,
      kmsKeyId: s.kmsKeyId,
      tier: s.streamStorageConfiguration.DefaultStorageTier,
      tags: s.tags,
      notification: s.notificationConfiguration,
      imageGeneration: s.imageGenerationConfiguration,
      edge: s.edgeConfiguration && { syncStatus: s.edgeConfiguration.syncStatus, config: s.edgeConfiguration.edgeConfig },
      mappedChannel: channelName(s.mappedChannelArn),
    }])),
    channels: Object.fromEntries(state.channels.map((c) => [c.name, {
      status: c.status,
      type: c.channelType,
      messageTtlSeconds: c.singleMasterConfiguration.MessageTtlSeconds,
      tags: c.tags,
      mediaStorage: { status: c.mediaStorageConfiguration.Status, stream: streamName(c.mediaStorageConfiguration.StreamARN) },
    }])),
  };
}
type View = ReturnType<typeof view>;
type StreamView = View['streams'][string];

/** The physical id (or an attribute) of the stack resource whose logical id matches. */
function physical(result: OperationResult, logicalId: RegExp, attribute?: string): string {
  const resource = result.resources.find((r) => logicalId.test(r.logicalId));
  if (!resource) throw new Error(`No resource ${logicalId} in ${result.stackName}`);
  return String(attribute ? resource.attributes[attribute] : resource.physicalId);
}

/**
 * What the service holds that the stack does not: streams and channels no resource of the stack names, and
 * configurations that point at a topic, bucket, stream or channel that no longer exists.
 */
function orphansAndDangling(result: OperationResult, state: ServerState): string[] {
  const held = new Set(result.resources.map((r) => r.physicalId));
  const topics = new Set(result.resources.filter((r) => r.type === 'AWS::SNS::Topic').map((r) => r.physicalId));
  const buckets = new Set(result.resources.filter((r) => r.type === 'AWS::S3::Bucket').map((r) => r.physicalId));
  return [
    ...state.streams.filter((s) => !held.has(s.name) && s.name !== DEVICE_STREAM).map((s) => `stream ${s.name} outside the stack`),
    ...state.channels.filter((c) => !held.has(c.name)).map((c) => `channel ${c.name} outside the stack`),
    ...state.streams.filter((s) => s.notificationConfiguration && !topics.has(s.notificationConfiguration.DestinationConfig?.Uri))
      .map((s) => `stream ${s.name} notifies ${s.notificationConfiguration!.DestinationConfig?.Uri}`),
    ...state.streams.filter((s) => s.imageGenerationConfiguration
      && !buckets.has(/^s3:\/\/([^/]+)/.exec(s.imageGenerationConfiguration.DestinationConfig?.Uri ?? '')?.[1]))
      .map((s) => `stream ${s.name} writes images to ${s.imageGenerationConfiguration!.DestinationConfig?.Uri}`),
    ...state.channels
      .filter((c) => c.mediaStorageConfiguration.StreamARN && !state.streams.some((s) => s.arn === c.mediaStorageConfiguration.StreamARN))
      .map((c) => `channel ${c.name} stores media in ${c.mediaStorageConfiguration.StreamARN}`),
  ];
}

/** The names and ARNs the example's placeholders got in one deployment. */
interface Deployed {
  readonly topic: string;
  readonly bucket: string;
  readonly key: string;
  readonly secret: string;
  readonly topic2?: string;
  readonly bucket2?: string;
}

function deployed(result: OperationResult): Deployed {
  const optional = (id: RegExp) => (result.resources.some((r) => id.test(r.logicalId)) ? physical(result, id) : undefined);
  return {
    topic: physical(result, /^CameraEvents[0-9A-F]{8}$/),
    bucket: physical(result, /^Thumbnails[0-9A-F]{8}$/),
    key: physical(result, /^VideoKey[0-9A-F]{8}$/, 'Arn'),
    secret: physical(result, /^BasementCameraUri[0-9A-F]{8}$/),
    topic2: optional(/^CameraEventsV2[0-9A-F]{8}$/),
    bucket2: optional(/^ThumbnailsV2[0-9A-F]{8}$/),
  };
}

/** A camera stream of the example, as deployed. */
function exampleCamera(camera: Camera, d: Deployed): StreamView {
  return {
    status: 'ACTIVE',
    retentionHours: 168,
    deviceName: `cam-${camera}`,
    mediaType: 'video/h264,audio/aac',
    kmsKeyId: d.key,
    tier: 'HOT',
    tags: { site: 'site1', camera },
    notification: { Status: 'ENABLED', DestinationConfig: { Uri: d.topic } },
    imageGeneration: {
      Status: 'ENABLED',
      ImageSelectorType: 'SERVER_TIMESTAMP',
      DestinationConfig: { Uri: `s3://${d.bucket}/site1/${camera}`, DestinationRegion: REGION },
      SamplingInterval: 10_000,
      Format: 'JPEG',
      FormatConfig: { JPEGQuality: '70' },
      WidthPixels: 640,
    },
    edge: undefined,
    mappedChannel: undefined,
  };
}

/** A camera stream with every property changed (CHANGED). */
function changedCamera(camera: Camera, d: Deployed): StreamView {
  return {
    ...exampleCamera(camera, d),
    retentionHours: 240,
    deviceName: `cam-${camera}-v2`,
    mediaType: 'video/h264',
    tier: 'WARM',
    tags: { site: 'site1', camera, generation: '2' },
    notification: camera === 'entrance'
      ? { Status: 'DISABLED', DestinationConfig: { Uri: d.topic } }
      : { Status: 'ENABLED', DestinationConfig: { Uri: camera === 'loading-dock' ? d.topic2 : d.topic } },
    imageGeneration: {
      Status: camera === 'entrance' ? 'DISABLED' : 'ENABLED',
      ImageSelectorType: 'PRODUCER_TIMESTAMP',
      DestinationConfig: { Uri: `s3://${camera === 'loading-dock' ? d.bucket2 : d.bucket}/site1/${camera}/v2`, DestinationRegion: REGION },
      SamplingInterval: 5_000,
      Format: camera === 'parking' ? 'PNG' : 'JPEG',
      FormatConfig: camera === 'parking' ? undefined : { JPEGQuality: '90' },
      WidthPixels: 1280,
      HeightPixels: 720,
    },
  };
}

function basement(d: Deployed, changed: boolean): StreamView {
  return {
    status: 'ACTIVE',
    retentionHours: changed ? 240 : 168,
    deviceName: changed ? 'cam-basement-v2' : undefined,
    mediaType: 'video/h264',
    kmsKeyId: d.key,
    tier: 'HOT',
    tags: changed ? { generation: '2' } : {},
    notification: undefined,
    imageGeneration: undefined,
    edge: {
      syncStatus: 'IN_SYNC',
      config: {
        HubDeviceArn: 'arn:aws:iot:us-east-1:123456789012:thing/site1-hub',
        RecorderConfig: { MediaSourceConfig: { MediaUriSecretArn: d.secret, MediaUriType: 'RTSP_URI' } },
        UploaderConfig: {
          ScheduleConfig: changed
            ? { ScheduleExpression: '0 30 2 * * ?', DurationInSeconds: 1800 }
            : { ScheduleExpression: '0 0 1 * * ?', DurationInSeconds: 3600 },
        },
        DeletionConfig: { EdgeRetentionInHours: changed ? 120 : 72, DeleteAfterUpload: true },
      },
    },
    mappedChannel: undefined,
  };
}

function doorbellRecording(changed: boolean, mapped: boolean): StreamView {
  return {
    status: 'ACTIVE',
    retentionHours: changed ? 1080 : 720,
    deviceName: changed ? 'doorbell-v2' : undefined,
    mediaType: 'video/h264,audio/mulaw',
    kmsKeyId: DEFAULT_KEY,
    tier: changed ? 'WARM' : 'HOT',
    tags: {},
    notification: undefined,
    imageGeneration: undefined,
    edge: undefined,
    mappedChannel: mapped ? 'site1-doorbell' : undefined,
  };
}

function doorbellChannel(messageTtlSeconds: number): View['channels'][string] {
  return { status: 'ACTIVE', type: 'SINGLE_MASTER', messageTtlSeconds, tags: {}, mediaStorage: { status: 'ENABLED', stream: 'site1-doorbell' } };
}

/** The visitor gate's own stream, with the settings the example declares (the camera created it with 24 hours). */
function visitorGate(changed: boolean): StreamView {
  return {
    status: 'ACTIVE',
    retentionHours: changed ? 240 : 168,
    deviceName: changed ? 'gate-cam-v2' : 'gate-cam',
    mediaType: changed ? 'video/h264' : 'video/h264,audio/aac',
    kmsKeyId: DEFAULT_KEY,
    tier: changed ? 'WARM' : 'HOT',
    tags: { site: 'site1', camera: 'visitor-gate', ...changed ? { generation: '2' } : {} },
    notification: undefined,
    imageGeneration: undefined,
    edge: undefined,
    mappedChannel: undefined,
  };
}

/** The view after CHANGED (and REPLACED, with parking under its new name and the old stream retained, unconfigured). */
function changedView(d: Deployed, replaced: boolean): View {
  return {
    streams: {
      'site1-entrance': changedCamera('entrance', d),
      'site1-loading-dock': changedCamera('loading-dock', d),
      ...replaced
        ? {
          'site1-parking': { ...changedCamera('parking', d), notification: undefined, imageGeneration: undefined },
          'site1-parking-v2': changedCamera('parking', d),
        }
        : { 'site1-parking': changedCamera('parking', d) },
      'site1-doorbell': doorbellRecording(true, true),
      'site1-basement': basement(d, true),
      [DEVICE_STREAM]: visitorGate(true),
    },
    channels: { 'site1-doorbell': doorbellChannel(120) },
  };
}

/** The successful requests of `action` in a step's request log. */
function succeeded(requests: ReturnType<KvsTestServer['requests']>, action: string) {
  return requests.filter((r) => r.action === action && r.status === 200);
}

/** The step's successful retention changes: [stream name, operation, hours], sorted. */
function retentionChanges(requests: ReturnType<KvsTestServer['requests']>, state: ServerState) {
  const name = (body: { StreamName?: string; StreamARN?: string }) =>
    body.StreamName ?? state.streams.find((s) => s.arn === body.StreamARN)?.name ?? body.StreamARN;
  return succeeded(requests, 'UpdateDataRetention').map((r) => [name(r.body), r.body.Operation, r.body.DataRetentionChangeInHours]).sort();
}

/** Every stack event that failed, as "LogicalId STATUS reason". */
function failures(result: OperationResult): string[] {
  return result.events.filter((e) => e.status.endsWith('_FAILED')).map((e) => `${e.logicalId} ${e.status} ${e.reason ?? ''}`);
}

const GUARD_REFUSAL = ['site1-entrance', 'site1-loading-dock', 'site1-parking-v2'].map((name) =>
  `Refusing to lower the data retention of stream "${name}" from 240 to 120 hours: `
  + 'a decrease immediately deletes the video older than 120 hours. '
  + `To accept that, set allowRetentionDecrease: true on the Stream "${name}".`).join(' ');

interface Scenario {
  readonly name: string;
  readonly server: KvsTestServerOptions;
  readonly faults?: (server: KvsTestServer) => void;
  /** The kinds of injected faults the scenario's requests met: step 4's error, and the random ones. */
  readonly faultKinds: string[];
}

const SCENARIOS: Scenario[] = [
  { name: 'without faults', server: {}, faultKinds: ['error'] },
  {
    // Rates seen on a busy account; the seed fixes which calls they hit (given the order the calls arrive in).
    name: 'under the documented TPS limits, with throttling, 5xx and dropped connections injected',
    server: { rateLimits: true, seed: 20240601 },
    faults: (server) => {
      server.injectFault('*', { kind: 'throttle' }, { probability: 0.03 });
      server.injectFault('*', { kind: 'http', status: 503 }, { probability: 0.01 });
      server.injectFault('*', { kind: 'drop' }, { probability: 0.005 });
    },
    faultKinds: ['drop', 'error', 'http', 'throttle'],
  },
];

describe.each(SCENARIOS)('the example app\'s lifecycle $name', (scenario) => {
  let server: KvsTestServer;
  let harness: DeployHarness;
  let d: Deployed;
  let replacedView: View;
  /** Every request of the scenario. */
  const log: ReturnType<KvsTestServer['requests']> = [];

  beforeAll(async () => {
    server = await KvsTestServer.start(scenario.server);
    scenario.faults?.(server);
    harness = new DeployHarness({ server, timeScale: TIME_SCALE });
    // The visitor gate's camera has connected and created its stream before the first deployment.
    await connectExampleDevices(server);
  });

  afterAll(async () => {
    await harness?.close();
    await server?.stop();
  });

  /**
   * The service state once the hub device has synced: the example does not wait for the device
   * (EdgeSyncWait.ACCEPTED), and the test server's hub is online, so the sync ends within its transition times.
   */
  async function settled(): Promise<ServerState> {
    const syncing = (state: ServerState) => state.streams.some((s) => ['SYNCING', 'ACKNOWLEDGED'].includes(s.edgeConfiguration?.syncStatus ?? ''));
    let state = server.state() as ServerState;
    for (let i = 0; i < 50 && syncing(state); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      state = server.state() as ServerState;
    }
    return state;
  }

  /** Deploys one step, with that step's request log. */
  async function deploy(assembly: string) {
    server.clearRequests();
    const result = await harness.deploy(assembly);
    const state = await settled();
    const requests = server.requests();
    log.push(...requests);
    return { result, state, view: view(state), requests };
  }

  test('1. deploys the example: every stream, configuration, channel and edge configuration as declared', async () => {
    const { result, state, view: v } = await deploy(steps.example);
    expect(failures(result)).toEqual([]);
    expect(result.status).toBe('CREATE_COMPLETE');
    d = deployed(result);
    expect(v).toEqual({
      streams: {
        'site1-entrance': exampleCamera('entrance', d),
        'site1-loading-dock': exampleCamera('loading-dock', d),
        'site1-parking': exampleCamera('parking', d),
        'site1-doorbell': doorbellRecording(false, true),
        'site1-basement': basement(d, false),
        [DEVICE_STREAM]: visitorGate(false),
      },
      channels: { 'site1-doorbell': doorbellChannel(60) },
    });
    expect(orphansAndDangling(result, state)).toEqual([]);
  });

  test('2. changes every configurable property in place', async () => {
    const { result, state, view: v, requests } = await deploy(steps.changed);
    expect(failures(result)).toEqual([]);
    expect(result.status).toBe('UPDATE_COMPLETE');
    d = deployed(result);
    expect(v).toEqual(changedView(d, false));
    expect(orphansAndDangling(result, state)).toEqual([]);
    // In place: nothing was created or deleted on the service.
    expect(succeeded(requests, 'CreateStream')).toEqual([]);
    expect(succeeded(requests, 'DeleteStream')).toEqual([]);
    expect(succeeded(requests, 'DeleteSignalingChannel')).toEqual([]);
    expect(retentionChanges(requests, state)).toEqual([
      ['site1-basement', 'INCREASE_DATA_RETENTION', 72],
      ['site1-doorbell', 'INCREASE_DATA_RETENTION', 360],
      ['site1-entrance', 'INCREASE_DATA_RETENTION', 72],
      ['site1-loading-dock', 'INCREASE_DATA_RETENTION', 72],
      ['site1-parking', 'INCREASE_DATA_RETENTION', 72],
      [DEVICE_STREAM, 'INCREASE_DATA_RETENTION', 72],
    ]);
  });

  test('3. replaces a stream under a new name: the new one configured, the old one retained without its configuration', async () => {
    const { result, state, view: v, requests } = await deploy(steps.replaced);
    expect(failures(result)).toEqual([]);
    expect(result.status).toBe('UPDATE_COMPLETE');
    d = deployed(result);
    replacedView = changedView(d, true);
    expect(v).toEqual(replacedView);
    // The old stream is retained (the stream's default removal policy), and nothing else is left behind.
    expect(orphansAndDangling(result, state)).toEqual(['stream site1-parking outside the stack']);
    expect(succeeded(requests, 'CreateStream').map((r) => r.body.StreamName)).toEqual(['site1-parking-v2']);
    expect(succeeded(requests, 'DeleteStream')).toEqual([]);
  });

  test('4. fails: an update that fails mid-way rolls every resource back, the retention increase included', async () => {
    server.injectFault('UpdateImageGenerationConfiguration', { kind: 'error', errorType: 'AccessDeniedException' });
    const { result, state, view: v, requests } = await deploy(steps.failing);
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const [failure, ...others] = failures(result);
    expect(failure).toMatch(new RegExp('^Camera(entrance|loadingdock|parking)Configuration[0-9A-F]{8} UPDATE_FAILED Received response status \\[FAILED\\] '
      + 'from custom resource\\. Message returned: UpdateImageGenerationConfiguration failed for stream "(?<name>site1-[a-z-]+[a-z2])" '
      + '\\((?<arn>arn:aws:kinesisvideo:us-east-1:123456789012:stream/\\k<name>/\\d{13})\\): AccessDeniedException: Injected fault: AccessDeniedException\\. '
      + 'The handler\'s role needs kinesisvideo:UpdateImageGenerationConfiguration on \\k<arn>\\. \\(RequestId: [0-9a-f-]{36}\\)$'));
    // Whatever else was in flight when it failed is reported cancelled; nothing else failed on its own.
    expect(others.filter((line) => !/^\w+ UPDATE_FAILED Resource update cancelled$/.test(line))).toEqual([]);
    expect(v).toEqual(replacedView);
    expect(orphansAndDangling(result, state)).toEqual(['stream site1-parking outside the stack']);
    // The cameras went to 288 hours, then back to 240: the guard let CloudFormation's rollback through.
    // (The streams are updated before their configurations, so all three were increased when the fault hit.)
    expect(retentionChanges(requests, state)).toEqual(['site1-entrance', 'site1-loading-dock', 'site1-parking-v2']
      .flatMap((name) => [[name, 'DECREASE_DATA_RETENTION', 48], [name, 'INCREASE_DATA_RETENTION', 48]]));
  });

  test('5. fails: the retention guard refuses a decrease before any stream is touched', async () => {
    const { result, state, view: v, requests } = await deploy(steps.decreased);
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failures(result)).toEqual([
      expect.stringMatching(new RegExp(`^CdkKinesisVideoRetentionGuard[0-9A-F]{8} UPDATE_FAILED Received response status \\[FAILED\\] from custom resource\\. Message returned: ${escape(GUARD_REFUSAL)} \\(RequestId: [0-9a-f-]{36}\\)$`)),
    ]);
    expect(v).toEqual(replacedView);
    expect(orphansAndDangling(result, state)).toEqual(['stream site1-parking outside the stack']);
    expect(succeeded(requests, 'UpdateDataRetention')).toEqual([]);
  });

  test('6. lowers the retention once allowRetentionDecrease opts in', async () => {
    const { result, state, view: v, requests } = await deploy(steps.decreaseAllowed);
    expect(failures(result)).toEqual([]);
    expect(result.status).toBe('UPDATE_COMPLETE');
    const lowered = (name: string) => ({ ...replacedView.streams[name], retentionHours: 120 });
    expect(v).toEqual({
      ...replacedView,
      streams: {
        ...replacedView.streams,
        'site1-entrance': lowered('site1-entrance'),
        'site1-loading-dock': lowered('site1-loading-dock'),
        'site1-parking-v2': lowered('site1-parking-v2'),
      },
    });
    expect(orphansAndDangling(result, state)).toEqual(['stream site1-parking outside the stack']);
    expect(retentionChanges(requests, state)).toEqual([
      ['site1-entrance', 'DECREASE_DATA_RETENTION', 120],
      ['site1-loading-dock', 'DECREASE_DATA_RETENTION', 120],
      ['site1-parking-v2', 'DECREASE_DATA_RETENTION', 120],
    ]);
  });

  test('7. destroys the stack: streams and the edge recordings retained, their configurations and the channel removed', async () => {
    server.clearRequests();
    const result = await harness.destroy(STACK);
    expect(failures(result)).toEqual([]);
    expect(result.status).toBe('DELETE_COMPLETE');
    const state = result.serverState as ServerState;
    const unconfigured = (s: StreamView): StreamView => ({ ...s, notification: undefined, imageGeneration: undefined, mappedChannel: undefined });
    expect(view(state)).toEqual({
      streams: Object.fromEntries(Object.entries(replacedView.streams).map(([name, s]) => [name, unconfigured({
        ...s,
        retentionHours: ['site1-entrance', 'site1-loading-dock', 'site1-parking-v2'].includes(name) ? 120 : s.retentionHours,
        // The device's stream keeps the settings (it is not the stack's) and loses the tags the stack added.
        tags: name === DEVICE_STREAM ? {} : s.tags,
      })])),
      channels: {},
    });
    log.push(...server.requests());
    // Retained data is never deleted: no stream was deleted in the whole scenario.
    expect(succeeded(log, 'DeleteStream')).toEqual([]);
    // And the scenario met the faults it was meant to meet.
    expect([...new Set(log.map((r) => r.fault).filter((kind) => kind !== undefined))].sort()).toEqual(scenario.faultKinds);
    expect(harness.status(STACK)).toBeUndefined();
    // Every handler call of the whole scenario was evaluated against the provider role's policies of its moment.
    expect(harness.iamDecisions.evaluated).toBeGreaterThan(100);
    expect(harness.iamDecisions.denied).toBe(0);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
