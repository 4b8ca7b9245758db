import { MediaType } from '../src';

describe('MediaType', () => {
  test.each([
    ['H264', MediaType.H264, 'video/h264'],
    ['H265', MediaType.H265, 'video/h265'],
    ['AAC', MediaType.AAC, 'audio/aac'],
    ['G711_ALAW', MediaType.G711_ALAW, 'audio/alaw'],
    ['G711_MULAW', MediaType.G711_MULAW, 'audio/mulaw'],
  ])('%s is %s', (_name, mediaType, value) => {
    expect(mediaType.value).toBe(value);
    expect(mediaType.toString()).toBe(value);
  });

  test('of joins the tracks in order', () => {
    expect(MediaType.of(MediaType.H264, MediaType.AAC).value).toBe('video/h264,audio/aac');
    expect(MediaType.of(MediaType.H265, MediaType.G711_MULAW).value).toBe('video/h265,audio/mulaw');
  });

  test('of a single track is that track', () => {
    expect(MediaType.of(MediaType.G711_ALAW).value).toBe('audio/alaw');
  });

  test('of combines custom and combined media types', () => {
    const combined = MediaType.of(MediaType.of(MediaType.H264, MediaType.AAC), MediaType.custom('application/x-klv'));
    expect(combined.value).toBe('video/h264,audio/aac,application/x-klv');
  });

  test('custom takes any media type of the documented pattern', () => {
    expect(MediaType.custom('video/x-matroska').value).toBe('video/x-matroska');
    expect(MediaType.custom('video/h264+sei.v2,audio/opus').value).toBe('video/h264+sei.v2,audio/opus');
  });

  test('custom takes 128 characters', () => {
    const value = `video/${'a'.repeat(122)}`;
    expect(MediaType.custom(value).value).toBe(value);
  });

  test('fails custom without a subtype', () => {
    expect(() => MediaType.custom('h264')).toThrow(
      'Invalid mediaType "h264": must be 1-128 characters of comma-separated type/subtype pairs of [\\w-.+] (for example "video/h264,audio/aac")',
    );
  });

  test('fails custom with a space after the comma', () => {
    expect(() => MediaType.custom('video/h264, audio/aac')).toThrow(
      'Invalid mediaType "video/h264, audio/aac": must be 1-128 characters of comma-separated type/subtype pairs of [\\w-.+] (for example "video/h264,audio/aac")',
    );
  });

  test('fails custom with 129 characters', () => {
    const value = `video/${'a'.repeat(123)}`;
    expect(() => MediaType.custom(value)).toThrow(
      `Invalid mediaType "${value}": must be 1-128 characters of comma-separated type/subtype pairs of [\\w-.+] (for example "video/h264,audio/aac")`,
    );
  });

  test('fails of without tracks', () => {
    expect(() => MediaType.of()).toThrow(
      'Invalid mediaType "": must be 1-128 characters of comma-separated type/subtype pairs of [\\w-.+] (for example "video/h264,audio/aac")',
    );
  });

  test('fails of when the combination exceeds 128 characters', () => {
    const long = MediaType.custom(`video/${'a'.repeat(100)}`);
    expect(() => MediaType.of(long, long)).toThrow(`Invalid mediaType "${long.value},${long.value}": must be 1-128 characters`);
  });
});
