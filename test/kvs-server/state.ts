import type {
  EdgeConfig,
  ImageGenerationConfiguration,
  MediaStorageConfiguration,
  NotificationConfiguration,
} from '@aws-sdk/client-kinesis-video';
import { KvsError, MESSAGES } from './errors';
import { SeededRandom } from './random';

/** Milliseconds each asynchronous transition takes. Every one is configurable; the defaults keep tests fast. */
export interface TransitionTimes {
  streamCreate: number;
  streamUpdate: number;
  streamDelete: number;
  channelCreate: number;
  channelUpdate: number;
  channelDelete: number;
  /** SYNCING → ACKNOWLEDGED, counted from the later of the sync start and the hub device coming online. */
  edgeSyncingToAcknowledged: number;
  /** ACKNOWLEDGED → IN_SYNC. */
  edgeAcknowledgedToInSync: number;
  /** The service's "15 minutes" of retries before SYNC_FAILED when the hub device does not acknowledge. */
  edgeSyncFailedAfter: number;
  /** DELETING → DELETING_ACKNOWLEDGED (or → DELETE_FAILED when a failure was injected). */
  edgeDelete: number;
  /** DELETING_ACKNOWLEDGED → gone. */
  edgeDeletingAcknowledgedToGone: number;
}

export const DEFAULT_TRANSITIONS: Readonly<TransitionTimes> = {
  streamCreate: 50,
  streamUpdate: 50,
  streamDelete: 50,
  channelCreate: 50,
  channelUpdate: 50,
  channelDelete: 50,
  edgeSyncingToAcknowledged: 50,
  edgeAcknowledgedToInSync: 50,
  edgeSyncFailedAfter: 200,
  edgeDelete: 50,
  edgeDeletingAcknowledgedToGone: 50,
};

/**
 * ASSUMPTIONS about edge sync states, which the documentation lists but does not order. Both default to true.
 * When false, the server still waits the same time but reports the previous state (SYNCING, DELETING) instead.
 */
export interface EdgeStateAssumptions {
  /** SYNCING → ACKNOWLEDGED → IN_SYNC (true) or SYNCING → IN_SYNC (false). */
  syncThroughAcknowledged: boolean;
  /** DELETING → DELETING_ACKNOWLEDGED → gone (true) or DELETING → gone (false). */
  deleteThroughAcknowledged: boolean;
}

export const DEFAULT_EDGE_ASSUMPTIONS: Readonly<EdgeStateAssumptions> = { syncThroughAcknowledged: true, deleteThroughAcknowledged: true };

export type ResourceStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';
export type SyncStatus = 'SYNCING' | 'ACKNOWLEDGED' | 'IN_SYNC' | 'SYNC_FAILED' | 'DELETING' | 'DELETE_FAILED' | 'DELETING_ACKNOWLEDGED';
type Tags = Record<string, string>;

/** A stream's or channel's transition in flight; its end is computed from the transition times on each read. */
interface Pending {
  readonly kind: 'create' | 'update' | 'delete';
  readonly since: number;
}

interface EdgeRecord {
  config: EdgeConfig;
  creationTime: number;
  lastUpdatedTime: number;
  phase: SyncStatus;
  phaseSince: number;
  syncStartedAt: number;
  failedStatusDetails?: string;
  failThisDelete: boolean;
}

export interface StreamRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly kmsKeyId: string;
  readonly endpointId: string;
  status: ResourceStatus;
  pending?: Pending;
  version: string;
  dataRetentionInHours: number;
  deviceName?: string;
  mediaType?: string;
  storageTier: string;
  tags: Tags;
  notification?: NotificationConfiguration;
  imageGeneration?: ImageGenerationConfiguration;
  edge?: EdgeRecord;
}

export interface ChannelRecord {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly channelType: string;
  readonly endpointId: string;
  status: ResourceStatus;
  pending?: Pending;
  version: string;
  messageTtlSeconds: number;
  tags: Tags;
  mediaStorage: MediaStorageConfiguration;
}

/** What `state()` returns: deep copies, statuses as of the call. */
export interface EdgeState {
  syncStatus: SyncStatus;
  edgeConfig: EdgeConfig;
  creationTime: number;
  lastUpdatedTime: number;
  failedStatusDetails?: string;
}
export interface StreamState {
  name: string;
  arn: string;
  status: ResourceStatus;
  version: string;
  creationTime: number;
  dataRetentionInHours: number;
  deviceName?: string;
  mediaType?: string;
  kmsKeyId: string;
  streamStorageConfiguration: { DefaultStorageTier: string };
  tags: Tags;
  notificationConfiguration?: NotificationConfiguration;
  imageGenerationConfiguration?: ImageGenerationConfiguration;
  edgeConfiguration?: EdgeState;
  /** The channel whose media storage is ENABLED into this stream, if any. */
  mappedChannelArn?: string;
}
export interface ChannelState {
  name: string;
  arn: string;
  status: ResourceStatus;
  version: string;
  creationTime: number;
  channelType: string;
  singleMasterConfiguration: { MessageTtlSeconds: number };
  tags: Tags;
  mediaStorageConfiguration: MediaStorageConfiguration;
}
export interface ServerState {
  streams: StreamState[];
  channels: ChannelState[];
}

interface HubDevice {
  online: boolean;
  since: number;
  acknowledgeDelayMs?: number;
}

/** Hub devices nobody marked are online, and have been for ever. */
const DEFAULT_HUB: HubDevice = { online: true, since: -Infinity };

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

export function validateTransitionTimes(times: Partial<TransitionTimes>) {
  for (const [name, value] of Object.entries(times)) {
    if (!(name in DEFAULT_TRANSITIONS)) throw new Error(`Unknown transition '${name}'; expected one of ${Object.keys(DEFAULT_TRANSITIONS).join(', ')}`);
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new Error(`Transition '${name}' must be a non-negative number of milliseconds; received ${value}`);
    }
  }
}

const STREAM_DURATIONS = { create: 'streamCreate', update: 'streamUpdate', delete: 'streamDelete' } as const;
const CHANNEL_DURATIONS = { create: 'channelCreate', update: 'channelUpdate', delete: 'channelDelete' } as const;

/**
 * The server's resources. Statuses are evaluated lazily: every request (and every `state()` call) first settles each
 * transition whose time has come, so there are no timers to clean up and the outcome depends only on the clock.
 */
export class KvsState {
  public readonly partition: string;
  public readonly streams = new Map<string, StreamRecord>();
  public readonly channels = new Map<string, ChannelRecord>();
  private readonly hubs = new Map<string, HubDevice>();
  private readonly failEdgeDeletes = new Map<string, number>();
  private lastArnMs = 0;
  /** Where data endpoints live: the server's own URL, so that GetDataEndpoint routes back to its data plane. */
  public dataEndpointBase = '';

  constructor(
    public readonly region: string,
    public readonly accountId: string,
    public readonly clock: () => number,
    public times: TransitionTimes,
    public edgeAssumptions: EdgeStateAssumptions,
    private readonly random: SeededRandom,
  ) {
    this.partition = partitionOf(region);
  }

  // ---- clock-driven transitions ----

  /** Applies every transition due by now. */
  public settle(now = this.clock()) {
    // Runs before every request: resources at rest are skipped without a copy or a call (thousands in a fleet).
    for (const stream of this.streams.values()) {
      if (stream.pending === undefined && stream.edge === undefined) continue;
      if (this.settleResource(stream, this.times[STREAM_DURATIONS[stream.pending?.kind ?? 'create']], now)) {
        this.streams.delete(stream.arn);
        continue;
      }
      this.settleEdge(stream, now);
    }
    for (const channel of this.channels.values()) {
      if (channel.pending === undefined) continue;
      if (this.settleResource(channel, this.times[CHANNEL_DURATIONS[channel.pending.kind]], now)) {
        this.channels.delete(channel.arn);
      }
    }
  }

  public setHubDeviceOnline(hubDeviceArn: string, online: boolean, acknowledgeDelayMs?: number) {
    const now = this.clock();
    this.settle(now);
    const current = this.hubs.get(hubDeviceArn) ?? DEFAULT_HUB;
    this.hubs.set(hubDeviceArn, {
      online,
      since: current.online === online ? current.since : now,
      acknowledgeDelayMs: acknowledgeDelayMs ?? current.acknowledgeDelayMs,
    });
  }

  /** The next `count` DeleteEdgeConfiguration calls on this stream end in DELETE_FAILED. */
  public failNextEdgeDeletes(streamArn: string, count: number) {
    if (!(Number.isInteger(count) && count >= 0)) throw new Error(`count must be a non-negative integer; received ${count}`);
    this.failEdgeDeletes.set(streamArn, count);
  }

  /** Consumes one injected edge-delete failure for the stream, if any is left. */
  public takeEdgeDeleteFailure(streamArn: string): boolean {
    const left = this.failEdgeDeletes.get(streamArn) ?? 0;
    if (left > 0) this.failEdgeDeletes.set(streamArn, left - 1);
    return left > 0;
  }

  /** Starts CREATING/UPDATING/DELETING now. */
  public begin(resource: StreamRecord | ChannelRecord, kind: Pending['kind']) {
    resource.status = kind === 'create' ? 'CREATING' : kind === 'update' ? 'UPDATING' : 'DELETING';
    resource.pending = { kind, since: this.clock() };
  }

  /** The edge sync status as reported, under the current assumptions. */
  public reportedSyncStatus(edge: EdgeRecord): SyncStatus {
    if (edge.phase === 'ACKNOWLEDGED' && !this.edgeAssumptions.syncThroughAcknowledged) return 'SYNCING';
    if (edge.phase === 'DELETING_ACKNOWLEDGED' && !this.edgeAssumptions.deleteThroughAcknowledged) return 'DELETING';
    return edge.phase;
  }

  // ---- identities ----

  /** A new resource ARN, `arn:<partition>:kinesisvideo:<region>:<account>:<type>/<name>/<13-digit epoch ms>`; unique even within one ms. */
  public newArn(type: 'stream' | 'channel', name: string): { arn: string; ms: number } {
    const ms = Math.max(this.clock(), this.lastArnMs + 1);
    this.lastArnMs = ms;
    return { arn: `arn:${this.partition}:kinesisvideo:${this.region}:${this.accountId}:${type}/${name}/${String(ms).padStart(13, '0')}`, ms };
  }

  public newVersion(): string {
    return this.random.alphanumeric(20);
  }

  public newEndpointId(): string {
    return this.random.hex(8);
  }

  // ---- lookups ----

  public findStream(by: { StreamName?: string; StreamARN?: string }): StreamRecord | undefined {
    if (by.StreamARN !== undefined) {
      const stream = this.streams.get(by.StreamARN);
      return stream && (by.StreamName === undefined || stream.name === by.StreamName) ? stream : undefined;
    }
    return [...this.streams.values()].find((s) => s.name === by.StreamName);
  }

  public requireStream(by: { StreamName?: string; StreamARN?: string }): StreamRecord {
    const stream = this.findStream(by);
    if (!stream) throw new KvsError('ResourceNotFoundException', MESSAGES.streamNotFound);
    return stream;
  }

  public findChannel(by: { ChannelName?: string; ChannelARN?: string }): ChannelRecord | undefined {
    if (by.ChannelARN !== undefined) {
      const channel = this.channels.get(by.ChannelARN);
      return channel && (by.ChannelName === undefined || channel.name === by.ChannelName) ? channel : undefined;
    }
    return [...this.channels.values()].find((c) => c.name === by.ChannelName);
  }

  public requireChannel(by: { ChannelName?: string; ChannelARN?: string }): ChannelRecord {
    const channel = this.findChannel(by);
    if (!channel) throw new KvsError('ResourceNotFoundException', MESSAGES.channelNotFound);
    return channel;
  }

  /** The channel whose media storage is ENABLED into this stream. */
  public channelMappedTo(streamArn: string): ChannelRecord | undefined {
    return [...this.channels.values()].find((c) => c.mediaStorage.Status === 'ENABLED' && c.mediaStorage.StreamARN === streamArn);
  }

  // ---- snapshot ----

  public snapshot(): ServerState {
    this.settle();
    return JSON.parse(JSON.stringify({
      streams: [...this.streams.values()].map((s): StreamState => ({
        name: s.name,
        arn: s.arn,
        status: s.status,
        version: s.version,
        creationTime: s.creationTime,
        dataRetentionInHours: s.dataRetentionInHours,
        deviceName: s.deviceName,
        mediaType: s.mediaType,
        kmsKeyId: s.kmsKeyId,
        streamStorageConfiguration: { DefaultStorageTier: s.storageTier },
        tags: s.tags,
        notificationConfiguration: s.notification,
        imageGenerationConfiguration: s.imageGeneration,
        edgeConfiguration: s.edge && {
          syncStatus: this.reportedSyncStatus(s.edge),
          edgeConfig: s.edge.config,
          creationTime: s.edge.creationTime,
          lastUpdatedTime: s.edge.lastUpdatedTime,
          failedStatusDetails: s.edge.failedStatusDetails,
        },
        mappedChannelArn: this.channelMappedTo(s.arn)?.arn,
      })),
      channels: [...this.channels.values()].map((c): ChannelState => ({
        name: c.name,
        arn: c.arn,
        status: c.status,
        version: c.version,
        creationTime: c.creationTime,
        channelType: c.channelType,
        singleMasterConfiguration: { MessageTtlSeconds: c.messageTtlSeconds },
        tags: c.tags,
        mediaStorageConfiguration: c.mediaStorage,
      })),
    })) as ServerState;
  }

  /** Settles a stream's or channel's transition; true if the resource is now gone. */
  private settleResource(resource: StreamRecord | ChannelRecord, duration: number, now: number): boolean {
    if (!resource.pending || resource.pending.since + duration > now) return false;
    if (resource.pending.kind === 'delete') return true;
    resource.status = 'ACTIVE';
    resource.pending = undefined;
    return false;
  }

  /**
   * Walks a stream's edge configuration through every state change due by now. While SYNCING, an online hub
   * acknowledges `acknowledgeDelayMs` (default `edgeSyncingToAcknowledged`) after the later of the sync start and the
   * moment it came online, unless that is past the retry window (`edgeSyncFailedAfter`), which ends in SYNC_FAILED.
   * Hub status changes settle first, so the hub's status is constant over each walk.
   */
  private settleEdge(stream: StreamRecord, now: number) {
    const t = this.times;
    for (;;) {
      const edge = stream.edge;
      if (!edge) return;
      let at: number;
      let next: SyncStatus | 'GONE';
      switch (edge.phase) {
        case 'SYNCING': {
          const hub = this.hubs.get(edge.config.HubDeviceArn!) ?? DEFAULT_HUB;
          const failAt = edge.syncStartedAt + t.edgeSyncFailedAfter;
          const ackAt = Math.max(edge.syncStartedAt, hub.since) + (hub.acknowledgeDelayMs ?? t.edgeSyncingToAcknowledged);
          [at, next] = hub.online && ackAt <= failAt ? [ackAt, 'ACKNOWLEDGED'] : [failAt, 'SYNC_FAILED'];
          break;
        }
        case 'ACKNOWLEDGED':
          [at, next] = [edge.phaseSince + t.edgeAcknowledgedToInSync, 'IN_SYNC'];
          break;
        case 'DELETING':
          [at, next] = [edge.phaseSince + t.edgeDelete, edge.failThisDelete ? 'DELETE_FAILED' : 'DELETING_ACKNOWLEDGED'];
          break;
        case 'DELETING_ACKNOWLEDGED':
          [at, next] = [edge.phaseSince + t.edgeDeletingAcknowledgedToGone, 'GONE'];
          break;
        default:
          return;
      }
      if (at > now) return;
      if (next === 'GONE') {
        stream.edge = undefined;
        return;
      }
      edge.phase = next;
      edge.phaseSince = at;
      if (next === 'SYNC_FAILED') {
        edge.failedStatusDetails = `The Edge Agent on hub device ${edge.config.HubDeviceArn} did not acknowledge the edge configuration before the retry window ended.`;
      } else if (next === 'DELETE_FAILED') {
        edge.failedStatusDetails = `Deleting the edge configuration from hub device ${edge.config.HubDeviceArn} failed; retry DeleteEdgeConfiguration.`;
      }
    }
  }
}
