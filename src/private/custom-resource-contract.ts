/**
 * The contract between the constructs in `src/` and the handlers in `lambda/`: custom resource type names and the
 * shape of their properties. `lambda/` imports this file and esbuild bundles it.
 *
 * Type names are public contract: changing one replaces resources in users' stacks.
 *
 * CloudFormation delivers every scalar property as a string, so numbers and booleans are typed `string` here: the
 * constructs write them with `cfnNumber` / `cfnBoolean` (./cfn-scalars.ts) and the handlers read them in one place
 * (lambda/parse.ts).
 */

/** `Custom::` resource type names, one per handler. */
export const ResourceType = {
  /** Notification and image generation of one stream: at most one custom resource per stream. */
  STREAM_CONFIGURATION: 'Custom::KinesisVideoStreamConfiguration',
  /** Media storage (WebRTC ingestion) of one signaling channel into one stream. */
  MEDIA_STORAGE: 'Custom::KinesisVideoMediaStorage',
  /** One per stack: refuses deployments that would lower a live stream's data retention. */
  RETENTION_GUARD: 'Custom::KinesisVideoRetentionGuard',
  /** Edge Agent recording/upload configuration of one stream. */
  EDGE_CONFIGURATION: 'Custom::KinesisVideoEdgeConfiguration',
  /** Declared settings and tags of a stream the stack does not own. */
  STREAM_SETTINGS: 'Custom::KinesisVideoStreamSettings',
  /** Declared settings and tags of a signaling channel the stack does not own. */
  CHANNEL_SETTINGS: 'Custom::KinesisVideoChannelSettings',
} as const;

/**
 * The Provider's `queryInterval`, in seconds. An `isComplete` poll reads each Describe*Configuration API at most once
 * (after DescribeStream / DescribeSignalingChannel, 300 TPS), so 240 resources polling every 10 s make 24 TPS per API:
 * half the 50 TPS account quota of each, leaving room for the inline phase (lambda/budgets.ts) and for other clients.
 * Below 4.8 s they would exceed it.
 */
export const QUERY_INTERVAL_SECONDS = 10;

/** The most tags a stream or signaling channel carries: checked at synth, and by the handlers against the live tags. */
export const MAX_TAGS = 50;

/**
 * How messages, on both sides, name each settings construct, its option to wait for a target that does not exist yet,
 * and the import by name that such a target needs.
 */
export const SETTINGS_CONSTRUCTS = {
  stream: { construct: 'StreamSettings', waitOption: 'waitForStream', importByName: 'Stream.fromStreamName' },
  channel: { construct: 'ChannelSettings', waitOption: 'waitForChannel', importByName: 'SignalingChannel.fromChannelName' },
} as const;

/** A boolean as CloudFormation delivers it. */
export type CfnBoolean = 'true' | 'false';

/*
 * The values of the enumerated members, as the handlers check them: each member's type below is derived from its list.
 */
export const CONFIGURATION_STATUSES = ['ENABLED', 'DISABLED'] as const;
export const IMAGE_SELECTOR_TYPES = ['SERVER_TIMESTAMP', 'PRODUCER_TIMESTAMP'] as const;
export const IMAGE_FORMATS = ['JPEG', 'PNG'] as const;
export const MEDIA_URI_TYPES = ['RTSP_URI', 'FILE_URI'] as const;
export const STRATEGIES_ON_FULL_SIZE = ['DELETE_OLDEST_MEDIA', 'DENY_NEW_MEDIA'] as const;
export const EDGE_WAIT_TARGETS = ['IN_SYNC', 'ACKNOWLEDGED', 'ACCEPTED'] as const;
export const STORAGE_TIERS = ['HOT', 'WARM'] as const;

type OneOf<T extends readonly string[]> = T[number];

/** `Custom::KinesisVideoStreamConfiguration`. Each member mirrors the update API's request shape. */
export interface StreamConfigurationProperties {
  readonly StreamArn: string;
  /** Absent: this resource manages no notification configuration (and removes one it set before). */
  readonly NotificationConfiguration?: {
    readonly Status: OneOf<typeof CONFIGURATION_STATUSES>;
    readonly DestinationConfig: { readonly Uri: string };
  };
  /** Absent: this resource manages no image generation configuration (and removes one it set before). */
  readonly ImageGenerationConfiguration?: {
    readonly Status: OneOf<typeof CONFIGURATION_STATUSES>;
    readonly ImageSelectorType: OneOf<typeof IMAGE_SELECTOR_TYPES>;
    readonly DestinationConfig: { readonly Uri: string; readonly DestinationRegion: string };
    /** Milliseconds. */
    readonly SamplingInterval: string;
    readonly Format: OneOf<typeof IMAGE_FORMATS>;
    readonly FormatConfig?: { readonly JPEGQuality?: string };
    readonly WidthPixels?: string;
    readonly HeightPixels?: string;
  };
}

/** `Custom::KinesisVideoMediaStorage`. */
export interface MediaStorageProperties {
  readonly ChannelArn: string;
  readonly StreamArn: string;
}

/** One guarded stream of `Custom::KinesisVideoRetentionGuard`. */
export interface GuardedStream {
  readonly StreamName: string;
  readonly DataRetentionInHours: string;
}

/** `Custom::KinesisVideoRetentionGuard`. */
export interface RetentionGuardProperties {
  readonly Streams: GuardedStream[];
}

/** A schedule of the Edge Agent's recorder or uploader: a Quartz cron expression and a duration in seconds. */
export interface EdgeScheduleProperties {
  readonly ScheduleExpression: string;
  readonly DurationInSeconds: string;
}

/**
 * `Custom::KinesisVideoEdgeConfiguration`. `EdgeConfig` mirrors `StartEdgeConfigurationUpdate`'s request shape; the
 * other members tell the handler how to deploy it.
 */
export interface EdgeConfigurationProperties {
  readonly StreamArn: string;
  readonly EdgeConfig: {
    readonly HubDeviceArn: string;
    readonly RecorderConfig: {
      readonly MediaSourceConfig: { readonly MediaUriSecretArn: string; readonly MediaUriType: OneOf<typeof MEDIA_URI_TYPES> };
      /** Absent: the agent always records. */
      readonly ScheduleConfig?: EdgeScheduleProperties;
    };
    /** Absent: the agent uploads every hour. */
    readonly UploaderConfig?: { readonly ScheduleConfig: EdgeScheduleProperties };
    readonly DeletionConfig: {
      readonly EdgeRetentionInHours: string;
      readonly DeleteAfterUpload: CfnBoolean;
      readonly LocalSizeConfig?: {
        readonly MaxLocalMediaSizeInMB?: string;
        readonly StrategyOnFullSize?: OneOf<typeof STRATEGIES_ON_FULL_SIZE>;
      };
    };
  };
  /** The sync status a deployment waits for; ACCEPTED: only that the service accepted the update. */
  readonly WaitFor: OneOf<typeof EDGE_WAIT_TARGETS>;
  /** Whether the resource may delete the configuration of another hub device (and its media) to move to this one. */
  readonly AllowHubDeviceChange: CfnBoolean;
}

/** A resource's tags as the tagging APIs take them: key to value. */
export interface TagMap {
  readonly [key: string]: string;
}

/** The members every settings resource has. */
export interface SettingsProperties {
  /** The managed tags; absent: none. */
  readonly Tags?: TagMap;
  /** Whether a Delete (or dropping a setting) puts back the values the target had when the resource was created. */
  readonly RestoreOnDelete: CfnBoolean;
}

/**
 * `Custom::KinesisVideoStreamSettings`: declared settings of a stream the stack does not own (a device created it).
 * A member absent is not managed: the stream keeps whatever it has.
 */
export interface StreamSettingsProperties extends SettingsProperties {
  /** The stream's exact ARN when the import has one; otherwise the handler finds the stream by `StreamName`. */
  readonly StreamArn?: string;
  readonly StreamName: string;
  readonly DataRetentionInHours?: string;
  /** Whether the resource may lower the retention (which deletes older video at once). */
  readonly AllowRetentionDecrease: CfnBoolean;
  readonly MediaType?: string;
  readonly DeviceName?: string;
  readonly DefaultStorageTier?: OneOf<typeof STORAGE_TIERS>;
  /** How long a Create waits for a stream that does not exist yet; absent: it fails at once. */
  readonly WaitForStreamSeconds?: string;
}

/**
 * `Custom::KinesisVideoChannelSettings`: declared settings of a signaling channel the stack does not own. A member
 * absent is not managed.
 */
export interface ChannelSettingsProperties extends SettingsProperties {
  /** The channel's exact ARN when the import has one; otherwise the handler finds the channel by `ChannelName`. */
  readonly ChannelArn?: string;
  readonly ChannelName: string;
  readonly MessageTtlSeconds?: string;
  /** How long a Create waits for a channel that does not exist yet; absent: it fails at once. */
  readonly WaitForChannelSeconds?: string;
}
