import { invalidParameter } from './http';

/**
 * The query string of one request, read once: every parameter read is checked against what the API Reference allows,
 * and a parameter the route does not know is refused (a typo such as `playbackmode` would otherwise be ignored).
 */
export class Query {
  constructor(private readonly values: Readonly<Record<string, string | undefined>>, allowed: readonly string[]) {
    for (const name of Object.keys(values)) {
      if (!allowed.includes(name)) throw invalidParameter(name, values[name], `one of the parameters of this route: ${allowed.join(', ')}`);
    }
  }

  public has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  public raw(name: string): string | undefined {
    return this.values[name];
  }

  /** One of `allowed`, or `fallback` when absent. */
  public enumValue<T extends string>(name: string, allowed: readonly T[]): T | undefined;
  public enumValue<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  public enumValue<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
    const value = this.values[name];
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) throw invalidParameter(name, value, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  /** A whole number within `[min, max]`, in `unit`. */
  public integer(name: string, min: number, max: number = Number.MAX_SAFE_INTEGER, unit = ''): number | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const suffix = unit ? ` ${unit}` : '';
      throw invalidParameter(name, value, max === Number.MAX_SAFE_INTEGER
        ? `a whole number${suffix ? ` of${suffix}` : ''}, at least ${min}`
        : `a whole number${suffix ? ` of${suffix}` : ''} from ${min} to ${max}`);
    }
    return n;
  }

  /** An ISO 8601 date and time with its offset, for example `2026-01-01T00:00:00Z`. */
  public timestamp(name: string): Date | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    const ms = ISO_8601.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) throw invalidParameter(name, value, 'an ISO 8601 date and time with its offset, for example 2026-01-01T00:00:00Z');
    return new Date(ms);
  }

  /** A pagination token as the service issues them: 1-4096 characters of `[a-zA-Z0-9+/=]`. */
  public nextToken(name = 'nextToken'): string | undefined {
    const value = this.values[name];
    if (value === undefined) return undefined;
    if (!/^[a-zA-Z0-9+/]{1,4094}={0,2}$/.test(value) || value.length > 4096) {
      throw invalidParameter(name, value, 'the nextToken of the previous page (1-4096 characters of [a-zA-Z0-9+/=])');
    }
    return value;
  }

  /** Throws unless the parameter is present. */
  public require<T>(name: string, value: T | undefined, allowed: string): T {
    if (value === undefined) throw invalidParameter(name, undefined, allowed);
    return value;
  }
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Where fragment timestamps come from: the API's `FragmentSelectorType` and `ImageSelectorType`. */
export const TIMESTAMP_SOURCES = ['SERVER_TIMESTAMP', 'PRODUCER_TIMESTAMP'] as const;
export type TimestampSource = typeof TIMESTAMP_SOURCES[number];

/** Every archived-media range is at most 24 hours long (`ClipTimestampRange`, `HLSTimestampRange`...). */
export const MAX_RANGE_MS = 24 * 3_600_000;

export interface RangeLimits {
  /** @default 24 hours */
  readonly maxMs?: number;
  readonly maxText?: string;
  /** The parameter that says where timestamps come from. @default 'fragmentSelectorType' */
  readonly sourceParameter?: string;
}

/**
 * Checks a `[start, end]` range as the API Reference states it: end later than start, within `maxMs` of it, and in the
 * past when the timestamps are the server's.
 */
export function checkRange(start: Date, end: Date, source: TimestampSource, now: number, limits: RangeLimits = {}): void {
  const { maxMs = MAX_RANGE_MS, maxText = '24 hours', sourceParameter = 'fragmentSelectorType' } = limits;
  if (end.getTime() <= start.getTime()) {
    throw invalidParameter('endTimestamp', end.toISOString(), `later than startTimestamp (${start.toISOString()})`);
  }
  if (end.getTime() - start.getTime() > maxMs) {
    throw invalidParameter('endTimestamp', end.toISOString(), `within ${maxText} of startTimestamp (${start.toISOString()})`);
  }
  if (source === 'SERVER_TIMESTAMP' && end.getTime() > now) {
    throw invalidParameter('endTimestamp', end.toISOString(), `in the past with ${sourceParameter} SERVER_TIMESTAMP (now is ${new Date(now).toISOString()})`);
  }
}
