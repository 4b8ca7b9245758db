import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MediaType } from './media-type';
import { cfnBoolean, cfnNumber } from './private/cfn-scalars';
import { ResourceType, SETTINGS_CONSTRUCTS, StreamSettingsProperties } from './private/custom-resource-contract';
import { describeOwnStack } from './private/provider';
import { addSettingsResource, SettingsKind } from './private/settings';
import { requireDuration, requireMediaTypeObject, validateDataRetention, validateDeviceName } from './private/validation';
import { IStream, StorageTier, Stream } from './stream';

const STREAM_SETTINGS: SettingsKind = {
  resource: 'stream',
  prop: 'stream',
  ...SETTINGS_CONSTRUCTS.stream,
  imports: 'Stream.fromStreamName, Stream.fromStreamArn or Stream.fromStreamAttributes',
  owned: 'Stream',
  settingNames: 'dataRetention, mediaType, deviceName, storageTier',
  actions: [
    'kinesisvideo:DescribeStream',
    'kinesisvideo:UpdateDataRetention',
    'kinesisvideo:UpdateStream',
    'kinesisvideo:DescribeStreamStorageConfiguration',
    'kinesisvideo:UpdateStreamStorageConfiguration',
    'kinesisvideo:ListTagsForStream',
    'kinesisvideo:TagStream',
    'kinesisvideo:UntagStream',
  ],
};

/**
 * Properties of {@link StreamSettings}. Only what is set is managed: the stream keeps whatever else it has.
 */
export interface StreamSettingsProps {
  /**
   * The stream, imported with `Stream.fromStreamName` (a stream that devices create, and may recreate, under a known
   * name), `Stream.fromStreamArn` or `Stream.fromStreamAttributes`. It must be in the stack's account and region.
   *
   * A stream this app owns (`new Stream`) is refused: CloudFormation manages its settings through its props.
   */
  readonly stream: IStream;

  /**
   * How long the stream keeps its data: a whole number of hours from 0 to 87600 (ten years).
   *
   * Kinesis Video Streams changes the retention by a difference (`UpdateDataRetention`), which the deployment
   * computes from the stream's current retention. Lowering it deletes the video older than the new retention at once,
   * so a deployment that would lower it fails unless `allowRetentionDecrease` is set.
   *
   * @default - the retention is not managed
   */
  readonly dataRetention?: Duration;

  /**
   * Whether the deployment may lower the stream's data retention, including when `restoreOnDelete` puts back a lower
   * retention.
   *
   * Lowering the retention immediately deletes the video older than the new retention, and no rollback brings it back.
   * Without this option the deployment fails before the stream is touched (CloudFormation's own rollback of a failed
   * deployment is let through: it lowers only what that deployment had raised). Set `true`, deploy the decrease, and
   * consider setting it back afterwards.
   *
   * @default false
   */
  readonly allowRetentionDecrease?: boolean;

  /**
   * The media type of the stream's tracks (`UpdateStream`).
   *
   * @default - the media type is not managed
   */
  readonly mediaType?: MediaType;

  /**
   * The name of the device that writes to the stream: 1-128 characters of `[a-zA-Z0-9_.-]` (`UpdateStream`).
   *
   * @default - the device name is not managed
   */
  readonly deviceName?: string;

  /**
   * The default storage tier of the stream's data (`UpdateStreamStorageConfiguration`).
   *
   * @default - the storage tier is not managed
   */
  readonly storageTier?: StorageTier;

  /**
   * Tags to set on the stream: at most 50 in all on the stream, counting the tags it already carries.
   *
   * Only these keys are managed. A key the stream already carried is overwritten, and its earlier value is recorded. A
   * key removed from this map later is removed from the stream while it still holds the value set here (a key the
   * stream carried before is left, or restored with `restoreOnDelete`). Other keys on the stream are never touched.
   * `Tags.of(...)` does not reach a stream this app does not own: declare its tags here.
   *
   * @default - no tags are managed
   */
  readonly tags?: { [key: string]: string };

  /**
   * What deleting the settings (or dropping one of them) does to the stream.
   *
   * By default the stream keeps the settings (it is not the stack's) and loses only the tags this resource added,
   * where they still hold the value set here. With `true`, the settings and tags go back to the values the stream had
   * when this resource was created, each only while it still holds the value set here; lowering the retention that
   * way still needs `allowRetentionDecrease`. A stream that did not exist yet at that time (see `waitForStream`) has
   * nothing to go back to: its settings stay, and the tags are removed.
   *
   * @default false
   */
  readonly restoreOnDelete?: boolean;

  /**
   * How long the creation of the settings waits for a stream that does not exist yet, for example because no device
   * has connected: a whole number of seconds up to 50 minutes (a custom resource gets one hour in all). Only for a
   * stream imported by name.
   *
   * @default - the deployment fails at once, saying the stream does not exist
   */
  readonly waitForStream?: Duration;
}

/**
 * Declared settings and tags of a stream this stack does not own: typically a stream that a camera's producer SDK
 * created on first connect.
 *
 * One custom resource applies them through the Kinesis Video Streams update APIs, one change at a time, waiting for
 * the stream to become ACTIVE after each. Only the properties set are managed; the stream's lifecycle stays with
 * whoever created it. Unlike `cdk import`, which hands CloudFormation the whole stream (a stack deletion or a
 * replacement can then delete the stream and its video), deleting these settings leaves the stream in place.
 *
 * @example
 * declare const cameraRole: iam.IRole;
 * const lobby = Stream.fromStreamName(this, 'Lobby', 'lobby-cam');
 * new StreamSettings(this, 'LobbySettings', {
 *   stream: lobby,
 *   dataRetention: Duration.days(7),
 *   mediaType: MediaType.of(MediaType.H264),
 *   tags: { site: 'hq' },
 *   waitForStream: Duration.minutes(30),
 * });
 * lobby.grantWrite(cameraRole);
 */
export class StreamSettings extends Construct {
  constructor(scope: Construct, id: string, props: StreamSettingsProps) {
    super(scope, id);
    validateDataRetention(props.dataRetention);
    validateDeviceName(props.deviceName);
    requireMediaTypeObject(props.mediaType);
    requireDuration('waitForStream', props.waitForStream, false, 'Duration.minutes(30)');
    const stream = props.stream;
    addSettingsResource<StreamSettingsProperties>(this, {
      kind: STREAM_SETTINGS,
      target: { resource: stream, arn: stream.streamArn, name: stream.streamName, owned: stream instanceof Stream },
      resourceType: ResourceType.STREAM_SETTINGS,
      settings: {
        DataRetentionInHours: props.dataRetention === undefined ? undefined : cfnNumber(props.dataRetention.toHours()),
        MediaType: props.mediaType?.value,
        DeviceName: props.deviceName,
        DefaultStorageTier: props.storageTier,
      },
      options: { AllowRetentionDecrease: cfnBoolean(props.allowRetentionDecrease ?? false) },
      tags: props.tags,
      restoreOnDelete: props.restoreOnDelete,
      waitFor: props.waitForStream,
      waitProperty: 'WaitForStreamSeconds',
      arnProperty: 'StreamArn',
      nameProperty: 'StreamName',
      // A refused retention decrease is let through while CloudFormation undoes a failed deployment.
      statements: [describeOwnStack()],
    });
  }
}
