import * as crypto from 'crypto';
import { invalidArgument, KvsError, MESSAGES } from './errors';
import { CODEC_IDS, FragmentRecord, FragmentStore, TimestampType, timestampOf } from './fragments';
import { MediaLibrary, MediaProfile, PlayableCodec, VIDEO } from './media';
import { FragmentQuota, RateLimiter } from './rate-limit';
import { KvsState, StreamRecord } from './state';

/**
 * The archived-media data plane: GetHLSStreamingSessionURL, GetDASHStreamingSessionURL, GetClip, GetImages,
 * ListFragments and GetMediaForFragmentList over the recorded fragments, and the HLS and DASH session resources
 * (playlists, manifests, init and media fragments) their URLs point to. Inputs arrive validated against
 * archived-media-model.ts; this file adds the API Reference's prose rules and the documented errors.
 */

type Input = Record<string, any>;
export type DataPlaneResult = { json: Record<string, unknown> } | { payload: Buffer; contentType: string };
export interface SessionReply {
  status: number;
  contentType: string;
  body: Buffer | string;
}

/** "no fragments within the last 30 seconds" for LIVE sessions. */
export const LIVE_WINDOW_MS = 30_000;
const DAY_MS = 24 * 3_600_000;
/** GetImages: "more than 300 seconds above StartTimeStamp" is an error. */
const MAX_IMAGES_RANGE_MS = 300_000;
const MIN_SAMPLING_INTERVAL_MS = 200;
/** GetImages: "The default limit is 25 images per API response". */
const IMAGES_PAGE_SIZE = 25;
const DEFAULT_JPEG_QUALITY = 80;
/** GetClip: "the first 100 MB or the first 200 fragments". */
const CLIP_MAX_FRAGMENTS = 200;
const CLIP_MAX_BYTES = 100 * 1024 * 1024;
const DEFAULT_LIST_FRAGMENTS = 100;
/** Expires: "The default is 300 (5 minutes)". */
const DEFAULT_EXPIRES_S = 300;
/** Max*FragmentResults: "5 fragments if PlaybackMode is LIVE or LIVE_REPLAY, and 1,000 if ON_DEMAND". */
const DEFAULT_LIVE_FRAGMENTS = 5;
const DEFAULT_ON_DEMAND_FRAGMENTS = 1_000;
/** ON_DISCONTINUITY: "a gap or overlap of more than 50 milliseconds". */
const DISCONTINUITY_TOLERANCE_MS = 50;

const PLAYABLE: ReadonlySet<string> = new Set(['H264', 'H265']);
const ms = (seconds: number) => Math.round(seconds * 1000);
const seconds = (epochMs: number) => epochMs / 1000;

type PlaybackMode = 'LIVE' | 'LIVE_REPLAY' | 'ON_DEMAND';
type Protocol = 'HLS' | 'DASH';

interface Session {
  readonly token: string;
  readonly protocol: Protocol;
  readonly streamArn: string;
  readonly endpoint: string;
  readonly mode: PlaybackMode;
  readonly selectorType: TimestampType;
  readonly start?: number;
  readonly end?: number;
  readonly maxFragments: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly profile: MediaProfile;
  readonly container: 'FRAGMENTED_MP4' | 'MPEG_TS';
  readonly discontinuity: 'ALWAYS' | 'NEVER' | 'ON_DISCONTINUITY';
  readonly displayTimestamp: boolean;
  readonly displayNumber: boolean;
}

export interface DataPlaneDependencies {
  readonly kvs: KvsState;
  readonly fragments: FragmentStore;
  readonly media: MediaLibrary;
  readonly rateLimiter: RateLimiter;
  readonly clock: () => number;
  /** The documented HTTP status of an archived-media error. */
  readonly errorStatus: (errorType: string) => number | undefined;
}

const profileOf = (f: FragmentRecord): MediaProfile => ({ codec: f.codec as PlayableCodec, durationMs: f.durationMs });
const sameProfile = (a: MediaProfile, b: MediaProfile) => a.codec === b.codec && a.durationMs === b.durationMs;

/** The documented media checks, on the first fragment (media type) and on every fragment (codec private data). */
function checkMedia(fragments: readonly FragmentRecord[]) {
  const first = fragments[0];
  if (!PLAYABLE.has(first.codec)) {
    throw new KvsError('UnsupportedStreamMediaTypeException',
      `The codec ID of track 1 of fragment ${first.number} is ${CODEC_IDS[first.codec]}; it should be ${CODEC_IDS.H264} (H.264) or ${CODEC_IDS.H265} (H.265).`);
  }
  const missing = fragments.find((f) => f.codecPrivateData === 'missing');
  if (missing) throw new KvsError('MissingCodecPrivateDataException', `No codec private data was found in track 1 of fragment ${missing.number}.`);
  const invalid = fragments.find((f) => f.codecPrivateData === 'invalid');
  if (invalid) throw new KvsError('InvalidCodecPrivateDataException', `The codec private data in track 1 of fragment ${invalid.number} is not valid ${invalid.codec === 'H264' ? 'AVC' : 'HEVC'} data.`);
}

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64');
}

function decodeToken<T>(token: string, check: (v: any) => boolean): T {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (check(value)) return value as T;
  } catch {
    // falls through to the error below
  }
  throw invalidArgument(`NextToken ${token} is not a token this API returned.`);
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export class ArchivedMediaDataPlane {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly d: DataPlaneDependencies) {}

  /** Runs one validated archived-media call that arrived at `endpoint` (the data endpoint URL the caller used). */
  public async execute(action: string, input: Input, endpoint: string): Promise<DataPlaneResult> {
    switch (action) {
      case 'GetHLSStreamingSessionURL': return { json: { HLSStreamingSessionURL: this.createSession('HLS', input, endpoint) } };
      case 'GetDASHStreamingSessionURL': return { json: { DASHStreamingSessionURL: this.createSession('DASH', input, endpoint) } };
      case 'ListFragments': return { json: this.listFragments(input) };
      case 'GetImages': return { json: await this.getImages(input) };
      case 'GetClip': return this.getClip(input);
      case 'GetMediaForFragmentList': return this.getMediaForFragmentList(input);
      default: throw new Error(`No archived-media handler for ${action}`);
    }
  }

  // ---- the SDK operations ----

  private stream(input: Input): StreamRecord {
    const stream = this.d.kvs.requireStream(input);
    if (stream.status === 'CREATING' || stream.status === 'DELETING') throw new KvsError('ResourceNotFoundException', MESSAGES.streamNotFound);
    return stream;
  }

  private requireRetention(stream: StreamRecord) {
    if (stream.dataRetentionInHours === 0) throw new KvsError('NoDataRetentionException', MESSAGES.noDataRetention);
  }

  /** Fully ingested fragments still within the retention period, in ingestion order. */
  private visible(stream: StreamRecord): FragmentRecord[] {
    const now = this.d.clock();
    const oldest = now - stream.dataRetentionInHours * 3_600_000;
    return this.d.fragments.visible(stream.arn, now).filter((f) => f.serverTimestamp >= oldest);
  }

  private consume(quota: FragmentQuota, stream: StreamRecord, points: number) {
    if (!this.d.rateLimiter.tryConsumeFragments(quota, stream.arn, points)) {
      throw new KvsError('ClientLimitExceededException', `${MESSAGES.throttled} (fragment-${quota} quota of stream ${stream.name})`);
    }
  }

  /** Start/end rules shared by GetClip and the playback sessions ("within 24 hours", "later than", "in the past"). */
  private checkRange(type: TimestampType, start: number, end: number | undefined) {
    if (end === undefined) return;
    if (end <= start) throw invalidArgument(`EndTimestamp ${new Date(end).toISOString()} must be later than StartTimestamp ${new Date(start).toISOString()}.`);
    if (end - start > DAY_MS) throw invalidArgument('EndTimestamp must be within 24 hours of StartTimestamp.');
    if (type === 'SERVER_TIMESTAMP' && end > this.d.clock()) throw invalidArgument('EndTimestamp must be in the past when FragmentSelectorType is SERVER_TIMESTAMP.');
  }

  /**
   * Fragments whose start timestamp is in [start, end] (both inclusive), ordered by that timestamp. For the playback
   * APIs, fragments with the same producer timestamp are deduplicated: the larger fragment number wins.
   */
  private select(stream: StreamRecord, type: TimestampType, start: number, end: number, dedupe: boolean): FragmentRecord[] {
    const inRange = this.visible(stream).filter((f) => timestampOf(f, type) >= start && timestampOf(f, type) <= end);
    const ordered = inRange.sort((a, b) => timestampOf(a, type) - timestampOf(b, type) || a.index - b.index);
    if (!dedupe || type !== 'PRODUCER_TIMESTAMP') return ordered;
    const byTimestamp = new Map<number, FragmentRecord>();
    for (const f of ordered) byTimestamp.set(f.producerTimestamp, f);
    return [...byTimestamp.values()];
  }

  private createSession(protocol: Protocol, input: Input, endpoint: string): string {
    const stream = this.stream(input);
    this.requireRetention(stream);
    const mode: PlaybackMode = input.PlaybackMode ?? 'LIVE';
    const selector = protocol === 'HLS' ? input.HLSFragmentSelector : input.DASHFragmentSelector;
    const selectorName = protocol === 'HLS' ? 'HLSFragmentSelector' : 'DASHFragmentSelector';
    const type: TimestampType = selector?.FragmentSelectorType ?? 'SERVER_TIMESTAMP';
    const range = selector?.TimestampRange;
    let start: number | undefined;
    let end: number | undefined;
    let candidates: FragmentRecord[];
    if (mode === 'LIVE') {
      if (range) throw invalidArgument(`${selectorName}.TimestampRange must not be set when PlaybackMode is LIVE.`);
      const now = this.d.clock();
      candidates = this.visible(stream).filter((f) => f.serverTimestamp >= now - LIVE_WINDOW_MS);
      if (candidates.length === 0) {
        throw new KvsError('ResourceNotFoundException', `No fragments found in the stream ${stream.name} within the last ${LIVE_WINDOW_MS / 1000} seconds (PlaybackMode LIVE).`);
      }
    } else {
      if (!selector?.FragmentSelectorType || !range) {
        throw invalidArgument(`${selectorName} with FragmentSelectorType and TimestampRange is required when PlaybackMode is ${mode}.`);
      }
      if (range.StartTimestamp == null) throw invalidArgument(`${selectorName}.TimestampRange.StartTimestamp is required when TimestampRange is set.`);
      if (mode === 'ON_DEMAND' && range.EndTimestamp == null) throw invalidArgument(`${selectorName}.TimestampRange.EndTimestamp is required when PlaybackMode is ON_DEMAND.`);
      start = ms(range.StartTimestamp);
      end = range.EndTimestamp == null ? undefined : ms(range.EndTimestamp);
      this.checkRange(type, start, end);
      candidates = this.select(stream, type, start, end ?? Number.MAX_SAFE_INTEGER, true);
      if (candidates.length === 0) {
        throw new KvsError('ResourceNotFoundException', `No fragments found in the stream ${stream.name} for the requested ${type} range (PlaybackMode ${mode}).`);
      }
    }
    checkMedia(mode === 'LIVE' ? [candidates[candidates.length - 1]] : candidates);
    const now = this.d.clock();
    const session: Session = {
      token: crypto.randomBytes(30).toString('base64url'),
      protocol,
      streamArn: stream.arn,
      endpoint,
      mode,
      selectorType: type,
      start,
      end,
      maxFragments: (protocol === 'HLS' ? input.MaxMediaPlaylistFragmentResults : input.MaxManifestFragmentResults)
        ?? (mode === 'ON_DEMAND' ? DEFAULT_ON_DEMAND_FRAGMENTS : DEFAULT_LIVE_FRAGMENTS),
      createdAt: now,
      expiresAt: now + (input.Expires ?? DEFAULT_EXPIRES_S) * 1000,
      profile: profileOf(candidates[mode === 'LIVE' ? candidates.length - 1 : 0]),
      container: input.ContainerFormat ?? 'FRAGMENTED_MP4',
      discontinuity: input.DiscontinuityMode ?? (type === 'SERVER_TIMESTAMP' ? 'ALWAYS' : 'NEVER'),
      displayTimestamp: input.DisplayFragmentTimestamp === 'ALWAYS',
      displayNumber: input.DisplayFragmentNumber === 'ALWAYS',
    };
    this.sessions.set(session.token, session);
    const resource = protocol === 'HLS' ? 'hls/v1/getHLSMasterPlaylist.m3u8' : 'dash/v1/getDASHManifest.mpd';
    return `${endpoint}/${resource}?SessionToken=${session.token}`;
  }

  private listFragments(input: Input) {
    const stream = this.stream(input);
    interface Page { t: TimestampType; s: number; e: number; o: number }
    let page: Page;
    if (input.NextToken) {
      page = decodeToken<Page>(input.NextToken, (v) => typeof v?.o === 'number' && typeof v?.s === 'number' && typeof v?.e === 'number' && typeof v?.t === 'string');
    } else {
      const selector = input.FragmentSelector;
      if (!selector) throw invalidArgument('FragmentSelector is required when NextToken is not given.');
      const s = ms(selector.TimestampRange.StartTimestamp);
      const e = ms(selector.TimestampRange.EndTimestamp);
      if (e < s) throw invalidArgument('FragmentSelector.TimestampRange.EndTimestamp must not be earlier than its StartTimestamp.');
      page = { t: selector.FragmentSelectorType, s, e, o: 0 };
    }
    const maxResults = input.MaxResults ?? DEFAULT_LIST_FRAGMENTS;
    this.consume('metadata', stream, maxResults);
    const all = this.select(stream, page.t, page.s, page.e, false);
    const items = all.slice(page.o, page.o + maxResults);
    const next = page.o + maxResults < all.length ? encodeToken({ ...page, o: page.o + maxResults }) : undefined;
    return {
      Fragments: items.map((f) => ({
        FragmentNumber: f.number,
        FragmentSizeInBytes: f.sizeBytes,
        ProducerTimestamp: seconds(f.producerTimestamp),
        ServerTimestamp: seconds(f.serverTimestamp),
        FragmentLengthInMilliseconds: f.durationMs,
      })),
      NextToken: next,
    };
  }

  private async getImages(input: Input) {
    const stream = this.stream(input);
    this.requireRetention(stream);
    const start = ms(input.StartTimestamp);
    const end = ms(input.EndTimestamp);
    const errors: string[] = [];
    if (end < start) errors.push('EndTimestamp must not be earlier than StartTimestamp.');
    if (end - start > MAX_IMAGES_RANGE_MS) errors.push(`EndTimestamp must be at most ${MAX_IMAGES_RANGE_MS / 1000} seconds after StartTimestamp.`);
    if (input.SamplingInterval != null && input.SamplingInterval < MIN_SAMPLING_INTERVAL_MS) {
      errors.push(`SamplingInterval must be at least ${MIN_SAMPLING_INTERVAL_MS} ms; received ${input.SamplingInterval}.`);
    }
    if (input.WidthPixels != null && input.HeightPixels == null) errors.push('WidthPixels needs HeightPixels: give both, only HeightPixels, or neither.');
    const quality = input.FormatConfig?.JPEGQuality;
    if (quality !== undefined && !(/^\d+$/.test(quality) && Number(quality) >= 1 && Number(quality) <= 100)) {
      errors.push(`FormatConfig.JPEGQuality must be an integer from 1 to 100; received '${quality}'.`);
    }
    if (errors.length) throw invalidArgument(errors.join(' '));

    // Without SamplingInterval (optional in the API Reference), as with a range shorter than it: the image at StartTimestamp.
    const interval: number | undefined = input.SamplingInterval ?? undefined;
    const times = interval === undefined ? [start]
      : Array.from({ length: Math.floor((end - start) / interval) + 1 }, (_, k) => start + k * interval);
    const total = Math.min(times.length, input.MaxResults ?? times.length);
    const pageSize = Math.min(input.MaxResults ?? IMAGES_PAGE_SIZE, IMAGES_PAGE_SIZE);
    const offset = input.NextToken ? decodeToken<{ i: number }>(input.NextToken, (v) => Number.isInteger(v?.i) && v.i >= 0 && v.i < total).i : 0;
    const requested = input.MaxResults ?? IMAGES_PAGE_SIZE;
    this.consume('metadata', stream, 400 + requested);
    this.consume('media', stream, requested);

    const type: TimestampType = input.ImageSelectorType;
    const fragments = this.visible(stream);
    const pageTimes = times.slice(offset, Math.min(offset + pageSize, total));
    const images = await Promise.all(pageTimes.map(async (t) => {
      const f = fragments.find((x) => timestampOf(x, type) <= t && t < timestampOf(x, type) + x.durationMs);
      if (!f) return { TimeStamp: seconds(t), Error: 'NO_MEDIA' };
      if (!PLAYABLE.has(f.codec) || f.codecPrivateData !== 'ok') return { TimeStamp: seconds(t), Error: 'MEDIA_ERROR' };
      const content = await this.d.media.image(profileOf(f), f.index, {
        format: input.Format,
        offsetMs: t - timestampOf(f, type),
        width: input.WidthPixels ?? undefined,
        height: input.HeightPixels ?? undefined,
        jpegQuality: quality === undefined ? DEFAULT_JPEG_QUALITY : Number(quality),
      });
      return { TimeStamp: seconds(t), ImageContent: content.toString('base64') };
    }));
    const nextOffset = offset + pageTimes.length;
    return { Images: images, NextToken: nextOffset < total ? encodeToken({ i: nextOffset }) : undefined };
  }

  private async getClip(input: Input): Promise<DataPlaneResult> {
    const stream = this.stream(input);
    this.requireRetention(stream);
    const { FragmentSelectorType: type, TimestampRange: range } = input.ClipFragmentSelector;
    const start = ms(range.StartTimestamp);
    const end = ms(range.EndTimestamp);
    this.checkRange(type, start, end);
    const selected = this.select(stream, type, start, end, true);
    if (selected.length === 0) throw new KvsError('ResourceNotFoundException', `No fragments found in the stream ${stream.name} for the requested ${type} range.`);
    // "The output will contain the first 100 MB or the first 200 fragments from the specified start timestamp."
    const clip: FragmentRecord[] = [];
    let bytes = 0;
    for (const f of selected.slice(0, CLIP_MAX_FRAGMENTS)) {
      if (bytes + f.sizeBytes > CLIP_MAX_BYTES) break;
      bytes += f.sizeBytes;
      clip.push(f);
    }
    checkMedia(clip);
    const profile = profileOf(clip[0]);
    const changed = clip.find((f) => !sameProfile(profileOf(f), profile));
    if (changed) throw invalidArgument(`The codec private data changes at fragment ${changed.number}; it must remain consistent through the clip.`);
    this.consume('metadata', stream, clip.length);
    this.consume('media', stream, clip.length);
    const origin = timestampOf(clip[0], type);
    const payload = await this.d.media.clip(profile, clip.map((f) => ({ index: f.index, decodeTimeMs: timestampOf(f, type) - origin })));
    return { payload, contentType: 'video/mp4' };
  }

  private async getMediaForFragmentList(input: Input): Promise<DataPlaneResult> {
    const stream = this.stream(input);
    const visible = new Map(this.visible(stream).map((f) => [f.number, f]));
    const fragments = (input.Fragments as string[]).map((n) => {
      const f = visible.get(n);
      if (!f) throw new KvsError('ResourceNotFoundException', `Fragment ${n} was not found in the stream ${stream.name}.`);
      return f;
    });
    const unplayable = fragments.find((f) => !PLAYABLE.has(f.codec));
    if (unplayable) throw invalidArgument(`The test server has no media for ${CODEC_IDS[unplayable.codec]} (fragment ${unplayable.number}); it makes H.264 and H.265 only.`);
    this.consume('media', stream, fragments.length);
    const chunks = await Promise.all(fragments.map((f) => this.d.media.matroska(profileOf(f), f.index, {
      AWS_KINESISVIDEO_FRAGMENT_NUMBER: f.number,
      AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP: seconds(f.serverTimestamp).toFixed(3),
      AWS_KINESISVIDEO_PRODUCER_SIDE_TIMESTAMP: seconds(f.producerTimestamp).toFixed(3),
    })));
    return { payload: Buffer.concat(chunks), contentType: 'video/webm' };
  }

  // ---- session resources (GET, unsigned: the session token authorizes) ----

  /** Answers `GET <data endpoint>/hls/v1/...` and `/dash/v1/...`; undefined when the path is not a session resource. */
  public async sessionResource(resourcePath: string, query: URLSearchParams): Promise<SessionReply | undefined> {
    const action = SESSION_RESOURCES[resourcePath];
    if (!action) return undefined;
    try {
      const session = this.sessions.get(query.get('SessionToken') ?? '');
      if (!session || session.protocol !== action.protocol) throw new KvsError('NotAuthorizedException', 'The session token is not valid for this resource.');
      if (this.d.clock() >= session.expiresAt) throw new KvsError('NotAuthorizedException', `The streaming session expired at ${new Date(session.expiresAt).toISOString()}.`);
      if (!this.d.rateLimiter.tryAcquireSession(action.name, session.token)) throw new KvsError('ClientLimitExceededException', `${MESSAGES.throttled} (${action.name}, per session)`);
      const stream = this.d.kvs.findStream({ StreamARN: session.streamArn });
      if (!stream) throw new KvsError('ResourceNotFoundException', MESSAGES.streamNotFound);
      return await this.serve(action.name, session, stream, query);
    } catch (err) {
      if (!(err instanceof KvsError)) throw err;
      return { status: err.status ?? this.d.errorStatus(err.errorType) ?? 400, contentType: 'application/json', body: JSON.stringify({ __type: err.errorType, message: err.message }) };
    }
  }

  private async serve(action: string, session: Session, stream: StreamRecord, query: URLSearchParams): Promise<SessionReply> {
    const tokenParam = `SessionToken=${session.token}`;
    switch (action) {
      case 'GetHLSMasterPlaylist': {
        const media = await this.d.media.encoded(session.profile);
        const codecs = codecsString(media.init);
        const lines = ['#EXTM3U', `#EXT-X-VERSION:${session.container === 'MPEG_TS' ? 3 : 7}`, '#EXT-X-INDEPENDENT-SEGMENTS',
          `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidthOf(media.segments, session.profile.durationMs)},CODECS="${codecs}",RESOLUTION=${VIDEO.width}x${VIDEO.height},FRAME-RATE=${VIDEO.fps.toFixed(3)}`,
          `getHLSMediaPlaylist.m3u8?${tokenParam}&TrackNumber=1`];
        return m3u8(lines);
      }
      case 'GetHLSMediaPlaylist': {
        this.consume('metadata', stream, session.maxFragments);
        return m3u8(this.mediaPlaylist(session, stream, tokenParam));
      }
      case 'GetDASHManifest': {
        this.consume('metadata', stream, session.maxFragments);
        const media = await this.d.media.encoded(session.profile);
        return { status: 200, contentType: 'application/dash+xml', body: this.manifest(session, stream, tokenParam, codecsString(media.init), media.timescale) };
      }
      case 'GetMP4InitFragment':
        return { status: 200, contentType: 'video/mp4', body: (await this.d.media.encoded(session.profile)).init };
      case 'GetMP4MediaFragment':
      case 'GetTSFragment': {
        const f = this.fragmentOf(session, stream, query);
        if (!PLAYABLE.has(f.codec) || !sameProfile(profileOf(f), session.profile) || f.codecPrivateData !== 'ok') {
          throw new KvsError('InvalidCodecPrivateDataException', `Fragment ${f.number} does not carry the codec private data of the session's first fragment.`);
        }
        this.consume('media', stream, 1);
        const decodeTimeMs = this.decodeTimeMs(session, stream, f);
        return action === 'GetTSFragment'
          ? { status: 200, contentType: 'video/MP2T', body: await this.d.media.tsSegment(session.profile, f.index, decodeTimeMs) }
          : { status: 200, contentType: 'video/mp4', body: await this.d.media.mediaSegment(session.profile, f.index, decodeTimeMs) };
      }
      default:
        throw new Error(`No session handler for ${action}`);
    }
  }

  /** The fragments a session shows now, in order: the whole session list, and the window of it the playlist holds. */
  private sessionFragments(session: Session, stream: StreamRecord): { all: FragmentRecord[]; window: FragmentRecord[]; complete: boolean } {
    const type = session.selectorType;
    if (session.mode === 'LIVE') {
      // The most recently ingested fragments (by server timestamp), whatever their producer timestamps.
      const all = this.visible(stream).sort((a, b) => a.serverTimestamp - b.serverTimestamp || a.index - b.index);
      return { all, window: all.slice(-session.maxFragments), complete: false };
    }
    const all = this.select(stream, type, session.start!, session.end ?? Number.MAX_SAFE_INTEGER, true);
    if (session.mode === 'ON_DEMAND') return { all, window: all.slice(0, session.maxFragments), complete: true };
    // LIVE_REPLAY: the first fragment at once, then each next one as the duration of the previous one elapses.
    const elapsed = this.d.clock() - session.createdAt;
    let added = 0;
    for (let due = 0; added < all.length && due <= elapsed; due += all[added].durationMs) added++;
    const shown = all.slice(0, added);
    return { all: shown, window: shown.slice(-session.maxFragments), complete: session.end !== undefined && added === all.length };
  }

  /** The fragment's place on the session's media timeline: its timestamp relative to the stream's first fragment. */
  private decodeTimeMs(session: Session, stream: StreamRecord, f: FragmentRecord): number {
    const first = this.d.fragments.byIndex(stream.arn, 0)!;
    return Math.max(0, timestampOf(f, session.selectorType) - timestampOf(first, session.selectorType));
  }

  private fragmentOf(session: Session, stream: StreamRecord, query: URLSearchParams): FragmentRecord {
    const number = query.get('FragmentNumber');
    const sequence = query.get('SequenceNumber');
    const f = number !== null ? this.d.fragments.find(stream.arn, number)
      : sequence !== null && /^\d+$/.test(sequence) ? this.sessionFragments(session, stream).all[Number(sequence)] : undefined;
    if (!f || !this.sessionFragments(session, stream).all.includes(f)) {
      throw new KvsError('ResourceNotFoundException', `The fragment ${number ?? sequence ?? '(none)'} is not part of this streaming session.`);
    }
    return f;
  }

  private discontinuityBefore(session: Session, prev: FragmentRecord | undefined, f: FragmentRecord): boolean {
    if (!prev || session.discontinuity === 'NEVER') return false;
    if (session.discontinuity === 'ALWAYS') return true;
    const gap = timestampOf(f, session.selectorType) - (timestampOf(prev, session.selectorType) + prev.durationMs);
    return Math.abs(gap) > DISCONTINUITY_TOLERANCE_MS;
  }

  private mediaPlaylist(session: Session, stream: StreamRecord, tokenParam: string): string[] {
    const { all, window, complete } = this.sessionFragments(session, stream);
    const firstAt = window.length ? all.indexOf(window[0]) : 0;
    let discontinuitySequence = 0;
    for (let i = 1; i <= firstAt; i++) if (this.discontinuityBefore(session, all[i - 1], all[i])) discontinuitySequence++;
    const ts = session.container === 'MPEG_TS';
    const lines = ['#EXTM3U', `#EXT-X-VERSION:${ts ? 3 : 7}`,
      `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(1_000, ...window.map((f) => f.durationMs)) / 1000)}`,
      `#EXT-X-MEDIA-SEQUENCE:${firstAt}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence}`];
    if (session.mode === 'ON_DEMAND') lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
    if (!ts) lines.push(`#EXT-X-MAP:URI="getMP4InitFragment.mp4?${tokenParam}&TrackNumber=1"`);
    window.forEach((f, i) => {
      if (this.discontinuityBefore(session, i === 0 ? undefined : window[i - 1], f)) lines.push('#EXT-X-DISCONTINUITY');
      if (session.displayTimestamp) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(timestampOf(f, session.selectorType)).toISOString()}`);
      lines.push(`#EXTINF:${(f.durationMs / 1000).toFixed(3)},`,
        ts ? `getTSFragment.ts?${tokenParam}&FragmentNumber=${f.number}` : `getMP4MediaFragment.mp4?${tokenParam}&TrackNumber=1&FragmentNumber=${f.number}`);
    });
    if (complete) lines.push('#EXT-X-ENDLIST');
    return lines;
  }

  private manifest(session: Session, stream: StreamRecord, tokenParam: string, codecs: string, timescale: number): string {
    const { all, window, complete } = this.sessionFragments(session, stream);
    const dynamic = session.mode !== 'ON_DEMAND' && !complete;
    const total = window.reduce((sum, f) => sum + f.durationMs, 0);
    const attrs = (f: FragmentRecord) => [
      `t="${Math.round((this.decodeTimeMs(session, stream, f) * timescale) / 1000)}"`,
      `d="${Math.round((f.durationMs * timescale) / 1000)}"`,
      ...(session.displayNumber ? [`kvs:fn="${f.number}"`] : []),
      ...(session.displayTimestamp ? [`kvs:ts="${timestampOf(f, session.selectorType)}"`] : []),
    ].join(' ');
    const timing = dynamic
      ? `type="dynamic" availabilityStartTime="${new Date(session.createdAt).toISOString()}" minimumUpdatePeriod="PT1S" timeShiftBufferDepth="PT${total / 1000}S"`
      : `type="static" mediaPresentationDuration="PT${total / 1000}S"`;
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:kvs="https://kinesisvideo.amazonaws.com/ns/dash" profiles="urn:mpeg:dash:profile:isoff-live:2011" ${timing} minBufferTime="PT2S">`,
      '  <Period id="0" start="PT0S">',
      '    <AdaptationSet mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">',
      `      <Representation id="1" codecs="${codecs}" width="${VIDEO.width}" height="${VIDEO.height}" frameRate="${VIDEO.fps}" bandwidth="500000">`,
      `        <SegmentTemplate timescale="${timescale}" startNumber="${window.length ? all.indexOf(window[0]) : 0}" initialization="${xmlEscape(`getMP4InitFragment.mp4?${tokenParam}&TrackNumber=1`)}" media="${xmlEscape(`getMP4MediaFragment.mp4?${tokenParam}&TrackNumber=1&SequenceNumber=$Number$`)}">`,
      '          <SegmentTimeline>',
      ...window.map((f) => `            <S ${attrs(f)}/>`),
      '          </SegmentTimeline>',
      '        </SegmentTemplate>',
      '      </Representation>',
      '    </AdaptationSet>',
      '  </Period>',
      '</MPD>',
      '',
    ].join('\n');
  }
}

const SESSION_RESOURCES: Record<string, { name: string; protocol: Protocol }> = {
  '/hls/v1/getHLSMasterPlaylist.m3u8': { name: 'GetHLSMasterPlaylist', protocol: 'HLS' },
  '/hls/v1/getHLSMediaPlaylist.m3u8': { name: 'GetHLSMediaPlaylist', protocol: 'HLS' },
  '/hls/v1/getMP4InitFragment.mp4': { name: 'GetMP4InitFragment', protocol: 'HLS' },
  '/hls/v1/getMP4MediaFragment.mp4': { name: 'GetMP4MediaFragment', protocol: 'HLS' },
  '/hls/v1/getTSFragment.ts': { name: 'GetTSFragment', protocol: 'HLS' },
  '/dash/v1/getDASHManifest.mpd': { name: 'GetDASHManifest', protocol: 'DASH' },
  '/dash/v1/getMP4InitFragment.mp4': { name: 'GetMP4InitFragment', protocol: 'DASH' },
  '/dash/v1/getMP4MediaFragment.mp4': { name: 'GetMP4MediaFragment', protocol: 'DASH' },
};

const m3u8 = (lines: string[]): SessionReply => ({ status: 200, contentType: 'application/vnd.apple.mpegurl', body: `${lines.join('\n')}\n` });

function bandwidthOf(segments: readonly Buffer[], durationMs: number): number {
  const largest = Math.max(...segments.map((s) => s.length));
  return Math.ceil((largest * 8 * 1000) / durationMs);
}

/* eslint-disable no-bitwise -- hvcC packs its profile fields in bits (ISO/IEC 14496-15) */
/** The RFC 6381 codec string of track 1, read from the init segment's avcC or hvcC box. */
export function codecsString(init: Buffer): string {
  const avcC = init.indexOf('avcC', 0, 'latin1');
  if (avcC >= 0) return `avc1.${init.subarray(avcC + 5, avcC + 8).toString('hex')}`;
  const hvcC = init.indexOf('hvcC', 0, 'latin1');
  if (hvcC < 0) throw new Error('init segment has neither avcC nor hvcC');
  const b = init.subarray(hvcC + 4);
  const space = ['', 'A', 'B', 'C'][b[1] >> 6];
  const tier = (b[1] & 0x20) ? 'H' : 'L';
  const profile = b[1] & 0x1f;
  let compat = b.readUInt32BE(2);
  let reversed = 0;
  for (let i = 0; i < 32; i++, compat >>>= 1) reversed = (reversed << 1) | (compat & 1);
  const constraints = [...b.subarray(6, 12)];
  while (constraints.length > 1 && constraints[constraints.length - 1] === 0) constraints.pop();
  return `hvc1.${space}${profile}.${(reversed >>> 0).toString(16)}.${tier}${b[12]}.${constraints.map((c) => c.toString(16)).join('.')}`;
}
/* eslint-enable no-bitwise */
