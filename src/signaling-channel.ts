import { Duration, IResource, Names, RemovalPolicy, Resource, ResourceProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnSignalingChannel } from 'aws-cdk-lib/aws-kinesisvideo';
import { aws_kinesisvideo as kvsRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { KvsResourceKind, resolveImportedIdentity } from './private/arn';
import { MASTER_ACTIONS, PEER_ACTIONS } from './private/device-actions';
import { GranteeRequirement, GranteeRequirements } from './private/grantee-requirements';
import { MediaStorage } from './private/media-storage';
import { tagValidation, validateChannelName, validateMessageTtl } from './private/validation';
import { IStream } from './stream';

/** What a viewer peer calls. */
const VIEWER_ACTIONS = ['kinesisvideo:ConnectAsViewer', ...PEER_ACTIONS];

/** What a peer calls on the channel to join a WebRTC ingestion (media storage) session. */
const STORAGE_SESSION_ACTIONS = [
  'kinesisvideo:JoinStorageSession',
  'kinesisvideo:JoinStorageSessionAsViewer',
  'kinesisvideo:DescribeMediaStorageConfiguration',
];

/** The service's default time to live of a signaling message. */
const DEFAULT_MESSAGE_TTL = Duration.seconds(60);

const CHANNEL_KIND: KvsResourceKind = {
  resource: 'channel',
  arnProp: 'channelArn',
  nameProp: 'channelName',
  validateName: validateChannelName,
};

/**
 * A Kinesis Video Streams signaling channel (WebRTC), owned by this stack (`new SignalingChannel`) or imported
 * (`SignalingChannel.from*`).
 */
export interface ISignalingChannel extends IResource, kvsRefs.ISignalingChannelRef {
  /**
   * The ARN of the channel.
   *
   * For a channel imported by name only, this is the pattern
   * `arn:<partition>:kinesisvideo:<region>:<account>:channel/<name>/*`: a channel ARN ends in the channel's creation
   * time, which the name alone does not give. The pattern fits IAM policies, not API calls that take a channel ARN.
   *
   * @attribute
   */
  readonly channelArn: string;

  /**
   * The name of the channel.
   *
   * @attribute
   */
  readonly channelName: string;

  /**
   * Grants the given actions on this channel.
   *
   * @param grantee the principal
   * @param actions the `kinesisvideo:` actions
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants what the master peer (the camera side) needs: `kinesisvideo:ConnectAsMaster`,
   * `kinesisvideo:GetSignalingChannelEndpoint`, `kinesisvideo:GetIceServerConfig` and
   * `kinesisvideo:DescribeSignalingChannel`.
   *
   * @param grantee the master peer
   */
  grantConnectAsMaster(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants what a viewer peer needs: `kinesisvideo:ConnectAsViewer`, `kinesisvideo:GetSignalingChannelEndpoint`,
   * `kinesisvideo:GetIceServerConfig` and `kinesisvideo:DescribeSignalingChannel`.
   *
   * @param grantee the viewer peer
   */
  grantConnectAsViewer(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants what a peer needs to join a WebRTC ingestion (media storage) session: `kinesisvideo:JoinStorageSession`,
   * `kinesisvideo:JoinStorageSessionAsViewer` and `kinesisvideo:DescribeMediaStorageConfiguration` on the channel.
   *
   * Once the channel's media storage maps it to a stream, the grant also covers `kinesisvideo:DescribeStream`,
   * `kinesisvideo:GetDataEndpoint` and `kinesisvideo:PutMedia` on that stream, which the Kinesis Video Streams WebRTC
   * ingestion guide requires of masters and viewers, including when the mapping is added after this call.
   *
   * @param grantee the peer
   */
  grantJoinStorageSession(grantee: iam.IGrantable): iam.Grant;

  /**
   * Stores the channel's media in `stream` (WebRTC ingestion, `UpdateMediaStorageConfiguration`, through this
   * library's custom resource). Peers then stop connecting to each other directly and call `JoinStorageSession`;
   * `grantJoinStorageSession` covers what they need on the stream.
   *
   * The deployment waits until both the channel and the stream are ACTIVE. It fails, naming the other resource, when
   * the channel or the stream is already mapped elsewhere. Removing the mapping from the app sets the channel's media
   * storage back to DISABLED. The stream must retain data. A channel stores into one stream.
   *
   * @param stream the stream that receives the channel's media
   */
  enableMediaStorage(stream: IStream): void;

  /**
   * Registers something every peer of a storage session needs, for the media storage construct of this library.
   *
   * @internal
   */
  _addStorageSessionRequirement(requirement: GranteeRequirement): void;
}

/**
 * A signaling channel this stack does not own. Give its ARN, its name or both.
 */
export interface SignalingChannelAttributes {
  /**
   * The ARN of the channel. A token is fine: the name is then derived with `Fn::Split`/`Fn::Select`.
   *
   * @default - the pattern `arn:<partition>:kinesisvideo:<region>:<account>:channel/<channelName>/*` (see `ISignalingChannel.channelArn`)
   */
  readonly channelArn?: string;

  /**
   * The name of the channel.
   *
   * @default - taken from `channelArn`
   */
  readonly channelName?: string;
}

/**
 * Grants, written once for owned and imported channels.
 */
abstract class SignalingChannelBase extends Resource implements ISignalingChannel {
  public abstract readonly channelArn: string;
  public abstract readonly channelName: string;

  /** The peers of `grantJoinStorageSession` and what the channel's media storage requires of them. */
  private readonly storageSession = new GranteeRequirements();

  constructor(scope: Construct, id: string, props: ResourceProps = {}) {
    super(scope, id, props);
  }

  /** A reference to this channel, for aws-cdk-lib APIs that take a `ISignalingChannelRef`. */
  public get signalingChannelRef(): kvsRefs.SignalingChannelReference {
    return { signalingChannelName: this.channelName, signalingChannelArn: this.channelArn };
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.channelArn] });
  }

  public grantConnectAsMaster(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...MASTER_ACTIONS);
  }

  public grantConnectAsViewer(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ...VIEWER_ACTIONS);
  }

  public grantJoinStorageSession(grantee: iam.IGrantable): iam.Grant {
    const grant = this.grant(grantee, ...STORAGE_SESSION_ACTIONS);
    this.storageSession.addGrantee(grantee);
    return grant;
  }

  public enableMediaStorage(stream: IStream): void {
    MediaStorage.enable(this, stream);
  }

  /** @internal */
  public _addStorageSessionRequirement(requirement: GranteeRequirement): void {
    this.storageSession.addRequirement(requirement);
  }
}

/**
 * Properties of a signaling channel.
 */
export interface SignalingChannelProps {
  /**
   * The name of the channel: 1-256 characters of `[a-zA-Z0-9_.-]`, unique in the account and region. Changing it
   * replaces the channel.
   *
   * @default - a name unique in the app, derived from the construct path. The name is always known at synth time:
   * the IAM scoping of this library's custom resources refers to channels by name.
   */
  readonly channelName?: string;

  /**
   * The type of the channel.
   *
   * @default SignalingChannelType.SINGLE_MASTER
   */
  readonly type?: SignalingChannelType;

  /**
   * How long the channel keeps a signaling message that no peer has received: a whole number of seconds from 5 to
   * 120.
   *
   * @default Duration.seconds(60), as the service
   */
  readonly messageTtl?: Duration;

  /**
   * What happens to the channel when it leaves the stack or is replaced.
   *
   * A channel holds no data: it only relays signaling messages, and a new one is ready in seconds. So, like other
   * stateless resources in aws-cdk-lib, it is deleted with the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Kinesis Video Streams signaling channel: the WebRTC signaling between a master (the camera side) and its viewers.
 *
 * Tag it with `Tags.of(channel).add(key, value)`: at most 50 tags, checked when the app synthesizes.
 *
 * @example
 * declare const cameraRole: iam.IRole;
 * const channel = new SignalingChannel(this, 'Doorbell', { messageTtl: Duration.seconds(30) });
 * channel.grantConnectAsMaster(cameraRole);
 *
 * @resource AWS::KinesisVideo::SignalingChannel
 */
export class SignalingChannel extends SignalingChannelBase {
  /**
   * Imports a channel by its ARN.
   *
   * @param channelArn `arn:<partition>:kinesisvideo:<region>:<account>:channel/<name>/<creation time>`, or a token
   */
  public static fromChannelArn(scope: Construct, id: string, channelArn: string): ISignalingChannel {
    return SignalingChannel.fromChannelAttributes(scope, id, { channelArn });
  }

  /**
   * Imports a channel of this stack's account and region by its name.
   *
   * The channel's exact ARN is not known (it ends in the creation time), so `channelArn` and the grants use the
   * pattern `arn:<partition>:kinesisvideo:<region>:<account>:channel/<name>/*`.
   */
  public static fromChannelName(scope: Construct, id: string, channelName: string): ISignalingChannel {
    return SignalingChannel.fromChannelAttributes(scope, id, { channelName });
  }

  /**
   * Imports a channel from its attributes. An imported channel's account and region are those of its ARN when
   * given, otherwise the stack's.
   */
  public static fromChannelAttributes(scope: Construct, id: string, attrs: SignalingChannelAttributes): ISignalingChannel {
    const identity = resolveImportedIdentity(scope, CHANNEL_KIND, attrs.channelArn, attrs.channelName);
    class Import extends SignalingChannelBase {
      public readonly channelArn = identity.arn;
      public readonly channelName = identity.name;
    }
    return new Import(scope, id, attrs.channelArn !== undefined ? { environmentFromArn: attrs.channelArn } : {});
  }

  public readonly channelArn: string;
  public readonly channelName: string;

  private readonly resource: CfnSignalingChannel;

  constructor(scope: Construct, id: string, props: SignalingChannelProps = {}) {
    super(scope, id, { physicalName: props.channelName });

    validateChannelName(props.channelName);
    // Named at synth time, as streams are: the provider's policy can then name (or share a prefix with) the channel.
    const channelName = props.channelName ?? Names.uniqueResourceName(this, { maxLength: 256, separator: '-' });
    const messageTtl = props.messageTtl ?? DEFAULT_MESSAGE_TTL;
    validateMessageTtl(messageTtl);

    this.resource = new CfnSignalingChannel(this, 'Resource', {
      name: channelName,
      type: props.type ?? SignalingChannelType.SINGLE_MASTER,
      messageTtlSeconds: messageTtl.toSeconds(),
    });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    this.node.addValidation(tagValidation(this.resource.tags));

    this.channelArn = this.resource.attrArn;
    this.channelName = channelName;
  }
}

/**
 * The type of a signaling channel.
 *
 * The API also lists FULL_MESH, but CloudFormation (`AWS::KinesisVideo::SignalingChannel`) accepts only
 * SINGLE_MASTER, and the API Reference calls SINGLE_MASTER the only supported type.
 */
export enum SignalingChannelType {
  /** One master peer (the camera side) and its viewers. */
  SINGLE_MASTER = 'SINGLE_MASTER',
}
