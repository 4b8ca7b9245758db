import { THROTTLE_RETRY } from './budgets';
import { Clock } from './clock';
import { ApiCall, isThrottling, toApiError } from './errors';
import { Subject } from './subject';

/** What a call needs besides the call itself: time (for backoff) and randomness (for jitter), both injectable. */
export interface CallContext {
  readonly clock: Clock;
  /** Uniform in [0, 1): `Math.random` outside tests. */
  readonly random: () => number;
}

/**
 * Sends one API call. The SDK already retries 5xx answers and dropped connections; this adds bounded retries of
 * ClientLimitExceededException (HTTP 400, which the SDK does not consider throttling), then translates any failure
 * into an ApiError.
 */
export async function invoke<T>(ctx: CallContext, call: ApiCall, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (!isThrottling(err) || attempt >= THROTTLE_RETRY.maxAttempts) throw toApiError(call, err);
      const ceiling = Math.min(THROTTLE_RETRY.maxDelayMs, THROTTLE_RETRY.baseDelayMs * 2 ** (attempt - 1));
      await ctx.clock.sleep(ceiling / 2 + (ctx.random() * ceiling) / 2);
    }
  }
}

/**
 * A service's client as the handlers use it: every call goes through {@link invoke}, so that retries and error
 * translation live in one place. One subclass per service names the calls.
 */
export abstract class ServiceApi<C> {
  /** The IAM service prefix that failure messages name. */
  protected abstract readonly service: string;

  constructor(protected readonly client: C, private readonly ctx: CallContext) {}

  protected send<T>(api: string, subject: Subject, send: () => Promise<T>): Promise<T> {
    return invoke(this.ctx, { service: this.service, api, subject }, send);
  }
}
