import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Aspects, CfnResource, Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { cameraFleetStack, cameraIndexes, fleetCameraName, PROMISED_CAMERAS, PROMISED_SHARDS } from '../bench/camera-fleet-app';
import { limitViolations, templateShape } from '../bench/fleet-app';
import { CameraFleet, CameraInventory, CameraSpec, HubDevice, ImageFormat, MediaType, MediaUriType, Stream } from '../src';
import { cfnLintErrors } from './support/cfn-lint';
import { handlerPolicy } from './support/handler-policy';
import { decide, resolvedDefaultPolicy } from './support/iam-evaluator';
import { shardOfName } from '../src/private/fleet-placement';
import { KinesisVideoProvider } from '../src/private/provider';
import { MANAGED_POLICY_LIMIT, resolvedPolicySize } from '../src/private/scoped-policy';

const ENV = { account: '111122223333', region: 'eu-west-1' };

/** The provider's 15 resources and the retention guard: what every shard holds besides its cameras. */
const SHARED_PER_SHARD = 16;

/** The 2,000-camera fleet synthesized once: each shard's template by shard number, as written to the assembly. */
interface SynthesizedFleet {
  readonly stack: Stack;
  readonly fleet: CameraFleet;
  readonly parent: { [section: string]: any };
  readonly shards: Map<number, { [section: string]: any }>;
}

function synthesizeFleet(indexes: readonly number[], shards = PROMISED_SHARDS): SynthesizedFleet {
  const app = new App();
  const { stack, fleet } = cameraFleetStack(app, indexes, shards);
  const assembly = app.synth();
  const read = (file: string) => JSON.parse(readFileSync(join(assembly.directory, file), 'utf8'));
  return {
    stack,
    fleet,
    parent: assembly.getStackByName(stack.stackName).template,
    shards: new Map(fleet.shardStacks.map((nested) => [Number(nested.node.id.slice('Shard'.length)), read(nested.templateFile)])),
  };
}

/** Every stream of every shard: its shard, logical id and definition, by stream name. */
function streamsOf(synth: SynthesizedFleet): Map<string, { shard: number; logicalId: string; definition: unknown }> {
  const streams = new Map<string, { shard: number; logicalId: string; definition: unknown }>();
  for (const [shard, template] of synth.shards) {
    for (const [logicalId, resource] of Object.entries(template.Resources as Record<string, any>)) {
      if (resource.Type === 'AWS::KinesisVideo::Stream') streams.set(resource.Properties.Name, { shard, logicalId, definition: resource });
    }
  }
  return streams;
}

/** The resources of every shard other than the shared guard and handler policy (which list the shard's streams), by shard and logical id. */
function cameraResourcesOf(synth: SynthesizedFleet): Map<string, unknown> {
  const resources = new Map<string, unknown>();
  for (const [shard, template] of synth.shards) {
    for (const [logicalId, resource] of Object.entries(template.Resources as Record<string, any>)) {
      if (resource.Type === 'AWS::KinesisVideo::Stream' || resource.Type === 'Custom::KinesisVideoStreamConfiguration') {
        // DependsOn names the handler policy, whose logical id follows its document: compared on its own below.
        const { DependsOn: _dependsOn, ...definition } = resource;
        resources.set(`${shard}/${logicalId}`, definition);
      }
    }
  }
  return resources;
}

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const result = [...values];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

describe('placement of 2,000 cameras', () => {
  const all = cameraIndexes(PROMISED_CAMERAS);
  let base: SynthesizedFleet;

  beforeAll(() => {
    base = synthesizeFleet(all);
  });

  test('places every camera in the shard the hash of its name gives, in 12 nested stacks', () => {
    expect(base.fleet.shardStacks.map((s) => s.node.id)).toEqual(Array.from({ length: PROMISED_SHARDS }, (_, i) => `Shard${i}`));
    const streams = streamsOf(base);
    expect(streams.size).toBe(PROMISED_CAMERAS);
    for (const i of all) {
      const name = fleetCameraName(i);
      expect(streams.get(name)!.shard).toBe(shardOfName(name, PROMISED_SHARDS));
      expect(base.fleet.shardOf(name)).toBe(streams.get(name)!.shard);
    }
  });

  test('grows by 150 cameras, shrinks by 200 and is reordered without moving or changing any other stream', () => {
    const removed = new Set(shuffled(all, 7).slice(0, 200));
    const added = cameraIndexes(PROMISED_CAMERAS + 150).slice(PROMISED_CAMERAS);
    // The new cameras land among the old ones, and the order of every camera changes.
    const changed = synthesizeFleet(shuffled([...all.filter((i) => !removed.has(i)), ...added], 11));

    const before = streamsOf(base);
    const after = streamsOf(changed);
    const moved = [...before].filter(([name, s]) => after.has(name)
      && (after.get(name)!.shard !== s.shard || after.get(name)!.logicalId !== s.logicalId));
    expect(moved).toEqual([]);
    expect([...before.keys()].filter((name) => !after.has(name)).sort()).toEqual([...removed].map(fleetCameraName).sort());
    expect([...after.keys()].filter((name) => !before.has(name)).sort()).toEqual(added.map(fleetCameraName).sort());

    // Every shard's template, diffed: only the removed cameras' resources left it, only the added ones' joined it,
    // and every other resource of a camera is unchanged.
    const oldResources = cameraResourcesOf(base);
    const newResources = cameraResourcesOf(changed);
    const gone = [...oldResources.keys()].filter((key) => !newResources.has(key));
    const arrived = [...newResources.keys()].filter((key) => !oldResources.has(key));
    const changedInPlace = [...oldResources.keys()]
      .filter((key) => newResources.has(key) && JSON.stringify(newResources.get(key)) !== JSON.stringify(oldResources.get(key)));
    expect(changedInPlace).toEqual([]);
    expect(gone).toHaveLength(2 * removed.size);
    expect(arrived).toHaveLength(2 * added.length);
    // The parent keeps every shard's nested stack resource under the same logical id.
    const nestedIds = (t: any) => Object.entries(t.Resources).filter(([, r]: any) => r.Type === 'AWS::CloudFormation::Stack').map(([id]) => id).sort();
    expect(nestedIds(changed.parent)).toEqual(nestedIds(base.parent));
  });

  test('gives the same templates, byte for byte, whatever the order of the inventory', () => {
    const reordered = synthesizeFleet([...all].reverse());
    for (const [shard, template] of base.shards) expect(JSON.stringify(reordered.shards.get(shard))).toBe(JSON.stringify(template));
  });

  test('keeps every shard within CloudFormation\'s and IAM\'s limits: 2 resources per camera plus 16, every policy resolved', () => {
    for (const [shard, template] of base.shards) {
      const shape = templateShape(template);
      const streams = [...streamsOf(base).values()].filter((s) => s.shard === shard).length;
      expect(limitViolations(shape)).toEqual([]);
      expect(shape.resources).toBe(2 * streams + SHARED_PER_SHARD);
      expect(shape.resources).toBeLessThanOrEqual(450);
      expect(shape.serviceTokens).toBe(1);
      expect(JSON.stringify(template).length).toBeLessThan(400_000);
      const [policy] = shape.managedPolicies;
      const nested = base.fleet.shardStacks.find((s) => s.node.id === `Shard${shard}`)!;
      expect(policy.size).toBe(KinesisVideoProvider.getOrCreate(nested).policy.resolvedSize());
      expect(policy.size).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    }
  });

  test('holds in the parent one nested stack per shard, the topic and the bucket, passed as parameters, with no output or export', () => {
    const resources = Object.values(base.parent.Resources as Record<string, any>);
    expect(resources.filter((r) => r.Type === 'AWS::CloudFormation::Stack')).toHaveLength(PROMISED_SHARDS);
    expect(resources).toHaveLength(PROMISED_SHARDS + 2);
    expect(base.parent.Outputs).toBeUndefined();
    for (const template of base.shards.values()) {
      expect(Object.keys(template.Parameters).sort()).toEqual([
        expect.stringMatching(/^referencetoKvsCameraFleetCameraEvents[0-9A-F]{8}Ref$/),
        expect.stringMatching(/^referencetoKvsCameraFleetThumbnails[0-9A-F]{8}Ref$/),
      ].sort((a, b) => String(a).localeCompare(String(b))));
      expect(template.Outputs).toBeUndefined();
    }
  });

  test('guards the retention of every stream in its own shard: one guard per shard listing exactly its streams', () => {
    for (const [shard, template] of base.shards) {
      const guards = Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Type === 'Custom::KinesisVideoRetentionGuard');
      expect(guards).toHaveLength(1);
      const [guardId, guard] = guards[0];
      const streams = [...streamsOf(base)].filter(([, s]) => s.shard === shard);
      expect(guard.Properties.Streams.map((s: any) => s.StreamName).sort()).toEqual(streams.map(([name]) => name).sort());
      expect(guard.Properties.Streams[0].DataRetentionInHours).toBe('168');
      for (const [, s] of streams) expect((s.definition as any).DependsOn).toContain(guardId);
    }
  });
});

describe('the placement function', () => {
  // Frozen: a change of these values would move the cameras of every deployed fleet.
  test.each([
    ['lobby-cam-1', [0, 1, 1, 1, 330]],
    ['site00-cam-0000', [0, 0, 11, 11, 396]],
    ['a', [0, 1, 1, 50, 351]],
    ['x'.repeat(256), [0, 1, 1, 41, 285]],
  ])('places %s in the same shards on every machine and release', (name, shards) => {
    expect([1, 2, 12, 100, 400].map((count) => shardOfName(name, count))).toEqual(shards);
  });
});

describe('changing the shard count', () => {
  const names = cameraIndexes(PROMISED_CAMERAS).map(fleetCameraName);

  test('moves cameras only into the new shards, about (new - old) / new of them', () => {
    const moved = names.filter((name) => shardOfName(name, 14) !== shardOfName(name, 12));
    expect(moved.every((name) => shardOfName(name, 14) >= 12)).toBe(true);
    expect(moved.length / names.length).toBeGreaterThan(0.1);
    expect(moved.length / names.length).toBeLessThan(0.19);
  });

  test('moves none of the cameras pinned by the previous placement; new cameras spread over every shard', () => {
    const before = new CameraFleet(new Stack(new App(), 'Before'), 'Fleet', { shards: 2, cameras: names.slice(0, 100).map((name) => ({ name })) });
    const stack = new Stack(new App(), 'After');
    const after = new CameraFleet(stack, 'Fleet', {
      shards: 4,
      placement: before.placement,
      cameras: names.slice(0, 160).map((name) => ({ name })),
    });
    for (const name of names.slice(0, 100)) expect(after.shardOf(name)).toBe(before.shardOf(name));
    const newShards = new Set(names.slice(100, 160).map((name) => after.shardOf(name)));
    expect([...newShards].sort()).toEqual([0, 1, 2, 3]);
    expect(after.placement[names[150]]).toBe(shardOfName(names[150], 4));
  });

  test('fails on a pin outside the shards', () => {
    expect(() => new CameraFleet(new Stack(new App(), 'S'), 'Fleet', { shards: 2, placement: { a: 2 }, cameras: [{ name: 'a' }] }))
      .toThrow('Invalid placement["a"] "2": must be a whole number from 0 to 1');
  });
});

describe('a camera in its shard', () => {
  function smallFleet(cameras: (topic: sns.ITopic, bucket: s3.IBucket) => CameraSpec[]) {
    const stack = new Stack(new App(), 'Site', { env: ENV });
    const topic = new sns.Topic(stack, 'Events');
    const bucket = new s3.Bucket(stack, 'Images');
    const fleet = new CameraFleet(stack, 'Fleet', { shards: 1, cameras: cameras(topic, bucket) });
    return { stack, fleet, shard: Template.fromStack(fleet.shardStacks[0]), parent: Template.fromStack(stack) };
  }

  test('is a stream with the camera\'s properties, retained, tagged, with both configurations from the parent\'s topic and bucket', () => {
    const { shard, parent } = smallFleet((topic, bucket) => [{
      name: 'lobby-cam-1',
      site: 'lobby',
      dataRetention: Duration.days(7),
      mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
      deviceName: 'lobby-01',
      tags: { site: 'lobby', owner: 'facilities' },
      notifications: { topic },
      imageGeneration: { bucket, keyPrefix: 'lobby/1', samplingInterval: Duration.seconds(5), format: ImageFormat.PNG },
    }]);
    shard.hasResource('AWS::KinesisVideo::Stream', {
      Properties: {
        Name: 'lobby-cam-1',
        DataRetentionInHours: 168,
        MediaType: 'video/h264,audio/aac',
        DeviceName: 'lobby-01',
        Tags: [{ Key: 'owner', Value: 'facilities' }, { Key: 'site', Value: 'lobby' }],
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    const topicParam = Object.keys(shard.toJSON().Parameters).find((p) => p.includes('Events'))!;
    const bucketParam = Object.keys(shard.toJSON().Parameters).find((p) => p.includes('Images'))!;
    shard.hasResourceProperties('Custom::KinesisVideoStreamConfiguration', {
      NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: { Ref: topicParam } } },
      ImageGenerationConfiguration: {
        Status: 'ENABLED',
        ImageSelectorType: 'SERVER_TIMESTAMP',
        DestinationConfig: { Uri: { 'Fn::Join': ['', ['s3://', { Ref: bucketParam }, '/lobby/1']] }, DestinationRegion: 'eu-west-1' },
        SamplingInterval: '5000',
        Format: 'PNG',
      },
    });
    parent.hasResourceProperties('AWS::CloudFormation::Stack', {
      Parameters: { [topicParam]: { Ref: Match.stringLikeRegexp('^Events') }, [bucketParam]: { Ref: Match.stringLikeRegexp('^Images') } },
    });
  });

  test('keeps the removal policy the camera asks for, and its edge configuration under its stream', () => {
    const stack = new Stack(new App(), 'Edge', { env: ENV });
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Uri', `arn:${'aws'}:secretsmanager:eu-west-1:111122223333:secret:cam-AbCdEf`);
    const fleet = new CameraFleet(stack, 'Fleet', {
      shards: 1,
      cameras: [{
        name: 'dock-cam',
        removalPolicy: RemovalPolicy.DESTROY,
        edge: { hubDevice: HubDevice.fromThingName('dock-hub'), mediaSource: { secret, uriType: MediaUriType.RTSP_URI } },
      }],
    });
    const shard = Template.fromStack(fleet.shardStacks[0]);
    shard.hasResource('AWS::KinesisVideo::Stream', { Properties: { Name: 'dock-cam', DataRetentionInHours: 24 }, DeletionPolicy: 'Delete' });
    shard.hasResourceProperties('Custom::KinesisVideoEdgeConfiguration', {
      EdgeConfig: Match.objectLike({ HubDeviceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:eu-west-1:111122223333:thing/dock-hub']] } }),
    });
    expect(fleet.stream('dock-cam').node.tryFindChild('EdgeConfiguration')).toBeDefined();
  });

  test('fails with the camera\'s index and name on a value the stream refuses', () => {
    expect(() => smallFleet(() => [{ name: 'a' }, { name: 'b', dataRetention: Duration.minutes(90) }]))
      .toThrow('cameras[1] (b): Invalid dataRetention "1 hour 30 minutes": must be a whole number of hours from 0 to 87600');
    expect(() => smallFleet((topic) => [{ name: 'live', dataRetention: Duration.hours(0), notifications: { topic } }]))
      .toThrow('cameras[0] (live): Cannot configure notifications on stream Site/Fleet/Shard0/live: its dataRetention is 0 hours');
  });
});

describe('validation', () => {
  const fleet = (props: Partial<ConstructorParameters<typeof CameraFleet>[2]>) =>
    new CameraFleet(new Stack(new App(), 'S'), 'Fleet', { shards: 2, cameras: [{ name: 'a' }], ...props });

  test('fails on an empty inventory', () => {
    expect(() => fleet({ cameras: [] })).toThrow('Invalid cameras "[]": must be a list of at least one camera');
  });

  test('fails on a duplicate name, naming both cameras', () => {
    expect(() => fleet({ cameras: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] }))
      .toThrow('Invalid cameras[2].name "a": must be unique in the fleet (cameras[0] has it too)');
  });

  test('fails on a name the service refuses', () => {
    expect(() => fleet({ cameras: [{ name: 'lobby cam' }] })).toThrow('Invalid cameras[0].name "lobby cam": must be 1-256 characters of [a-zA-Z0-9_.-]');
  });

  test('fails on invalid tags', () => {
    expect(() => fleet({ cameras: [{ name: 'a', tags: { 'aws:site': 'x' } }] }))
      .toThrow('Invalid tag key "aws:site": must be a key that does not start with "aws:" (reserved by AWS)');
  });

  test('fails on a shard count out of range', () => {
    expect(() => fleet({ shards: 0 })).toThrow('Invalid shards "0": must be a whole number from 1 to 400');
    expect(() => fleet({ maxResourcesPerShard: 501 })).toThrow('Invalid maxResourcesPerShard "501": must be a whole number from 1 to 500');
  });

  test('fails at synth on a shard over its budget, naming the shard, its resources and what to do', () => {
    const app = new App();
    const stack = new Stack(app, 'Full');
    new CameraFleet(stack, 'Fleet', {
      shards: 1,
      maxResourcesPerShard: 100,
      cameras: cameraIndexes(50).map((i) => ({ name: fleetCameraName(i), notifications: { topic: sns.Topic.fromTopicArn(stack, `T${i}`, 'arn:aws:sns:eu-west-1:111122223333:t') } })),
    });
    expect(() => app.synth()).toThrow('[Full/Fleet] Shard 0 of camera fleet Full/Fleet holds 50 cameras in 116 resources (100 for the cameras, up to 2 each, and 16 shared), '
      + 'over maxResourcesPerShard 100: it has room for about 42 such cameras. Raise shards (now 1); that moves about (new - old) / new of the cameras '
      + 'to the new shards and replaces their streams, unless you first pass the fleet\'s current placement as placement (docs/camera-fleet.md, '
      + '"Changing the shard count"). Or raise maxResourcesPerShard, at most 500.');
  });

  test('fails on an unknown camera or site', () => {
    const f = fleet({ cameras: [{ name: 'a', site: 'lobby' }] });
    expect(() => f.stream('b')).toThrow('Invalid name "b": must be the name of a camera of fleet S/Fleet');
    expect(() => f.streamsAt('yard')).toThrow('Invalid site "yard": must be a site of fleet S/Fleet (lobby)');
  });
});

describe('the fleet\'s streams and sites', () => {
  test('are in the order of the inventory, grouped by site', () => {
    const f = new CameraFleet(new Stack(new App(), 'S'), 'Fleet', {
      shards: 3,
      cameras: [{ name: 'y2', site: 'yard' }, { name: 'l1', site: 'lobby' }, { name: 'y1', site: 'yard' }, { name: 'x' }],
    });
    expect(f.streams.map((s) => s.streamName)).toEqual(['y2', 'l1', 'y1', 'x']);
    expect(f.sites).toEqual(['lobby', 'yard']);
    expect(f.streamsAt('yard').map((s) => s.streamName)).toEqual(['y2', 'y1']);
    expect(f.stream('l1')).toBeInstanceOf(Stream);
    expect(f.placement).toEqual({ y2: shardOfName('y2', 3), l1: shardOfName('l1', 3), y1: shardOfName('y1', 3), x: shardOfName('x', 3) });
  });

  test('a stream referenced from the parent comes through a nested stack output, not an export', () => {
    const stack = new Stack(new App(), 'Parent');
    const f = new CameraFleet(stack, 'Fleet', { shards: 1, cameras: [{ name: 'a' }] });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    f.stream('a').grantRead(role);
    const shard = Template.fromStack(f.shardStacks[0]).toJSON();
    const [output] = Object.values(shard.Outputs as Record<string, any>);
    expect(output.Export).toBeUndefined();
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('Outputs.ParentFleetShard0a');
  });
});

describe('fleet grants', () => {
  function grantedFleet(count: number) {
    const app = new App();
    const stack = new Stack(app, 'Grants', { env: ENV });
    const topic = sns.Topic.fromTopicArn(stack, 'Events', 'arn:aws:sns:eu-west-1:111122223333:events');
    const bucket = s3.Bucket.fromBucketName(stack, 'Images', 'images');
    const fleet = new CameraFleet(stack, 'Fleet', {
      shards: PROMISED_SHARDS,
      cameras: cameraIndexes(count).map((i) => ({
        name: fleetCameraName(i),
        notifications: { topic },
        imageGeneration: { bucket, keyPrefix: `sites/${fleetCameraName(i)}`, samplingInterval: Duration.seconds(10) },
      })),
    });
    const role = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
    fleet.grantWrite(role);
    return { stack, role, policy: resolvedDefaultPolicy(stack, role) };
  }

  test('name every stream while the names fit, with the topic and the cameras\' common key prefix', () => {
    const { policy } = grantedFleet(3);
    expect(policy.Statement).toEqual([
      {
        Action: ['kinesisvideo:PutMedia', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:DescribeStream'],
        Effect: 'Allow',
        Resource: ['site00-cam-0000', 'site00-cam-0001', 'site00-cam-0002'].map((n) => `arn:aws:kinesisvideo:eu-west-1:111122223333:stream/${n}/*`),
      },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: 'arn:aws:sns:eu-west-1:111122223333:events' },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: 'arn:aws:s3:::images/sites/site00-cam-000*' },
    ]);
  });

  test('group 2,000 streams by their longest shared prefixes within 2,048 characters, and IAM allows exactly the fleet', async () => {
    const { stack, role, policy } = grantedFleet(PROMISED_CAMERAS);
    expect(policy.Statement[0].Resource).toEqual(Array.from({ length: 20 }, (_, s) => {
      const site = String(s).padStart(2, '0');
      return `arn:aws:kinesisvideo:eu-west-1:111122223333:stream/site${site}-cam-${String(s).padStart(2, '0')}*`;
    }));
    const size = resolvedPolicySize(stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document.toJSON()));
    expect(size).toBeLessThan(2_048 + 400);
    const arn = (name: string) => `arn:aws:kinesisvideo:eu-west-1:111122223333:stream/${name}/1700000000000`;
    const decisions = await Promise.all(cameraIndexes(PROMISED_CAMERAS).map((i) => decide(policy, 'kinesisvideo:PutMedia', arn(fleetCameraName(i)))));
    expect(new Set(decisions)).toEqual(new Set(['Allowed']));
    expect(await decide(policy, 'kinesisvideo:PutMedia', arn('site20-cam-2000'))).toBe('ImplicitlyDenied');
    expect(await decide(policy, 'kinesisvideo:DeleteStream', arn(fleetCameraName(0)))).toBe('ImplicitlyDenied');
  });
});

describe('CameraInventory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'camera-inventory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:events';

  function read(json: unknown): CameraInventory {
    const file = join(dir, 'cameras.json');
    writeFileSync(file, JSON.stringify(json));
    return CameraInventory.fromJsonFile(new Stack(new App(), 'S', { env: ENV }), 'Inventory', file);
  }

  test('reads every field, importing each topic, bucket and secret once', () => {
    const inventory = read({
      cameras: [
        {
          name: 'lobby-cam-1',
          site: 'lobby',
          dataRetentionHours: 168,
          mediaType: 'video/h264',
          deviceName: 'lobby-01',
          storageTier: 'WARM',
          tags: { owner: 'facilities' },
          removalPolicy: 'DESTROY',
          allowRetentionDecrease: true,
          notifications: { topicArn: TOPIC },
          imageGeneration: { bucketName: 'images', keyPrefix: 'lobby/1', samplingIntervalMillis: 5000, format: 'JPEG', jpegQuality: 70, widthPixels: 640 },
          edge: {
            hubDeviceThingName: 'lobby-hub',
            mediaSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:lobby-AbCdEf',
            mediaUriType: 'RTSP_URI',
            uploaderSchedule: { expression: '0 0 * * * ?', durationSeconds: 1800 },
            edgeRetentionHours: 48,
          },
        },
        { name: 'lobby-cam-2', notifications: { topicArn: TOPIC }, imageGeneration: { bucketArn: 'arn:aws:s3:::images', samplingIntervalMillis: 1000 } },
      ],
    });
    const [first, second] = inventory.cameras;
    expect(first.name).toBe('lobby-cam-1');
    expect(first.dataRetention!.toHours()).toBe(168);
    expect(first.mediaType!.value).toBe('video/h264');
    expect(first.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(first.notifications!.topic).toBe(second.notifications!.topic);
    expect(first.notifications!.topic.topicArn).toBe(TOPIC);
    expect(first.imageGeneration!.bucket.bucketName).toBe('images');
    expect(first.imageGeneration!.samplingInterval.toMilliseconds()).toBe(5000);
    expect(first.edge!.edgeRetention!.toHours()).toBe(48);
    expect(first.edge!.uploaderSchedule!.duration.toSeconds()).toBe(1800);
    expect(inventory.node.children).toHaveLength(4);

    const fleet = new CameraFleet(inventory.node.scope!, 'Fleet', { shards: 2, cameras: inventory.cameras });
    const shard = Template.fromStack(fleet.shardStacks.find((s) => fleet.shardOf('lobby-cam-1') === Number(s.node.id.slice(5)))!);
    shard.hasResourceProperties('Custom::KinesisVideoStreamConfiguration', {
      NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: TOPIC } },
    });
  });

  test.each([
    [{ cameras: [{ name: 'a', dataRetentionHour: 24 }] }, 'Invalid cameras[0].dataRetentionHour "24": must be unset: "dataRetentionHour" is not a field here (the fields are name, site, dataRetentionHours, mediaType, deviceName, storageTier, tags, removalPolicy, allowRetentionDecrease, notifications, imageGeneration, edge)'],
    [{ cameras: [{ name: 'a' }, { name: 'b c' }] }, 'Invalid cameras[1].name "b c": must be 1-256 characters of [a-zA-Z0-9_.-]'],
    [{ cameras: [{ site: 'x' }] }, 'Invalid cameras[0].name "(missing)": must be given'],
    [{ cameras: [{ name: 'a', dataRetentionHours: '24' }] }, 'Invalid cameras[0].dataRetentionHours "24": must be a number'],
    [{ cameras: [{ name: 'a', storageTier: 'COLD' }] }, 'Invalid cameras[0].storageTier "COLD": must be one of HOT, WARM'],
    [{ cameras: [{ name: 'a', mediaType: 'h264' }] }, 'Invalid cameras[0].mediaType "h264": must be a media type such as "video/h264,audio/aac"'],
    [{ cameras: [{ name: 'a', notifications: { topicArn: 'events' } }] }, 'Invalid cameras[0].notifications.topicArn "events": must be an SNS topic ARN arn:<partition>:sns:<region>:<account>:<name>'],
    [{ cameras: [{ name: 'a', imageGeneration: { samplingIntervalMillis: 1000 } }] }, 'Invalid cameras[0].imageGeneration "{"samplingIntervalMillis":1000}": must be an object with bucketName or bucketArn, one of the two'],
    [{ cameras: [{ name: 'a', tags: { 'aws:x': 'y' } }] }, 'Invalid tag key "aws:x": must be a key that does not start with "aws:" (reserved by AWS)'],
    [{ cameras: [{ name: 'a', edge: { hubDeviceThingName: 'h/1', mediaSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCdEf', mediaUriType: 'RTSP_URI' } }] },
      'Invalid cameras[0].edge.hubDeviceThingName "h/1": must be 1-128 characters of [a-zA-Z0-9_.-] (the thing names that HubDeviceArn allows)'],
    [{ camera: [] }, 'Invalid camera "[]": must be unset: "camera" is not a field here (the fields are cameras)'],
  ])('fails on %j', (json, message) => {
    expect(() => read(json)).toThrow(`${join(dir, 'cameras.json')}: ${message}`);
  });

  test('fails on a file that is not JSON, naming the file', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "cameras": [ ');
    expect(() => CameraInventory.fromJsonFile(new Stack(new App(), 'S'), 'I', file)).toThrow(`Cannot read the camera inventory ${file}: `);
  });

  test('fromObject names the inventory in its errors', () => {
    expect(() => CameraInventory.fromObject(new Stack(new App(), 'S'), 'I', { cameras: 'all' }))
      .toThrow('the camera inventory: Invalid cameras "all": must be a list');
  });
});

describe('compliance of a fleet\'s templates', () => {
  function lintableFleet(app: App): CameraFleet {
    const stack = new Stack(app, 'LintedFleet', { env: ENV });
    const topic = new sns.Topic(stack, 'Events');
    const bucket = new s3.Bucket(stack, 'Images');
    return new CameraFleet(stack, 'Fleet', {
      shards: 3,
      cameras: cameraIndexes(300).map((i) => ({
        name: fleetCameraName(i),
        dataRetention: Duration.days(2),
        notifications: { topic },
        imageGeneration: { bucket, keyPrefix: `cams/${i}`, samplingInterval: Duration.seconds(30) },
      })),
    });
  }

  test('cfn-lint passes the parent and every shard template', () => {
    const app = new App();
    expect(lintableFleet(app).shardStacks).toHaveLength(3);
    expect(cfnLintErrors(app)).toBe('');
  });

  test('cfn-lint fails on an error in a shard template, so that the check above can fail', () => {
    const app = new App();
    const fleet = lintableFleet(app);
    new CfnResource(fleet.shardStacks[1], 'Broken', { type: 'AWS::KinesisVideo::Stream', properties: { DataRetentionInHours: 'a day' } });
    expect(cfnLintErrors(app)).toMatch(/\.nested\.template\.json:\d+:\d+:\d+:\d+:E3012:'a day' is not of type 'integer'/);
  });

  test('cdk-nag sees the shards\' resources, and finds nothing on the library\'s', () => {
    const app = new App();
    const fleet = lintableFleet(app);
    // A resource of the user's in a shard, with findings: proof that the shards are checked at all.
    new s3.Bucket(fleet.shardStacks[0], 'UserBucket');
    Aspects.of(app).add(new AwsSolutionsChecks());
    const stack = Stack.of(fleet);
    const findings = [...Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('^AwsSolutions-')),
      ...Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('^AwsSolutions-'))].map((m) => m.id);
    expect(findings.some((path) => path.startsWith('/LintedFleet/Fleet/Shard0/UserBucket/'))).toBe(true);
    expect(findings.filter((path) => path.startsWith('/LintedFleet/Fleet/') && !path.includes('/UserBucket/'))).toEqual([]);
  });
});

describe('the handler policy of a shard', () => {
  test('names only the shard\'s streams when they fit', () => {
    const stack = new Stack(new App(), 'S');
    const fleet = new CameraFleet(stack, 'Fleet', { shards: 2, cameras: ['a1', 'a2', 'a3', 'a4'].map((name) => ({ name })) });
    for (const nested of fleet.shardStacks) {
      const names = ['a1', 'a2', 'a3', 'a4'].filter((n) => fleet.shardOf(n) === Number(nested.node.id.slice(5)));
      const statement = handlerPolicy(nested as NestedStack).Statement[0];
      expect(JSON.stringify([statement.Resource].flat())).toEqual(JSON.stringify(names.map((n) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stream/${n}/*`]],
      }))));
    }
  });
});
