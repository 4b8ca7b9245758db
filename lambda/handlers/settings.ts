import { MAX_TAGS, TagMap } from '../../src/private/custom-resource-contract';
import { VERSION_MISMATCH_RETRIES } from '../budgets';
import { ApiError, IN_USE_ERROR, NOT_FOUND_ERROR } from '../errors';
import { outlastThrottling, ResourceHandler } from '../handler';
import { Tagging } from '../kvs-api';
import { PropertyError, readObject } from '../parse';
import { formatPhysicalId, parsePhysicalId } from '../physical-id';
import { Subject } from '../subject';
import { OnEventResponse, RawProperties } from '../types';
import { done, Progress, waiting } from '../wait';

/** CloudFormation's limit on a physical id. */
const MAX_PHYSICAL_ID_LENGTH = 1024;
const VERSION_MISMATCH_ERROR = 'VersionMismatchException';

/** The values of the settings a resource manages, by setting; a member absent is not managed. */
export type SettingValues = { readonly [setting: string]: string | number | undefined };

/** What the properties of a settings resource declare, parsed. */
export interface SettingsSpec<S extends SettingValues> {
  /** The exact ARN the import has, if any; otherwise the target is found by name. */
  readonly arn?: string;
  readonly name: string;
  readonly settings: S;
  /** The managed tags; absent: none. */
  readonly tags?: TagMap;
  readonly restoreOnDelete: boolean;
  /** How long a Create waits for a target that does not exist yet, in milliseconds; absent: it fails at once. */
  readonly waitMs?: number;
}

/** A stream or channel as the service describes it. */
export interface Live<I> {
  readonly arn: string;
  readonly name: string;
  readonly status: string;
  readonly version: string;
  readonly info: I;
}

/** How messages and physical ids name the kind of target. */
export interface TargetKind {
  /** `stream` or `signaling channel`. */
  readonly noun: string;
  /** The physical id's first part. */
  readonly idKind: string;
  /** The construct, and its option to wait for a missing target, as the user writes them. */
  readonly construct: string;
  readonly waitOption: string;
  /** The import that follows a target recreated under the same name. */
  readonly importByName: string;
}

/** What the target had when the resource was created: the values a restore puts back. */
interface Recorded<S> {
  readonly settings: S;
  /** The earlier values of the managed tag keys that the target already carried. */
  readonly tags: TagMap;
}

/**
 * What a physical id holds. Later events carry only the id and the properties, so the id keeps what the handler must
 * remember: the target's ARN with what it had at create time; or, for a target that did not exist when the resource was
 * created (no device had connected yet), its name and how long the Create waits for it.
 */
type Anchor<S> =
  | { readonly arn: string; readonly recorded: Recorded<S> }
  | { readonly name: string; readonly waitUntil: number };

/** The value a step gives one setting, and whether it puts back a recorded one. */
export interface Target<V> {
  readonly value: V;
  readonly restoring: boolean;
}

/**
 * Which value each setting takes. A declared setting takes the declared value. A setting the resource releases (one an
 * Update drops, or every managed one on Delete) is left as it is; with RestoreOnDelete it takes back the value recorded
 * at create time, but only while the target still holds the value this resource set.
 */
export class SettingsPlan<S extends SettingValues> {
  constructor(
    private readonly desired: Partial<S>,
    private readonly releasing: Partial<S>,
    private readonly recorded: S | undefined,
    private readonly restore: boolean,
    private readonly label: string,
    private readonly log: (message: string) => void,
  ) {}

  /** Whether the step may change `setting`: it is declared, or released with a restore. */
  public involves(setting: keyof S): boolean {
    return this.desired[setting] !== undefined || (this.restore && this.releasing[setting] !== undefined);
  }

  /** The value `setting` should have, given its `current` one; undefined to leave it as it is. */
  public target<K extends keyof S & string>(setting: K, current: S[K] | undefined, what: string): Target<NonNullable<S[K]>> | undefined {
    const wanted = this.desired[setting];
    if (wanted !== undefined) return { value: wanted as NonNullable<S[K]>, restoring: false };
    const ours = this.releasing[setting];
    if (ours === undefined || !this.restore) return undefined;
    const leave = (why: string) => this.log(`Leaving the ${what} of ${this.label} at ${String(current)}: ${why}`);
    if (this.recorded === undefined) {
      leave('nothing was recorded, it did not exist when this resource was created');
      return undefined;
    }
    const earlier = this.recorded[setting];
    // Already back (restored by an earlier step, or never changed): nothing to do.
    if (earlier !== undefined && current === earlier) return undefined;
    if (current !== ours) {
      leave(`it no longer holds the ${String(ours)} this resource set`);
    } else if (earlier === undefined) {
      leave('it had none when this resource was created, and the API cannot remove one');
    } else {
      return { value: earlier as NonNullable<S[K]>, restoring: true };
    }
    return undefined;
  }
}

/**
 * Declared settings and tags of a stream or signaling channel that the stack does not own: devices create it, and it
 * outlives the stack. Only what the properties declare is managed; the rest of the target is left as it is.
 *
 * - The physical id is `<Kind>|<target ARN>|<record>`: the record (base64url JSON) holds what the target had when the
 *   resource was created, for restoring it. The id stays the same through updates; only a new target (another one, or
 *   the same name recreated under a new ARN) makes a new id, and CloudFormation's Delete of the old id then acts on the
 *   old ARN only. A target missing at create time, when the resource may wait for it, gives `<Kind>|<name>|<deadline>`:
 *   nothing was recorded, and later events find the target by that name.
 * - Settings change one at a time, each with the version just described; the step then waits for ACTIVE and describes
 *   again. A VersionMismatchException (someone else changed the target) is retried from a new describe, within a bound.
 * - Tags: declared keys are set; keys the resource stops managing are removed while they hold its value, unless the
 *   target carried them before (then they are left, or restored). Other keys are never touched. The service's 50-tag
 *   limit is checked against what the target carries before anything is sent.
 * - Delete leaves the settings (the target is not the stack's) and releases the tags; with RestoreOnDelete it puts back
 *   the recorded values that still hold what this resource set.
 */
export abstract class SettingsHandler<S extends SettingValues, I, P extends SettingsSpec<S>> extends ResourceHandler {
  protected abstract readonly kind: TargetKind;
  /** The target's tagging APIs. */
  protected abstract readonly tagging: Tagging;

  /** The id onEvent works out (Create and Update) before its first step. */
  private resolvedId?: string;
  private mismatches = 0;

  public async onEvent(): Promise<OnEventResponse> {
    if (this.event.RequestType !== 'Delete') this.resolvedId = await outlastThrottling(this.ctx.clock, () => this.resolvePhysicalId());
    return super.onEvent();
  }

  protected abstract parse(raw: RawProperties): P;
  /** The target, or undefined when it does not exist. */
  protected abstract describe(target: { readonly arn: string } | { readonly name: string }): Promise<Live<I> | undefined>;
  /** What a restore may put back, read when the resource is created. */
  protected abstract readSettings(live: Live<I>, spec: P): Promise<S>;
  /** Sends the first change the plan needs and returns what the step then waits for; undefined when none is needed. */
  protected abstract applySettings(live: Live<I>, plan: SettingsPlan<S>, spec: P): Promise<string | undefined>;
  protected abstract subjectOf(live: Live<I>): Subject;
  protected abstract subjectByName(name: string): Subject;
  protected abstract subjectByArn(arn: string): Subject;
  /** The attributes of a target the resource has converged. */
  protected abstract data(live: Live<I>): { [attribute: string]: string };

  protected physicalResourceId(): string {
    if (this.resolvedId === undefined) throw new Error('The physical id is resolved when onEvent starts');
    return this.resolvedId;
  }

  protected onCreate(): Promise<Progress> {
    return this.converge();
  }

  protected onUpdate(): Promise<Progress> {
    return this.converge();
  }

  protected async onDelete(): Promise<Progress> {
    const anchor = this.decode(this.currentPhysicalId());
    const spec = this.tryParse(this.event.ResourceProperties, (raw) => this.parse(raw));
    if (!anchor || !spec) {
      this.ctx.log('Nothing to release: the physical id or the properties are not ones this handler created', { physicalResourceId: this.event.PhysicalResourceId });
      return done();
    }
    const live = await this.describeAnchor(anchor);
    if (!live || live.status === 'DELETING') {
      this.ctx.log(`Nothing to release: ${this.anchorLabel(anchor)} is gone`);
      return done();
    }
    if (live.status !== 'ACTIVE') return waiting(`${this.subjectOf(live).label} to become ACTIVE (now ${live.status})`);
    const recorded = 'arn' in anchor ? anchor.recorded : undefined;
    if (!spec.restoreOnDelete && Object.values(spec.settings).some((value) => value !== undefined)) {
      this.ctx.log(`Leaving the settings of ${this.subjectOf(live).label} as they are: it is not the stack's, and restoreOnDelete is off`);
    }
    try {
      const plan = this.plan(live, {}, spec.settings, recorded, spec.restoreOnDelete);
      const pending = await this.applySettings(live, plan, spec);
      if (pending) return waiting(pending);
      await this.reconcileTags(live, {}, spec.tags ?? {}, recorded?.tags, spec.restoreOnDelete);
    } catch (err) {
      if (!(err instanceof ApiError && err.errorName === NOT_FOUND_ERROR)) throw err;
      this.ctx.log(`Nothing left to release: ${this.subjectOf(live).label} was deleted meanwhile`);
    }
    return done();
  }

  /**
   * Sends an update that takes the target's current version, and returns what the step then waits for: the target to
   * be ACTIVE again, or a new describe after a VersionMismatchException. A ResourceInUseException while the target is
   * not ACTIVE is waited out.
   */
  protected async sendVersioned(live: Live<I>, api: string, send: () => Promise<unknown>): Promise<string> {
    const label = this.subjectOf(live).label;
    try {
      await send();
      return `${label} to become ACTIVE after ${api}`;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.errorName === VERSION_MISMATCH_ERROR) {
        this.mismatches += 1;
        if (this.mismatches > VERSION_MISMATCH_RETRIES) {
          throw err.withAdvice(`${capitalize(label)} changed ${this.mismatches} times while this deployment applied its settings: `
            + 'something else is changing it. Deploy again once it is done.');
        }
        this.ctx.log(`${capitalize(label)} changed since it was described (${api}: ${VERSION_MISMATCH_ERROR}): describing it again`);
        return `${label} to be described again after ${VERSION_MISMATCH_ERROR}`;
      }
      if (err.errorName !== IN_USE_ERROR) throw err;
      const status = (await this.describe({ arn: live.arn }))?.status;
      if (status === 'ACTIVE') throw err;
      return `${label} to become ACTIVE (now ${status ?? 'gone'})`;
    }
  }

  /**
   * The id for Create and Update. An Update keeps the current id while the target is the same; a new target gets a
   * new id (CloudFormation then deletes the old one, which acts on the old ARN).
   */
  private async resolvePhysicalId(): Promise<string> {
    const spec = this.parse(this.event.ResourceProperties);
    const live = await this.describe(spec.arn !== undefined ? { arn: spec.arn } : { name: spec.name });
    const currentId = this.event.RequestType === 'Update' ? this.currentPhysicalId() : undefined;
    const current = currentId === undefined ? undefined : this.decode(currentId);
    if (live) {
      if (current && 'arn' in current && current.arn === live.arn) return currentId!;
      if (current && 'name' in current && spec.arn === undefined && current.name === live.name) return currentId!;
      return this.recordedId(live, spec);
    }
    // Waiting again under the same awaiting id would let that id's later Delete reach a stream that appears meanwhile.
    const awaitingAlready = current !== undefined && 'name' in current && current.name === spec.name;
    if (spec.waitMs !== undefined && spec.arn === undefined && !awaitingAlready) {
      return formatPhysicalId(this.kind.idKind, [spec.name, encode({ waitUntil: this.ctx.clock.now() + spec.waitMs })]);
    }
    throw this.missing(spec, !awaitingAlready);
  }

  /** The id of a target that exists: its ARN and what it has now, which the resource may later restore. */
  private async recordedId(live: Live<I>, spec: P): Promise<string> {
    const tags: { [key: string]: string } = {};
    if (spec.tags && Object.keys(spec.tags).length > 0) {
      const carried = await this.tagging.list(live.arn);
      for (const key of Object.keys(spec.tags)) if (key in carried) tags[key] = carried[key];
    }
    const recorded: Recorded<S> = { settings: await this.readSettings(live, spec), tags };
    const id = formatPhysicalId(this.kind.idKind, [live.arn, encode({ recorded })]);
    if (id.length > MAX_PHYSICAL_ID_LENGTH) {
      throw new Error(`Cannot record what ${this.subjectOf(live).label} has before this resource changes it: the physical id that keeps it `
        + `would be ${id.length} characters, over CloudFormation's ${MAX_PHYSICAL_ID_LENGTH}. Manage fewer of the tags it already carries `
        + '(their earlier values are recorded), or shorter ones.');
    }
    return id;
  }

  /** One step of Create and Update: the target ACTIVE, then each setting, then the tags. */
  private async converge(): Promise<Progress> {
    const id = this.resolvedId ?? this.currentPhysicalId();
    const anchor = this.decode(id);
    if (!anchor) throw new Error(`Physical id ${id} was not made by the ${this.kind.construct} handler`);
    const spec = this.parse(this.event.ResourceProperties);
    const live = await this.describeAnchor(anchor);
    if (!live) {
      if ('name' in anchor && this.ctx.clock.now() < anchor.waitUntil) {
        return waiting(`${this.subjectByName(anchor.name).label} to be created (${this.kind.waitOption}, until ${new Date(anchor.waitUntil).toISOString()})`);
      }
      throw 'name' in anchor && spec.waitMs !== undefined ? this.waitExpired(spec) : this.missing(spec, false);
    }
    const label = this.subjectOf(live).label;
    if (live.status === 'DELETING') throw new Error(`Cannot apply the settings of ${label}: it is being deleted.`);
    if (live.status !== 'ACTIVE') return waiting(`${label} to become ACTIVE (now ${live.status})`);

    const previous = this.event.RequestType === 'Update' ? this.tryParse(this.event.OldResourceProperties, (raw) => this.parse(raw)) : undefined;
    // What an Update drops is released here only on the same target; a new target's old id releases it on Delete.
    const same = previous && previous.name === spec.name && previous.arn === spec.arn ? previous : undefined;
    const recorded = 'arn' in anchor ? anchor.recorded : undefined;
    const plan = this.plan(live, spec.settings, dropped(spec.settings, same?.settings), recorded, spec.restoreOnDelete);
    const pending = await this.applySettings(live, plan, spec);
    if (pending) return waiting(pending);
    await this.reconcileTags(live, spec.tags ?? {}, dropped(spec.tags ?? {}, same?.tags), recorded?.tags, spec.restoreOnDelete);
    return done(this.data(live));
  }

  private plan(live: Live<I>, desired: Partial<S>, releasing: Partial<S>, recorded: Recorded<S> | undefined, restore: boolean): SettingsPlan<S> {
    return new SettingsPlan(desired, releasing, recorded?.settings, restore, this.subjectOf(live).label, (message) => this.ctx.log(message));
  }

  /**
   * Sets the `desired` tags and releases the `releasing` ones (key → the value this resource set): a released key is
   * removed while it holds that value, unless the target carried it before the resource (`recorded`): then it is left,
   * or with `restore` set back to its earlier value. Keys in neither are never touched.
   */
  private async reconcileTags(live: Live<I>, desired: TagMap, releasing: TagMap, recorded: TagMap | undefined, restore: boolean): Promise<void> {
    if (Object.keys(desired).length === 0 && Object.keys(releasing).length === 0) return;
    const label = this.subjectOf(live).label;
    const carried = await this.tagging.list(live.arn);
    const set: { [key: string]: string } = {};
    const remove: string[] = [];
    for (const [key, value] of Object.entries(desired)) {
      if (carried[key] !== value) set[key] = value;
    }
    for (const [key, ours] of Object.entries(releasing)) {
      if (!(key in carried)) continue;
      if (carried[key] !== ours) {
        this.ctx.log(`Leaving tag "${key}" of ${label}: it no longer holds the value this resource set`);
      } else if (recorded && key in recorded) {
        if (restore) {
          if (recorded[key] !== ours) set[key] = recorded[key];
        } else {
          this.ctx.log(`Leaving tag "${key}" of ${label}: it was there before this resource`);
        }
      } else {
        remove.push(key);
      }
    }
    const after = new Set([...Object.keys(carried), ...Object.keys(set)]);
    remove.forEach((key) => after.delete(key));
    if (after.size > MAX_TAGS) {
      const added = Object.keys(set).filter((key) => !(key in carried)).length;
      throw new Error(`Cannot tag ${label}: it carries ${Object.keys(carried).length} tags, and the ${added} that this resource adds `
        + `would make ${after.size}, over the limit of ${MAX_TAGS} tags per ${this.kind.noun}. `
        + `Remove tags the ${this.kind.noun} no longer needs, or manage fewer tags.`);
    }
    // Removals first, so that the target never carries more tags than it will in the end.
    if (remove.length > 0) await this.tagging.untag(live.arn, remove);
    if (Object.keys(set).length > 0) await this.tagging.tag(live.arn, set);
  }

  private describeAnchor(anchor: Anchor<S>): Promise<Live<I> | undefined> {
    return this.describe('arn' in anchor ? { arn: anchor.arn } : { name: anchor.name });
  }

  private anchorLabel(anchor: Anchor<S>): string {
    return ('arn' in anchor ? this.subjectByArn(anchor.arn) : this.subjectByName(anchor.name)).label;
  }

  private decode(physicalId: string | undefined): Anchor<S> | undefined {
    const [target, blob] = parsePhysicalId(physicalId, this.kind.idKind, 2) ?? [];
    if (target === undefined || blob === undefined) return undefined;
    let data: { recorded?: { settings?: unknown; tags?: unknown }; waitUntil?: unknown };
    try {
      data = JSON.parse(Buffer.from(blob, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (target.startsWith('arn:') && isObject(data?.recorded?.settings) && isTagMap(data?.recorded?.tags)) {
      return { arn: target, recorded: { settings: data.recorded.settings as S, tags: data.recorded.tags } };
    }
    if (!target.startsWith('arn:') && typeof data?.waitUntil === 'number') return { name: target, waitUntil: data.waitUntil };
    return undefined;
  }

  /** The failure for a target that does not exist; `suggestWaiting` unless the resource already waited for it. */
  private missing(spec: P, suggestWaiting: boolean): Error {
    const { noun, construct, waitOption, importByName } = this.kind;
    if (spec.arn !== undefined) {
      return new Error(`Cannot apply the settings of ${this.subjectByArn(spec.arn).label}: it does not exist. A ${noun} imported by its ARN `
        + `is that ${noun} only: to follow a ${noun} that devices recreate under the same name, import it by name (${importByName}).`);
    }
    const wait = suggestWaiting && spec.waitMs === undefined ? `, or set ${waitOption} on its ${construct} to wait for it` : '';
    return new Error(`Cannot apply the settings of ${this.subjectByName(spec.name).label}: it does not exist (no device has created it yet, `
      + `or it was deleted). Let the device create it (it does so when it first connects) and deploy again${wait}.`);
  }

  private waitExpired(spec: P): Error {
    return new Error(`Cannot apply the settings of ${this.subjectByName(spec.name).label}: it was not created within the `
      + `${spec.waitMs! / 1000} seconds of ${this.kind.waitOption}. Let the device create it (it does so when it first connects) `
      + `and deploy again, or wait longer with ${this.kind.waitOption}.`);
  }
}

/** Reads a tag map: an object of strings (a value may be empty). */
export function readTags(value: unknown, path: string): TagMap {
  const raw = readObject(value, path);
  for (const [key, tagValue] of Object.entries(raw)) {
    if (typeof tagValue !== 'string') throw new PropertyError(`${path}.${key}`, 'a string', tagValue);
  }
  return raw as TagMap;
}

/** The members of `previous` that `desired` no longer has, with their previous values. */
function dropped<T extends { readonly [key: string]: unknown }>(desired: T, previous: T | undefined): T {
  const result: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(previous ?? {})) {
    if (value !== undefined && desired[key] === undefined) result[key] = value;
  }
  return result as T;
}

function encode(data: object): string {
  return Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTagMap(value: unknown): value is TagMap {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
