import { execFile } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Real, playable media for the archived-media data plane, made at test time with ffmpeg (Debian's package;
 * `scripts/ensure-test-tools.sh` installs it): a 320×240, 25 fps test pattern (`-f lavfi -i testsrc`) encoded once per
 * codec and fragment duration into fMP4 HLS segments, one segment per fragment, and cached under the temp dir, so
 * later runs reuse it. A fragment plays segment `index % SEGMENTS_PER_PROFILE`, with its `tfdt` decode time and
 * `mfhd` sequence number rewritten so that a player sees one continuous timeline. Clips, images, MPEG-TS and
 * Matroska are made from those segments with ffmpeg on demand, and memoized.
 */
export type PlayableCodec = 'H264' | 'H265';

export interface MediaProfile {
  readonly codec: PlayableCodec;
  readonly durationMs: number;
}

export interface EncodedMedia {
  /** The init segment: `ftyp` + `moov` with the codec private data. */
  readonly init: Buffer;
  /** Media segments (`moof` + `mdat`), `SEGMENTS_PER_PROFILE` of them. */
  readonly segments: readonly Buffer[];
  /** Track 1's media timescale (mdhd), ticks per second. */
  readonly timescale: number;
}

export const VIDEO = { width: 320, height: 240, fps: 25 } as const;
export const SEGMENTS_PER_PROFILE = 8;
const CACHE_VERSION = 'v1';
const DEFAULT_CACHE_ROOT = path.join(os.tmpdir(), 'cdk-kinesis-video-test-media');

function ffmpeg(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (ffmpeg is not installed: run scripts/ensure-test-tools.sh)' : '';
        reject(new Error(`ffmpeg ${args.join(' ')} failed${hint}: ${stderr.toString() || err.message}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

// ---- ISO BMFF boxes ----

interface Box { type: string; start: number; size: number; header: number }

function boxes(buf: Buffer, start = 0, end = buf.length): Box[] {
  const out: Box[] = [];
  for (let at = start; at + 8 <= end;) {
    let size = buf.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    out.push({ type: buf.toString('latin1', at + 4, at + 8), start: at, size, header });
    at += size;
  }
  return out;
}

function child(buf: Buffer, parent: Box, type: string): Box | undefined {
  return boxes(buf, parent.start + parent.header, parent.start + parent.size).find((b) => b.type === type);
}

function find(buf: Buffer, pathTypes: string[]): Box | undefined {
  let box = boxes(buf).find((b) => b.type === pathTypes[0]);
  for (const type of pathTypes.slice(1)) box = box && child(buf, box, type);
  return box;
}

/** Track 1's timescale from the init segment's `moov/trak/mdia/mdhd`. */
export function timescaleOf(init: Buffer): number {
  const mdhd = find(init, ['moov', 'trak', 'mdia', 'mdhd']);
  if (!mdhd) throw new Error('init segment has no moov/trak/mdia/mdhd');
  const body = mdhd.start + mdhd.header;
  return init.readUInt32BE(body + (init[body] === 1 ? 20 : 12));
}

/** The `tfdt` base media decode time of a media segment, in timescale ticks. */
export function decodeTimeOf(segment: Buffer): number {
  const tfdt = find(segment, ['moof', 'traf', 'tfdt']);
  if (!tfdt) throw new Error('media segment has no moof/traf/tfdt');
  const body = tfdt.start + tfdt.header;
  return segment[body] === 1 ? Number(segment.readBigUInt64BE(body + 4)) : segment.readUInt32BE(body + 4);
}

/**
 * A copy of a media segment as fragment `sequence` starting at `decodeTime` ticks: `mfhd` and `tfdt` rewritten,
 * `sidx` dropped (its times would be stale). Box sizes do not change, so `trun` data offsets stay valid.
 */
export function retime(segment: Buffer, sequence: number, decodeTime: number): Buffer {
  const kept = boxes(segment).filter((b) => b.type !== 'sidx');
  const out = Buffer.concat(kept.map((b) => segment.subarray(b.start, b.start + b.size)));
  const mfhd = find(out, ['moof', 'mfhd']);
  const tfdt = find(out, ['moof', 'traf', 'tfdt']);
  if (!mfhd || !tfdt) throw new Error('media segment has no moof/mfhd or moof/traf/tfdt');
  out.writeUInt32BE(sequence % 2 ** 32, mfhd.start + mfhd.header + 4);
  const body = tfdt.start + tfdt.header;
  if (out[body] === 1) {
    out.writeBigUInt64BE(BigInt(Math.round(decodeTime)), body + 4);
  } else {
    if (decodeTime > 0xffffffff) throw new Error(`decode time ${decodeTime} does not fit a version-0 tfdt`);
    out.writeUInt32BE(Math.round(decodeTime), body + 4);
  }
  return out;
}

export type ImageFormat = 'JPEG' | 'PNG';
export interface ImageRequest {
  readonly format: ImageFormat;
  readonly offsetMs: number;
  readonly width?: number;
  readonly height?: number;
  /** 1–100, JPEG only. */
  readonly jpegQuality: number;
}

export class MediaLibrary {
  private readonly memo = new Map<string, Promise<any>>();

  constructor(private readonly cacheRoot: string = DEFAULT_CACHE_ROOT) {}

  /** The encoded segments of a profile: from the disk cache, or encoded now (about a second). */
  public encoded(profile: MediaProfile): Promise<EncodedMedia> {
    return this.once(`encoded|${profile.codec}|${profile.durationMs}`, async () => {
      const dir = path.join(this.cacheRoot, `${CACHE_VERSION}-${profile.codec}-${profile.durationMs}ms-${VIDEO.width}x${VIDEO.height}`);
      if (!fs.existsSync(path.join(dir, 'complete'))) await this.encode(profile, dir);
      const init = fs.readFileSync(path.join(dir, 'init.mp4'));
      const segments = Array.from({ length: SEGMENTS_PER_PROFILE }, (_, i) => fs.readFileSync(path.join(dir, `seg${i}.m4s`)));
      return { init, segments, timescale: timescaleOf(init) };
    });
  }

  /** The fMP4 media segment of a fragment: segment `index % SEGMENTS_PER_PROFILE`, starting at `decodeTimeMs`. */
  public async mediaSegment(profile: MediaProfile, index: number, decodeTimeMs: number): Promise<Buffer> {
    const media = await this.encoded(profile);
    return retime(media.segments[index % SEGMENTS_PER_PROFILE], index + 1, (decodeTimeMs * media.timescale) / 1000);
  }

  /** A self-contained MPEG-TS chunk of a fragment (init and media together), with the same timeline. */
  public tsSegment(profile: MediaProfile, index: number, decodeTimeMs: number): Promise<Buffer> {
    return this.once(`ts|${profile.codec}|${profile.durationMs}|${index}|${decodeTimeMs}`, async () => {
      const media = await this.encoded(profile);
      return this.withFile(Buffer.concat([media.init, await this.mediaSegment(profile, index, decodeTimeMs)]), 'mp4', (input, out) =>
        ffmpeg(['-i', input, '-c', 'copy', '-f', 'mpegts', out]), 'ts');
    });
  }

  /** A traditional (non-fragmented, faststart) MP4 of consecutive fragments, as GetClip returns it. */
  public clip(profile: MediaProfile, fragments: readonly { index: number; decodeTimeMs: number }[]): Promise<Buffer> {
    const key = fragments.map((f) => `${f.index}@${f.decodeTimeMs}`).join(',');
    return this.once(`clip|${profile.codec}|${profile.durationMs}|${key}`, async () => {
      const media = await this.encoded(profile);
      const parts = await Promise.all(fragments.map((f) => this.mediaSegment(profile, f.index, f.decodeTimeMs)));
      return this.withFile(Buffer.concat([media.init, ...parts]), 'mp4', (input, out) =>
        ffmpeg(['-i', input, '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', out]), 'mp4');
    });
  }

  /** One frame of a fragment's segment as JPEG or PNG, scaled as GetImages asks. */
  public image(profile: MediaProfile, index: number, request: ImageRequest): Promise<Buffer> {
    const segment = index % SEGMENTS_PER_PROFILE;
    const frameMs = 1000 / VIDEO.fps;
    const offset = Math.min(Math.floor(request.offsetMs / frameMs), profile.durationMs / frameMs - 1) * frameMs;
    const { format, width, height, jpegQuality } = request;
    return this.once(`image|${profile.codec}|${profile.durationMs}|${segment}|${offset}|${format}|${width}|${height}|${jpegQuality}`, async () => {
      const media = await this.encoded(profile);
      const scale = width !== undefined && height !== undefined ? [`scale=${width}:${height}`] : height !== undefined ? [`scale=-2:${height}`] : [];
      // ffmpeg's mjpeg quantizer runs from 2 (best) to 31 (worst); JPEGQuality runs from 1 (worst) to 100 (best).
      const codec = format === 'PNG' ? ['-c:v', 'png'] : ['-c:v', 'mjpeg', '-q:v', String(Math.round(31 - ((jpegQuality - 1) * 29) / 99))];
      return this.withFile(Buffer.concat([media.init, retime(media.segments[segment], 1, 0)]), 'mp4', (input, out) =>
        ffmpeg(['-i', input, '-ss', (offset / 1000).toFixed(3), '-frames:v', '1', ...(scale.length ? ['-vf', scale[0]] : []), ...codec, '-f', 'image2', out]),
      format === 'PNG' ? 'png' : 'jpg');
    });
  }

  /**
   * A fragment as a Matroska document, the form GetMedia and GetMediaForFragmentList stream: its segment-level tags
   * carry the fragment number and the server and producer timestamps, as the API Reference lists them.
   */
  public matroska(profile: MediaProfile, index: number, tags: Readonly<Record<string, string>>): Promise<Buffer> {
    const tagArgs = Object.entries(tags).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
    return this.once(`mkv|${profile.codec}|${profile.durationMs}|${index}|${JSON.stringify(tags)}`, async () => {
      const media = await this.encoded(profile);
      return this.withFile(Buffer.concat([media.init, retime(media.segments[index % SEGMENTS_PER_PROFILE], index + 1, 0)]), 'mp4', (input, out) =>
        ffmpeg(['-i', input, '-c', 'copy', '-map_metadata', '-1', ...tagArgs, '-f', 'matroska', out]), 'mkv');
    });
  }

  private async encode(profile: MediaProfile, dir: string) {
    fs.mkdirSync(this.cacheRoot, { recursive: true });
    // Encode into a private directory and rename it into place, so that concurrent jest workers never see half a cache.
    const work = fs.mkdtempSync(path.join(this.cacheRoot, 'encoding-'));
    const framesPerFragment = (profile.durationMs * VIDEO.fps) / 1000;
    const codec = profile.codec === 'H264'
      ? ['-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'ultrafast']
      : ['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', `keyint=${framesPerFragment}:min-keyint=${framesPerFragment}:scenecut=0:log-level=error`];
    try {
      await ffmpeg([
        '-f', 'lavfi', '-i', `testsrc=size=${VIDEO.width}x${VIDEO.height}:rate=${VIDEO.fps}`,
        '-t', String((SEGMENTS_PER_PROFILE * profile.durationMs) / 1000),
        ...codec, '-pix_fmt', 'yuv420p', '-g', String(framesPerFragment), '-keyint_min', String(framesPerFragment), '-sc_threshold', '0',
        '-f', 'hls', '-hls_time', String(profile.durationMs / 1000), '-hls_segment_type', 'fmp4', '-hls_playlist_type', 'vod',
        '-hls_fmp4_init_filename', 'init.mp4', '-hls_segment_filename', path.join(work, 'seg%d.m4s'), path.join(work, 'index.m3u8'),
      ]);
      for (let i = 0; i < SEGMENTS_PER_PROFILE; i++) {
        if (!fs.existsSync(path.join(work, `seg${i}.m4s`))) throw new Error(`ffmpeg made fewer than ${SEGMENTS_PER_PROFILE} segments in ${work}`);
      }
      fs.writeFileSync(path.join(work, 'complete'), '');
      try {
        fs.renameSync(work, dir);
      } catch {
        if (!fs.existsSync(path.join(dir, 'complete'))) throw new Error(`Could not move the encoded media ${work} to ${dir}`);
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  /** Runs `make(inputFile, outputFile)` on a scratch copy of `input` and returns the output file's bytes. */
  private async withFile(input: Buffer, inputExt: string, make: (input: string, out: string) => Promise<unknown>, outExt: string): Promise<Buffer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvs-media-'));
    try {
      const inputFile = path.join(dir, `in.${inputExt}`);
      const outFile = path.join(dir, `out-${crypto.randomUUID()}.${outExt}`);
      fs.writeFileSync(inputFile, input);
      await make(inputFile, outFile);
      return fs.readFileSync(outFile);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key);
    if (!p) {
      p = make();
      // A failure is not cached: the next request tries again (and reports the error again).
      p.catch(() => this.memo.delete(key));
      this.memo.set(key, p);
    }
    return p;
  }
}
