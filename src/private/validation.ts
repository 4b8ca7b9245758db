import { Duration, TagManager, Token } from 'aws-cdk-lib';
import { IValidation } from 'constructs';
import { MAX_TAGS } from './custom-resource-contract';

/*
 * Synth-time validation shared by every construct of the library.
 *
 * Every message has one format: `Invalid <property> "<value received>": must be <what is allowed>`.
 * Unresolved tokens are skipped: their values are known only at deploy time, where the service validates them.
 */

/** The stream, channel and device name rule of the API Reference (`StreamName`, `ChannelName`, `DeviceName`). */
const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
/** `MediaType` as the API Reference gives it: comma-separated `type/subtype` pairs. */
const MEDIA_TYPE_PATTERN = /^[\w\-.+]+\/[\w\-.+]+(,[\w\-.+]+\/[\w\-.+]+)*$/;
/** `TagKey` and `TagValue` (the API Reference's PDF garbles them; the Smithy model has them intact). */
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_CHARACTERS = 'Unicode letters, digits, white space and _.:/=+-@';

/**
 * Whether a stream's data retention is known to be 0: notifications, image generation, media storage and the Edge Agent
 * need a stream that retains data. `undefined` (an import) and tokens are not known.
 */
export function retainsNoData(retention: Duration | undefined): boolean {
  return retention !== undefined && !retention.isUnresolved() && retention.toMilliseconds() === 0;
}


/**
 * The error for an invalid value, in the library's one message format.
 *
 * @param propName the property, as the user wrote it
 * @param value the value received
 * @param allowed what is allowed, read after "must be"
 */
export function invalid(propName: string, value: unknown, allowed: string): Error {
  return new Error(`Invalid ${propName} "${shown(value)}": must be ${allowed}`);
}

/** A value as a message shows it: a token never raw (it means nothing to the reader), an object by its kind. */
function shown(value: unknown): string {
  if (typeof value === 'string') return Token.isUnresolved(value) ? '(a value known only at deploy time)' : value;
  if (value !== null && typeof value === 'object') {
    const kind = value.constructor?.name;
    return kind && kind !== 'Object' ? `a ${kind}` : JSON.stringify(value);
  }
  return String(value);
}

/*
 * Checks for plain JavaScript (and jsii languages' untyped values), where the compiler does not stop a string given
 * for a MediaType or a missing required property: each fails with the message format instead of being dropped or
 * crashing with a TypeError.
 */

/** Whether `value` is a Duration, also one of another copy of aws-cdk-lib. */
function isDuration(value: unknown): value is Duration {
  const d = value as Partial<Duration> | undefined;
  return typeof d?.toMilliseconds === 'function' && typeof d?.isUnresolved === 'function';
}

/** Throws unless `value` is a Duration; `undefined` passes unless `required`. */
export function requireDuration(propName: string, value: unknown, required = false, example = 'Duration.seconds(5)'): void {
  if (value === undefined && !required) return;
  if (!isDuration(value)) throw invalid(propName, value, `a Duration, for example ${example}`);
}

/** Throws unless `value` is a `MediaType` (a string would otherwise be dropped); `undefined` passes. */
export function requireMediaTypeObject(value: unknown, propName = 'mediaType'): void {
  if (value === undefined || typeof (value as { value?: unknown }).value === 'string') return;
  throw invalid(propName, value, 'a MediaType, for example MediaType.H264 or MediaType.of(MediaType.H264, MediaType.AAC)');
}

/** Throws unless `value` is an object with the string `member` (a topic's `topicArn`, a bucket's `bucketName`). */
export function requireConstructProp(propName: string, value: unknown, member: string, allowed: string): void {
  if (typeof (value as Record<string, unknown> | undefined)?.[member] !== 'string') throw invalid(propName, value, allowed);
}

/** Throws unless `value` is a whole number within `[min, max]` (either bound may be left open) in the given unit. */
export function assertRange(propName: string, value: number, min?: number, max?: number, unit?: string): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max)) {
    throw invalid(propName, value, describeRange(min, max, unit));
  }
}

/**
 * Throws unless `value` is `min`-`max` characters long.
 *
 * @param subject what is measured when it is not the value itself, for example "the URI s3://<bucket>/<keyPrefix>"
 */
export function assertLength(propName: string, value: string, min: number, max: number, subject?: string): void {
  if (Token.isUnresolved(value)) return;
  if (value.length < min || value.length > max) {
    throw invalid(propName, value, `${min}-${max} characters${subject ? ` in ${subject}` : ''}`);
  }
}

/** Throws unless `value` matches `pattern`; `allowed` says in words what the pattern allows. */
export function assertPattern(propName: string, value: string, pattern: RegExp, allowed: string): void {
  if (Token.isUnresolved(value)) return;
  if (!pattern.test(value)) throw invalid(propName, value, allowed);
}

/** A stream name: 1-256 characters of `[a-zA-Z0-9_.-]`. */
export function validateStreamName(value: string | undefined, propName = 'streamName'): void {
  validateName(value, propName, 256);
}

/** A signaling channel name: 1-256 characters of `[a-zA-Z0-9_.-]`. */
export function validateChannelName(value: string | undefined, propName = 'channelName'): void {
  validateName(value, propName, 256);
}

/** A device name: 1-128 characters of `[a-zA-Z0-9_.-]`. */
export function validateDeviceName(value: string | undefined, propName = 'deviceName'): void {
  validateName(value, propName, 128);
}

/** A media type: 1-128 characters of comma-separated `type/subtype` pairs, for example `video/h264,audio/aac`. */
export function validateMediaType(value: string | undefined, propName = 'mediaType'): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value.length < 1 || value.length > 128 || !MEDIA_TYPE_PATTERN.test(value)) {
    throw invalid(propName, value, '1-128 characters of comma-separated type/subtype pairs of [\\w-.+] (for example "video/h264,audio/aac")');
  }
}

/** Throws unless `value` is a whole number of hours within `[min, max]`. */
export function validateWholeHours(value: Duration | undefined, propName: string, min: number, max: number): void {
  validateWholeDuration(value, propName, min, max, 'hours', (d) => d.toHours({ integral: false }));
}

/** Throws unless `value` is a whole number of seconds within `[min, max]`. */
export function validateWholeSeconds(value: Duration | undefined, propName: string, min: number, max: number): void {
  validateWholeDuration(value, propName, min, max, 'seconds', (d) => d.toSeconds({ integral: false }));
}

/** Throws unless `value` is a whole number of minutes within `[min, max]`. */
export function validateWholeMinutes(value: Duration | undefined, propName: string, min: number, max: number): void {
  validateWholeDuration(value, propName, min, max, 'minutes', (d) => d.toMinutes({ integral: false }));
}

/** The API's range of `DataRetentionInHours`: up to ten years. */
export const MAX_DATA_RETENTION_HOURS = 87600;

/** A stream's data retention: a whole number of hours from 0 to 87600 (`DataRetentionInHours`). */
export function validateDataRetention(value: Duration | undefined, propName = 'dataRetention'): void {
  validateWholeHours(value, propName, 0, MAX_DATA_RETENTION_HOURS);
}

/** A signaling channel's message time to live: a whole number of seconds from 5 to 120 (`MessageTtlSeconds`). */
export function validateMessageTtl(value: Duration | undefined, propName = 'messageTtl'): void {
  validateWholeSeconds(value, propName, 5, 120);
}

/** An IoT role alias name: 1-128 characters of `[\w=,@-]` (`AWS::IoT::RoleAlias` `RoleAlias`). */
export function validateRoleAliasName(value: string | undefined, propName = 'roleAliasName'): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value.length < 1 || value.length > 128 || !/^[\w=,@-]+$/.test(value)) {
    throw invalid(propName, value, '1-128 characters of [a-zA-Z0-9_=,@-]');
  }
}

/** How long IoT credentials are valid: a whole number of seconds from 900 to 43200 (`CredentialDurationSeconds`). */
export function validateCredentialDuration(value: Duration | undefined, propName = 'credentialDuration'): void {
  validateWholeSeconds(value, propName, 900, 43200);
}

/**
 * Throws on the first tag that the service would reject: at most 50 tags, keys of 1-128 and values of 0-256 Unicode
 * letters, digits, white space and `_.:/=+-@`, and no key in the reserved `aws:` prefix.
 */
export function validateTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalid('tags', `${keys.length} tags`, `at most ${MAX_TAGS} tags`);
  for (const key of keys) {
    const value = tags[key];
    if (!Token.isUnresolved(key)) {
      if (key.length < 1 || key.length > 128 || !TAG_PATTERN.test(key)) {
        throw invalid('tag key', key, `1-128 characters of ${TAG_CHARACTERS}`);
      }
      if (key.toLowerCase().startsWith('aws:')) throw invalid('tag key', key, 'a key that does not start with "aws:" (reserved by AWS)');
    }
    if (!Token.isUnresolved(value) && (value.length > 256 || !TAG_PATTERN.test(value))) {
      throw invalid(`tag value of key "${key}"`, value, `0-256 characters of ${TAG_CHARACTERS}`);
    }
  }
}

/**
 * A construct validation of the tags in `tags`. Tags arrive through aspects (`Tags.of(...)`) after the constructor has
 * run, so they are checked when the app synthesizes.
 */
export function tagValidation(tags: TagManager): IValidation {
  return {
    validate: () => {
      try {
        validateTags(tags.tagValues());
        return [];
      } catch (e) {
        return [(e as Error).message];
      }
    },
  };
}

function validateName(value: string | undefined, propName: string, maxLength: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (value.length < 1 || value.length > maxLength || !NAME_PATTERN.test(value)) {
    throw invalid(propName, value, `1-${maxLength} characters of [a-zA-Z0-9_.-]`);
  }
}

function validateWholeDuration(
  value: Duration | undefined,
  propName: string,
  min: number,
  max: number,
  unit: string,
  amount: (d: Duration) => number,
): void {
  requireDuration(propName, value, false, `Duration.${unit}(${Math.max(min, 1)})`);
  if (value === undefined || value.isUnresolved()) return;
  const n = amount(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(propName, value.toHumanString(), describeRange(min, max, unit));
}

function describeRange(min: number | undefined, max: number | undefined, unit: string | undefined): string {
  const whole = unit ? `a whole number of ${unit}` : 'a whole number';
  if (min !== undefined && max !== undefined) return `${whole} from ${min} to ${max}`;
  if (min !== undefined) return `${whole}, at least ${min}`;
  if (max !== undefined) return `${whole}, at most ${max}`;
  return whole;
}
