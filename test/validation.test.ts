import { App, CfnParameter, Duration, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SignalingChannel, Stream, StreamSettings } from '../src';
import { MAX_TAGS } from '../src/private/custom-resource-contract';
import {
  assertLength,
  assertPattern,
  assertRange,
  invalid,
  tagValidation,
  validateChannelName,
  validateDeviceName,
  validateMediaType,
  validateStreamName,
  validateTags,
  validateWholeHours,
  validateWholeSeconds,
} from '../src/private/validation';

const TAG_CHARACTERS = 'Unicode letters, digits, white space and _.:/=+-@';

/** `count` tags `k0=v0`, `k1=v1`, ... */
function tags(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, `v${i}`]));
}

function tokenString(): string {
  return new CfnParameter(new Stack(new App(), 'S'), 'P').valueAsString;
}

describe('invalid', () => {
  test('builds the one message format', () => {
    const error = invalid('jpegQuality', 101, 'a whole number from 1 to 100');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Invalid jpegQuality "101": must be a whole number from 1 to 100');
  });
});

describe('assertRange', () => {
  test('accepts whole numbers within the bounds, bounds included', () => {
    expect(() => assertRange('p', 1, 1, 100)).not.toThrow();
    expect(() => assertRange('p', 100, 1, 100)).not.toThrow();
    expect(() => assertRange('p', 1_000_000, 200)).not.toThrow();
    expect(() => assertRange('p', -5, undefined, 10)).not.toThrow();
  });

  test('fails below the minimum', () => {
    expect(() => assertRange('jpegQuality', 0, 1, 100)).toThrow('Invalid jpegQuality "0": must be a whole number from 1 to 100');
  });

  test('fails above the maximum', () => {
    expect(() => assertRange('widthPixels', 3841, 1, 3840)).toThrow('Invalid widthPixels "3841": must be a whole number from 1 to 3840');
  });

  test('fails with a fraction', () => {
    expect(() => assertRange('jpegQuality', 50.5, 1, 100)).toThrow('Invalid jpegQuality "50.5": must be a whole number from 1 to 100');
  });

  test('fails below an open-ended minimum, naming the unit', () => {
    expect(() => assertRange('samplingInterval', 199, 200, undefined, 'milliseconds')).toThrow(
      'Invalid samplingInterval "199": must be a whole number of milliseconds, at least 200',
    );
  });

  test('fails above an open-ended maximum', () => {
    expect(() => assertRange('p', 11, undefined, 10)).toThrow('Invalid p "11": must be a whole number, at most 10');
  });

  test('skips tokens', () => {
    expect(() => assertRange('p', Token.asNumber({ Ref: 'X' }), 1, 2)).not.toThrow();
  });
});

describe('assertLength', () => {
  test('accepts lengths within the bounds', () => {
    expect(() => assertLength('p', 'a', 1, 3)).not.toThrow();
    expect(() => assertLength('p', 'abc', 1, 3)).not.toThrow();
  });

  test('fails when too long, naming what is measured', () => {
    const uri = `s3://bucket/${'k'.repeat(250)}`;
    expect(() => assertLength('keyPrefix', uri, 1, 255, 'the URI s3://<bucket>/<keyPrefix>')).toThrow(
      `Invalid keyPrefix "${uri}": must be 1-255 characters in the URI s3://<bucket>/<keyPrefix>`,
    );
  });

  test('fails when too short', () => {
    expect(() => assertLength('p', '', 1, 3)).toThrow('Invalid p "": must be 1-3 characters');
  });

  test('skips tokens', () => {
    expect(() => assertLength('p', tokenString(), 1, 2)).not.toThrow();
  });
});

describe('assertPattern', () => {
  test('accepts a match', () => {
    expect(() => assertPattern('p', 'abc', /^[a-z]+$/, 'lowercase letters')).not.toThrow();
  });

  test('fails without a match', () => {
    expect(() => assertPattern('p', 'aBc', /^[a-z]+$/, 'lowercase letters')).toThrow('Invalid p "aBc": must be lowercase letters');
  });

  test('skips tokens', () => {
    expect(() => assertPattern('p', tokenString(), /^[a-z]+$/, 'lowercase letters')).not.toThrow();
  });
});

describe('names', () => {
  test('accept every allowed character and the maximum length', () => {
    expect(() => validateStreamName('aZ09_.-')).not.toThrow();
    expect(() => validateStreamName('s'.repeat(256))).not.toThrow();
    expect(() => validateChannelName('c'.repeat(256))).not.toThrow();
    expect(() => validateDeviceName('d'.repeat(128))).not.toThrow();
  });

  test('accept undefined and tokens', () => {
    expect(() => validateStreamName(undefined)).not.toThrow();
    expect(() => validateStreamName(tokenString())).not.toThrow();
    expect(() => validateChannelName(tokenString())).not.toThrow();
    expect(() => validateDeviceName(tokenString())).not.toThrow();
  });

  test('fails validateStreamName with a slash, naming the given property', () => {
    expect(() => validateStreamName('a/b', 'imported.streamName')).toThrow(
      'Invalid imported.streamName "a/b": must be 1-256 characters of [a-zA-Z0-9_.-]',
    );
  });

  test('fails validateChannelName with 257 characters', () => {
    const name = 'c'.repeat(257);
    expect(() => validateChannelName(name)).toThrow(`Invalid channelName "${name}": must be 1-256 characters of [a-zA-Z0-9_.-]`);
  });

  test('fails validateDeviceName with 129 characters', () => {
    const name = 'd'.repeat(129);
    expect(() => validateDeviceName(name)).toThrow(`Invalid deviceName "${name}": must be 1-128 characters of [a-zA-Z0-9_.-]`);
  });

  test('fails validateStreamName with a non-ASCII letter', () => {
    expect(() => validateStreamName('câmera')).toThrow('Invalid streamName "câmera": must be 1-256 characters of [a-zA-Z0-9_.-]');
  });
});

describe('validateMediaType', () => {
  test('accepts the documented examples and tokens', () => {
    expect(() => validateMediaType('video/h264')).not.toThrow();
    expect(() => validateMediaType('video/h264,audio/aac')).not.toThrow();
    expect(() => validateMediaType(tokenString())).not.toThrow();
  });

  test('fails with a trailing comma', () => {
    expect(() => validateMediaType('video/h264,')).toThrow(
      'Invalid mediaType "video/h264,": must be 1-128 characters of comma-separated type/subtype pairs of [\\w-.+] (for example "video/h264,audio/aac")',
    );
  });
});

describe('whole durations', () => {
  test('validateWholeHours accepts the bounds and tokens', () => {
    expect(() => validateWholeHours(Duration.hours(0), 'dataRetention', 0, 87600)).not.toThrow();
    expect(() => validateWholeHours(Duration.days(3650), 'dataRetention', 0, 87600)).not.toThrow();
    expect(() => validateWholeHours(Duration.hours(Token.asNumber({ Ref: 'H' })), 'dataRetention', 0, 87600)).not.toThrow();
    expect(() => validateWholeHours(undefined, 'dataRetention', 0, 87600)).not.toThrow();
  });

  test('fails validateWholeHours with minutes', () => {
    expect(() => validateWholeHours(Duration.minutes(30), 'edgeRetention', 1, 720)).toThrow(
      'Invalid edgeRetention "30 minutes": must be a whole number of hours from 1 to 720',
    );
  });

  test('fails validateWholeHours above the maximum', () => {
    expect(() => validateWholeHours(Duration.hours(721), 'edgeRetention', 1, 720)).toThrow(
      'Invalid edgeRetention "30 days 1 hour": must be a whole number of hours from 1 to 720',
    );
  });

  test('validateWholeSeconds accepts minutes that are whole seconds', () => {
    expect(() => validateWholeSeconds(Duration.minutes(1), 'duration', 60, 3600)).not.toThrow();
  });

  test('fails validateWholeSeconds below the minimum', () => {
    expect(() => validateWholeSeconds(Duration.seconds(59), 'duration', 60, 3600)).toThrow(
      'Invalid duration "59 seconds": must be a whole number of seconds from 60 to 3600',
    );
  });
});

describe('validateTags', () => {
  test('accepts 50 tags, Unicode, empty values and every allowed symbol', () => {
    expect(MAX_TAGS).toBe(50);
    expect(() => validateTags(tags(50))).not.toThrow();
    expect(() => validateTags({ 'Équipe São Paulo 2': 'câmera_1.2:3/4=5+6-7@8', 'empty': '' })).not.toThrow();
    expect(() => validateTags({ ['k'.repeat(128)]: 'v'.repeat(256) })).not.toThrow();
  });

  test('skips token keys and values', () => {
    expect(() => validateTags({ [tokenString()]: tokenString() })).not.toThrow();
  });

  test('fails with 51 tags', () => {
    expect(() => validateTags(tags(51))).toThrow('Invalid tags "51 tags": must be at most 50 tags');
  });

  test('fails with an empty key', () => {
    expect(() => validateTags({ '': 'v' })).toThrow(`Invalid tag key "": must be 1-128 characters of ${TAG_CHARACTERS}`);
  });

  test('fails with a key of 129 characters', () => {
    const key = 'k'.repeat(129);
    expect(() => validateTags({ [key]: 'v' })).toThrow(`Invalid tag key "${key}": must be 1-128 characters of ${TAG_CHARACTERS}`);
  });

  test('fails with a key outside the allowed characters', () => {
    expect(() => validateTags({ 'a*b': 'v' })).toThrow(`Invalid tag key "a*b": must be 1-128 characters of ${TAG_CHARACTERS}`);
  });

  test('fails with a key in the reserved aws: prefix, in any case', () => {
    expect(() => validateTags({ 'AWS:team': 'v' })).toThrow(
      'Invalid tag key "AWS:team": must be a key that does not start with "aws:" (reserved by AWS)',
    );
  });

  test('fails with a value of 257 characters', () => {
    const value = 'v'.repeat(257);
    expect(() => validateTags({ team: value })).toThrow(
      `Invalid tag value of key "team" "${value}": must be 0-256 characters of ${TAG_CHARACTERS}`,
    );
  });

  test('fails with a value outside the allowed characters', () => {
    expect(() => validateTags({ team: 'a&b' })).toThrow(
      `Invalid tag value of key "team" "a&b": must be 0-256 characters of ${TAG_CHARACTERS}`,
    );
  });
});

describe('tagValidation', () => {
  test('reports no error for valid tags', () => {
    const manager = new TagManager(TagType.STANDARD, 'AWS::KinesisVideo::Stream');
    manager.setTag('team', 'video');
    expect(tagValidation(manager).validate()).toEqual([]);
  });

  test('reports the error of invalid tags as a message', () => {
    const manager = new TagManager(TagType.STANDARD, 'AWS::KinesisVideo::Stream');
    manager.setTag('team', 'a&b');
    expect(tagValidation(manager).validate()).toEqual([
      `Invalid tag value of key "team" "a&b": must be 0-256 characters of ${TAG_CHARACTERS}`,
    ]);
  });
});

describe('plain JavaScript misuse', () => {
  // Values the TypeScript compiler would refuse, as a JavaScript (or untyped jsii) caller can pass them.
  const untyped = (value: unknown) => value as any;
  const newStack = () => new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });

  test('fails on a string given for mediaType instead of dropping it', () => {
    expect(() => new Stream(newStack(), 'S', { mediaType: untyped('video/h264') })).toThrow(
      'Invalid mediaType "video/h264": must be a MediaType, for example MediaType.H264 or MediaType.of(MediaType.H264, MediaType.AAC)');
    expect(() => new StreamSettings(newStack(), 'S', { stream: Stream.fromStreamName(newStack(), 'D', 'd'), mediaType: untyped('video/h264') })).toThrow(
      'Invalid mediaType "video/h264": must be a MediaType, for example MediaType.H264 or MediaType.of(MediaType.H264, MediaType.AAC)');
  });

  test('fails on a number given for a Duration', () => {
    expect(() => new Stream(newStack(), 'S', { dataRetention: untyped(24) })).toThrow('Invalid dataRetention "24": must be a Duration, for example Duration.hours(1)');
    expect(() => new SignalingChannel(newStack(), 'C', { messageTtl: untyped('60') })).toThrow('Invalid messageTtl "60": must be a Duration, for example Duration.seconds(5)');
  });

  test('fails on a missing samplingInterval, topic or bucket instead of crashing with a TypeError', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'S');
    expect(() => stream.configureImageGeneration(untyped({ bucket: new s3.Bucket(stack, 'B') }))).toThrow(
      'Invalid samplingInterval "undefined": must be a Duration, for example Duration.seconds(5)');
    expect(() => stream.configureImageGeneration(untyped({ samplingInterval: Duration.seconds(1) }))).toThrow(
      'Invalid bucket "undefined": must be an S3 bucket (s3.IBucket)');
    expect(() => stream.configureNotifications(untyped({ topic: 'arn:aws:sns:eu-west-1:111122223333:t' }))).toThrow(
      'Invalid topic "arn:aws:sns:eu-west-1:111122223333:t": must be an SNS topic (sns.ITopic)');
  });

  test('fails naming a FIFO topic of the app by its construct path, never by a raw token', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alerts', { fifo: true });
    expect(() => new Stream(stack, 'S').configureNotifications({ topic })).toThrow(
      'Invalid topic "TestStack/Alerts": must be a standard SNS topic: Kinesis Video Streams does not notify FIFO topics');
  });

  test('shows a token as a deploy-time value and an object by its class', () => {
    const token = new CfnParameter(newStack(), 'P').valueAsString;
    expect(invalid('x', token, 'y').message).toBe('Invalid x "(a value known only at deploy time)": must be y');
    expect(invalid('x', new s3.BlockPublicAccess({}), 'y').message).toBe('Invalid x "a BlockPublicAccess": must be y');
  });
});
