/*
 * The contract between StreamPlaybackApi (src/stream-playback-api.ts) and its function (lambda/playback/): the
 * routes, the environment that configures the function, and the defaults both sides document. Plain constants only:
 * the function's bundle includes this file.
 */

/** The routes, one per archived-media feature, each under `/streams/{streamName}/`. */
export const PLAYBACK_ROUTES = ['hls', 'dash', 'clip', 'images', 'fragments'] as const;
export type PlaybackRoute = typeof PLAYBACK_ROUTES[number];

/** The path of a route, as API Gateway's route key writes it. */
export function playbackRoutePath(route: PlaybackRoute): string {
  return `/streams/{streamName}/${route}`;
}

/** The function's environment variables. */
export const PlaybackEnv = {
  /** JSON array of the exact stream names the API serves. */
  STREAM_NAMES: 'KVS_PLAYBACK_STREAM_NAMES',
  /** JSON array of the stream name prefixes the API serves. */
  STREAM_NAME_PREFIXES: 'KVS_PLAYBACK_STREAM_NAME_PREFIXES',
  /** `IAM` or `JWT`: how API Gateway authorizes the caller. */
  AUTHORIZATION: 'KVS_PLAYBACK_AUTHORIZATION',
  /** Under JWT: the claim that lists the streams the caller may see. */
  STREAMS_CLAIM: 'KVS_PLAYBACK_STREAMS_CLAIM',
  /** The bucket clips are written to. */
  CLIP_BUCKET: 'KVS_PLAYBACK_CLIP_BUCKET',
  /** The key prefix of clips in the bucket. */
  CLIP_KEY_PREFIX: 'KVS_PLAYBACK_CLIP_KEY_PREFIX',
  /** Seconds a clip's presigned URL is valid. */
  CLIP_URL_EXPIRES: 'KVS_PLAYBACK_CLIP_URL_EXPIRES',
  /** The default `Expires` of HLS and DASH sessions, in seconds. */
  SESSION_EXPIRES: 'KVS_PLAYBACK_SESSION_EXPIRES',
} as const;

export type PlaybackAuthorizationKind = 'IAM' | 'JWT';

/** `Expires` of GetHLSStreamingSessionURL and GetDASHStreamingSessionURL: 300 to 43,200 seconds. */
export const SESSION_EXPIRES_RANGE = { min: 300, max: 43_200 } as const;

/**
 * The API's default `Expires`: one hour. The service's own default, 300 seconds, ends a live viewing after five
 * minutes (no playlist or segment can be fetched once the session expires).
 */
export const DEFAULT_SESSION_EXPIRES_SECONDS = 3_600;

/** How long a clip's presigned URL is valid by default, and at most (it is signed with the function's temporary credentials). */
export const DEFAULT_CLIP_URL_EXPIRES_SECONDS = 900;
export const MAX_CLIP_URL_EXPIRES_SECONDS = 3_600;

/** The default key prefix of clips in the bucket. */
export const DEFAULT_CLIP_KEY_PREFIX = 'clips/';

/** The streams claim a JWT carries by default: a custom claim for any issuer, a custom attribute for Cognito. */
export const DEFAULT_JWT_STREAMS_CLAIM = 'kvs:streams';
export const DEFAULT_COGNITO_STREAMS_CLAIM = 'custom:kvs_streams';

/** A stream name: 1-256 characters of `[a-zA-Z0-9_.-]` (the API Reference's `StreamName`). */
export const STREAM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,256}$/;

/**
 * One entry of a streams claim: a stream name, a prefix ending in `*` (`cam-*`), or `*` for every stream the API
 * serves.
 */
export const STREAM_GRANT_PATTERN = /^(\*|[a-zA-Z0-9_.-]{1,256}\*?)$/;
