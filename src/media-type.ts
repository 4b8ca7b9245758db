import { validateMediaType } from './private/validation';

/**
 * The media type of a Kinesis video stream: what its tracks contain, as comma-separated `type/subtype` pairs (for
 * example `video/h264,audio/aac`).
 *
 * Kinesis Video Streams stores the value for consumers and does not check it against the media. The console plays a
 * stream only when the media type names its video codec (for example `video/h264`). The API Reference gives
 * `video/h264` and `video/h264,audio/aac` as examples. The other constants are the content types that the Kinesis
 * Video Streams producer SDKs write for the codecs that the service's playback APIs accept (GetClip, HLS, DASH).
 *
 * @example
 * MediaType.of(MediaType.H264, MediaType.AAC); // video/h264,audio/aac
 */
export class MediaType {
  /** H.264 (AVC) video: `video/h264`. */
  public static readonly H264 = new MediaType('video/h264');
  /** H.265 (HEVC) video: `video/h265`. */
  public static readonly H265 = new MediaType('video/h265');
  /** AAC audio: `audio/aac`. */
  public static readonly AAC = new MediaType('audio/aac');
  /** G.711 A-law audio: `audio/alaw`. */
  public static readonly G711_ALAW = new MediaType('audio/alaw');
  /** G.711 µ-law audio: `audio/mulaw`. */
  public static readonly G711_MULAW = new MediaType('audio/mulaw');

  /**
   * The media type of a stream with several tracks, in track order.
   *
   * @example
   * MediaType.of(MediaType.H264, MediaType.G711_ALAW); // video/h264,audio/alaw
   */
  public static of(...tracks: MediaType[]): MediaType {
    return new MediaType(tracks.map((track) => track.value).join(','));
  }

  /**
   * Any media type the service accepts: 1-128 characters of comma-separated `type/subtype` pairs, each part of
   * `[\w-.+]`.
   */
  public static custom(value: string): MediaType {
    return new MediaType(value);
  }

  /** The media type as the service stores it, for example `video/h264,audio/aac`. */
  public readonly value: string;

  private constructor(value: string) {
    validateMediaType(value);
    this.value = value;
  }

  /** The media type as the service stores it. */
  public toString(): string {
    return this.value;
  }
}
