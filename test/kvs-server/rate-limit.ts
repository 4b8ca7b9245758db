/** Transactions per second allowed per account and per resource (stream or channel). */
export interface TpsLimit {
  readonly account?: number;
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
  // Archived media ("Data plane API service quotas"): a stream-level limit only.
  GetHLSStreamingSessionURL: { resource: 25 },
  GetDASHStreamingSessionURL: { resource: 25 },
};

/**
 * "Video playback protocol API service quotas": TPS per streaming session of the resources behind an HLS or DASH
 * session URL.
 */
export const SESSION_TPS: Readonly<Record<string, number>> = {
  GetHLSMasterPlaylist: 5,
  GetHLSMediaPlaylist: 5,
  GetMP4InitFragment: 5,
  GetMP4MediaFragment: 20,
  GetTSFragment: 20,
  GetDASHManifest: 5,
};

/**
 * "Fragment-metadata and fragment-media quotas": archived-media APIs are throttled by the fragments they ask for,
 * from two point budgets per stream and second that the APIs share. What each call costs is in archived-media.ts.
 */
export const FRAGMENT_QUOTAS = { metadata: 10_000, media: 500 } as const;
export type FragmentQuota = keyof typeof FRAGMENT_QUOTAS;

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

  /**
   * Whether `cost` tokens are there. ASSUMPTION: a cost above the capacity (GetMediaForFragmentList may ask for 1,000
   * fragments against 500 media points per second) passes when the bucket is full, and leaves it in debt.
   */
  public available(now: number, cost = 1): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    return this.tokens >= Math.min(cost, this.capacity);
  }

  public take(cost = 1) {
    this.tokens -= cost;
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
    const buckets = limit.account === undefined ? [] : [this.bucket(`${action}|account`, limit.account, now)];
    if (limit.resource !== undefined && resourceKey !== undefined) {
      buckets.push(this.bucket(`${action}|${resourceKey}`, limit.resource, now));
    }
    if (!buckets.every((b) => b.available(now))) return false;
    buckets.forEach((b) => b.take());
    return true;
  }

  /** A streaming session's resource call (`SESSION_TPS`); true if it may proceed. */
  public tryAcquireSession(action: string, sessionId: string): boolean {
    const tps = SESSION_TPS[action];
    return tps === undefined || this.tryTake(`${action}|session|${sessionId}`, tps, 1);
  }

  /** Takes `points` from a stream's fragment-metadata or fragment-media budget; false (nothing taken) if they are not there. */
  public tryConsumeFragments(quota: FragmentQuota, streamArn: string, points: number): boolean {
    return points <= 0 || this.tryTake(`fragment-${quota}|${streamArn}`, FRAGMENT_QUOTAS[quota], points);
  }

  private tryTake(key: string, rate: number, cost: number): boolean {
    if (this.scale === 0) return true;
    const now = this.clock();
    const bucket = this.bucket(key, rate, now);
    if (!bucket.available(now, cost)) return false;
    bucket.take(cost);
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
