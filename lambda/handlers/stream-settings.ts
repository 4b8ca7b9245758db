import { StreamInfo } from '@aws-sdk/client-kinesis-video';
import { Live, readTags, SettingsHandler, SettingsPlan, SettingsSpec, Target, TargetKind } from './settings';
import { ResourceType, SETTINGS_CONSTRUCTS, STORAGE_TIERS, StreamSettingsProperties } from '../../src/private/custom-resource-contract';
import { orUndefinedIfNotFound } from '../kvs-api';
import { optional, propertiesOf, readBoolean, readEnum, readInteger, readString } from '../parse';
import { isUndoingFailedDeployment } from '../rollback';
import { streamByArn, streamByName, Subject } from '../subject';
import { RawProperties } from '../types';

/** The settings a StreamSettings resource may manage. */
interface StreamSettingValues {
  readonly [setting: string]: string | number | undefined;
  readonly retentionHours?: number;
  readonly mediaType?: string;
  readonly deviceName?: string;
  readonly storageTier?: string;
}

interface StreamSettingsSpec extends SettingsSpec<StreamSettingValues> {
  readonly allowRetentionDecrease: boolean;
}

const KIND: TargetKind = {
  noun: 'stream',
  idKind: 'StreamSettings',
  ...SETTINGS_CONSTRUCTS.stream,
};

/**
 * `Custom::KinesisVideoStreamSettings`: data retention (`UpdateDataRetention`, a delta from the described value), media
 * type and device name (`UpdateStream`), default storage tier (`UpdateStreamStorageConfiguration`) and tags
 * (`TagStream`, `UntagStream`, `ListTagsForStream`) of a stream the stack does not own. A lower retention deletes the
 * older video at once: it is refused unless the properties allow it or CloudFormation is undoing a failed deployment
 * (see {@link SettingsHandler} for the rest).
 */
export class StreamSettingsHandler extends SettingsHandler<StreamSettingValues, StreamInfo, StreamSettingsSpec> {
  protected readonly kind = KIND;
  protected readonly tagging = this.api.streamTags;

  protected parse(properties: RawProperties): StreamSettingsSpec {
    const raw = propertiesOf<StreamSettingsProperties>(properties);
    const path = (member: keyof StreamSettingsProperties) => `${ResourceType.STREAM_SETTINGS} ${member}`;
    const seconds = optional(raw.WaitForStreamSeconds, path('WaitForStreamSeconds'), (v, p) => readInteger(v, p, 1));
    return {
      arn: optional(raw.StreamArn, path('StreamArn'), readString),
      name: readString(raw.StreamName, path('StreamName')),
      settings: {
        retentionHours: optional(raw.DataRetentionInHours, path('DataRetentionInHours'), readInteger),
        mediaType: optional(raw.MediaType, path('MediaType'), readString),
        deviceName: optional(raw.DeviceName, path('DeviceName'), readString),
        storageTier: optional(raw.DefaultStorageTier, path('DefaultStorageTier'), (v, p) => readEnum(v, p, STORAGE_TIERS)),
      },
      tags: optional(raw.Tags, path('Tags'), readTags),
      allowRetentionDecrease: readBoolean(raw.AllowRetentionDecrease, path('AllowRetentionDecrease')),
      restoreOnDelete: readBoolean(raw.RestoreOnDelete, path('RestoreOnDelete')),
      waitMs: seconds === undefined ? undefined : seconds * 1000,
    };
  }

  protected async describe(target: { readonly arn: string } | { readonly name: string }): Promise<Live<StreamInfo> | undefined> {
    const info = await orUndefinedIfNotFound('arn' in target ? this.api.describeStreamByArn(target.arn) : this.api.describeStreamByName(target.name));
    if (!info) return undefined;
    return { arn: info.StreamARN!, name: info.StreamName!, status: info.Status!, version: info.Version!, info };
  }

  /** The storage tier is read only when the resource manages it: it is the one setting DescribeStream does not give. */
  protected async readSettings(live: Live<StreamInfo>, spec: StreamSettingsSpec): Promise<StreamSettingValues> {
    return {
      retentionHours: live.info.DataRetentionInHours ?? 0,
      mediaType: live.info.MediaType,
      deviceName: live.info.DeviceName,
      storageTier: spec.settings.storageTier === undefined ? undefined : await this.describeStorageTier(live),
    };
  }

  protected async applySettings(
    live: Live<StreamInfo>, plan: SettingsPlan<StreamSettingValues>, spec: StreamSettingsSpec): Promise<string | undefined> {
    const info = live.info;
    const hours = info.DataRetentionInHours ?? 0;
    const retention = plan.target('retentionHours', hours, 'data retention');
    if (retention && retention.value !== hours) return this.changeRetention(live, retention, spec);

    const mediaType = plan.target('mediaType', info.MediaType, 'media type');
    const deviceName = plan.target('deviceName', info.DeviceName, 'device name');
    if ((mediaType && mediaType.value !== info.MediaType) || (deviceName && deviceName.value !== info.DeviceName)) {
      // UpdateStream's documentation does not say that a member left out is kept: send the current value of the other.
      return this.sendVersioned(live, 'UpdateStream',
        () => this.api.updateStream(live.arn, live.version, mediaType?.value ?? info.MediaType, deviceName?.value ?? info.DeviceName));
    }

    if (plan.involves('storageTier')) {
      const tier = await this.describeStorageTier(live);
      const wanted = plan.target('storageTier', tier, 'default storage tier');
      if (wanted && wanted.value !== tier) {
        return this.sendVersioned(live, 'UpdateStreamStorageConfiguration', () => this.api.updateStreamStorageConfiguration(
          live.arn, live.version, { DefaultStorageTier: wanted.value as typeof STORAGE_TIERS[number] }));
      }
    }
    return undefined;
  }


  protected subjectOf(live: Live<StreamInfo>): Subject {
    return streamByArn(live.arn);
  }

  protected subjectByName(name: string): Subject {
    return streamByName(name);
  }

  protected subjectByArn(arn: string): Subject {
    return streamByArn(arn);
  }

  protected data(live: Live<StreamInfo>): { [attribute: string]: string } {
    return { StreamArn: live.arn, StreamName: live.name };
  }

  /**
   * `UpdateDataRetention` takes the change, not the value: INCREASE or DECREASE by the difference from the retention
   * just described, at the version described with it (so that a change made by someone else in between fails with
   * VersionMismatchException instead of being added to).
   */
  private async changeRetention(live: Live<StreamInfo>, retention: Target<number>, spec: StreamSettingsSpec): Promise<string> {
    const hours = live.info.DataRetentionInHours ?? 0;
    const change = retention.value - hours;
    if (change < 0 && !spec.allowRetentionDecrease) {
      if (!(await isUndoingFailedDeployment(this.cloudFormation, this.event.StackId))) throw this.refuseDecrease(live, hours, retention);
      this.ctx.log(`Lowering the data retention of ${this.subjectOf(live).label} from ${hours} to ${retention.value} hours: CloudFormation is undoing a failed deployment`);
    }
    return this.sendVersioned(live, 'UpdateDataRetention', () => this.api.updateDataRetention(
      live.arn, live.version, change > 0 ? 'INCREASE_DATA_RETENTION' : 'DECREASE_DATA_RETENTION', Math.abs(change)));
  }

  private refuseDecrease(live: Live<StreamInfo>, hours: number, retention: Target<number>): Error {
    const label = this.subjectOf(live).label;
    const loss = `a decrease immediately deletes the video older than ${retention.value} hours, and no rollback brings it back.`;
    if (!retention.restoring) {
      return new Error(`Refusing to lower the data retention of ${label} from ${hours} to ${retention.value} hours: ${loss} `
        + 'To accept that, set allowRetentionDecrease: true on its StreamSettings.');
    }
    return new Error(`Refusing to restore the data retention of ${label} from ${hours} to its earlier ${retention.value} hours: ${loss} `
      + 'To accept that, set allowRetentionDecrease: true on its StreamSettings and deploy it first; '
      + `to keep ${hours} hours, set restoreOnDelete: false instead.`);
  }

  private async describeStorageTier(live: Live<StreamInfo>): Promise<string | undefined> {
    return (await this.api.describeStreamStorageConfiguration(live.arn))?.DefaultStorageTier;
  }
}
