/**
 * The fragments a stream holds, as a producer's PutMedia would have left them: numbers, producer and server
 * timestamps, durations, sizes, and the codec of track 1 with its codec private data. Tests record them with
 * `KvsTestServer.recordFragments`; the archived-media data plane reads them.
 */

/** Codec of track 1. H264 and H265 are playable; MJPEG and AAC_ONLY make `UnsupportedStreamMediaTypeException`. */
export type FragmentCodec = 'H264' | 'H265' | 'MJPEG' | 'AAC_ONLY';
/** Whether track 1 carries codec private data, and whether it parses. */
export type CodecPrivateData = 'ok' | 'missing' | 'invalid';

/** Matroska codec IDs of track 1 (the docs spell AVC's `V_MPEG/ISO/AVC`; Matroska's ID, which producers send, is this). */
export const CODEC_IDS: Readonly<Record<FragmentCodec, string>> = {
  H264: 'V_MPEG4/ISO/AVC',
  H265: 'V_MPEGH/ISO/HEVC',
  MJPEG: 'V_MJPEG',
  AAC_ONLY: 'A_AAC',
};

export interface RecordFragmentsOptions {
  /** Number of fragments. Default 10. */
  count?: number;
  /** Duration of each fragment, ms: a multiple of 40 (the 25 fps media) from 1,000 to 20,000 (the PutMedia quotas). Default 1000. */
  durationMs?: number;
  /**
   * Producer timestamp of the first fragment, epoch ms. Default: the server clock minus count × duration, so that the
   * last fragment has just been fully ingested. Fragments whose server timestamp + duration is still in the future are
   * "being ingested": no API sees them until the clock gets there, which is how a test simulates a live producer.
   */
  startTimestamp?: number;
  /** Server timestamp minus producer timestamp, ms (the upload latency). Default 100. */
  serverLagMs?: number;
  /** Default 'H264'. */
  codec?: FragmentCodec;
  /** Default 'ok'. */
  codecPrivateData?: CodecPrivateData;
  /** FragmentSizeInBytes that ListFragments reports (and GetClip's 100 MB limit counts). Default 50,000. */
  sizeBytes?: number;
  /** Producer timestamps to skip (a gap), as indexes into this batch: fragment i is recorded only when not listed. */
  skip?: number[];
}

export interface FragmentRecord {
  /** Decimal string, monotonically increasing with ingestion order across the server. */
  readonly number: string;
  /** Position in the stream's fragment list: the session sequence number in DASH manifests. */
  readonly index: number;
  readonly producerTimestamp: number;
  readonly serverTimestamp: number;
  readonly durationMs: number;
  readonly sizeBytes: number;
  readonly codec: FragmentCodec;
  readonly codecPrivateData: CodecPrivateData;
}

export type TimestampType = 'PRODUCER_TIMESTAMP' | 'SERVER_TIMESTAMP';

export const timestampOf = (f: FragmentRecord, type: TimestampType) => (type === 'PRODUCER_TIMESTAMP' ? f.producerTimestamp : f.serverTimestamp);

/** KVS fragment numbers are long decimal strings; these start where real ones do, at 47 digits. */
const FIRST_FRAGMENT_NUMBER = 91343852333181432392682062607743920146264440798n;
const MEDIA_FRAME_MS = 40;
export const MIN_FRAGMENT_MS = 1_000;
export const MAX_FRAGMENT_MS = 20_000;

export class FragmentStore {
  private readonly byStream = new Map<string, FragmentRecord[]>();
  private readonly byNumber = new Map<string, { streamArn: string; fragment: FragmentRecord }>();
  private next = FIRST_FRAGMENT_NUMBER;

  constructor(private readonly clock: () => number) {}

  public record(streamArn: string, options: RecordFragmentsOptions): FragmentRecord[] {
    const count = options.count ?? 10;
    const durationMs = options.durationMs ?? 1_000;
    if (!(Number.isInteger(count) && count >= 1)) throw new Error(`recordFragments: count must be a positive integer; received ${count}`);
    if (!(Number.isInteger(durationMs) && durationMs % MEDIA_FRAME_MS === 0 && durationMs >= MIN_FRAGMENT_MS && durationMs <= MAX_FRAGMENT_MS)) {
      throw new Error(`recordFragments: durationMs must be a multiple of ${MEDIA_FRAME_MS} from ${MIN_FRAGMENT_MS} to ${MAX_FRAGMENT_MS}; received ${durationMs}`);
    }
    const serverLagMs = options.serverLagMs ?? 100;
    const start = options.startTimestamp ?? this.clock() - count * durationMs - serverLagMs;
    const list = this.byStream.get(streamArn) ?? [];
    this.byStream.set(streamArn, list);
    const skip = new Set(options.skip ?? []);
    const recorded: FragmentRecord[] = [];
    for (let i = 0; i < count; i++) {
      if (skip.has(i)) continue;
      const producerTimestamp = start + i * durationMs;
      const fragment: FragmentRecord = {
        number: String(this.next++),
        index: list.length,
        producerTimestamp,
        serverTimestamp: producerTimestamp + serverLagMs,
        durationMs,
        sizeBytes: options.sizeBytes ?? 50_000,
        codec: options.codec ?? 'H264',
        codecPrivateData: options.codecPrivateData ?? 'ok',
      };
      list.push(fragment);
      this.byNumber.set(fragment.number, { streamArn, fragment });
      recorded.push(fragment);
    }
    return recorded;
  }

  /** The fragments of a stream that are fully ingested at `now`, in ingestion order. */
  public visible(streamArn: string, now: number): FragmentRecord[] {
    return (this.byStream.get(streamArn) ?? []).filter((f) => f.serverTimestamp + f.durationMs <= now);
  }

  public byIndex(streamArn: string, index: number): FragmentRecord | undefined {
    return this.byStream.get(streamArn)?.[index];
  }

  public find(streamArn: string, number: string): FragmentRecord | undefined {
    const hit = this.byNumber.get(number);
    return hit?.streamArn === streamArn ? hit.fragment : undefined;
  }

  /** A deleted stream's fragments go with it. */
  public forget(streamArn: string) {
    for (const f of this.byStream.get(streamArn) ?? []) this.byNumber.delete(f.number);
    this.byStream.delete(streamArn);
  }
}
