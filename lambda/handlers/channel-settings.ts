import { ChannelInfo } from '@aws-sdk/client-kinesis-video';
import { Live, readTags, SettingsHandler, SettingsPlan, SettingsSpec, TargetKind } from './settings';
import { ChannelSettingsProperties, ResourceType, SETTINGS_CONSTRUCTS } from '../../src/private/custom-resource-contract';
import { orUndefinedIfNotFound } from '../kvs-api';
import { optional, propertiesOf, readBoolean, readInteger, readString } from '../parse';
import { channelByArn, channelByName, Subject } from '../subject';
import { RawProperties } from '../types';

/** The settings a ChannelSettings resource may manage. */
interface ChannelSettingValues {
  readonly [setting: string]: string | number | undefined;
  readonly messageTtlSeconds?: number;
}

type ChannelSettingsSpec = SettingsSpec<ChannelSettingValues>;

const KIND: TargetKind = {
  noun: 'signaling channel',
  idKind: 'ChannelSettings',
  ...SETTINGS_CONSTRUCTS.channel,
};

/**
 * `Custom::KinesisVideoChannelSettings`: message TTL (`UpdateSignalingChannel`, with the channel's current version) and
 * tags (`TagResource`, `UntagResource`, `ListTagsForResource`, which apply to signaling channels only) of a channel the
 * stack does not own (see {@link SettingsHandler}).
 */
export class ChannelSettingsHandler extends SettingsHandler<ChannelSettingValues, ChannelInfo, ChannelSettingsSpec> {
  protected readonly kind = KIND;
  protected readonly tagging = this.api.channelTags;

  protected parse(properties: RawProperties): ChannelSettingsSpec {
    const raw = propertiesOf<ChannelSettingsProperties>(properties);
    const path = (member: keyof ChannelSettingsProperties) => `${ResourceType.CHANNEL_SETTINGS} ${member}`;
    const seconds = optional(raw.WaitForChannelSeconds, path('WaitForChannelSeconds'), (v, p) => readInteger(v, p, 1));
    return {
      arn: optional(raw.ChannelArn, path('ChannelArn'), readString),
      name: readString(raw.ChannelName, path('ChannelName')),
      settings: { messageTtlSeconds: optional(raw.MessageTtlSeconds, path('MessageTtlSeconds'), readInteger) },
      tags: optional(raw.Tags, path('Tags'), readTags),
      restoreOnDelete: readBoolean(raw.RestoreOnDelete, path('RestoreOnDelete')),
      waitMs: seconds === undefined ? undefined : seconds * 1000,
    };
  }

  protected async describe(target: { readonly arn: string } | { readonly name: string }): Promise<Live<ChannelInfo> | undefined> {
    const info = await orUndefinedIfNotFound('arn' in target ? this.api.describeChannel(target.arn) : this.api.describeChannelByName(target.name));
    if (!info) return undefined;
    return { arn: info.ChannelARN!, name: info.ChannelName!, status: info.ChannelStatus!, version: info.Version!, info };
  }

  protected async readSettings(live: Live<ChannelInfo>): Promise<ChannelSettingValues> {
    return { messageTtlSeconds: live.info.SingleMasterConfiguration?.MessageTtlSeconds };
  }

  protected async applySettings(live: Live<ChannelInfo>, plan: SettingsPlan<ChannelSettingValues>): Promise<string | undefined> {
    const ttl = live.info.SingleMasterConfiguration?.MessageTtlSeconds;
    const wanted = plan.target('messageTtlSeconds', ttl, 'message TTL');
    if (!wanted || wanted.value === ttl) return undefined;
    return this.sendVersioned(live, 'UpdateSignalingChannel', () => this.api.updateSignalingChannel(live.arn, live.version, wanted.value));
  }


  protected subjectOf(live: Live<ChannelInfo>): Subject {
    return channelByArn(live.arn);
  }

  protected subjectByName(name: string): Subject {
    return channelByName(name);
  }

  protected subjectByArn(arn: string): Subject {
    return channelByArn(arn);
  }

  protected data(live: Live<ChannelInfo>): { [attribute: string]: string } {
    return { ChannelArn: live.arn, ChannelName: live.name };
  }

}
