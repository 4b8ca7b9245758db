import { ArnFormat, CfnResource, Duration, NestedStack, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnStream } from 'aws-cdk-lib/aws-kinesisvideo';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { EdgeConfiguration, EdgeConfigurationOptions } from './edge-configuration';
import { ImageGenerationOptions } from './image-generation';
import { MediaType } from './media-type';
import { NotificationOptions } from './notification';
import { PLAYBACK_ACTIONS, PRODUCER_ACTIONS, READ_ACTIONS } from './private/device-actions';
import { commonPrefix, namePatterns, shardOfName } from './private/fleet-placement';
import { resolvedPolicySize } from './private/scoped-policy';
import { assertRange, invalid, validateStreamName, validateTags } from './private/validation';
import { IStream, StorageTier, Stream } from './stream';

/** CloudFormation's limit on the resources of one stack, nested stacks included. */
const STACK_RESOURCE_LIMIT = 500;

/** The default budget of a shard: a tenth of CloudFormation's limit kept free (see `maxResourcesPerShard`). */
const DEFAULT_MAX_RESOURCES_PER_SHARD = 450;

/**
 * The parent stack holds one resource per shard, besides its own: this many leaves room for the parent's other
 * resources within its 500.
 */
const MAX_SHARDS = 400;

/**
 * The characters the streams of one fleet grant may take, resolved (`resolvedPolicySize`): a fifth of IAM's 10,240
 * for the inline policies of a role, so that a role holds several fleet grants besides its own statements.
 */
const GRANT_STREAM_BUDGET = 2_048;

/** The construct id of a camera's edge configuration, under its stream: public contract. */
const EDGE_ID = 'EdgeConfiguration';

/**
 * One camera of a fleet: its stream and the stream's configurations.
 */
export interface CameraSpec {
  /**
   * The name of the camera's stream: 1-256 characters of `[a-zA-Z0-9_.-]`, unique in the fleet (and in the account
   * and region). The name alone decides the camera's shard and the logical id of its stream, so renaming a camera
   * replaces its stream.
   */
  readonly name: string;

  /**
   * Where the camera is, for `CameraFleet.streamsAt`. It changes no resource.
   *
   * @default - no site
   */
  readonly site?: string;

  /**
   * How long the stream keeps its data: a whole number of hours from 0 to 87600.
   *
   * @default Duration.hours(24) - as `Stream`
   */
  readonly dataRetention?: Duration;

  /**
   * The media type of the stream's tracks.
   *
   * @default - no media type
   */
  readonly mediaType?: MediaType;

  /**
   * The name of the device that writes to the stream: 1-128 characters of `[a-zA-Z0-9_.-]`.
   *
   * @default - no device name
   */
  readonly deviceName?: string;

  /**
   * The default storage tier of the stream's data.
   *
   * @default - the service's default, HOT
   */
  readonly storageTier?: StorageTier;

  /**
   * Notifications to an SNS topic, as `Stream.configureNotifications`.
   *
   * @default - no notifications
   */
  readonly notifications?: NotificationOptions;

  /**
   * Image generation into an S3 bucket, as `Stream.configureImageGeneration`.
   *
   * @default - no image generation
   */
  readonly imageGeneration?: ImageGenerationOptions;

  /**
   * The Edge Agent configuration of the camera's stream, as `EdgeConfiguration`.
   *
   * @default - no edge configuration
   */
  readonly edge?: EdgeConfigurationOptions;

  /**
   * Tags of the stream: at most 50.
   *
   * @default - no tags besides those applied with `Tags.of`
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the stream, and the video it holds, when it leaves the fleet or is replaced.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether a deployment may lower the stream's data retention (see `StreamProps.allowRetentionDecrease`).
   *
   * @default false
   */
  readonly allowRetentionDecrease?: boolean;
}

/**
 * Properties of a camera fleet.
 */
export interface CameraFleetProps {
  /**
   * The cameras, in any order: the order changes nothing. From code, or from a JSON file with
   * `CameraInventory.fromJsonFile`.
   */
  readonly cameras: CameraSpec[];

  /**
   * How many shards (nested stacks) the cameras are spread over: a whole number from 1 to 400. A camera's shard is a
   * consistent hash of its name over this count, so adding, removing or reordering cameras moves no camera.
   *
   * Choose it for the fleet's expected maximum: about `cameras × resources per camera / (maxResourcesPerShard − 16)`,
   * plus a quarter for the spread of the hash (2,000 cameras with a configuration each: 12). Raising it later moves
   * about `(new − old) / new` of the cameras to the new shards, which replaces their streams: pin the current
   * placement first (`placement`), and raising it moves none.
   */
  readonly shards: number;

  /**
   * Cameras pinned to a shard, by name: typically the fleet's `placement` of the last deployment, committed as a JSON
   * file. A pinned camera stays in its shard whatever `shards` becomes; the others are placed by the hash. Pins of
   * cameras that are not in `cameras` are ignored, so a removed camera that comes back returns to its shard.
   *
   * @default - every camera is placed by the hash of its name
   */
  readonly placement?: { [cameraName: string]: number };

  /**
   * The most resources a shard may hold: its cameras (each as many as its configurations need, measured) and the 16
   * it shares among them (the custom-resource provider and the retention guard). Synth fails when a shard holds more.
   * At most 500, CloudFormation's limit; the default keeps a tenth of it free for what you add to a shard.
   *
   * @default 450
   */
  readonly maxResourcesPerShard?: number;
}

/** What a shard of a fleet holds, measured in its construct tree when the app synthesizes. */
interface ShardUsage {
  readonly cameras: number;
  readonly resources: number;
  readonly cameraResources: number;
  readonly mostPerCamera: number;
}

/**
 * A fleet of cameras, each a `Stream` with its configurations, spread over nested stacks (shards) so that it is not
 * bound by the 500 resources of one stack.
 *
 * **Placement never moves a camera.** A camera's shard is a function of its name and the shard count only (a jump
 * consistent hash of the name's SHA-256), and the stream's construct id is its name: adding, removing or reordering
 * cameras leaves every other stream in its shard with its logical id. Each shard is a stack of its own, with its own
 * provider, scoped handler policy and retention guard.
 *
 * @example
 * declare const topic: sns.ITopic;
 * const fleet = new CameraFleet(this, 'Fleet', {
 *   shards: 12,
 *   cameras: [
 *     { name: 'lobby-cam-1', site: 'lobby', dataRetention: Duration.days(7), notifications: { topic } },
 *   ],
 * });
 */
export class CameraFleet extends Construct {
  /** The shards that hold cameras, in the order of their number. A shard without cameras is not created. */
  public readonly shardStacks: NestedStack[];

  /** The shard count the cameras are placed over. */
  public readonly shards: number;

  private readonly specs = new Map<string, CameraSpec>();
  private readonly streamsByName = new Map<string, Stream>();
  private readonly shardByName = new Map<string, number>();
  private readonly maxResourcesPerShard: number;

  constructor(scope: Construct, id: string, props: CameraFleetProps) {
    super(scope, id);
    assertRange('shards', props.shards, 1, MAX_SHARDS);
    this.shards = props.shards;
    this.maxResourcesPerShard = props.maxResourcesPerShard ?? DEFAULT_MAX_RESOURCES_PER_SHARD;
    assertRange('maxResourcesPerShard', this.maxResourcesPerShard, 1, STACK_RESOURCE_LIMIT);
    this.validateCameras(props.cameras);
    const pins = props.placement ?? {};
    for (const [name, shard] of Object.entries(pins)) assertRange(`placement["${name}"]`, shard, 0, props.shards - 1);

    const byShard = new Map<number, number[]>();
    props.cameras.forEach((camera, index) => {
      const shard = pins[camera.name] ?? shardOfName(camera.name, props.shards);
      this.shardByName.set(camera.name, shard);
      const indexes = byShard.get(shard);
      if (indexes) indexes.push(index);
      else byShard.set(shard, [index]);
    });
    this.shardStacks = [...byShard.keys()].sort((a, b) => a - b).map((shard) => {
      const stack = new NestedStack(this, `Shard${shard}`, { description: `Cameras of ${this.node.path}, shard ${shard} (cdk-kinesis-video CameraFleet)` });
      // By name within the shard, so that the order of the inventory changes no template, not even the order in it.
      const indexes = byShard.get(shard)!.sort((a, b) => compareNames(props.cameras[a].name, props.cameras[b].name));
      for (const index of indexes) {
        const camera = props.cameras[index];
        this.streamsByName.set(camera.name, addCamera(stack, camera, index));
      }
      this.node.addValidation({ validate: () => this.validateShard(shard, stack) });
      return stack;
    });
    // Inventory order, whatever the placement.
    for (const camera of props.cameras) this.specs.set(camera.name, camera);
  }

  /** Every camera's stream, in the order of the inventory. */
  public get streams(): IStream[] {
    return [...this.specs.keys()].map((name) => this.streamsByName.get(name)!);
  }

  /** The sites of the cameras, sorted. */
  public get sites(): string[] {
    return [...new Set([...this.specs.values()].flatMap((c) => (c.site === undefined ? [] : [c.site])))].sort();
  }

  /** The shard of every camera, by name: commit it and pass it as `placement` before changing `shards`. */
  public get placement(): { [cameraName: string]: number } {
    return Object.fromEntries([...this.specs.keys()].map((name) => [name, this.shardByName.get(name)!]));
  }

  /** The stream of the camera `name`. */
  public stream(name: string): IStream {
    const stream = this.streamsByName.get(name);
    if (!stream) throw invalid('name', name, `the name of a camera of fleet ${this.node.path}`);
    return stream;
  }

  /** The shard number of the camera `name`. */
  public shardOf(name: string): number {
    this.stream(name);
    return this.shardByName.get(name)!;
  }

  /** The streams of the cameras at `site`, in the order of the inventory. */
  public streamsAt(site: string): IStream[] {
    const streams = [...this.specs.values()].filter((c) => c.site === site).map((c) => this.streamsByName.get(c.name)!);
    if (streams.length === 0) throw invalid('site', site, `a site of fleet ${this.node.path} (${this.sites.join(', ') || 'no camera has a site'})`);
    return streams;
  }

  /**
   * Grants what a producer needs on every camera of the fleet: `kinesisvideo:PutMedia`, `GetDataEndpoint` and
   * `DescribeStream` on the fleet's streams, `sns:Publish` on their notification topics and `s3:PutObject` in their
   * image buckets under the cameras' common key prefix (with the keys of encrypted topics and buckets).
   *
   * The streams are named in the grant, not referenced, so the grantee's stack needs nothing from the shards: each by
   * name while the names fit 2,048 characters, otherwise grouped by their longest shared prefixes (`<prefix>*`, see
   * docs/camera-fleet.md). For one camera's stream exactly, use `stream(name).grantWrite`.
   *
   * @param grantee the producers (for example the role of `CameraFleetIdentity`)
   */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    const grants = [this.grantStreams(grantee, PRODUCER_ACTIONS)];
    const cameras = [...this.specs.values()];
    for (const topic of distinct(cameras.flatMap((c) => (c.notifications ? [c.notifications.topic] : [])), (t) => t.topicArn)) {
      grants.push(iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topic.topicArn] }));
      if (topic.masterKey) grants.push(topic.masterKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt'));
    }
    const images = cameras.flatMap((c) => (c.imageGeneration ? [c.imageGeneration] : []));
    for (const bucket of distinct(images.map((i) => i.bucket), (b: s3.IBucket) => b.bucketName)) {
      const prefix = commonPrefix(images.filter((i) => i.bucket.bucketName === bucket.bucketName).map((i) => i.keyPrefix ?? ''));
      grants.push(iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [bucket.arnForObjects(`${prefix}*`)] }));
      if (bucket.encryptionKey) grants.push(bucket.encryptionKey.grant(grantee, 'kms:GenerateDataKey'));
    }
    return grants.reduce((all, grant) => all.combine(grant));
  }

  /**
   * Grants what a consumer needs to read live and archived media of every camera, as `Stream.grantRead` does, on the
   * fleet's streams named as in `grantWrite`.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grantStreams(grantee, READ_ACTIONS);
  }

  /**
   * Grants what a player's backend needs for HLS and DASH playback URLs and clips of every camera, as
   * `Stream.grantPlayback` does, on the fleet's streams named as in `grantWrite`.
   */
  public grantPlayback(grantee: iam.IGrantable): iam.Grant {
    return this.grantStreams(grantee, PLAYBACK_ACTIONS);
  }

  /** `actions` on the fleet's streams, named as tightly as `GRANT_STREAM_BUDGET` allows. */
  private grantStreams(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const stack = Stack.of(this);
    const arn = (resourceName: string) => stack.formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    // The ARN up to the name, at its longest resolved length; each pattern adds its quotes and a comma.
    const arnLength = resolvedPolicySize(stack.resolve(arn('N'))) - 3;
    const fits = (patterns: string[]) => patterns.reduce((sum, p) => sum + arnLength + p.length + 3, 0) <= GRANT_STREAM_BUDGET;
    const patterns = namePatterns([...this.specs.keys()], fits);
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: patterns.map(arn) });
  }

  /** Empty inventory, invalid or duplicate names, invalid tags: each names the camera's index and the value. */
  private validateCameras(cameras: CameraSpec[]): void {
    if (!Array.isArray(cameras) || cameras.length === 0) throw invalid('cameras', JSON.stringify(cameras ?? null), 'a list of at least one camera');
    const seen = new Map<string, number>();
    cameras.forEach((camera, i) => {
      if (typeof camera?.name !== 'string' || Token.isUnresolved(camera.name)) {
        throw invalid(`cameras[${i}].name`, camera?.name, 'a stream name known at synth time: it decides the camera\'s shard');
      }
      validateStreamName(camera.name, `cameras[${i}].name`);
      const first = seen.get(camera.name);
      if (first !== undefined) throw invalid(`cameras[${i}].name`, camera.name, `unique in the fleet (cameras[${first}] has it too)`);
      seen.set(camera.name, i);
      validateTags(camera.tags ?? {});
    });
  }

  /** The shard's resources, counted when the app synthesizes (after everything was added to it), within the budget. */
  private validateShard(shard: number, stack: NestedStack): string[] {
    const usage = measureShard(stack, [...this.shardByName].filter(([, s]) => s === shard).map(([name]) => this.streamsByName.get(name)!));
    if (usage.resources <= this.maxResourcesPerShard) return [];
    const shared = usage.resources - usage.cameraResources;
    const capacity = Math.floor((this.maxResourcesPerShard - shared) / usage.mostPerCamera);
    return [`Shard ${shard} of camera fleet ${this.node.path} holds ${usage.cameras} cameras in ${usage.resources} resources `
      + `(${usage.cameraResources} for the cameras, up to ${usage.mostPerCamera} each, and ${shared} shared), over maxResourcesPerShard `
      + `${this.maxResourcesPerShard}: it has room for about ${capacity} such cameras. Raise shards (now ${this.shards}); that moves about `
      + '(new - old) / new of the cameras to the new shards and replaces their streams, unless you first pass the fleet\'s current '
      + 'placement as placement (docs/camera-fleet.md, "Changing the shard count"). Or raise maxResourcesPerShard, at most 500.'];
  }
}

/**
 * Adds one camera to its shard, an invalid value failing with the camera's index and name: the stream, named and identified by the camera's name, and its configurations
 * (under the stream, so that the stream's subtree holds every resource the camera costs).
 */
function addCamera(shard: NestedStack, camera: CameraSpec, index: number): Stream {
  try {
    return buildCamera(shard, camera);
  } catch (e) {
    throw new Error(`cameras[${index}] (${camera.name}): ${(e as Error).message}`);
  }
}

function buildCamera(shard: NestedStack, camera: CameraSpec): Stream {
  const stream = new Stream(shard, camera.name, {
    streamName: camera.name,
    dataRetention: camera.dataRetention,
    mediaType: camera.mediaType,
    deviceName: camera.deviceName,
    storageTier: camera.storageTier,
    removalPolicy: camera.removalPolicy,
    allowRetentionDecrease: camera.allowRetentionDecrease,
  });
  const resource = stream.node.defaultChild as CfnStream;
  for (const [key, value] of Object.entries(camera.tags ?? {})) resource.tags.setTag(key, value);
  if (camera.notifications) stream.configureNotifications(camera.notifications);
  if (camera.imageGeneration) stream.configureImageGeneration(camera.imageGeneration);
  if (camera.edge) new EdgeConfiguration(stream, EDGE_ID, { ...camera.edge, stream });
  return stream;
}

/** Resources of `stack` itself (not of stacks nested in it), and those under each of `streams`. */
function measureShard(stack: Stack, streams: Stream[]): ShardUsage {
  const ownResources = (root: IConstruct) => root.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
  const perCamera = streams.map(ownResources);
  return {
    cameras: streams.length,
    resources: ownResources(stack),
    cameraResources: perCamera.reduce((a, b) => a + b, 0),
    mostPerCamera: Math.max(1, ...perCamera),
  };
}

/** Code-unit order, the same in every locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first of each key, in order. */
function distinct<T>(values: T[], key: (value: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const value of values) if (!byKey.has(key(value))) byKey.set(key(value), value);
  return [...byKey.values()];
}
