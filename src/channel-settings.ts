import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { cfnNumber } from './private/cfn-scalars';
import { ChannelSettingsProperties, ResourceType, SETTINGS_CONSTRUCTS } from './private/custom-resource-contract';
import { addSettingsResource, SettingsKind } from './private/settings';
import { validateMessageTtl } from './private/validation';
import { ISignalingChannel, SignalingChannel } from './signaling-channel';

const CHANNEL_SETTINGS: SettingsKind = {
  resource: 'channel',
  prop: 'channel',
  ...SETTINGS_CONSTRUCTS.channel,
  imports: 'SignalingChannel.fromChannelName, SignalingChannel.fromChannelArn or SignalingChannel.fromChannelAttributes',
  owned: 'SignalingChannel',
  settingNames: 'messageTtl',
  actions: [
    'kinesisvideo:DescribeSignalingChannel',
    'kinesisvideo:UpdateSignalingChannel',
    'kinesisvideo:ListTagsForResource',
    'kinesisvideo:TagResource',
    'kinesisvideo:UntagResource',
  ],
};

/**
 * Properties of {@link ChannelSettings}. Only what is set is managed: the channel keeps whatever else it has.
 */
export interface ChannelSettingsProps {
  /**
   * The signaling channel, imported with `SignalingChannel.fromChannelName` (a channel that devices create under a
   * known name), `SignalingChannel.fromChannelArn` or `SignalingChannel.fromChannelAttributes`. It must be in the
   * stack's account and region.
   *
   * A channel this app owns (`new SignalingChannel`) is refused: CloudFormation manages its settings through its props.
   */
  readonly channel: ISignalingChannel;

  /**
   * How long the channel keeps a signaling message that no peer has received: a whole number of seconds from 5 to 120
   * (`UpdateSignalingChannel`).
   *
   * @default - the message TTL is not managed
   */
  readonly messageTtl?: Duration;

  /**
   * Tags to set on the channel (`TagResource`): at most 50 in all on the channel, counting the tags it already carries.
   *
   * Only these keys are managed, as for `StreamSettingsProps.tags`: a key removed from this map later is removed from
   * the channel while it still holds the value set here, and other keys are never touched.
   *
   * @default - no tags are managed
   */
  readonly tags?: { [key: string]: string };

  /**
   * What deleting the settings (or dropping one of them) does to the channel.
   *
   * By default the channel keeps the settings and loses only the tags this resource added, where they still hold the
   * value set here. With `true`, the message TTL and the tags go back to the values the channel had when this resource
   * was created, each only while it still holds the value set here.
   *
   * @default false
   */
  readonly restoreOnDelete?: boolean;

  /**
   * How long the creation of the settings waits for a channel that does not exist yet, for example because the device
   * has not connected: a whole number of seconds up to 50 minutes. Only for a channel imported by name.
   *
   * @default - the deployment fails at once, saying the channel does not exist
   */
  readonly waitForChannel?: Duration;
}

/**
 * Declared settings and tags of a signaling channel this stack does not own, for example one that a device's WebRTC
 * SDK created on first connect. One custom resource applies them (`UpdateSignalingChannel`, `TagResource`,
 * `UntagResource`); deleting it leaves the channel in place.
 *
 * @example
 * const doorbell = SignalingChannel.fromChannelName(this, 'Doorbell', 'front-doorbell');
 * new ChannelSettings(this, 'DoorbellSettings', {
 *   channel: doorbell,
 *   messageTtl: Duration.seconds(30),
 *   tags: { site: 'hq' },
 * });
 */
export class ChannelSettings extends Construct {
  constructor(scope: Construct, id: string, props: ChannelSettingsProps) {
    super(scope, id);
    validateMessageTtl(props.messageTtl);
    const channel = props.channel;
    addSettingsResource<ChannelSettingsProperties>(this, {
      kind: CHANNEL_SETTINGS,
      target: { resource: channel, arn: channel.channelArn, name: channel.channelName, owned: channel instanceof SignalingChannel },
      resourceType: ResourceType.CHANNEL_SETTINGS,
      settings: {
        MessageTtlSeconds: props.messageTtl === undefined ? undefined : cfnNumber(props.messageTtl.toSeconds()),
      },
      tags: props.tags,
      restoreOnDelete: props.restoreOnDelete,
      waitFor: props.waitForChannel,
      waitProperty: 'WaitForChannelSeconds',
      arnProperty: 'ChannelArn',
      nameProperty: 'ChannelName',
    });
  }
}
