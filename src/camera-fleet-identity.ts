import { CfnResource, Duration, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnRoleAlias, CfnThing } from 'aws-cdk-lib/aws-iot';
import { Construct } from 'constructs';
import { CameraProvisioningTemplate, CameraProvisioningTemplateOptions } from './camera-provisioning-template';
import { MASTER_ACTIONS, PRODUCER_ACTIONS } from './private/device-actions';
import { addNagSuppressions } from './private/nag';
import { invalid, validateCredentialDuration, validateRoleAliasName } from './private/validation';
import { IStream } from './stream';

/**
 * The policy variable that the AWS IoT credentials provider sets to the thing name the device sends (the
 * `x-amzn-iot-thingname` header), once it has checked that the device's certificate is attached to that thing.
 */
const THING_NAME_VARIABLE = '${credentials-iot:ThingName}';

/** The service principal of the AWS IoT credentials provider. */
const CREDENTIALS_PROVIDER = 'credentials.iot.amazonaws.com';

/** The service's default credential duration. */
const DEFAULT_CREDENTIAL_DURATION = Duration.hours(1);

/** IAM's default maximum session duration of a role: a longer credential duration needs a longer one. */
const DEFAULT_MAX_SESSION_SECONDS = 3600;

/**
 * The characters a thing name and a stream or channel name share: IoT thing names are `[a-zA-Z0-9:_-]+` and
 * Kinesis Video Streams names `[a-zA-Z0-9_.-]+`. Thing names cannot contain `.`, which is why `<thing>.*` never
 * reaches the streams of another thing.
 */
const THING_CHARACTERS = '[a-zA-Z0-9_-]';
const MAX_THING_NAME_LENGTH = 128;
const THING_NAME_PATTERN = new RegExp(`^${THING_CHARACTERS}{1,${MAX_THING_NAME_LENGTH}}$`);

/**
 * cdk-nag's rendering of the role's thing-scoped ARNs, which shows the policy variable as `<credentials-iot:ThingName>`:
 * `arn:<AWS::Partition>:kinesisvideo:<region>:<account>:stream/<credentials-iot:ThingName>/*`.
 */
const THING_SCOPED_FINDING = '/^Resource::arn:<AWS::Partition>:kinesisvideo:[^:]+:[^:]+:(stream|channel)\\/<credentials-iot:ThingName>(\\.\\*)?\\/\\*$/';

/** cdk-nag's rendering of a bucket's objects under a key prefix: `<Bucket.Arn>/<keyPrefix>*`. */
const IMAGE_OBJECTS_FINDING = '/^Resource::<[A-Za-z0-9]+\\.Arn>\\/[^*]*\\*$/';

/**
 * How the streams of a camera are named after its AWS IoT thing.
 */
export enum CameraStreamNaming {
  /** One stream per camera, named as its thing: the thing `cam-17` writes to the stream `cam-17`. */
  THING_NAME = 'THING_NAME',

  /**
   * Any number of streams per camera, named `<thing name>.<suffix>`: the thing `cam-17` writes to `cam-17.front` and
   * `cam-17.rear`, and never to `cam-170.front` or to `cam-17` itself. Thing names cannot contain `.`, so no other
   * thing's streams match.
   */
  THING_NAME_DOT_SUFFIX = 'THING_NAME_DOT_SUFFIX',
}

/** The stream names each naming gives a thing, as a test of a concrete stream name. */
const STREAM_NAME_RULES: Record<CameraStreamNaming, { readonly pattern: RegExp; readonly allowed: string }> = {
  [CameraStreamNaming.THING_NAME]: {
    pattern: THING_NAME_PATTERN,
    allowed: `the name of a camera's thing, 1-${MAX_THING_NAME_LENGTH} characters of ${THING_CHARACTERS} (streamNaming THING_NAME)`,
  },
  [CameraStreamNaming.THING_NAME_DOT_SUFFIX]: {
    pattern: new RegExp(`^${THING_CHARACTERS}{1,${MAX_THING_NAME_LENGTH}}\\.`),
    allowed: `named <thing name>.<suffix>, the thing name being 1-${MAX_THING_NAME_LENGTH} characters of ${THING_CHARACTERS} (streamNaming THING_NAME_DOT_SUFFIX)`,
  },
};

/**
 * Properties of a camera fleet's identity.
 */
export interface CameraFleetIdentityProps {
  /**
   * The name of the role alias that devices ask the credentials provider for: 1-128 characters of
   * `[a-zA-Z0-9_=,@-]`. Changing it replaces the role alias, and devices must be given the new name.
   *
   * @default - a name unique in the app, derived from the construct path
   */
  readonly roleAliasName?: string;

  /**
   * How long the credentials that a camera receives are valid: a whole number of seconds from 900 (15 minutes) to
   * 43,200 (12 hours). A duration over an hour also raises the role's maximum session duration to it, which the
   * credentials provider requires.
   *
   * @default Duration.hours(1), as the service
   */
  readonly credentialDuration?: Duration;

  /**
   * How a camera's streams are named after its thing.
   *
   * @default CameraStreamNaming.THING_NAME
   */
  readonly streamNaming?: CameraStreamNaming;

  /**
   * The streams of the fleet that this stack knows, so that the cameras also get what these streams need besides
   * their own actions: `kms:GenerateDataKey` on a customer managed key, and what the streams' notifications and image
   * generation need (`sns:Publish`, `s3:PutObject`), including configurations added later. The stream actions
   * themselves come from the thing name, for every stream of the naming, listed or not. Add more with `addStream`.
   *
   * @default - none: the cameras get the stream actions only, which is all that streams without a customer managed
   * key or configurations need
   */
  readonly streams?: IStream[];

  /**
   * Whether cameras may create the streams named after their thing (`kinesisvideo:CreateStream`), as the producer
   * SDKs do when a stream does not exist yet. Declare the retention, media type and tags of such streams with
   * `StreamSettings`. With `THING_NAME_DOT_SUFFIX`, a camera may create any number of streams `<thing name>.<suffix>`.
   *
   * @default false: cameras write to streams that exist
   */
  readonly allowStreamCreation?: boolean;

  /**
   * Whether each camera is the WebRTC master of the signaling channel named as its thing
   * (`kinesisvideo:ConnectAsMaster` and the calls that find the channel's endpoints and ICE servers, as
   * `grantConnectAsMaster`).
   *
   * @default false
   */
  readonly webRtcMaster?: boolean;
}

/**
 * The identity of a fleet of cameras, declared once whatever the number of cameras: the AWS IoT credentials provider
 * exchanges a camera's X.509 certificate for temporary credentials of one role, and the role's policy reaches only
 * the streams (and optionally the signaling channel) named after the camera's thing.
 *
 * It creates the IAM role that `credentials.iot.amazonaws.com` assumes, the `AWS::IoT::RoleAlias` that devices name,
 * and the `AWS::IoT::Policy` to attach to the cameras' certificates, which allows `iot:AssumeRoleWithCertificate` on
 * that alias and nothing else. Each certificate must be attached to its camera's thing, and the camera must send its
 * thing name: the credentials provider refuses a thing name whose thing the certificate is not attached to.
 *
 * @example
 * const fleet = new CameraFleetIdentity(this, 'Cameras', {
 *   streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX,
 *   credentialDuration: Duration.hours(2),
 * });
 *
 * @resource AWS::IoT::RoleAlias
 */
export class CameraFleetIdentity extends Resource implements iam.IGrantable {
  /** The role whose credentials the cameras receive. */
  public readonly role: iam.IRole;

  /** The role: grants to it apply to every camera of the fleet. */
  public readonly grantPrincipal: iam.IPrincipal;

  /**
   * The name of the role alias, which devices send to the credentials provider.
   *
   * @attribute
   */
  public readonly roleAliasName: string;

  /**
   * The ARN of the role alias.
   *
   * @attribute
   */
  public readonly roleAliasArn: string;

  /**
   * The name of the AWS IoT policy to attach to each camera's certificate.
   *
   * @attribute
   */
  public readonly iotPolicyName: string;

  /** How the cameras' streams are named after their things. */
  public readonly streamNaming: CameraStreamNaming;

  constructor(scope: Construct, id: string, props: CameraFleetIdentityProps = {}) {
    super(scope, id, { physicalName: props.roleAliasName });

    validateRoleAliasName(props.roleAliasName);
    const credentialDuration = props.credentialDuration ?? DEFAULT_CREDENTIAL_DURATION;
    validateCredentialDuration(credentialDuration);
    this.streamNaming = props.streamNaming ?? CameraStreamNaming.THING_NAME;
    const roleAliasName = props.roleAliasName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal(CREDENTIALS_PROVIDER),
      description: 'Assumed by the AWS IoT credentials provider for the cameras of the fleet: each reaches only what is named after its thing',
      // CreateRoleAlias refuses a credential duration longer than the role's maximum session duration.
      maxSessionDuration: !credentialDuration.isUnresolved() && credentialDuration.toSeconds() > DEFAULT_MAX_SESSION_SECONDS
        ? credentialDuration
        : undefined,
    });
    this.role = role;
    this.grantPrincipal = role;

    const stack = Stack.of(this);
    const streamsOfThing = this.streamNaming === CameraStreamNaming.THING_NAME ? THING_NAME_VARIABLE : `${THING_NAME_VARIABLE}.*`;
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: props.allowStreamCreation ? [...PRODUCER_ACTIONS, 'kinesisvideo:CreateStream'] : PRODUCER_ACTIONS,
      // `/*`: a stream ARN ends in its creation time.
      resourceArns: [stack.formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName: `${streamsOfThing}/*` })],
    });
    if (props.webRtcMaster) {
      iam.Grant.addToPrincipal({
        grantee: role,
        actions: MASTER_ACTIONS,
        resourceArns: [stack.formatArn({ service: 'kinesisvideo', resource: 'channel', resourceName: `${THING_NAME_VARIABLE}/*` })],
      });
    }
    addNagSuppressions(role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Each camera reaches only the streams and channel named after its own thing (the credentials-iot:ThingName policy variable), in the stack\'s account and region; "/*" stands for the creation time that ends every Kinesis Video Streams ARN.',
      appliesTo: [{ regex: THING_SCOPED_FINDING }],
    }, {
      id: 'AwsSolutions-IAM5',
      reason: 'Kinesis Video Streams writes the generated images of a fleet stream with the camera\'s credentials, under object keys it chooses below the image generation\'s keyPrefix: the pattern covers only that prefix of that bucket.',
      appliesTo: [{ regex: IMAGE_OBJECTS_FINDING }],
    }]);

    const roleAlias = new CfnRoleAlias(this, 'Resource', {
      roleAlias: roleAliasName,
      roleArn: role.roleArn,
      credentialDurationSeconds: credentialDuration.toSeconds(),
    });
    const policy = new CfnPolicy(this, 'Policy', {
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: roleAlias.attrRoleAliasArn }],
      },
    });

    this.roleAliasName = roleAliasName;
    this.roleAliasArn = roleAlias.attrRoleAliasArn;
    this.iotPolicyName = policy.ref;

    for (const stream of props.streams ?? []) this.addStream(stream);
  }

  /**
   * Registers a camera as an AWS IoT thing (`AWS::IoT::Thing`) of this stack. Its certificate, attached to the thing
   * and to `iotPolicyName`, is made on or for the device (see the README's "On the device").
   *
   * @param thingName 1-128 characters of `[a-zA-Z0-9_-]`: the characters that thing names (`[a-zA-Z0-9:_-]`) share
   * with stream and channel names, so that the camera's streams can be named after it
   * @returns the thing
   */
  public addThing(thingName: string): CfnThing {
    if (!Token.isUnresolved(thingName) && !THING_NAME_PATTERN.test(thingName)) {
      throw invalid('thingName', thingName, `1-${MAX_THING_NAME_LENGTH} characters of ${THING_CHARACTERS}, which a thing name shares with stream and channel names`);
    }
    // The id is the thing's name, so that adding or removing a camera leaves the others in place; a name known only
    // at deploy time gets its position among the things instead.
    const things = this.node.children.filter((child) => child instanceof CfnThing).length;
    return new CfnThing(this, `Thing-${Token.isUnresolved(thingName) ? things : thingName}`, { thingName });
  }

  /**
   * Adds a fleet provisioning template (provisioning by claim), so that cameras register themselves: a camera that
   * connects with the claim certificate gets its own certificate, with this fleet's IoT policy, and its thing, named
   * `<thingNamePrefix><SerialNumber>` (see docs/fleet-provisioning.md).
   *
   * @returns the template, with the name of the IoT policy to attach to the claim certificate
   */
  public addProvisioningTemplate(id: string, options: CameraProvisioningTemplateOptions = {}): CameraProvisioningTemplate {
    return new CameraProvisioningTemplate(this, id, { ...options, fleet: this });
  }

  /**
   * Adds a stream of the fleet: the cameras get what it needs besides the stream actions, which they already have
   * from their thing names (its customer managed key, and what its notifications and image generation need).
   *
   * The stream must be in the stack's account and region, and its name must follow `streamNaming`, so that a camera
   * can reach it.
   */
  public addStream(stream: IStream): void {
    this.checkStreamName(stream);
    this.checkStreamEnvironment(stream);
    stream._grantProducerNeeds(this.role);
  }

  private checkStreamName(stream: IStream): void {
    const name = stream.streamName;
    if (Token.isUnresolved(name)) return;
    const rule = STREAM_NAME_RULES[this.streamNaming];
    if (!rule.pattern.test(name)) throw invalid('stream', name, rule.allowed);
  }

  private checkStreamEnvironment(stream: IStream): void {
    const stack = Stack.of(this);
    for (const [what, ours, theirs] of [['account', stack.account, stream.env.account], ['region', stack.region, stream.env.region]]) {
      if (!Token.isUnresolved(ours) && !Token.isUnresolved(theirs) && ours !== theirs) {
        throw invalid('stream', stream.streamName, `a stream in the ${what} of the fleet's stack, ${ours} (the stream is in ${theirs}): the cameras' role reaches only streams there`);
      }
    }
  }
}
