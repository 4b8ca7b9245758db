/**
 * Every wait in the handlers goes through a {@link Clock}, so tests and local deploy harnesses can compress time.
 */

/**
 * `KVS_HANDLER_TIME_SCALE`: a local-testing knob. Real time is multiplied by it: 0.01 makes a 1 s backoff sleep 10 ms,
 * and budgets shrink alike. Leave it unset (1) in AWS.
 */
export const TIME_SCALE_ENV = 'KVS_HANDLER_TIME_SCALE';

export interface Clock {
  /** Milliseconds on the handler's (scaled) time line: budgets are measured with it. */
  now(): number;
  /** Waits `ms` milliseconds of the handler's time line. */
  sleep(ms: number): Promise<void>;
}

/** A clock whose sleeps last `scale` times as long in real time, and whose `now()` advances 1/`scale` times as fast. */
export function scaledClock(scale: number): Clock {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) / scale,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms * scale))),
  };
}
