import { randomUUID } from 'crypto';
import type { APIName } from '@aws-sdk/client-kinesis-video';
import {
  KinesisVideoArchivedMediaClient,
  GetClipCommand,
  GetDASHStreamingSessionURLCommand,
  GetHLSStreamingSessionURLCommand,
  GetImagesCommand,
  ListFragmentsCommand,
} from '@aws-sdk/client-kinesis-video-archived-media';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DataEndpoints } from './endpoints';
import { translateKvsError } from './errors';
import { HttpError, invalidParameter } from './http';
import { checkRange, Query, TIMESTAMP_SOURCES } from './params';
import { PlaybackRoute } from '../../src/private/playback-contract';

/** What the routes need besides the request: the clients, the clock and the configuration. */
export interface RouteContext {
  readonly endpoints: DataEndpoints;
  readonly s3: S3Client;
  readonly presign: (s3: S3Client, command: GetObjectCommand, expiresIn: number) => Promise<string>;
  readonly now: () => number;
  readonly config: RouteConfig;
}

export interface RouteConfig {
  readonly clipBucket: string;
  readonly clipKeyPrefix: string;
  readonly clipUrlExpiresSeconds: number;
  readonly sessionExpiresSeconds: number;
}

/** The answer of a URL route: the URL and when it stops working. */
export interface UrlAnswer {
  readonly url: string;
  readonly expiresAt: string;
}

type Route = (streamName: string, query: Readonly<Record<string, string | undefined>>, ctx: RouteContext) => Promise<unknown>;

const PLAYBACK_MODES = ['LIVE', 'LIVE_REPLAY', 'ON_DEMAND'] as const;
const ALWAYS_NEVER = ['ALWAYS', 'NEVER'] as const;
const SESSION_PARAMETERS = ['playbackMode', 'fragmentSelectorType', 'startTimestamp', 'endTimestamp', 'displayFragmentTimestamp', 'expires'];
const RANGE_PARAMETERS = ['fragmentSelectorType', 'startTimestamp', 'endTimestamp'];

/** GetImages' range: at most 300 seconds (the API Reference's `EndTimestamp`). */
const MAX_IMAGES_RANGE_MS = 300_000;

/** The fragment selector of an HLS or DASH session, checked against the playback mode as the API Reference states. */
function sessionSelector(query: Query, now: number) {
  const playbackMode = query.enumValue('playbackMode', PLAYBACK_MODES, 'LIVE');
  const selectorType = query.enumValue('fragmentSelectorType', TIMESTAMP_SOURCES);
  const start = query.timestamp('startTimestamp');
  const end = query.timestamp('endTimestamp');
  if (playbackMode === 'LIVE') {
    for (const name of ['startTimestamp', 'endTimestamp']) {
      if (query.has(name)) throw invalidParameter(name, query.raw(name), 'unset with playbackMode LIVE, which plays the newest fragments (use LIVE_REPLAY to start at a time)');
    }
    return { playbackMode, selector: selectorType ? { FragmentSelectorType: selectorType } : undefined };
  }
  const source = selectorType ?? 'SERVER_TIMESTAMP';
  query.require('startTimestamp', start, `given with playbackMode ${playbackMode} (an ISO 8601 date and time)`);
  if (playbackMode === 'ON_DEMAND') query.require('endTimestamp', end, 'given with playbackMode ON_DEMAND (an ISO 8601 date and time)');
  if (end !== undefined) checkRange(start!, end, source, now);
  return {
    playbackMode,
    selector: { FragmentSelectorType: source, TimestampRange: { StartTimestamp: start, EndTimestamp: end } },
  };
}

function sessionExpires(query: Query, ctx: RouteContext): number {
  return query.integer('expires', 300, 43_200, 'seconds') ?? ctx.config.sessionExpiresSeconds;
}

function urlAnswer(url: string | undefined, expiresSeconds: number, ctx: RouteContext, api: string): UrlAnswer {
  if (!url) throw new HttpError(502, 'KinesisVideoError', `${api} answered no URL`);
  return { url, expiresAt: new Date(ctx.now() + expiresSeconds * 1000).toISOString() };
}

/** Runs one archived-media call on the stream's data endpoint, translating its documented errors. */
async function archived<T>(ctx: RouteContext, streamName: string, api: APIName, playbackMode: string | undefined,
  call: (client: KinesisVideoArchivedMediaClient) => Promise<T>): Promise<T> {
  try {
    return await ctx.endpoints.call(streamName, api, call);
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw translateKvsError(e, { api: apiLabel(api), streamName, playbackMode });
  }
}

function apiLabel(apiName: string): string {
  return {
    GET_HLS_STREAMING_SESSION_URL: 'GetHLSStreamingSessionURL',
    GET_DASH_STREAMING_SESSION_URL: 'GetDASHStreamingSessionURL',
    GET_CLIP: 'GetClip',
    GET_IMAGES: 'GetImages',
    LIST_FRAGMENTS: 'ListFragments',
  }[apiName] ?? apiName;
}

const hls: Route = async (streamName, raw, ctx) => {
  const query = new Query(raw, [...SESSION_PARAMETERS, 'containerFormat', 'discontinuityMode', 'maxMediaPlaylistFragmentResults']);
  const { playbackMode, selector } = sessionSelector(query, ctx.now());
  const expires = sessionExpires(query, ctx);
  const input = {
    StreamName: streamName,
    PlaybackMode: playbackMode,
    HLSFragmentSelector: selector,
    ContainerFormat: query.enumValue('containerFormat', ['FRAGMENTED_MP4', 'MPEG_TS'] as const),
    DiscontinuityMode: query.enumValue('discontinuityMode', ['ALWAYS', 'NEVER', 'ON_DISCONTINUITY'] as const),
    DisplayFragmentTimestamp: query.enumValue('displayFragmentTimestamp', ALWAYS_NEVER),
    Expires: expires,
    MaxMediaPlaylistFragmentResults: query.integer('maxMediaPlaylistFragmentResults', 1, 5000, 'fragments'),
  };
  const out = await archived(ctx, streamName, 'GET_HLS_STREAMING_SESSION_URL', playbackMode,
    (client) => client.send(new GetHLSStreamingSessionURLCommand(input)));
  return urlAnswer(out.HLSStreamingSessionURL, expires, ctx, 'GetHLSStreamingSessionURL');
};

const dash: Route = async (streamName, raw, ctx) => {
  const query = new Query(raw, [...SESSION_PARAMETERS, 'displayFragmentNumber', 'maxManifestFragmentResults']);
  const { playbackMode, selector } = sessionSelector(query, ctx.now());
  const expires = sessionExpires(query, ctx);
  const input = {
    StreamName: streamName,
    PlaybackMode: playbackMode,
    DASHFragmentSelector: selector,
    DisplayFragmentTimestamp: query.enumValue('displayFragmentTimestamp', ALWAYS_NEVER),
    DisplayFragmentNumber: query.enumValue('displayFragmentNumber', ALWAYS_NEVER),
    Expires: expires,
    MaxManifestFragmentResults: query.integer('maxManifestFragmentResults', 1, 5000, 'fragments'),
  };
  const out = await archived(ctx, streamName, 'GET_DASH_STREAMING_SESSION_URL', playbackMode,
    (client) => client.send(new GetDASHStreamingSessionURLCommand(input)));
  return urlAnswer(out.DASHStreamingSessionURL, expires, ctx, 'GetDASHStreamingSessionURL');
};

/** A required `[startTimestamp, endTimestamp]` with its source, checked. */
function requiredRange(query: Query, sourceParameter: string, ctx: RouteContext, maxMs?: number, maxText?: string) {
  const source = query.enumValue(sourceParameter, TIMESTAMP_SOURCES, 'SERVER_TIMESTAMP');
  const start = query.require('startTimestamp', query.timestamp('startTimestamp'), 'an ISO 8601 date and time, for example 2026-01-01T00:00:00Z');
  const end = query.require('endTimestamp', query.timestamp('endTimestamp'), 'an ISO 8601 date and time, for example 2026-01-01T00:05:00Z');
  checkRange(start, end, source, ctx.now(), { maxMs, maxText, sourceParameter });
  return { source, start, end };
}

/**
 * GetClip answers up to 100 MB, far over Lambda's 6 MB answer: the clip goes to S3 and the caller gets a presigned
 * URL (docs/playback.md says why not a streamed answer).
 */
const clip: Route = async (streamName, raw, ctx) => {
  const query = new Query(raw, RANGE_PARAMETERS);
  const { source, start, end } = requiredRange(query, 'fragmentSelectorType', ctx);
  const out = await archived(ctx, streamName, 'GET_CLIP', undefined, async (client) => {
    const answer = await client.send(new GetClipCommand({
      StreamName: streamName,
      ClipFragmentSelector: { FragmentSelectorType: source, TimestampRange: { StartTimestamp: start, EndTimestamp: end } },
    }));
    return { contentType: answer.ContentType ?? 'video/mp4', bytes: await answer.Payload!.transformToByteArray() };
  });
  const { config } = ctx;
  const key = `${config.clipKeyPrefix}${streamName}/${compact(start)}-${compact(end)}-${randomUUID()}.mp4`;
  await ctx.s3.send(new PutObjectCommand({ Bucket: config.clipBucket, Key: key, Body: out.bytes, ContentType: out.contentType }));
  const url = await ctx.presign(ctx.s3, new GetObjectCommand({ Bucket: config.clipBucket, Key: key }), config.clipUrlExpiresSeconds);
  return { ...urlAnswer(url, config.clipUrlExpiresSeconds, ctx, 'S3 presigning'), contentType: out.contentType, sizeInBytes: out.bytes.byteLength };
};

const images: Route = async (streamName, raw, ctx) => {
  const query = new Query(raw, ['imageSelectorType', 'startTimestamp', 'endTimestamp', 'samplingInterval', 'format', 'jpegQuality',
    'widthPixels', 'heightPixels', 'maxResults', 'nextToken']);
  const { source, start, end } = requiredRange(query, 'imageSelectorType', ctx, MAX_IMAGES_RANGE_MS, '300 seconds');
  const format = query.enumValue('format', ['JPEG', 'PNG'] as const, 'JPEG');
  const jpegQuality = query.integer('jpegQuality', 1, 100);
  if (jpegQuality !== undefined && format !== 'JPEG') throw invalidParameter('jpegQuality', query.raw('jpegQuality'), 'unset with format PNG (it applies to JPEG only)');
  const width = query.integer('widthPixels', 1, 3840, 'pixels');
  const height = query.integer('heightPixels', 1, 2160, 'pixels');
  if (width !== undefined && height === undefined) {
    throw invalidParameter('widthPixels', query.raw('widthPixels'), 'given together with heightPixels (GetImages refuses a width alone; a height alone keeps the aspect ratio)');
  }
  const input = {
    StreamName: streamName,
    ImageSelectorType: source,
    StartTimestamp: start,
    EndTimestamp: end,
    SamplingInterval: query.integer('samplingInterval', 200, undefined, 'milliseconds'),
    Format: format,
    FormatConfig: jpegQuality !== undefined ? { JPEGQuality: String(jpegQuality) } : undefined,
    WidthPixels: width,
    HeightPixels: height,
    MaxResults: query.integer('maxResults', 1, 100, 'images'),
    NextToken: query.nextToken(),
  };
  const out = await archived(ctx, streamName, 'GET_IMAGES', undefined, (client) => client.send(new GetImagesCommand(input)));
  return {
    images: (out.Images ?? []).map((image) => ({
      timestamp: image.TimeStamp?.toISOString(),
      ...(image.Error !== undefined ? { error: image.Error } : {}),
      ...(image.ImageContent !== undefined ? { imageContent: image.ImageContent } : {}),
    })),
    ...(out.NextToken ? { nextToken: out.NextToken } : {}),
  };
};

const fragments: Route = async (streamName, raw, ctx) => {
  const query = new Query(raw, [...RANGE_PARAMETERS, 'maxResults', 'nextToken']);
  const source = query.enumValue('fragmentSelectorType', TIMESTAMP_SOURCES, 'SERVER_TIMESTAMP');
  const start = query.timestamp('startTimestamp');
  const end = query.timestamp('endTimestamp');
  if ((start === undefined) !== (end === undefined)) {
    const missing = start === undefined ? 'startTimestamp' : 'endTimestamp';
    throw invalidParameter(missing, undefined, 'given together with the other end of the range (or neither, for every fragment)');
  }
  if (start !== undefined && end !== undefined) checkRange(start, end, source, ctx.now());
  const input = {
    StreamName: streamName,
    MaxResults: query.integer('maxResults', 1, 1000, 'fragments'),
    NextToken: query.nextToken(),
    FragmentSelector: start !== undefined
      ? { FragmentSelectorType: source, TimestampRange: { StartTimestamp: start, EndTimestamp: end } }
      : undefined,
  };
  const out = await archived(ctx, streamName, 'LIST_FRAGMENTS', undefined, (client) => client.send(new ListFragmentsCommand(input)));
  return {
    fragments: (out.Fragments ?? []).map((f) => ({
      fragmentNumber: f.FragmentNumber,
      fragmentSizeInBytes: f.FragmentSizeInBytes,
      producerTimestamp: f.ProducerTimestamp?.toISOString(),
      serverTimestamp: f.ServerTimestamp?.toISOString(),
      fragmentLengthInMilliseconds: f.FragmentLengthInMilliseconds,
    })),
    ...(out.NextToken ? { nextToken: out.NextToken } : {}),
  };
};

/** `2026-01-01T00:00:00.000Z` → `20260101T000000.000Z`, for object keys. */
function compact(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

export const ROUTES: Readonly<Record<PlaybackRoute, Route>> = { hls, dash, clip, images, fragments };
