import { HttpError } from './http';

/** What SDK v3 errors carry: service exceptions a `name` and `$metadata`; transport failures often only a message. */
interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Whether the service answered (a 4xx with an error name): the endpoint works, the request or the stream does not. */
export function isServiceAnswer(e: unknown): boolean {
  const status = (e as SdkError | undefined)?.$metadata?.httpStatusCode;
  return status !== undefined && status < 500;
}

/** Seconds a throttled caller waits before trying again: the quotas are per second. */
export const RETRY_AFTER_SECONDS = 1;

/** What the request was, for the advice of a ResourceNotFoundException. */
export interface CallContext {
  readonly api: string;
  readonly streamName: string;
  /** The playback mode of an HLS or DASH session. */
  readonly playbackMode?: string;
}

/** The answer to a failed Kinesis Video Streams call: the documented errors each say what to do. */
export function translateKvsError(e: unknown, call: CallContext): HttpError {
  const err = (e ?? {}) as SdkError;
  const name = err.name ?? 'Error';
  const said = `${call.api} failed for stream ${call.streamName}: ${name}: ${err.message ?? ''}`.trim();
  switch (name) {
    case 'ResourceNotFoundException':
      return new HttpError(404, 'NoFragments', `${said} ${notFoundAdvice(call)}`);
    case 'NoDataRetentionException':
      return new HttpError(409, 'NoDataRetention', `${said} The stream keeps no data (DataRetentionInHours 0), so it has no archive to play: raise its dataRetention.`);
    case 'MissingCodecPrivateDataException':
    case 'InvalidCodecPrivateDataException':
      return new HttpError(422, 'CodecPrivateData', `${said} Every fragment's video track must carry codec private data (H.264 AVC or H.265 HEVC format), and an audio track AAC or MS Wave codec private data: fix the producer's encoder settings.`);
    case 'UnsupportedStreamMediaTypeException':
      return new HttpError(422, 'UnsupportedMediaType', `${said} Playback needs track 1 to be V_MPEG/ISO/AVC (H.264) or V_MPEGH/ISO/HEVC (H.265) and, optionally, track 2 A_AAC (or A_MS/ACM for clips): change the producer's codec.`);
    case 'InvalidMediaFrameException':
      return new HttpError(422, 'InvalidMediaFrame', `${said} Frames of the requested range cannot be parsed with the track's codec: choose another range, or fix the producer.`);
    case 'ClientLimitExceededException':
      return new HttpError(429, 'Throttled', `${said} Kinesis Video Streams throttled the call (its quotas are per stream and per second): retry after ${RETRY_AFTER_SECONDS} second.`,
        undefined, { 'retry-after': String(RETRY_AFTER_SECONDS) });
    case 'NotAuthorizedException':
    case 'AccessDeniedException':
      return new HttpError(403, 'NotAuthorized', `${said} The playback API's function may not read this stream: grant its role the archived-media actions on the stream (and kms:Decrypt on the stream's customer managed key).`);
    case 'InvalidArgumentException':
      return new HttpError(400, 'InvalidArgument', `${said} Change the request's parameters as the message says.`);
    default:
      return new HttpError(502, 'KinesisVideoError', `${said} Retry later; if it persists, check the Kinesis Video Streams service health.`);
  }
}

function notFoundAdvice(call: CallContext): string {
  if (call.playbackMode === 'LIVE') {
    return 'A LIVE session needs fragments ingested within the last 30 seconds: check that the producer is streaming, '
      + 'or ask for LIVE_REPLAY or ON_DEMAND with a range that has video (GET /streams/{streamName}/fragments lists it).';
  }
  if (call.playbackMode !== undefined || call.api === 'GetClip') {
    return 'The stream has no fragments in the requested range: choose a range that has video (GET /streams/{streamName}/fragments lists it).';
  }
  return 'The stream does not exist, or has no media in the requested range.';
}
