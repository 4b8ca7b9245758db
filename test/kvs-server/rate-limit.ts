/** Transactions per second allowed per account and per resource (stream or channel). */
export interface TpsLimit {
  readonly account: number;
  readonly resource?: number;
}

/** Unlisted Update* calls: "assume 5 TPS per stream and 50 TPS per account unless a source says otherwise". */
const UNLISTED_UPDATE: TpsLimit = { account: 50, resource: 5 };

/**
 * The documented TPS quotas (KVS Developer Guide, quotas; table in KVS-BEHAVIOR.md). Actions not listed here are not
 * rate limited, except that every Update* call and StartEdgeConfigurationUpdate (an update in all but name) get
 * `UNLISTED_UPDATE`.
 */
export const DOCUMENTED_TPS: Readonly<Record<string, TpsLimit>> = {
  CreateStream: { account: 50 },
  DeleteStream: { account: 50, resource: 5 },
  DescribeStream: { account: 300, resource: 5 },
  GetDataEndpoint: { account: 300, resource: 5 },
  DescribeEdgeConfiguration: { account: 50, resource: 5 },
  DescribeImageGenerationConfiguration: { account: 50, resource: 5 },
  DescribeMappedResourceConfiguration: { account: 50, resource: 5 },
  DescribeNotificationConfiguration: { account: 50, resource: 5 },
  DeleteEdgeConfiguration: { account: 10, resource: 1 },
  UpdateMediaStorageConfiguration: { account: 10, resource: 5 },
  UpdateSignalingChannel: { account: 50, resource: 5 },
  DescribeMediaStorageConfiguration: { account: 50, resource: 5 },
  DescribeSignalingChannel: { account: 300, resource: 5 },
};

export function tpsLimitFor(action: string): TpsLimit | undefined {
  return DOCUMENTED_TPS[action] ?? (action.startsWith('Update') || action === 'StartEdgeConfigurationUpdate' ? UNLISTED_UPDATE : undefined);
}

export type RateLimitSetting = boolean | { scale: number };

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly ratePerSecond: number, now: number) {
    this.tokens = this.capacity;
    this.last = now;
  }

  /** One second's worth of calls, and at least one so that a scaled-down limit still lets calls through. */
  private get capacity() {
    return Math.max(1, this.ratePerSecond);
  }

  public available(now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    return this.tokens >= 1;
  }

  public take() {
    this.tokens -= 1;
  }
}

/**
 * Token buckets per (action, account) and per (action, resource), refilled lazily from the clock: no timers.
 * A call passes only if both of its buckets hold a token, and only then are tokens taken.
 */
export class RateLimiter {
  private scale = 0;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: () => number, setting: RateLimitSetting = false) {
    this.configure(setting);
  }

  /** `false` turns limits off, `true` applies the documented values, `{ scale }` multiplies them. Buckets restart full. */
  public configure(setting: RateLimitSetting) {
    const scale = setting === true ? 1 : setting === false ? 0 : setting.scale;
    if (!(Number.isFinite(scale) && scale >= 0)) throw new Error(`Rate-limit scale must be a non-negative number; received ${scale}`);
    this.scale = scale;
    this.buckets.clear();
  }

  /** True if the call may proceed (and consumes its tokens); false if it is throttled. */
  public tryAcquire(action: string, resourceKey: string | undefined): boolean {
    const limit = tpsLimitFor(action);
    if (this.scale === 0 || !limit) return true;
    const now = this.clock();
    const buckets = [this.bucket(`${action}|account`, limit.account, now)];
    if (limit.resource !== undefined && resourceKey !== undefined) {
      buckets.push(this.bucket(`${action}|${resourceKey}`, limit.resource, now));
    }
    if (!buckets.every((b) => b.available(now))) return false;
    buckets.forEach((b) => b.take());
    return true;
  }

  private bucket(key: string, tps: number, now: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(tps * this.scale, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
