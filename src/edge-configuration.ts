import { CfnResource, CustomResource, Duration, RemovalPolicy, Size, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { requireExactStreamArn } from './private/arn';
import { cfnBoolean, cfnNumber } from './private/cfn-scalars';
import { EdgeConfigurationProperties, EdgeScheduleProperties, ResourceType } from './private/custom-resource-contract';
import { describeOwnStack, KinesisVideoProvider } from './private/provider';
import { assertLength, assertPattern, assertRange, invalid, retainsNoData, validateWholeHours, validateWholeSeconds } from './private/validation';
import { IStream } from './stream';

/** The handler's calls; the provider's policy names exactly these. */
const HANDLER_ACTIONS = [
  'kinesisvideo:DescribeEdgeConfiguration',
  'kinesisvideo:StartEdgeConfigurationUpdate',
  'kinesisvideo:DeleteEdgeConfiguration',
  // Only to tell a stream that is not ACTIVE from a configuration that is busy, on ResourceInUseException.
  'kinesisvideo:DescribeStream',
];

/** What the Edge Agent calls on its streams (KVS Developer Guide, Edge Agent IAM permissions policy). */
const AGENT_STREAM_ACTIONS = ['kinesisvideo:TagStream'];

/** The `HubDeviceArn` pattern of the API Reference. */
const THING_ARN = /^arn:[a-z\d-]+:iot:[a-z0-9-]+:[0-9]+:thing\/[a-zA-Z0-9_.-]+$/;
/** The thing name part of `HubDeviceArn`; IoT itself allows 1-128 characters. */
const THING_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** The `MediaUriSecretArn` pattern of the API Reference: the name may not contain `/`. */
const SECRET_ARN = /^arn:[a-z\d-]+:secretsmanager:[a-z0-9-]+:[0-9]+:secret:[a-zA-Z0-9_.-]+$/;
const SECRET_NAME = /^[a-zA-Z0-9_.-]+$/;
/** `ScheduleExpression`: `[^\n]{11,100}`. */
const SCHEDULE_EXPRESSION = /^[^\n]*$/;
/** The edge APIs do not exist there (API Reference, StartEdgeConfigurationUpdate). */
const UNSUPPORTED_REGIONS = ['af-south-1'];

/** The service's documented defaults, written to the template so that removing a property shows in `cdk diff`. */
const DEFAULT_EDGE_RETENTION = Duration.hours(720);
const DEFAULT_DELETE_AFTER_UPLOAD = true;

/** The construct id, under the stream, that marks it as having an edge configuration. */
const MARKER_ID = 'EdgeConfigurationMarker';

/**
 * The IoT thing that runs the Kinesis Video Streams Edge Agent (an IoT Greengrass component, or a native process) on
 * site: the hub device of an edge configuration.
 */
export class HubDevice {
  /**
   * A thing of this stack's account and region, by name.
   *
   * @param thingName 1-128 characters of `[a-zA-Z0-9_.-]` (what the `HubDeviceArn` pattern allows)
   */
  public static fromThingName(thingName: string): HubDevice {
    assertPattern('thingName', thingName, THING_NAME, '1-128 characters of [a-zA-Z0-9_.-] (the thing names that HubDeviceArn allows)');
    return new HubDevice(undefined, thingName);
  }

  /**
   * A thing by its ARN.
   *
   * @param thingArn `arn:<partition>:iot:<region>:<account>:thing/<name>`, or a token
   */
  public static fromThingArn(thingArn: string): HubDevice {
    assertLength('thingArn', thingArn, 1, 1024);
    assertPattern('thingArn', thingArn, THING_ARN, 'an IoT thing ARN arn:<partition>:iot:<region>:<account>:thing/<name> with a name of [a-zA-Z0-9_.-]');
    return new HubDevice(thingArn, undefined);
  }

  /** A thing this stack defines. */
  public static fromCfnThing(thing: iot.CfnThing): HubDevice {
    if (thing.thingName !== undefined) {
      assertPattern('thing.thingName', thing.thingName, THING_NAME, '1-128 characters of [a-zA-Z0-9_.-] (the thing names that HubDeviceArn allows)');
    }
    return new HubDevice(thing.attrArn, undefined);
  }

  private constructor(private readonly thingArn: string | undefined, private readonly thingName: string | undefined) {}

  /**
   * The thing's ARN, a thing given by name being in the account and region of `scope`'s stack.
   *
   * @internal
   */
  public _arnIn(scope: IConstruct): string {
    return this.thingArn ?? Stack.of(scope).formatArn({ service: 'iot', resource: 'thing', resourceName: this.thingName });
  }
}

/** How the Edge Agent reads the camera's media. */
export enum MediaUriType {
  /** An RTSP camera: the secret holds its `rtsp://` URI with credentials. The only type the preview supports. */
  RTSP_URI = 'RTSP_URI',
  /** Local media files: the secret holds their location. */
  FILE_URI = 'FILE_URI',
}

/** Where the Edge Agent records from. */
export interface EdgeMediaSource {
  /**
   * The Secrets Manager secret that holds the camera's URI and credentials, or the location of local media files.
   *
   * Its name may contain only `[a-zA-Z0-9_.-]`: the API's `MediaUriSecretArn` pattern forbids `/` (checked at synth
   * time when the name is known). The Edge Agent reads it on the device; `grantEdgeAgent` grants that.
   */
  readonly secret: secretsmanager.ISecret;

  /** What the secret holds. */
  readonly uriType: MediaUriType;
}

/** When the Edge Agent records or uploads: a Quartz cron expression, and how long each run lasts. */
export interface EdgeSchedule {
  /**
   * A Quartz cron expression of 11-100 characters without line breaks, for example `0 0 8 ? * MON-FRI *`.
   * It is evaluated by the Edge Agent.
   */
  readonly expression: string;

  /** How long each run lasts: whole seconds from 60 to 3600. */
  readonly duration: Duration;
}

/** What the Edge Agent does when the stream's media on the device reaches `maxLocalMediaSize`. */
export enum StrategyOnFullSize {
  /** Delete the oldest recordings to make room. */
  DELETE_OLDEST_MEDIA = 'DELETE_OLDEST_MEDIA',
  /** Stop recording until there is room. */
  DENY_NEW_MEDIA = 'DENY_NEW_MEDIA',
}

/**
 * What a deployment waits for after starting an edge configuration update (`SyncStatus` of
 * `DescribeEdgeConfiguration`).
 *
 * The service retries reaching the hub device for 15 minutes before it reports SYNC_FAILED, and accepts the next
 * update only once the previous one is IN_SYNC or SYNC_FAILED.
 */
export enum EdgeSyncWait {
  /**
   * The Edge Agent applied the configuration. An offline device fails the deployment after the service's 15 minutes
   * of retries (SYNC_FAILED), with the service's detail.
   */
  IN_SYNC = 'IN_SYNC',
  /** The Edge Agent received the configuration. An offline device fails the deployment as with `IN_SYNC`. */
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  /**
   * Only that the service accepted the update: the deployment does not wait for the device. A device that is offline
   * does not fail it; the next update of this configuration (or a rollback) waits, up to 15 minutes, for the sync to
   * end before it starts.
   */
  ACCEPTED = 'ACCEPTED',
}

/**
 * What an edge configuration sets, without its stream: the options of a camera in a `CameraFleet`, and the base of
 * {@link EdgeConfigurationProps}.
 */
export interface EdgeConfigurationOptions {
  /** The IoT thing that runs the Edge Agent. */
  readonly hubDevice: HubDevice;

  /** The camera or local media the Edge Agent records. */
  readonly mediaSource: EdgeMediaSource;

  /**
   * When the Edge Agent records.
   *
   * @default - the Edge Agent always records
   */
  readonly recorderSchedule?: EdgeSchedule;

  /**
   * When the Edge Agent uploads its recordings to the stream.
   *
   * @default - the Edge Agent uploads every hour
   */
  readonly uploaderSchedule?: EdgeSchedule;

  /**
   * How long the Edge Agent keeps recordings on the device: whole hours from 1 to 720.
   *
   * @default Duration.hours(720) - the service's default, 30 days
   */
  readonly edgeRetention?: Duration;

  /**
   * The most media the Edge Agent stores for the stream on the device, from 64 MiB to 2,000,000 MiB (whole MiB; the
   * API's `MaxLocalMediaSizeInMB`).
   *
   * @default - the service's default
   */
  readonly maxLocalMediaSize?: Size;

  /**
   * What the Edge Agent does when the stream's media reaches `maxLocalMediaSize`.
   *
   * @default - the service's default
   */
  readonly strategyOnFullSize?: StrategyOnFullSize;

  /**
   * Whether the Edge Agent marks recordings for deletion once they are uploaded. With `true`, make the upload
   * schedule upload recordings before the retention or the size limit deletes them.
   *
   * @default true - the service's default
   */
  readonly deleteAfterUpload?: boolean;

  /**
   * What a deployment waits for. A hub device that is offline at deploy time is normal, so the default does not wait
   * for the device: see {@link EdgeSyncWait} for what each choice means for a pipeline.
   *
   * @default EdgeSyncWait.ACCEPTED
   */
  readonly waitFor?: EdgeSyncWait;

  /**
   * What happens to the configuration when it leaves the stack, its stream is replaced, or the stack is deleted.
   *
   * Deleting an edge configuration (`DeleteEdgeConfiguration`) also deletes every recording on the hub device,
   * including those not uploaded yet, and no rollback brings them back. So by default the configuration is retained
   * and the Edge Agent keeps recording; delete it with `aws kinesisvideo delete-edge-configuration --stream-arn <arn>`.
   * `RemovalPolicy.DESTROY` deletes it (and the device's media for the stream), waiting until it is gone.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether a deployment may move the configuration to another hub device.
   *
   * The service moves a configuration only by deleting it first, which deletes every recording on the old device,
   * including those not uploaded yet. Without this opt-in a deployment that changes `hubDevice` (or finds the stream
   * configured for another device) fails before anything is deleted. A rollback may move the configuration back when
   * the failed update had the opt-in.
   *
   * @default false
   */
  readonly allowHubDeviceChange?: boolean;
}

/** Properties of an {@link EdgeConfiguration}. */
export interface EdgeConfigurationProps extends EdgeConfigurationOptions {
  /**
   * The stream the Edge Agent records into. Its ARN must be known: a stream of this stack, or one imported with its
   * ARN (not by name only). It must retain data (`dataRetention` above 0) and be in the stack's region.
   */
  readonly stream: IStream;
}

/**
 * The Kinesis Video Streams Edge Agent configuration of a stream (`StartEdgeConfigurationUpdate`): the hub device,
 * the camera it records, when it records and uploads, and how long it keeps media on the device.
 *
 * One custom resource, served by the stack's shared provider. A stream has at most one edge configuration.
 *
 * @example
 * declare const stream: Stream;
 * declare const cameraSecret: secretsmanager.ISecret;
 * declare const edgeAgentRole: iam.IRole;
 * const edge = new EdgeConfiguration(this, 'LobbyEdge', {
 *   stream,
 *   hubDevice: HubDevice.fromThingName('site1-hub'),
 *   mediaSource: { secret: cameraSecret, uriType: MediaUriType.RTSP_URI },
 *   uploaderSchedule: { expression: '0 0 * * * ?', duration: Duration.minutes(30) },
 *   edgeRetention: Duration.days(7),
 * });
 * edge.grantEdgeAgent(edgeAgentRole);
 *
 * @resource Custom::KinesisVideoEdgeConfiguration
 */
export class EdgeConfiguration extends Construct {
  /** The stream the Edge Agent records into. */
  public readonly stream: IStream;

  /** The ARN of the hub device. */
  public readonly hubDeviceArn: string;

  private readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: EdgeConfigurationProps) {
    super(scope, id);
    const stream = props.stream;
    this.stream = stream;
    this.secret = props.mediaSource.secret;
    this.hubDeviceArn = props.hubDevice._arnIn(this);

    this.validateTarget(stream);
    const existing = stream.node.tryFindChild(MARKER_ID) as EdgeConfigurationMarker | undefined;
    if (existing) {
      throw new Error(`Stream ${stream.node.path} already has an edge configuration (${existing.owner.node.path}): a stream has one`);
    }
    new EdgeConfigurationMarker(stream, this);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (removalPolicy === RemovalPolicy.SNAPSHOT) {
      throw invalid('removalPolicy', removalPolicy, 'RETAIN, RETAIN_ON_UPDATE_OR_DELETE or DESTROY: an edge configuration has no snapshot');
    }

    const provider = KinesisVideoProvider.getOrCreate(this);
    provider.policy.allow('stream', stream.streamName, HANDLER_ACTIONS);
    // During a rollback the handler neither waits for the device nor refuses a hub change the failed update was allowed to make.
    provider.policy.allowStatement(describeOwnStack());

    const properties: EdgeConfigurationProperties = {
      StreamArn: stream.streamArn,
      EdgeConfig: {
        HubDeviceArn: this.hubDeviceArn,
        RecorderConfig: {
          MediaSourceConfig: { MediaUriSecretArn: mediaSecretArn(this.secret), MediaUriType: props.mediaSource.uriType },
          ScheduleConfig: props.recorderSchedule && schedule('recorderSchedule', props.recorderSchedule),
        },
        UploaderConfig: props.uploaderSchedule && { ScheduleConfig: schedule('uploaderSchedule', props.uploaderSchedule) },
        DeletionConfig: deletionConfig(props),
      },
      WaitFor: props.waitFor ?? EdgeSyncWait.ACCEPTED,
      AllowHubDeviceChange: cfnBoolean(props.allowHubDeviceChange ?? false),
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: ResourceType.EDGE_CONFIGURATION,
      properties: { ...properties },
      removalPolicy,
    });
    provider.policy.requiredBy(resource.node.defaultChild as CfnResource);
  }

  /**
   * Grants what the Edge Agent needs (KVS Developer Guide, the Edge Agent's IAM permissions policy) to the role it
   * runs with (the IoT Greengrass token exchange role, or the role of a native process):
   *
   * - on the stream: what `grantWrite` grants (`kinesisvideo:PutMedia`, `GetDataEndpoint`, `DescribeStream`, the
   *   stream key's `kms:GenerateDataKey`, and whatever the stream's notification and image configurations need of
   *   producers, including configurations added later), plus `kinesisvideo:TagStream`;
   * - `kinesisvideo:ListStreams` and `cloudwatch:PutMetricData` on `*`: neither action supports resource-level
   *   permissions, so IAM accepts no narrower resource;
   * - `secretsmanager:GetSecretValue` (with `DescribeSecret`, as `ISecret.grantRead` grants) on the media secret, and
   *   `kms:Decrypt` on the secret's key if it has one.
   *
   * An Edge Agent run as a native process also connects to AWS IoT with this role (`iot:Connect`, `iot:Publish`,
   * `iot:Subscribe`, `iot:Receive`); grant those for your device's client id and topics yourself.
   *
   * @param grantee the role the Edge Agent runs with
   */
  public grantEdgeAgent(grantee: iam.IGrantable): iam.Grant {
    return this.stream.grantWrite(grantee)
      .combine(this.stream.grant(grantee, ...AGENT_STREAM_ACTIONS))
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['kinesisvideo:ListStreams', 'cloudwatch:PutMetricData'], resourceArns: ['*'] }))
      .combine(this.secret.grantRead(grantee));
  }

  /** The stream must be addressable by ARN, retain data, and be in a region (the stack's) that has the edge APIs. */
  private validateTarget(stream: IStream): void {
    requireExactStreamArn(stream);
    if (retainsNoData(stream.dataRetention)) {
      throw invalid('stream', stream.node.path, 'a stream that retains data: its dataRetention is 0 hours, and Kinesis Video Streams '
        + 'configures the Edge Agent only on streams that retain data. Set dataRetention to at least 1 hour');
    }
    const region = Stack.of(this).region;
    const streamRegion = stream.env.region;
    for (const r of [region, streamRegion]) {
      if (!Token.isUnresolved(r) && UNSUPPORTED_REGIONS.includes(r)) {
        throw invalid('region', r, `a region with edge configurations: StartEdgeConfigurationUpdate is not available in ${UNSUPPORTED_REGIONS.join(', ')}`);
      }
    }
    if (!Token.isUnresolved(region) && !Token.isUnresolved(streamRegion) && region !== streamRegion) {
      throw invalid('stream', stream.node.path, `a stream in the stack's region ${region} (the stream is in ${streamRegion}): the handler calls the stack's region`);
    }
  }
}

/** Marks a stream as having an edge configuration: an empty construct, no resource. */
class EdgeConfigurationMarker extends Construct {
  constructor(stream: IStream, public readonly owner: EdgeConfiguration) {
    super(stream, MARKER_ID);
  }
}


/** The secret's ARN, after checking what is known of its name against the `MediaUriSecretArn` pattern. */
function mediaSecretArn(secret: secretsmanager.ISecret): string {
  const arn = secret.secretArn;
  const allowed = 'a secret whose name has only [a-zA-Z0-9_.-] (the MediaUriSecretArn pattern of Kinesis Video Streams forbids "/")';
  if (!Token.isUnresolved(arn)) {
    assertLength('mediaSource.secret', arn, 20, 2048, 'the secret ARN');
    assertPattern('mediaSource.secret', arn, SECRET_ARN, allowed);
  }
  const cfnName = (secret.node.defaultChild as secretsmanager.CfnSecret | undefined)?.name;
  for (const name of [secret.secretName, cfnName]) {
    if (name !== undefined) assertPattern('mediaSource.secret', name, SECRET_NAME, allowed);
  }
  return arn;
}

function schedule(propName: string, value: EdgeSchedule): EdgeScheduleProperties {
  assertLength(`${propName}.expression`, value.expression, 11, 100);
  assertPattern(`${propName}.expression`, value.expression, SCHEDULE_EXPRESSION, 'a Quartz cron expression on one line');
  validateWholeSeconds(value.duration, `${propName}.duration`, 60, 3600);
  return { ScheduleExpression: value.expression, DurationInSeconds: cfnNumber(value.duration.toSeconds({ integral: false })) };
}

function deletionConfig(props: EdgeConfigurationProps): EdgeConfigurationProperties['EdgeConfig']['DeletionConfig'] {
  const retention = props.edgeRetention ?? DEFAULT_EDGE_RETENTION;
  validateWholeHours(retention, 'edgeRetention', 1, 720);
  let maxMb: number | undefined;
  if (props.maxLocalMediaSize !== undefined) {
    maxMb = props.maxLocalMediaSize.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    assertRange('maxLocalMediaSize', maxMb, 64, 2_000_000, 'MiB');
  }
  const localSize = maxMb !== undefined || props.strategyOnFullSize !== undefined
    ? { MaxLocalMediaSizeInMB: maxMb === undefined ? undefined : cfnNumber(maxMb), StrategyOnFullSize: props.strategyOnFullSize }
    : undefined;
  return {
    EdgeRetentionInHours: cfnNumber(retention.toHours({ integral: false })),
    DeleteAfterUpload: cfnBoolean(props.deleteAfterUpload ?? DEFAULT_DELETE_AFTER_UPLOAD),
    LocalSizeConfig: localSize,
  };
}
