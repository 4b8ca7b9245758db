/**
 * The "kitchen sink": stacks that use every construct and every option of the library, shared by the compliance
 * tests (cfn-lint, cdk-nag). Add a scenario to `SCENARIOS` when a construct or an option lands, and every compliance
 * test covers it.
 */
import { App, ArnFormat, CfnParameter, Duration, Environment, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  CameraFleetIdentity,
  CameraStreamNaming,
  ChannelSettings,
  EdgeConfiguration,
  EdgeSyncWait,
  HubDevice,
  ImageFormat,
  ImageSelector,
  IStream,
  MediaType,
  MediaUriType,
  SignalingChannel,
  SignalingChannelType,
  StorageTier,
  StrategyOnFullSize,
  AlarmGranularity,
  CameraFleet,
  CameraInventory,
  Stream,
  StreamMonitoring,
  StreamSettings,
  PlaybackAuthorization,
  StreamPlaybackApi,
} from '../../src';

/** A concrete account and region, for the stacks whose scenario needs them (cross-region checks, ARN imports). */
export const TEST_ENV: Environment = { account: '111122223333', region: 'eu-west-1' };

/** One group of constructs, built into a stack of its own. */
export interface Scenario {
  /** The stack's id: a short PascalCase name. */
  readonly id: string;
  /** What the scenario covers, for test names and messages. */
  readonly description: string;
  /** The stack's environment; environment-agnostic when absent. */
  readonly env?: Environment;
  /** Adds the scenario's constructs to `stack`. */
  build(stack: Stack): void;
}

/**
 * The supporting resources of a stack, created the way a compliance-minded user would (encrypted, TLS-only, no public
 * access), so that the compliance tests see findings on the library's resources only.
 */
export class Support {
  private key?: kms.Key;
  private topic?: sns.Topic;
  private bucket?: s3.Bucket;
  private readonly roles = new Map<string, iam.Role>();

  constructor(private readonly stack: Stack) {}

  /** A customer managed key with rotation. */
  public encryptionKey(): kms.Key {
    this.key ??= new kms.Key(this.stack, 'VideoKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
    return this.key;
  }

  /** A standard topic, encrypted and TLS-only. */
  public notificationTopic(): sns.Topic {
    this.topic ??= new sns.Topic(this.stack, 'CameraEvents', {
      enforceSSL: true,
      masterKey: this.encryptionKey(),
    });
    return this.topic;
  }

  /** A private, KMS-encrypted, TLS-only bucket with access logs, destroyed with the stack. */
  public imageBucket(): s3.Bucket {
    if (!this.bucket) {
      const common: s3.BucketProps = {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.DESTROY,
        autoDeleteObjects: true,
      };
      // Server access logs can only be delivered to a bucket encrypted with S3-managed keys.
      const logs = new s3.Bucket(this.stack, 'AccessLogs', {
        ...common,
        encryption: s3.BucketEncryption.S3_MANAGED,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      });
      this.bucket = new s3.Bucket(this.stack, 'Images', {
        ...common,
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.encryptionKey(),
        serverAccessLogsBucket: logs,
      });
    }
    return this.bucket;
  }

  /** A role for the grants, assumed by a principal that fits its use. */
  public role(id: string, principal: iam.IPrincipal = new iam.ServicePrincipal('credentials.iot.amazonaws.com')): iam.Role {
    let role = this.roles.get(id);
    if (!role) {
      role = new iam.Role(this.stack, id, { assumedBy: principal });
      this.roles.set(id, role);
    }
    return role;
  }
}

/** Every grant and metric of a stream, each on its own role so that a finding names the grant. */
function exerciseStream(stack: Stack, support: Support, stream: IStream, prefix: string): void {
  stream.grantWrite(support.role(`${prefix}Producer`));
  stream.grantRead(support.role(`${prefix}Consumer`, new iam.ServicePrincipal('lambda.amazonaws.com')));
  stream.grantPlayback(support.role(`${prefix}Player`, new iam.ServicePrincipal('lambda.amazonaws.com')));
  stream.grant(support.role(`${prefix}Custom`, new iam.ServicePrincipal('lambda.amazonaws.com')), 'kinesisvideo:ListFragments');
  new cloudwatch.Alarm(stack, `${prefix}Silent`, {
    metric: stream.metricPutMediaIncomingFragments(),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
}

/** Long names overflow IAM's 10,240-character inline policy limit with few resources. */
const LONG_NAME = 'x'.repeat(200);
/** Enough long names to overflow that limit. */
const FLEET_SIZE = 50;

/** The ARN of a stream or channel created elsewhere: configurations need exact stream ARNs. */
function importedArn(stack: Stack, resource: 'stream' | 'channel', name: string): string {
  return stack.formatArn({ service: 'kinesisvideo', resource, resourceName: `${name}/1700000000000` });
}

/**
 * A fleet of imported streams and channels, each with a configuration, whose names come from `nameOf`: the handler
 * policy cannot name them one by one.
 */
function buildFleet(stack: Stack, nameOf: (i: number) => string): void {
  const support = new Support(stack);
  for (let i = 0; i < FLEET_SIZE; i++) {
    const stream = Stream.fromStreamArn(stack, `Camera${i}`, importedArn(stack, 'stream', nameOf(i)));
    stream.configureNotifications({ topic: support.notificationTopic() });
    SignalingChannel.fromChannelName(stack, `Channel${i}`, nameOf(i)).enableMediaStorage(stream);
  }
}

/**
 * Every scenario. Each builds one stack; together they use every construct and every option.
 */
export const SCENARIOS: Scenario[] = [
  {
    id: 'OwnedStreams',
    description: 'owned streams with every prop, both configurations with every option, grants and metrics',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const full = new Stream(stack, 'FullStream', {
        streamName: 'site1-front-door',
        dataRetention: Duration.days(7),
        deviceName: 'doorbell-01',
        mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
        encryptionKey: support.encryptionKey(),
        storageTier: StorageTier.WARM,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Tags.of(full).add('site', 'site1');
      full.configureNotifications({ topic: support.notificationTopic() });
      full.configureImageGeneration({
        bucket: support.imageBucket(),
        keyPrefix: 'site1/front-door',
        samplingInterval: Duration.seconds(5),
        format: ImageFormat.JPEG,
        jpegQuality: 70,
        imageSelector: ImageSelector.PRODUCER_TIMESTAMP,
        widthPixels: 1280,
        heightPixels: 720,
      });
      exerciseStream(stack, support, full, 'Full');

      // Defaults everywhere: generated name, 24 hours, RETAIN, the guard.
      const plain = new Stream(stack, 'DefaultStream');
      plain.configureNotifications({ topic: support.notificationTopic(), enabled: false });
      plain.configureImageGeneration({
        bucket: support.imageBucket(),
        samplingInterval: Duration.millis(200),
        format: ImageFormat.PNG,
        enabled: false,
      });

      // Live-only, outside the guard, with the other media types and the HOT tier.
      new Stream(stack, 'LiveOnlyStream', {
        streamName: 'site1-live',
        dataRetention: Duration.hours(0),
        mediaType: MediaType.of(MediaType.H265, MediaType.G711_ALAW, MediaType.G711_MULAW),
        storageTier: StorageTier.HOT,
        allowRetentionDecrease: true,
      });
      new Stream(stack, 'CustomMediaStream', { mediaType: MediaType.custom('video/x-custom+raw') });
    },
  },
  {
    id: 'ImportedStreams',
    description: 'streams imported by ARN (with both configurations), by name and by a token ARN, with grants',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const byArn = Stream.fromStreamAttributes(stack, 'ByArn', {
        streamArn: stack.formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName: 'lobby/1700000000000' }),
        encryptionKey: support.encryptionKey(),
      });
      byArn.configureNotifications({ topic: support.notificationTopic() });
      byArn.configureImageGeneration({ bucket: support.imageBucket(), keyPrefix: 'lobby', samplingInterval: Duration.seconds(1) });
      exerciseStream(stack, support, byArn, 'ByArn');

      // By name only: grants (on stream/<name>/*), but no configuration, which needs the exact ARN.
      const byName = Stream.fromStreamName(stack, 'ByName', 'garage');
      exerciseStream(stack, support, byName, 'ByName');

      const arnParameter = new CfnParameter(stack, 'ImportedStreamArn', { type: 'String' });
      const byToken = Stream.fromStreamArn(stack, 'ByToken', arnParameter.valueAsString);
      exerciseStream(stack, support, byToken, 'ByToken');
    },
  },
  {
    id: 'SignalingChannels',
    description: 'owned and imported signaling channels with every prop, grants and WebRTC media storage',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const recording = new Stream(stack, 'Recording', { streamName: 'site1-doorbell', dataRetention: Duration.days(30), removalPolicy: RemovalPolicy.DESTROY });
      const channel = new SignalingChannel(stack, 'Doorbell', {
        channelName: 'site1-doorbell',
        type: SignalingChannelType.SINGLE_MASTER,
        messageTtl: Duration.seconds(30),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Tags.of(channel).add('site', 'site1');
      const device = support.role('DoorbellDevice');
      const viewer = support.role('DoorbellViewer', new iam.ServicePrincipal('lambda.amazonaws.com'));
      channel.grantJoinStorageSession(device);
      channel.enableMediaStorage(recording);
      channel.grantConnectAsMaster(device);
      channel.grantConnectAsViewer(viewer);
      channel.grant(viewer, 'kinesisvideo:DescribeSignalingChannel');

      // Defaults: a generated name, 60 seconds, DESTROY.
      const plainChannel = new SignalingChannel(stack, 'DefaultChannel');
      plainChannel.enableMediaStorage(Stream.fromStreamArn(stack, 'ImportedRecording', importedArn(stack, 'stream', 'garage-recording')));
      plainChannel.grantJoinStorageSession(device);

      const byArn = SignalingChannel.fromChannelArn(stack, 'ChannelByArn',
        stack.formatArn({ service: 'kinesisvideo', resource: 'channel', resourceName: 'lobby/1700000000000' }));
      byArn.grantConnectAsViewer(viewer);
      const byName = SignalingChannel.fromChannelName(stack, 'ChannelByName', 'garage');
      byName.grantConnectAsMaster(device);
      const byAttributes = SignalingChannel.fromChannelAttributes(stack, 'ChannelByAttributes', { channelName: 'porch' });
      const porch = new Stream(stack, 'PorchRecording', { streamName: 'site1-porch', removalPolicy: RemovalPolicy.DESTROY });
      byAttributes.enableMediaStorage(porch);
      byAttributes.grantJoinStorageSession(device);
    },
  },
  {
    id: 'EdgeConfigurations',
    description: 'Edge Agent configurations with every option, each kind of hub device, and the Edge Agent grant',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      // Imported: the camera's URI and credentials are set up outside the stack, and rotated by the camera's owner.
      const cameraSecret = secretsmanager.Secret.fromSecretAttributes(stack, 'CameraUri', {
        secretCompleteArn: stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'lobby-camera-AbCdEf', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        encryptionKey: support.encryptionKey(),
      });
      const hub = new iot.CfnThing(stack, 'Hub', { thingName: 'site1-hub' });

      const lobby = new Stream(stack, 'Lobby', { streamName: 'site1-lobby', encryptionKey: support.encryptionKey(), removalPolicy: RemovalPolicy.DESTROY });
      lobby.configureNotifications({ topic: support.notificationTopic() });
      const full = new EdgeConfiguration(stack, 'LobbyEdge', {
        stream: lobby,
        hubDevice: HubDevice.fromCfnThing(hub),
        mediaSource: { secret: cameraSecret, uriType: MediaUriType.RTSP_URI },
        recorderSchedule: { expression: '0 0 8 ? * MON-FRI', duration: Duration.hours(1) },
        uploaderSchedule: { expression: '0 30 * * * ?', duration: Duration.minutes(20) },
        edgeRetention: Duration.days(7),
        maxLocalMediaSize: Size.gibibytes(64),
        strategyOnFullSize: StrategyOnFullSize.DENY_NEW_MEDIA,
        deleteAfterUpload: false,
        waitFor: EdgeSyncWait.IN_SYNC,
        removalPolicy: RemovalPolicy.DESTROY,
        allowHubDeviceChange: true,
      });
      full.grantEdgeAgent(support.role('EdgeAgent'));

      // Defaults, a hub by name, and a stream imported by ARN.
      new EdgeConfiguration(stack, 'GarageEdge', {
        stream: new Stream(stack, 'Garage', { removalPolicy: RemovalPolicy.DESTROY }),
        hubDevice: HubDevice.fromThingName('site1-hub'),
        mediaSource: { secret: cameraSecret, uriType: MediaUriType.FILE_URI },
        waitFor: EdgeSyncWait.ACKNOWLEDGED,
      });
      const importedSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'ImportedCameraUri',
        stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'porch-camera-AbCdEf', arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
      new EdgeConfiguration(stack, 'PorchEdge', {
        stream: Stream.fromStreamArn(stack, 'Porch', stack.formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName: 'porch/1700000000000' })),
        hubDevice: HubDevice.fromThingArn(stack.formatArn({ service: 'iot', resource: 'thing', resourceName: 'site1-hub' })),
        mediaSource: { secret: importedSecret, uriType: MediaUriType.RTSP_URI },
      }).grantEdgeAgent(support.role('PorchEdgeAgent'));
    },
  },
  {
    id: 'DeviceCreatedResources',
    description: 'settings and tags of streams and channels that devices created, with every option',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const lobby = Stream.fromStreamName(stack, 'Lobby', 'site1-lobby-cam');
      new StreamSettings(stack, 'LobbySettings', {
        stream: lobby,
        dataRetention: Duration.days(7),
        allowRetentionDecrease: true,
        mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
        deviceName: 'lobby-cam',
        storageTier: StorageTier.WARM,
        tags: { site: 'site1' },
        restoreOnDelete: true,
        waitForStream: Duration.minutes(30),
      });
      lobby.grantWrite(support.role('LobbyCamera'));
      const byArn = Stream.fromStreamArn(stack, 'Garage', stack.formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName: 'garage/1700000000000' }));
      new StreamSettings(stack, 'GarageSettings', { stream: byArn, tags: { site: 'site1' } });

      const doorbell = SignalingChannel.fromChannelName(stack, 'Doorbell', 'site1-doorbell');
      new ChannelSettings(stack, 'DoorbellSettings', {
        channel: doorbell,
        messageTtl: Duration.seconds(30),
        tags: { site: 'site1' },
        restoreOnDelete: true,
        waitForChannel: Duration.minutes(10),
      });
      new ChannelSettings(stack, 'PorchSettings', {
        channel: SignalingChannel.fromChannelArn(stack, 'Porch', stack.formatArn({ service: 'kinesisvideo', resource: 'channel', resourceName: 'porch/1700000000000' })),
        messageTtl: Duration.seconds(120),
      });
    },
  },
  {
    id: 'CameraFleets',
    description: 'camera fleet identities with every option: thing-scoped streams and channels, fleet streams with a key and both configurations, provisioning templates',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const front = new Stream(stack, 'Front', { streamName: 'cam-17.front', encryptionKey: support.encryptionKey(), removalPolicy: RemovalPolicy.DESTROY });
      front.configureNotifications({ topic: support.notificationTopic() });
      const fleet = new CameraFleetIdentity(stack, 'Cameras', {
        roleAliasName: 'site1-cameras',
        credentialDuration: Duration.hours(2),
        streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX,
        streams: [front],
        webRtcMaster: true,
        allowStreamCreation: true,
      });
      front.configureImageGeneration({ bucket: support.imageBucket(), keyPrefix: 'site1/front', samplingInterval: Duration.seconds(10) });
      fleet.addStream(Stream.fromStreamArn(stack, 'Rear', importedArn(stack, 'stream', 'cam-17.rear')));
      fleet.addThing('cam-17');
      fleet.addProvisioningTemplate('Provisioning', {
        templateName: 'site1-cameras',
        thingNamePrefix: 'cam-',
        description: 'Cameras of site 1 register themselves',
        preProvisioningHook: lambda.Function.fromFunctionArn(stack, 'CheckSerial', stack.formatArn({
          service: 'lambda', resource: 'function', resourceName: 'site1-check-serial', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        })),
      });

      // Defaults: a generated alias name, one hour, one stream per thing, no channel; a provisioning template with
      // a generated name, no prefix and no hook.
      const doorbells = new CameraFleetIdentity(stack, 'Doorbells');
      doorbells.addStream(new Stream(stack, 'Doorbell', { streamName: 'doorbell-1', removalPolicy: RemovalPolicy.DESTROY }));
      doorbells.addProvisioningTemplate('Provisioning');
    },
  },
  {
    id: 'Monitoring',
    description: 'fleet and per-stream alarms and dashboards for owned and imported streams, with every option',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const owned = Array.from({ length: 12 }, (_, i) => new Stream(stack, `Camera${i}`, { streamName: `site3-camera-${i}`, removalPolicy: RemovalPolicy.DESTROY }));
      new StreamMonitoring(stack, 'FleetMonitoring', {
        streams: [...owned, Stream.fromStreamName(stack, 'ImportedCamera', 'site3-device-camera')],
        alarmTopic: support.notificationTopic(),
        dashboardName: 'site3-cameras',
      });
      new StreamMonitoring(stack, 'LobbyMonitoring', {
        streams: [
          new Stream(stack, 'Lobby', { streamName: 'site3-lobby', removalPolicy: RemovalPolicy.DESTROY }),
          Stream.fromStreamArn(stack, 'Porch', importedArn(stack, 'stream', 'site3-porch')),
        ],
        granularity: AlarmGranularity.PER_STREAM,
        alarmTopic: support.notificationTopic(),
        period: Duration.minutes(5),
        evaluationPeriods: 3,
        silentCameraFragments: 10,
        connectionErrorsThreshold: 3,
        errorAcksThreshold: 2,
        ingestionLatencyThreshold: Duration.seconds(4),
        persistLatencyThreshold: Duration.seconds(2),
        mediaQuotaPercent: 50,
        metadataQuotaPercent: 90,
        dashboard: false,
      });
    },
  },
  {
    id: 'PrefixFleet',
    description: 'a fleet whose names overflow a per-name handler policy, scoped by their shared prefix',
    build(stack) {
      buildFleet(stack, (i) => `site2-${LONG_NAME}-${i}`);
    },
  },
  {
    id: 'WildcardFleet',
    description: 'a fleet whose names overflow a per-name handler policy and share no prefix, scoped to every stream',
    build(stack) {
      buildFleet(stack, (i) => `${String.fromCharCode(97 + (i % 26))}${LONG_NAME}-${i}`);
    },
  },
  {
    id: 'CameraFleetStack',
    description: 'a camera fleet over nested stacks, every camera option, an inventory from JSON and the fleet grants',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'FleetCameraUri',
        stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'fleet-camera-AbCdEf', arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
      const inventory = CameraInventory.fromObject(stack, 'Inventory', {
        cameras: [{ name: 'yard-cam-1', site: 'yard', dataRetentionHours: 48, notifications: { topicArn: stack.formatArn({ service: 'sns', resource: 'yard-events', arnFormat: ArnFormat.NO_RESOURCE_NAME }) } }],
      });
      const fleet = new CameraFleet(stack, 'Fleet', {
        shards: 3,
        cameras: [
          ...inventory.cameras,
          {
            name: 'lobby-cam-1',
            site: 'lobby',
            dataRetention: Duration.days(7),
            mediaType: MediaType.H264,
            deviceName: 'lobby-01',
            storageTier: StorageTier.WARM,
            tags: { site: 'lobby' },
            notifications: { topic: support.notificationTopic() },
            imageGeneration: { bucket: support.imageBucket(), keyPrefix: 'lobby/1', samplingInterval: Duration.seconds(10), jpegQuality: 70 },
            edge: { hubDevice: HubDevice.fromThingName('lobby-hub'), mediaSource: { secret, uriType: MediaUriType.RTSP_URI }, edgeRetention: Duration.days(2) },
            removalPolicy: RemovalPolicy.DESTROY,
          },
          { name: 'lobby-cam-2', site: 'lobby', allowRetentionDecrease: true },
        ],
      });
      fleet.grantWrite(support.role('FleetProducer'));
      fleet.grantRead(support.role('FleetConsumer', new iam.ServicePrincipal('lambda.amazonaws.com')));
      fleet.grantPlayback(support.role('FleetPlayer', new iam.ServicePrincipal('lambda.amazonaws.com')));
    },
  },
  {
    id: 'PlaybackApis',
    description: 'playback APIs with IAM (streams, a prefix, CORS, grants) and JWT authorization, with an own and a given clip bucket',
    env: TEST_ENV,
    build(stack) {
      const support = new Support(stack);
      const camera = new Stream(stack, 'PlaybackCamera', { streamName: 'lobby-cam-9', encryptionKey: support.encryptionKey() });
      const api = new StreamPlaybackApi(stack, 'IamApi', {
        streams: [camera, Stream.fromStreamName(stack, 'PlaybackDoor', 'door-cam')],
        streamNamePrefix: 'lobby-',
        allowedOrigins: ['https://viewer.example.com'],
        defaultSessionExpiry: Duration.hours(2),
        clipRetention: Duration.days(3),
      });
      api.grantInvoke(support.role('Viewer', new iam.ServicePrincipal('lambda.amazonaws.com')), { streams: [camera] });
      api.grantInvoke(support.role('LobbyViewer', new iam.ServicePrincipal('lambda.amazonaws.com')), { streamNamePrefix: 'lobby-' });
      new StreamPlaybackApi(stack, 'JwtApi', {
        streamNamePrefix: 'cam-',
        authorization: PlaybackAuthorization.jwt({ issuer: 'https://login.example.com', audience: ['viewer-app'], streamsClaim: 'kvs:streams' }),
        clipBucket: support.imageBucket(),
        clipKeyPrefix: 'playback-clips/',
        clipUrlExpiry: Duration.minutes(5),
      });
    },
  },
];

/** Builds every scenario into `app`, one stack each, and returns the stacks. */
export function buildAllConstructs(app: App = new App()): Stack[] {
  return SCENARIOS.map((scenario) => {
    const stack = new Stack(app, scenario.id, { env: scenario.env, description: `cdk-kinesis-video: ${scenario.description}` });
    scenario.build(stack);
    return stack;
  });
}
