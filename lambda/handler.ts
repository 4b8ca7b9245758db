import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { Clock } from './clock';
import { CloudFormationApi } from './cloudformation-api';
import { ACCESS_DENIED_ERRORS, ApiError, THROTTLING_ERROR } from './errors';
import { KvsApi } from './kvs-api';
import { CallContext } from './retry';
import { IsCompleteRequest, IsCompleteResponse, OnEventResponse, RawProperties, RequestType } from './types';
import { done, pollUntilDone, Progress, waiting } from './wait';

const REQUEST_TYPES: readonly RequestType[] = ['Create', 'Update', 'Delete'];

/** Everything a handler uses from outside: clients, time, randomness and logging. The entry points build the real ones. */
export interface HandlerContext extends CallContext {
  readonly kinesisVideo: KinesisVideoClient;
  readonly cloudFormation: CloudFormationClient;
  readonly log: (message: string, detail?: { readonly [key: string]: unknown }) => void;
}

/** A handler class, as the dispatcher instantiates it for one event. */
export type ResourceHandlerClass = new (event: IsCompleteRequest, ctx: HandlerContext) => ResourceHandler;

/**
 * One custom resource type. Each request type is one idempotent reconcile step (`onCreate`, `onUpdate`, `onDelete`):
 * it reads the service, makes only the calls still needed, and reports its progress. `onEvent` repeats the step
 * inline with a short backoff (INLINE_WAIT) so that the usual transitions finish inside it, and returns the attributes
 * as `Data` once it is done; `isComplete` then completes with that `Data` without a call, and otherwise runs `check()`
 * (by default the same step) once per poll. A re-invoked step therefore converges instead of failing.
 *
 * A handler instance lives for one invocation: fields may remember what it already sent (so that a slow Describe does
 * not make it send the same update twice), but nothing outlives the invocation.
 */
export abstract class ResourceHandler {
  protected readonly api: KvsApi;
  protected readonly cloudFormation: CloudFormationApi;

  constructor(protected readonly event: IsCompleteRequest, protected readonly ctx: HandlerContext) {
    if (!REQUEST_TYPES.includes(event.RequestType)) {
      throw new Error(`Unsupported RequestType "${String(event.RequestType)}": expected ${REQUEST_TYPES.slice(0, -1).join(', ')} or ${REQUEST_TYPES.at(-1)}`);
    }
    this.api = new KvsApi(ctx.kinesisVideo, ctx);
    this.cloudFormation = new CloudFormationApi(ctx.cloudFormation, ctx);
  }

  public async onEvent(): Promise<OnEventResponse> {
    const physicalResourceId = this.event.RequestType === 'Delete' ? this.currentPhysicalId() : this.physicalResourceId();
    const progress = await pollUntilDone(this.ctx.clock, () => waitOutThrottling(() => this.step()));
    if (!progress.done) {
      this.ctx.log('Not done within the inline wait budget; isComplete polls from here', { physicalResourceId, waitingFor: progress.waitingFor });
      return { PhysicalResourceId: physicalResourceId };
    }
    return { PhysicalResourceId: physicalResourceId, Data: progress.data };
  }

  /**
   * Trusts a confirmation `onEvent` already made: the framework merges `onEvent`'s response (its `Data` included) into
   * this event, so `Data` here means the step reported done, and reading the service again would only spend the
   * Describe*Configuration quota. Otherwise one `check()`.
   */
  public async isComplete(): Promise<IsCompleteResponse> {
    if (this.event.Data) return { IsComplete: true, Data: this.event.Data };
    const progress = await waitOutThrottling(() => this.check());
    if (!progress.done) {
      this.ctx.log('In progress', { physicalResourceId: this.event.PhysicalResourceId, waitingFor: progress.waitingFor });
      return { IsComplete: false };
    }
    return { IsComplete: true, Data: progress.data };
  }

  /** The id for Create and Update: stable and meaningful, derived from the target ARNs; a new value replaces the resource. */
  protected abstract physicalResourceId(): string;
  protected abstract onCreate(): Promise<Progress>;
  protected abstract onUpdate(): Promise<Progress>;
  protected abstract onDelete(): Promise<Progress>;

  /** One `isComplete` poll: by default the request's step again, which confirms the work (or finishes it). */
  protected check(): Promise<Progress> {
    return this.step();
  }

  /** The id CloudFormation holds for this resource (Update and Delete). */
  protected currentPhysicalId(): string {
    const id = this.event.PhysicalResourceId;
    if (!id) throw new Error(`${this.event.RequestType} of ${this.event.LogicalResourceId} carries no PhysicalResourceId`);
    return id;
  }

  /**
   * Properties that no longer decide the outcome (the previous ones of an Update, those of a Delete) parsed leniently:
   * `undefined`, logged, when they do not parse, so that a Delete never fails on them.
   */
  protected tryParse<T>(raw: RawProperties | undefined, parse: (raw: RawProperties) => T): T | undefined {
    try {
      return raw ? parse(raw) : undefined;
    } catch (err) {
      this.ctx.log('Ignoring properties that do not parse', { error: (err as Error).message });
      return undefined;
    }
  }

  private step(): Promise<Progress> {
    switch (this.event.RequestType) {
      case 'Create': return this.onCreate();
      case 'Update': return this.onUpdate();
      case 'Delete': return this.deleteStep();
    }
  }

  /**
   * A denied Delete fails: the configuration is still live, and reporting success would leave it so without a word.
   * The provider's policy holds every permission a Delete needs until the Delete has run (see the scoped policy), so a
   * denial means that the permission was taken away outside the stack.
   */
  private async deleteStep(): Promise<Progress> {
    try {
      return await this.onDelete();
    } catch (err) {
      if (!(err instanceof ApiError && ACCESS_DENIED_ERRORS.includes(err.errorName))) throw err;
      const permission = `${err.call.service}:${err.call.api} on ${err.call.subject.resource}`;
      throw err.withAdvice(`The Delete stopped here: ${err.call.subject.label} keeps what this call would have removed. Give the provider's handler role ${permission} (a policy or permissions boundary outside the stack denies it), then retry the deployment or stack deletion; or remove the configuration by hand with ${err.call.api}.`);
    }
  }
}

/**
 * A call still throttled after its own retries means that the account's quota is shared by more work than it serves
 * right now (thousands of configurations deploying at once, under Lambda's 1,000 concurrent invocations): load, not a
 * fault. The step is idempotent, so it reports itself waiting and runs again at the next inline poll or `isComplete`
 * poll, until the Provider's total timeout. Failing instead failed hundreds of cameras of a 2,000-camera fleet.
 */
async function waitOutThrottling(step: () => Promise<Progress>): Promise<Progress> {
  try {
    return await step();
  } catch (err) {
    if (!isExhaustedQuota(err)) throw err;
    return waiting(`the account's ${err.call.api} quota (${err.message} Polling again.)`);
  }
}

function isExhaustedQuota(err: unknown): err is ApiError {
  return err instanceof ApiError && err.errorName === THROTTLING_ERROR;
}

/**
 * For a read that must succeed before `onEvent` can answer at all (the physical id it returns): the same patience,
 * inline, polled as the inline wait polls; past its budget the throttling fails the request.
 */
export async function outlastThrottling<T>(clock: Clock, read: () => Promise<T>): Promise<T> {
  let value: T | undefined;
  let throttled: ApiError | undefined;
  const progress = await pollUntilDone(clock, async () => {
    try {
      value = await read();
      return done();
    } catch (err) {
      if (!isExhaustedQuota(err)) throw err;
      throttled = err;
      return waiting(err.message);
    }
  });
  if (!progress.done) throw throttled!;
  return value as T;
}
