import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** The file format of generated images. */
export enum ImageFormat {
  /** JPEG; its quality is set with `jpegQuality`. */
  JPEG = 'JPEG',
  /** PNG. */
  PNG = 'PNG',
}

/** Which timestamps select the frames that images are generated from. */
export enum ImageSelector {
  /** The timestamps at which Kinesis Video Streams received the fragments. */
  SERVER_TIMESTAMP = 'SERVER_TIMESTAMP',
  /** The timestamps that the producer put on the frames. */
  PRODUCER_TIMESTAMP = 'PRODUCER_TIMESTAMP',
}

/**
 * Continuous image generation from a stream into an S3 bucket (`UpdateImageGenerationConfiguration`).
 *
 * The images are written with the credentials of whoever ingests media into the stream, so `grantWrite` on the stream
 * also grants `s3:PutObject` (and the bucket key's permissions) under the key prefix.
 */
export interface ImageGenerationOptions {
  /**
   * The bucket that receives the images. It must be in the stream's region.
   */
  readonly bucket: s3.IBucket;

  /**
   * The key prefix under which images are written. Together with the bucket name it forms the destination URI
   * `s3://<bucket>/<prefix>`, which may be at most 255 characters and must not contain `*`.
   *
   * @default - images are written at the bucket's root
   */
  readonly keyPrefix?: string;

  /**
   * How often an image is generated: at least 200 milliseconds, in whole milliseconds. Every image is an S3 PUT, so
   * this drives cost: one image a second is 86,400 objects a day per stream.
   */
  readonly samplingInterval: Duration;

  /**
   * The image format.
   *
   * @default ImageFormat.JPEG
   */
  readonly format?: ImageFormat;

  /**
   * The JPEG quality, 1 (smallest) to 100 (best). Only for `ImageFormat.JPEG`.
   *
   * @default 80, the service's default
   */
  readonly jpegQuality?: number;

  /**
   * Which timestamps select the frames.
   *
   * @default ImageSelector.SERVER_TIMESTAMP
   */
  readonly imageSelector?: ImageSelector;

  /**
   * The image width in pixels, 1 to 3840. With only one of `widthPixels` and `heightPixels`, the other follows the
   * source's aspect ratio; with both, the image is stretched to fit.
   *
   * @default - the source's width
   */
  readonly widthPixels?: number;

  /**
   * The image height in pixels, 1 to 2160.
   *
   * @default - the source's height
   */
  readonly heightPixels?: number;

  /**
   * Whether image generation is enabled. A disabled configuration stays on the stream with status DISABLED.
   *
   * @default true
   */
  readonly enabled?: boolean;
}
