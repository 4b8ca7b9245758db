import { invalidArgument, KvsError, MESSAGES } from './errors';
import { ChannelRecord, KvsState, StreamRecord } from './state';
import { MAX_RETENTION_HOURS } from './validation';

/** A request body that passed validation; members are as the model and API Reference describe them. */
type Input = Record<string, any>;
/** The JSON response body, or undefined for the documented "empty HTTP body". */
type Output = Record<string, unknown> | undefined;
export type OperationHandler = (s: KvsState, input: Input) => Output;

/** Channel message time-to-live when CreateSignalingChannel omits it ("The default ... is 60 seconds"). */
const DEFAULT_MESSAGE_TTL_SECONDS = 60;
/**
 * ASSUMPTION: the `Type` that DescribeMappedResourceConfiguration reports for a signaling channel; the documentation
 * types it as a free string and gives no value.
 */
export const MAPPED_CHANNEL_TYPE = 'SIGNALING_CHANNEL';
const TERMINAL_SYNC_STATES = new Set(['IN_SYNC', 'SYNC_FAILED']);
const DELETING_SYNC_STATES = new Set(['DELETING', 'DELETING_ACKNOWLEDGED']);

const seconds = (ms: number) => ms / 1000;

function requireActive(resource: StreamRecord | ChannelRecord, kind: 'stream' | 'signaling channel') {
  if (resource.status !== 'ACTIVE') {
    throw new KvsError('ResourceInUseException', `The ${kind} ${resource.arn} is ${resource.status}; the operation requires it to be ACTIVE.`);
  }
}

function checkVersion(resource: StreamRecord | ChannelRecord, version: string | undefined, message: string) {
  if (version !== undefined && version !== resource.version) throw new KvsError('VersionMismatchException', message);
}

function requireRetention(stream: StreamRecord) {
  if (stream.dataRetentionInHours === 0) throw new KvsError('NoDataRetentionException', MESSAGES.noDataRetention);
}

/** Every change to stream or channel metadata yields a new version and an UPDATING period. */
function markUpdated(s: KvsState, resource: StreamRecord | ChannelRecord) {
  resource.version = s.newVersion();
  s.begin(resource, 'update');
}

/** Stream checks shared by the calls that change a stream: found, ACTIVE, and at the caller's version. */
function streamForUpdate(s: KvsState, input: Input): StreamRecord {
  const stream = s.requireStream(input);
  requireActive(stream, 'stream');
  checkVersion(stream, input.CurrentVersion, MESSAGES.streamVersionMismatch);
  return stream;
}

function channelForUpdate(s: KvsState, input: Input): ChannelRecord {
  const channel = s.requireChannel({ ChannelARN: input.ChannelARN });
  requireActive(channel, 'signaling channel');
  checkVersion(channel, input.CurrentVersion, MESSAGES.channelVersionMismatch);
  return channel;
}

const resourceType = (arn: string) => arn.split(':')[5]?.split('/')[0];

/** TagStream & co. take stream ARNs only: anything else is "The format of the StreamARN is invalid". */
function streamForTagging(s: KvsState, input: Input): StreamRecord {
  if (input.StreamARN !== undefined && resourceType(input.StreamARN) !== 'stream') {
    throw new KvsError('InvalidResourceFormatException', MESSAGES.invalidStreamArnFormat);
  }
  return s.requireStream(input);
}

/** TagResource & co. apply to signaling channels only; the API Reference sends streams to TagStream & co. */
function channelForTagging(s: KvsState, input: Input, streamAlternative: string): ChannelRecord {
  if (resourceType(input.ResourceARN) === 'stream') {
    throw invalidArgument(`${input.ResourceARN} is a stream; this operation applies to signaling channels only. Use ${streamAlternative} for streams.`);
  }
  return s.requireChannel({ ChannelARN: input.ResourceARN });
}

function setTags(target: { tags: Record<string, string> }, tags: Record<string, string>) {
  const merged = { ...target.tags, ...tags };
  if (Object.keys(merged).length > 50) throw new KvsError('TagsPerResourceExceededLimitException', MESSAGES.tooManyTags);
  target.tags = merged;
}

const tagListToMap = (tags: { Key: string; Value: string }[] = []) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

/** Page tokens are the base64 of the next offset, which fits the NextToken pattern `[a-zA-Z0-9+/=]*`. */
function paginate<T>(items: T[], maxResults: number, token: string | undefined): { page: T[]; next?: string } {
  let offset = 0;
  if (token) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (!/^\d+$/.test(decoded) || Number(decoded) > items.length) throw invalidArgument(`NextToken ${token} is not a token this API returned.`);
    offset = Number(decoded);
  }
  const end = offset + maxResults;
  return { page: items.slice(offset, end), next: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined };
}

const beginsWith = (name: string, condition: Input | undefined) => !condition?.ComparisonValue || name.startsWith(condition.ComparisonValue);

const streamInfo = (stream: StreamRecord) => ({
  DeviceName: stream.deviceName,
  StreamName: stream.name,
  StreamARN: stream.arn,
  MediaType: stream.mediaType,
  KmsKeyId: stream.kmsKeyId,
  Version: stream.version,
  Status: stream.status,
  CreationTime: seconds(stream.creationTime),
  DataRetentionInHours: stream.dataRetentionInHours,
});

const channelInfo = (channel: ChannelRecord) => ({
  ChannelName: channel.name,
  ChannelARN: channel.arn,
  ChannelType: channel.channelType,
  ChannelStatus: channel.status,
  CreationTime: seconds(channel.creationTime),
  SingleMasterConfiguration: { MessageTtlSeconds: channel.messageTtlSeconds },
  Version: channel.version,
});

function requireEdge(stream: StreamRecord) {
  if (!stream.edge) throw new KvsError('StreamEdgeConfigurationNotFoundException', `The stream ${stream.arn} has no edge configuration.`);
  return stream.edge;
}

const edgeInfo = (s: KvsState, stream: StreamRecord) => {
  const edge = requireEdge(stream);
  return {
    StreamName: stream.name,
    StreamARN: stream.arn,
    CreationTime: seconds(edge.creationTime),
    LastUpdatedTime: seconds(edge.lastUpdatedTime),
    SyncStatus: s.reportedSyncStatus(edge),
    FailedStatusDetails: edge.failedStatusDetails,
    EdgeConfig: edge.config,
  };
};

function domain(s: KvsState) {
  return s.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/**
 * A stream's data endpoint: `<server>/s-<id>` (PUT_MEDIA, GET_MEDIA) or `<server>/b-<id>` (the archived-media APIs) on
 * the server itself, where the archived-media data plane answers; the service's own host name when no base is set.
 */
export function dataEndpointUrl(s: KvsState, prefix: 's' | 'b', endpointId: string): string {
  return s.dataEndpointBase ? `${s.dataEndpointBase}/${prefix}-${endpointId}` : `https://${prefix}-${endpointId}.kinesisvideo.${s.region}.${domain(s)}`;
}

/** Update*Configuration with the configuration absent deletes it; setting one needs an ACTIVE stream with retention. */
function updateStreamConfiguration(s: KvsState, input: Input, member: string, apply: (stream: StreamRecord, config: any) => void) {
  const stream = s.requireStream(input);
  requireActive(stream, 'stream');
  const config = input[member];
  if (config !== undefined && config !== null) requireRetention(stream);
  apply(stream, config ?? undefined);
  return undefined;
}

export const OPERATIONS: Record<string, OperationHandler> = {
  // ---- streams ----
  CreateStream(s, input) {
    if (s.findStream({ StreamName: input.StreamName })) {
      throw new KvsError('ResourceInUseException', `The stream ${input.StreamName} already exists.`);
    }
    const { arn, ms } = s.newArn('stream', input.StreamName);
    const stream: StreamRecord = {
      name: input.StreamName,
      arn,
      creationTime: ms,
      kmsKeyId: input.KmsKeyId ?? `arn:${s.partition}:kms:${s.region}:${s.accountId}:alias/aws/kinesisvideo`,
      endpointId: s.newEndpointId(),
      status: 'CREATING',
      version: s.newVersion(),
      dataRetentionInHours: input.DataRetentionInHours ?? 0,
      deviceName: input.DeviceName,
      mediaType: input.MediaType,
      storageTier: input.StreamStorageConfiguration?.DefaultStorageTier ?? 'HOT',
      tags: { ...input.Tags },
    };
    s.begin(stream, 'create');
    s.streams.set(arn, stream);
    return { StreamARN: arn };
  },

  DescribeStream: (s, input) => ({ StreamInfo: streamInfo(s.requireStream(input)) }),

  ListStreams(s, input) {
    const streams = [...s.streams.values()].filter((st) => beginsWith(st.name, input.StreamNameCondition));
    const { page, next } = paginate(streams, input.MaxResults ?? 10000, input.NextToken);
    return { StreamInfoList: page.map(streamInfo), NextToken: next };
  },

  DeleteStream(s, input) {
    const stream = streamForUpdate(s, { StreamARN: input.StreamARN, CurrentVersion: input.CurrentVersion });
    s.begin(stream, 'delete');
    return undefined;
  },

  UpdateStream(s, input) {
    const stream = streamForUpdate(s, input);
    stream.deviceName = input.DeviceName ?? stream.deviceName;
    stream.mediaType = input.MediaType ?? stream.mediaType;
    markUpdated(s, stream);
    return undefined;
  },

  UpdateDataRetention(s, input) {
    const stream = streamForUpdate(s, input);
    const sign = input.Operation === 'INCREASE_DATA_RETENTION' ? 1 : -1;
    const hours = stream.dataRetentionInHours + sign * input.DataRetentionChangeInHours;
    if (hours < 0 || hours > MAX_RETENTION_HOURS) {
      throw invalidArgument(`${input.Operation} by ${input.DataRetentionChangeInHours} hours would make DataRetentionInHours ${hours}; it must stay between 0 and ${MAX_RETENTION_HOURS}.`);
    }
    // Takes effect at once: on a decrease, data older than the new period is gone immediately.
    stream.dataRetentionInHours = hours;
    markUpdated(s, stream);
    return undefined;
  },

  UpdateStreamStorageConfiguration(s, input) {
    const stream = streamForUpdate(s, input);
    stream.storageTier = input.StreamStorageConfiguration.DefaultStorageTier;
    markUpdated(s, stream);
    return undefined;
  },

  DescribeStreamStorageConfiguration(s, input) {
    const stream = s.requireStream(input);
    return { StreamName: stream.name, StreamARN: stream.arn, StreamStorageConfiguration: { DefaultStorageTier: stream.storageTier } };
  },

  GetDataEndpoint(s, input) {
    const stream = s.requireStream(input);
    if (stream.status === 'CREATING' || stream.status === 'DELETING') throw new KvsError('ResourceNotFoundException', MESSAGES.streamNotFound);
    const prefix = input.APIName === 'PUT_MEDIA' || input.APIName === 'GET_MEDIA' ? 's' : 'b';
    return { DataEndpoint: dataEndpointUrl(s, prefix, stream.endpointId) };
  },

  // ---- stream tags ----
  TagStream(s, input) {
    setTags(streamForTagging(s, input), input.Tags);
    return undefined;
  },

  UntagStream(s, input) {
    const stream = streamForTagging(s, input);
    for (const key of input.TagKeyList) delete stream.tags[key];
    return undefined;
  },

  ListTagsForStream: (s, input) => ({ Tags: { ...streamForTagging(s, input).tags } }),

  // ---- signaling channels ----
  CreateSignalingChannel(s, input) {
    if (s.findChannel({ ChannelName: input.ChannelName })) {
      throw new KvsError('ResourceInUseException', `The signaling channel ${input.ChannelName} already exists.`);
    }
    const tags = tagListToMap(input.Tags);
    const { arn, ms } = s.newArn('channel', input.ChannelName);
    const channel: ChannelRecord = {
      name: input.ChannelName,
      arn,
      creationTime: ms,
      channelType: input.ChannelType ?? 'SINGLE_MASTER',
      endpointId: s.newEndpointId(),
      status: 'CREATING',
      version: s.newVersion(),
      messageTtlSeconds: input.SingleMasterConfiguration?.MessageTtlSeconds ?? DEFAULT_MESSAGE_TTL_SECONDS,
      tags,
      mediaStorage: { Status: 'DISABLED' },
    };
    s.begin(channel, 'create');
    s.channels.set(arn, channel);
    return { ChannelARN: arn };
  },

  DescribeSignalingChannel: (s, input) => ({ ChannelInfo: channelInfo(s.requireChannel(input)) }),

  ListSignalingChannels(s, input) {
    const channels = [...s.channels.values()].filter((c) => beginsWith(c.name, input.ChannelNameCondition));
    const { page, next } = paginate(channels, input.MaxResults ?? 500, input.NextToken);
    return { ChannelInfoList: page.map(channelInfo), NextToken: next };
  },

  UpdateSignalingChannel(s, input) {
    const channel = channelForUpdate(s, input);
    channel.messageTtlSeconds = input.SingleMasterConfiguration.MessageTtlSeconds;
    markUpdated(s, channel);
    return undefined;
  },

  DeleteSignalingChannel(s, input) {
    s.begin(channelForUpdate(s, input), 'delete');
    return undefined;
  },

  GetSignalingChannelEndpoint(s, input) {
    const channel = s.requireChannel({ ChannelARN: input.ChannelARN });
    requireActive(channel, 'signaling channel');
    const protocols: string[] = input.SingleMasterChannelEndpointConfiguration?.Protocols ?? ['WSS', 'HTTPS'];
    if (protocols.includes('WEBRTC') && channel.mediaStorage.Status !== 'ENABLED') {
      throw invalidArgument(`The WEBRTC protocol needs the signaling channel ${channel.arn} to be configured for ingestion (media storage ENABLED).`);
    }
    const host = (prefix: string) => `${prefix}-${channel.endpointId}.kinesisvideo.${s.region}.${domain(s)}`;
    const endpoint: Record<string, string> = { WSS: `wss://${host('m')}`, HTTPS: `https://${host('r')}`, WEBRTC: `https://${host('w')}` };
    return { ResourceEndpointList: protocols.map((p) => ({ Protocol: p, ResourceEndpoint: endpoint[p] })) };
  },

  // ---- channel tags ----
  TagResource(s, input) {
    setTags(channelForTagging(s, input, 'TagStream'), tagListToMap(input.Tags));
    return undefined;
  },

  UntagResource(s, input) {
    const channel = channelForTagging(s, input, 'UntagStream');
    for (const key of input.TagKeyList) delete channel.tags[key];
    return undefined;
  },

  ListTagsForResource: (s, input) => ({ Tags: { ...channelForTagging(s, input, 'ListTagsForStream').tags } }),

  // ---- notification and image generation ----
  UpdateNotificationConfiguration: (s, input) => updateStreamConfiguration(s, input, 'NotificationConfiguration', (stream, config) => {
    stream.notification = config;
  }),

  DescribeNotificationConfiguration: (s, input) => ({ NotificationConfiguration: s.requireStream(input).notification }),

  UpdateImageGenerationConfiguration: (s, input) => updateStreamConfiguration(s, input, 'ImageGenerationConfiguration', (stream, config) => {
    stream.imageGeneration = config;
  }),

  DescribeImageGenerationConfiguration: (s, input) => ({ ImageGenerationConfiguration: s.requireStream(input).imageGeneration }),

  // ---- media storage (WebRTC ingestion) ----
  UpdateMediaStorageConfiguration(s, input) {
    const channel = s.requireChannel({ ChannelARN: input.ChannelARN });
    requireActive(channel, 'signaling channel');
    const config = input.MediaStorageConfiguration;
    if (config.Status === 'DISABLED') {
      channel.mediaStorage = { Status: 'DISABLED' };
      return undefined;
    }
    const stream = s.requireStream({ StreamARN: config.StreamARN });
    requireActive(stream, 'stream');
    const current = channel.mediaStorage;
    if (current.Status === 'ENABLED' && current.StreamARN !== stream.arn) {
      throw new KvsError('ResourceInUseException', `The signaling channel ${channel.arn} is already mapped to stream ${current.StreamARN}.`);
    }
    const other = s.channelMappedTo(stream.arn);
    if (other && other !== channel) {
      throw new KvsError('ResourceInUseException', `The stream ${stream.arn} is already mapped to signaling channel ${other.arn}.`);
    }
    requireRetention(stream);
    channel.mediaStorage = { Status: 'ENABLED', StreamARN: stream.arn };
    return undefined;
  },

  DescribeMediaStorageConfiguration: (s, input) => ({ MediaStorageConfiguration: { ...s.requireChannel(input).mediaStorage } }),

  DescribeMappedResourceConfiguration(s, input) {
    const stream = s.requireStream(input);
    const channel = s.channelMappedTo(stream.arn);
    const items = channel ? [{ Type: MAPPED_CHANNEL_TYPE, ARN: channel.arn }] : [];
    const { page, next } = paginate(items, input.MaxResults ?? 1, input.NextToken);
    return { MappedResourceConfigurationList: page, NextToken: next };
  },

  // ---- edge configuration ----
  StartEdgeConfigurationUpdate(s, input) {
    const stream = s.requireStream(input);
    requireActive(stream, 'stream');
    requireRetention(stream);
    const now = s.clock();
    const existing = stream.edge;
    if (existing && !TERMINAL_SYNC_STATES.has(existing.phase)) {
      throw new KvsError('ResourceInUseException',
        `The edge configuration of stream ${stream.arn} is ${s.reportedSyncStatus(existing)}; wait for IN_SYNC or SYNC_FAILED before updating it.`);
    }
    if (existing && existing.config.HubDeviceArn !== input.EdgeConfig.HubDeviceArn) {
      throw invalidArgument(`The edge configuration of stream ${stream.arn} belongs to hub device ${existing.config.HubDeviceArn}; `
        + `call DeleteEdgeConfiguration before moving it to ${input.EdgeConfig.HubDeviceArn}.`);
    }
    stream.edge = {
      config: input.EdgeConfig,
      creationTime: existing?.creationTime ?? now,
      lastUpdatedTime: now,
      phase: 'SYNCING',
      phaseSince: now,
      syncStartedAt: now,
      failThisDelete: false,
    };
    return edgeInfo(s, stream);
  },

  DescribeEdgeConfiguration: (s, input) => edgeInfo(s, s.requireStream(input)),

  DeleteEdgeConfiguration(s, input) {
    const stream = s.requireStream(input);
    const edge = requireEdge(stream);
    // A repeated delete while one is under way changes nothing (the call declares no ResourceInUseException).
    if (DELETING_SYNC_STATES.has(edge.phase)) return undefined;
    edge.phase = 'DELETING';
    edge.phaseSince = s.clock();
    edge.failedStatusDetails = undefined;
    edge.failThisDelete = s.takeEdgeDeleteFailure(stream.arn);
    return undefined;
  },

  ListEdgeAgentConfigurations(s, input) {
    const streams = [...s.streams.values()].filter((st) => st.edge?.config.HubDeviceArn === input.HubDeviceArn);
    const { page, next } = paginate(streams, input.MaxResults ?? 5, input.NextToken);
    return {
      EdgeConfigs: page.map((st) => edgeInfo(s, st)),
      NextToken: next,
    };
  },
};
