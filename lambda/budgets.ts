/**
 * Retry and wait budgets, in milliseconds of the handler's (scaled) time line. lambda/README.md explains the numbers.
 */

/**
 * Attempts per call made by the SDK itself, which retries 5xx responses and dropped connections (not
 * ClientLimitExceededException, an HTTP 400). Set explicitly so that the calls a fault causes are deterministic.
 */
export const SDK_MAX_ATTEMPTS = 3;

/**
 * Our own retries of ClientLimitExceededException, on top of the SDK's: an attempt here is one SDK call (itself up to
 * {@link SDK_MAX_ATTEMPTS} requests for 5xx). Exponential backoff with equal jitter: the n-th retry waits between half
 * and all of min(maxDelayMs, baseDelayMs × 2^(n-1)). 8 attempts wait 12-24 s in all: a burst of 240 calls drains in
 * 4.8 s at a 50 TPS quota and in 24 s at UpdateMediaStorageConfiguration's 10 TPS, while a step's worst case (a few
 * throttled calls) stays inside the handlers' 2-minute Lambda timeout.
 */
export const THROTTLE_RETRY = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 8_000 } as const;

/**
 * How often one invocation re-describes a stream or channel and retries a versioned update (`CurrentVersion`) after a
 * VersionMismatchException, which means someone else changed it in between; then the deployment fails.
 */
export const VERSION_MISMATCH_RETRIES = 5;

/**
 * How `onEvent` waits for transitions that take seconds, so that `isComplete` finds the work done on its first call:
 * polls 200, 400, 800, then every 1000 ms (≤ 1 s added over the service's own transition), for at most 20 s, after which
 * `isComplete` takes over at the Provider's `queryInterval` (QUERY_INTERVAL_SECONDS in src/private/custom-resource-contract.ts). The polls that repeat are DescribeStream and
 * DescribeSignalingChannel (300 TPS per account): 240 resources polling at 1 s stay under it.
 * Describe*Configuration (50 TPS) is read only once the target is ACTIVE: to decide (not in a Create's onEvent) and to confirm.
 */
export const INLINE_WAIT = { initialDelayMs: 200, factor: 2, maxDelayMs: 1_000, budgetMs: 20_000 } as const;
