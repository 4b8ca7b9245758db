import { EdgeConfig, ScheduleConfig } from '@aws-sdk/client-kinesis-video';
import {
  EDGE_WAIT_TARGETS,
  EdgeConfigurationProperties,
  EdgeScheduleProperties,
  MEDIA_URI_TYPES,
  ResourceType,
  STRATEGIES_ON_FULL_SIZE,
} from '../../src/private/custom-resource-contract';
import { INLINE_WAIT } from '../budgets';
import { ApiError, IN_USE_ERROR, NOT_FOUND_ERROR } from '../errors';
import { optional, propertiesOf, readBoolean, readEnum, readInteger, readObject, readString } from '../parse';
import { isRollingBack, ROLLING_BACK } from '../rollback';
import { StreamTargetHandler } from '../stream-target-handler';
import { streamByArn } from '../subject';
import { RawProperties } from '../types';
import { done, pollUntilDone, Progress, waiting } from '../wait';

const KIND = 'EdgeConfiguration';
type WaitFor = EdgeConfigurationProperties['WaitFor'];

/** What DescribeEdgeConfiguration answers when the stream exists but has no edge configuration. */
export const CONFIGURATION_NOT_FOUND_ERROR = 'StreamEdgeConfigurationNotFoundException';

/**
 * A DELETE_FAILED deletion is retried inline: DeleteEdgeConfiguration again and a wait for its outcome, at most
 * `retries` times within `budgetMs` per invocation, after which the step fails with the service's detail. A retry
 * still deleting when the budget ends is left to the next poll. (No state survives between polls, so the 1-hour cap
 * of the Provider bounds retries that outlast an invocation.) The budget fits the handlers' 2-minute timeout next to
 * the 20 s inline wait of `onEvent` and the throttling retries.
 */
export const DELETE_RETRY = { retries: 3, budgetMs: 40_000 } as const;

/** StartEdgeConfigurationUpdate may be called again only from these states. */
const TERMINAL = new Set(['IN_SYNC', 'SYNC_FAILED']);
const DELETING = new Set(['DELETING', 'DELETING_ACKNOWLEDGED']);

/** `Custom::KinesisVideoEdgeConfiguration`, parsed. */
interface EdgeDeployment {
  readonly streamArn: string;
  readonly config: EdgeConfig;
  readonly waitFor: WaitFor;
  readonly allowHubDeviceChange: boolean;
}

/** A stream's edge configuration as DescribeEdgeConfiguration (or StartEdgeConfigurationUpdate) reports it. */
interface Held {
  readonly SyncStatus?: string;
  readonly FailedStatusDetails?: string;
  readonly EdgeConfig?: EdgeConfig;
}

/**
 * The Edge Agent configuration of one stream (`StartEdgeConfigurationUpdate`). The physical id is the stream's ARN,
 * so only a change of stream replaces the resource; a change of hub device is an in-place update.
 *
 * - Create and Update wait for a terminal state (IN_SYNC, SYNC_FAILED) before starting an update, since the service
 *   refuses one while SYNCING, then wait for `WaitFor`. SYNC_FAILED fails with the service's `FailedStatusDetails`.
 * - A configuration held by another hub device must be deleted first, which deletes the recordings on that device:
 *   refused unless `AllowHubDeviceChange`, or a rollback undoes a change the failed update was allowed to make.
 * - During a rollback (`UPDATE_ROLLBACK_IN_PROGRESS`) the handler does not wait past the service's acceptance, nor
 *   fail on SYNC_FAILED: failing there would leave the stack UPDATE_ROLLBACK_FAILED.
 * - Delete (only sent with a DESTROY removal policy) deletes the configuration while the stream still holds the one
 *   this resource set, waits until it is gone, and retries DELETE_FAILED (see {@link DELETE_RETRY}).
 *
 * A matching configuration found SYNC_FAILED when a request arrives is started again once (the deployment retries the
 * sync); a SYNC_FAILED that follows this request's update fails it.
 */
export class EdgeConfigurationHandler extends StreamTargetHandler<EdgeDeployment> {
  /** Whether this invocation started an update / a deletion: a lagging Describe must not make it send another. */
  private started = false;
  private deleteSent = false;
  /** `isComplete` only observes the update `onEvent` started; it never restarts a failed sync. */
  private observing = false;
  private rollback?: boolean;

  protected readonly kind = KIND;

  protected parse(raw: RawProperties): EdgeDeployment {
    return parse(raw);
  }

  protected check(): Promise<Progress> {
    this.observing = true;
    return super.check();
  }

  protected async removeFrom(streamArn: string, set: EdgeDeployment): Promise<Progress> {
    const stream = streamByArn(streamArn);
    const held = await this.describe(streamArn);
    if (!held) {
      if (!this.deleteSent) this.ctx.log(`Nothing to delete: ${stream.label} has no edge configuration (or is gone)`);
      return done();
    }
    if (!applied(set.config, undefined, held.EdgeConfig)) {
      this.ctx.log(`Leaving the edge configuration of ${stream.label} in place: it is not the one this resource set`, { set: set.config, held: held.EdgeConfig });
      return done();
    }
    const left = await this.deletion(streamArn, held);
    return left ? waiting(left) : done();
  }

  protected async converge(desired: EdgeDeployment, previous: EdgeDeployment | undefined): Promise<Progress> {
    const stream = streamByArn(desired.streamArn);
    const held = await this.describe(desired.streamArn);
    if (!held) return this.start(desired, previous);
    const status = held.SyncStatus ?? 'UNKNOWN';
    const heldHub = held.EdgeConfig?.HubDeviceArn;

    if (DELETING.has(status)) return waiting(`the edge configuration of ${stream.label} to finish its deletion (now ${status})`);
    if (heldHub !== desired.config.HubDeviceArn) {
      await this.requireHubChange(desired, previous, heldHub);
      const left = await this.deletion(desired.streamArn, held);
      return left ? waiting(left) : this.start(desired, previous);
    }
    if (status === 'DELETE_FAILED') {
      throw new Error(`Cannot update the edge configuration of ${stream.label}: it is DELETE_FAILED after a deletion that did not finish`
        + `${detail(held)}. Delete it (aws kinesisvideo delete-edge-configuration --stream-arn ${desired.streamArn}), `
        + 'wait until DescribeEdgeConfiguration no longer finds it, then retry the deployment.');
    }
    if (applied(desired.config, previous?.config, held.EdgeConfig)) {
      if (status === 'SYNC_FAILED' && !this.observing && !this.started) {
        this.ctx.log(`Starting the sync of ${stream.label} again: it is SYNC_FAILED from an earlier deployment`, { failedStatusDetails: held.FailedStatusDetails });
        return this.start(desired, previous);
      }
      return this.progress(desired, held);
    }
    if (!TERMINAL.has(status)) {
      return waiting(`the earlier update of the edge configuration of ${stream.label} to reach IN_SYNC or SYNC_FAILED (now ${status})`);
    }
    return this.start(desired, previous);
  }

  /** Starts the update (once per invocation) and reports where it stands. */
  private async start(desired: EdgeDeployment, previous: EdgeDeployment | undefined): Promise<Progress> {
    const stream = streamByArn(desired.streamArn);
    if (this.started) return waiting(`the edge configuration of ${stream.label} to report the update`);
    let out: Held;
    try {
      out = await this.api.startEdgeConfigurationUpdate(desired.streamArn, desired.config);
    } catch (err) {
      if (!(err instanceof ApiError && err.errorName === IN_USE_ERROR)) throw err;
      return waiting(await this.explainInUse(err, desired.streamArn));
    }
    this.started = true;
    return applied(desired.config, previous?.config, out.EdgeConfig) ? this.progress(desired, out) : waiting(`the edge configuration of ${stream.label} to report the update`);
  }

  /** Where a configuration that holds `desired` stands against `desired.waitFor`. */
  private async progress(desired: EdgeDeployment, held: Held): Promise<Progress> {
    const stream = streamByArn(desired.streamArn);
    const status = held.SyncStatus ?? 'UNKNOWN';
    const data = { StreamArn: desired.streamArn, HubDeviceArn: desired.config.HubDeviceArn!, SyncStatus: status };
    if (reached(status, desired.waitFor)) return done(data);
    if (await this.rollingBack()) {
      this.ctx.log(`Not waiting for ${desired.waitFor} during the rollback (stack is ${ROLLING_BACK}); the edge configuration of ${stream.label} is ${status}`);
      return done(data);
    }
    if (status === 'SYNC_FAILED') {
      throw new Error(`The edge configuration of ${stream.label} did not reach hub device ${desired.config.HubDeviceArn}: SYNC_FAILED${detail(held)}. `
        + 'Check that the device is online and runs the Kinesis Video Streams Edge Agent, then retry the deployment; '
        + 'or deploy with waitFor: EdgeSyncWait.ACCEPTED to not wait for the device.');
    }
    return waiting(`the Edge Agent on hub device ${desired.config.HubDeviceArn} to reach ${desired.waitFor} for ${stream.label} (now ${status})`);
  }

  /** Moving to another hub device deletes the old device's recordings: only with the opt-in. */
  private async requireHubChange(desired: EdgeDeployment, previous: EdgeDeployment | undefined, heldHub: string | undefined): Promise<void> {
    if (desired.allowHubDeviceChange) return;
    if (previous?.allowHubDeviceChange && await this.rollingBack()) {
      this.ctx.log(`Letting the rollback move the edge configuration back to hub device ${desired.config.HubDeviceArn}: the failed update was allowed to change it`);
      return;
    }
    const stream = streamByArn(desired.streamArn);
    throw new Error(`Refusing to move the edge configuration of ${stream.label} from hub device ${heldHub} to ${desired.config.HubDeviceArn}: `
      + 'that needs DeleteEdgeConfiguration, which deletes every recording stored on the old device, including recordings not uploaded yet, '
      + `and no rollback brings them back. To accept that, set allowHubDeviceChange: true on the EdgeConfiguration; otherwise keep hub device ${heldHub}.`);
  }

  /**
   * Deletes the stream's edge configuration (once per invocation), retrying DELETE_FAILED. Returns what is still
   * awaited, or `undefined` once the configuration is gone.
   */
  private async deletion(streamArn: string, held: Held): Promise<string | undefined> {
    const status = held.SyncStatus ?? 'UNKNOWN';
    const stream = streamByArn(streamArn);
    const awaited = (now: string) => `the edge configuration of ${stream.label} to be deleted from hub device ${held.EdgeConfig?.HubDeviceArn} (now ${now})`;
    if (status === 'DELETE_FAILED') return this.retryFailedDeletion(streamArn, held);
    if (DELETING.has(status) || this.deleteSent) return awaited(status);
    const sent = await this.sendDelete(streamArn);
    if (sent === 'gone') return undefined;
    return awaited(sent === 'busy' ? `${status}, the service refused the deletion for now` : 'DELETING');
  }

  private async retryFailedDeletion(streamArn: string, failed: Held): Promise<string | undefined> {
    const stream = streamByArn(streamArn);
    const deadline = this.ctx.clock.now() + DELETE_RETRY.budgetMs;
    let held: Held | undefined = failed;
    for (let retry = 1; held?.SyncStatus === 'DELETE_FAILED'; retry++) {
      if (retry > DELETE_RETRY.retries) {
        throw new Error(`DeleteEdgeConfiguration failed for ${stream.label}: the edge configuration is still DELETE_FAILED after ${DELETE_RETRY.retries} retries`
          + `${detail(held)}. Check that hub device ${held.EdgeConfig?.HubDeviceArn} is online and runs the Edge Agent, then retry; `
          + `or delete the configuration yourself: aws kinesisvideo delete-edge-configuration --stream-arn ${streamArn}.`);
      }
      this.ctx.log(`Retrying the deletion of the edge configuration of ${stream.label} after DELETE_FAILED (retry ${retry} of ${DELETE_RETRY.retries})`,
        { failedStatusDetails: held.FailedStatusDetails });
      if ((await this.sendDelete(streamArn)) === 'gone') return undefined;
      const outcome = await pollUntilDone(this.ctx.clock, async () => {
        held = await this.describe(streamArn);
        return held && DELETING.has(held.SyncStatus ?? '') ? waiting('the deletion to end') : done();
      }, { ...INLINE_WAIT, budgetMs: Math.max(0, deadline - this.ctx.clock.now()) });
      if (!outcome.done) break;
    }
    return held ? `the edge configuration of ${stream.label} to be deleted (now ${held.SyncStatus})` : undefined;
  }

  /** DeleteEdgeConfiguration: 'gone' when there is nothing to delete, 'busy' on ResourceInUseException. */
  private async sendDelete(streamArn: string): Promise<'sent' | 'gone' | 'busy'> {
    try {
      await this.api.deleteEdgeConfiguration(streamArn);
    } catch (err) {
      if (isGone(err)) return 'gone';
      if (err instanceof ApiError && err.errorName === IN_USE_ERROR) return 'busy';
      throw err;
    }
    this.deleteSent = true;
    return 'sent';
  }

  /** The stream's edge configuration; `undefined` when it has none or the stream is gone. */
  private async describe(streamArn: string): Promise<Held | undefined> {
    try {
      return await this.api.describeEdgeConfiguration(streamArn);
    } catch (err) {
      if (isGone(err)) return undefined;
      throw err;
    }
  }

  /**
   * ResourceInUseException from StartEdgeConfigurationUpdate: the stream is not ACTIVE, or the configuration is not in
   * a terminal state (it changed since it was read); both are waited out. Otherwise it fails.
   */
  private async explainInUse(err: ApiError, streamArn: string): Promise<string> {
    const stream = streamByArn(streamArn);
    const status = (await this.api.describeStreamByArn(streamArn))?.Status;
    if (status === 'DELETING') throw new Error(`Cannot configure the Edge Agent of ${stream.label}: the stream is being deleted.`);
    if (status !== 'ACTIVE') return `${stream.label} to become ACTIVE (now ${status})`;
    const sync = (await this.describe(streamArn))?.SyncStatus;
    if (sync && !TERMINAL.has(sync)) return `the edge configuration of ${stream.label} to reach IN_SYNC or SYNC_FAILED (now ${sync})`;
    throw err;
  }

  /** Whether this is an Update of CloudFormation's rollback; asked once per invocation, and only when it matters. */
  private async rollingBack(): Promise<boolean> {
    if (this.event.RequestType !== 'Update') return false;
    this.rollback ??= await isRollingBack(this.cloudFormation, this.event.StackId);
    return this.rollback;
  }
}

/** Whether a configuration in `status` satisfies the wait: each target accepts the states past it. */
function reached(status: string, waitFor: WaitFor): boolean {
  switch (waitFor) {
    case 'ACCEPTED': return status === 'SYNCING' || status === 'ACKNOWLEDGED' || status === 'IN_SYNC';
    case 'ACKNOWLEDGED': return status === 'ACKNOWLEDGED' || status === 'IN_SYNC';
    case 'IN_SYNC': return status === 'IN_SYNC';
  }
}

/**
 * Whether the service holds `desired`: every value `desired` sets, and none of the values `previous` set that
 * `desired` drops (for example a removed upload schedule). Values `desired` leaves out are otherwise not compared: the
 * service may report defaults for them.
 */
function applied(desired: EdgeConfig, previous: EdgeConfig | undefined, held: EdgeConfig | undefined): boolean {
  if (!held) return false;
  const want = leaves(desired);
  const got = leaves(held);
  for (const [path, value] of want) {
    if (got.get(path) !== value) return false;
  }
  for (const [path, value] of leaves(previous)) {
    if (!want.has(path) && got.get(path) === value) return false;
  }
  return true;
}

/** The scalar values of a nested object by dotted path, e.g. `RecorderConfig.ScheduleConfig.DurationInSeconds`. */
function leaves(value: unknown, path: string = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) leaves(member, path ? `${path}.${key}` : key, out);
  } else if (value !== undefined) {
    out.set(path, value);
  }
  return out;
}

function isGone(err: unknown): boolean {
  return err instanceof ApiError && (err.errorName === NOT_FOUND_ERROR || err.errorName === CONFIGURATION_NOT_FOUND_ERROR);
}

/** `: <FailedStatusDetails>` when the service gave any. */
function detail(held: Held): string {
  return held.FailedStatusDetails ? `: ${held.FailedStatusDetails.replace(/\.$/, '')}` : '';
}

type EdgeConfigProperties = EdgeConfigurationProperties['EdgeConfig'];
type RecorderProperties = EdgeConfigProperties['RecorderConfig'];
type DeletionProperties = EdgeConfigProperties['DeletionConfig'];

function parse(properties: RawProperties): EdgeDeployment {
  const type = ResourceType.EDGE_CONFIGURATION;
  const raw = propertiesOf<EdgeConfigurationProperties>(properties);
  const path = `${type} EdgeConfig`;
  const edge = readObject<EdgeConfigProperties>(raw.EdgeConfig, path);
  const recorder = readObject<RecorderProperties>(edge.RecorderConfig, `${path}.RecorderConfig`);
  const source = readObject<RecorderProperties['MediaSourceConfig']>(recorder.MediaSourceConfig, `${path}.RecorderConfig.MediaSourceConfig`);
  const uploader = optional(edge.UploaderConfig, `${path}.UploaderConfig`, readObject<NonNullable<EdgeConfigProperties['UploaderConfig']>>);
  const deletion = readObject<DeletionProperties>(edge.DeletionConfig, `${path}.DeletionConfig`);
  const localSize = optional(deletion.LocalSizeConfig, `${path}.DeletionConfig.LocalSizeConfig`, readObject<NonNullable<DeletionProperties['LocalSizeConfig']>>);
  return {
    streamArn: readString(raw.StreamArn, `${type} StreamArn`),
    config: {
      HubDeviceArn: readString(edge.HubDeviceArn, `${path}.HubDeviceArn`),
      RecorderConfig: {
        MediaSourceConfig: {
          MediaUriSecretArn: readString(source.MediaUriSecretArn, `${path}.RecorderConfig.MediaSourceConfig.MediaUriSecretArn`),
          MediaUriType: readEnum(source.MediaUriType, `${path}.RecorderConfig.MediaSourceConfig.MediaUriType`, MEDIA_URI_TYPES),
        },
        ScheduleConfig: optional(recorder.ScheduleConfig, `${path}.RecorderConfig.ScheduleConfig`, parseSchedule),
      },
      UploaderConfig: uploader && { ScheduleConfig: parseSchedule(uploader.ScheduleConfig, `${path}.UploaderConfig.ScheduleConfig`) },
      DeletionConfig: {
        EdgeRetentionInHours: readInteger(deletion.EdgeRetentionInHours, `${path}.DeletionConfig.EdgeRetentionInHours`),
        DeleteAfterUpload: readBoolean(deletion.DeleteAfterUpload, `${path}.DeletionConfig.DeleteAfterUpload`),
        LocalSizeConfig: localSize && {
          MaxLocalMediaSizeInMB: optional(localSize.MaxLocalMediaSizeInMB, `${path}.DeletionConfig.LocalSizeConfig.MaxLocalMediaSizeInMB`, readInteger),
          StrategyOnFullSize: optional(localSize.StrategyOnFullSize, `${path}.DeletionConfig.LocalSizeConfig.StrategyOnFullSize`,
            (v, p) => readEnum(v, p, STRATEGIES_ON_FULL_SIZE)),
        },
      },
    },
    waitFor: readEnum(raw.WaitFor, `${type} WaitFor`, EDGE_WAIT_TARGETS),
    allowHubDeviceChange: readBoolean(raw.AllowHubDeviceChange, `${type} AllowHubDeviceChange`),
  };
}

function parseSchedule(value: unknown, path: string): ScheduleConfig {
  const raw = readObject<EdgeScheduleProperties>(value, path);
  return {
    ScheduleExpression: readString(raw.ScheduleExpression, `${path}.ScheduleExpression`),
    DurationInSeconds: readInteger(raw.DurationInSeconds, `${path}.DurationInSeconds`),
  };
}
