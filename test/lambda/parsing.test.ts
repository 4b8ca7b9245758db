import { exactly } from './support/harness';
import { readBoolean, readInteger, readList, readString } from '../../lambda/parse';
import { formatPhysicalId, parsePhysicalId } from '../../lambda/physical-id';
import { nameFromArn } from '../../lambda/subject';

describe('CloudFormation strings', () => {
  test('integers come as decimal strings', () => {
    expect(readInteger('24', 'P')).toBe(24);
    expect(readInteger('0', 'P')).toBe(0);
    expect(readInteger(720, 'P', 1, 720)).toBe(720);
  });

  test.each([['1.5'], [''], ['12h'], ['-1'], [null], ['1e3']])('fails on %j as an integer', (value) => {
    expect(() => readInteger(value, 'Streams[0].DataRetentionInHours')).toThrow(
      exactly(`Invalid Streams[0].DataRetentionInHours: expected an integer of at least 0, received ${JSON.stringify(value)}`));
  });

  test('fails on an integer out of range, naming the range', () => {
    expect(() => readInteger('721', 'P', 1, 720)).toThrow(exactly('Invalid P: expected an integer from 1 to 720, received "721"'));
  });

  test('booleans come as "true" and "false"', () => {
    expect(readBoolean('true', 'P')).toBe(true);
    expect(readBoolean('false', 'P')).toBe(false);
    expect(() => readBoolean('TRUE', 'P')).toThrow(exactly('Invalid P: expected "true" or "false", received "TRUE"'));
  });

  test('fails on missing strings and lists, saying nothing was received', () => {
    expect(() => readString(undefined, 'StreamArn')).toThrow(exactly('Invalid StreamArn: expected a non-empty string, received nothing'));
    expect(() => readList('a,b', 'Streams')).toThrow(exactly('Invalid Streams: expected a list, received "a,b"'));
  });
});

describe('physical ids', () => {
  const stream = 'arn:aws-cn:kinesisvideo:cn-north-1:123456789012:stream/cam.1_a-b/1700000000000';
  const channel = 'arn:aws-cn:kinesisvideo:cn-north-1:123456789012:channel/door/1700000000001';

  test('carry the kind and the target ARNs, and parse back', () => {
    const id = formatPhysicalId('MediaStorage', [channel, stream]);

    expect(id).toBe(`MediaStorage|${channel}|${stream}`);
    expect(parsePhysicalId(id, 'MediaStorage', 2)).toEqual([channel, stream]);
  });

  test.each([
    ['another kind', `StreamConfiguration|${stream}`],
    ['too few targets', `MediaStorage|${channel}`],
    ['an empty target', `MediaStorage|${channel}|`],
    ['the framework\'s marker for a failed Create', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
  ])('do not parse from %s', (_, id) => {
    expect(parsePhysicalId(id, 'MediaStorage', 2)).toBeUndefined();
  });

  test('names come from ARNs in any partition', () => {
    expect(nameFromArn(stream)).toBe('cam.1_a-b');
    expect(nameFromArn('not-an-arn')).toBe('not-an-arn');
  });
});
