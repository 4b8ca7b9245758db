import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateStreamCommand, GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import {
  ClientLimitExceededException,
  GetClipCommand,
  GetDASHStreamingSessionURLCommand,
  GetHLSStreamingSessionURLCommand,
  GetHLSStreamingSessionURLCommandInput,
  GetImagesCommand,
  GetImagesCommandInput,
  GetMediaForFragmentListCommand,
  InvalidArgumentException,
  InvalidCodecPrivateDataException,
  KinesisVideoArchivedMediaClient,
  ListFragmentsCommand,
  MissingCodecPrivateDataException,
  NoDataRetentionException,
  NotAuthorizedException,
  ResourceNotFoundException,
  UnsupportedStreamMediaTypeException,
} from '@aws-sdk/client-kinesis-video-archived-media';
import { RecordedFragment } from './index';
import { decodeTimeOf, timescaleOf } from './media';
import { activeStream, EPOCH, Harness, rejection, startHarness } from './testing';

let h: Harness;
let media: KinesisVideoArchivedMediaClient;
let dataEndpoint: string;

async function setup(options: Parameters<typeof startHarness>[0] = {}) {
  h = await startHarness(options);
  await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
  dataEndpoint = (await h.kvs.send(new GetDataEndpointCommand({ StreamName: 'cam', APIName: 'GET_HLS_STREAMING_SESSION_URL' }))).DataEndpoint!;
  media = h.server.archivedMediaClient(dataEndpoint);
}

afterEach(() => h.server.stop());

const range = (start: number, end: number) => ({ StartTimestamp: new Date(start), EndTimestamp: new Date(end) });
const lastOf = (fs_: RecordedFragment[]) => fs_[fs_.length - 1];

async function get(url: string): Promise<{ status: number; type: string | null; body: Buffer; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** The URIs of a playlist, resolved against it. */
const uris = (playlist: string, base: string) => playlist.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => new URL(l, base).toString());
const tagLines = (playlist: string, tag: string) => playlist.split('\n').filter((l) => l.startsWith(tag));

async function hls(input: GetHLSStreamingSessionURLCommandInput) {
  const { HLSStreamingSessionURL: url } = await media.send(new GetHLSStreamingSessionURLCommand(input));
  const master = (await get(url!)).body.toString();
  const mediaUrl = uris(master, url!)[0];
  return { url: url!, master, mediaUrl, playlist: (await get(mediaUrl)).body.toString() };
}

const fragmentNumbers = (playlist: string) => [...playlist.matchAll(/FragmentNumber=(\d+)/g)].map((m) => m[1]);

function ffprobe(file: Buffer, entries: string): any {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
  try {
    fs.writeFileSync(path.join(dir, 'media'), file);
    return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', entries, '-of', 'json', path.join(dir, 'media')]).toString());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('data endpoints', () => {
  beforeEach(() => setup());

  test('GetDataEndpoint answers a b- endpoint on the server, where the real archived-media SDK client works', async () => {
    expect(dataEndpoint).toMatch(new RegExp(`^${h.server.endpoint}/b-[0-9a-f]{8}$`));
    h.server.recordFragments('cam', { count: 2 });
    const out = await media.send(new ListFragmentsCommand({ StreamName: 'cam', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, EPOCH) } }));
    expect(out.Fragments).toHaveLength(2);
    expect(h.server.requests({ action: 'ListFragments' })).toEqual([expect.objectContaining({ status: 200 })]);
  });

  test('fails with UnknownOperationException at the control-plane endpoint and at s- endpoints', async () => {
    const input = { StreamName: 'cam', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP' as const, TimestampRange: range(0, EPOCH) } };
    const atControl = await rejection(h.server.archivedMediaClient().send(new ListFragmentsCommand(input)));
    expect([atControl.name, atControl.$metadata?.httpStatusCode, atControl.message]).toEqual(['UnknownOperationException', 404, 'The operation POST /listFragments is not recognized.']);
    const put = (await h.kvs.send(new GetDataEndpointCommand({ StreamName: 'cam', APIName: 'PUT_MEDIA' }))).DataEndpoint!;
    const atPut = await rejection(h.server.archivedMediaClient(put).send(new ListFragmentsCommand(input)));
    expect([atPut.name, atPut.message]).toEqual(['UnknownOperationException', `The operation POST /listFragments is not recognized at the data endpoint ${put}.`]);
  });
});

describe('recordFragments', () => {
  beforeEach(() => setup());

  test('records numbered fragments with producer and server timestamps, durations, sizes and codecs', () => {
    const recorded = h.server.recordFragments('cam', { count: 3, durationMs: 2000, startTimestamp: EPOCH - 10_000, serverLagMs: 250, sizeBytes: 1234, codec: 'H265' });
    expect(recorded.map(({ number, ...rest }) => rest)).toEqual([0, 1, 2].map((i) => ({
      index: i, producerTimestamp: EPOCH - 10_000 + i * 2000, serverTimestamp: EPOCH - 9_750 + i * 2000, durationMs: 2000, sizeBytes: 1234, codec: 'H265', codecPrivateData: 'ok',
    })));
    const numbers = recorded.map((f) => BigInt(f.number));
    expect(numbers[1] - numbers[0]).toBe(1n);
    expect(recorded[0].number).toMatch(/^\d{47}$/);
  });

  test('fails for a stream without retention, an unknown stream and a duration outside the quotas', async () => {
    await activeStream(h, { StreamName: 'ephemeral' });
    expect(() => h.server.recordFragments('ephemeral')).toThrow('recordFragments: the stream ephemeral has DataRetentionInHours 0, so KVS would persist no fragments');
    expect(() => h.server.recordFragments('nope')).toThrow('recordFragments: no stream nope');
    expect(() => h.server.recordFragments('cam', { durationMs: 500 })).toThrow('recordFragments: durationMs must be a multiple of 40 from 1000 to 20000; received 500');
  });

  test('fragments still being ingested are seen once the clock passes their end', async () => {
    h.server.recordFragments('cam', { count: 4, startTimestamp: h.clock.now - 2_100, serverLagMs: 100 });
    const list = async () => (await media.send(new ListFragmentsCommand({ StreamName: 'cam', FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(EPOCH - 10_000, EPOCH + 10_000) } }))).Fragments!.length;
    expect(await list()).toBe(2);
    h.clock.advance(1_000);
    expect(await list()).toBe(3);
  });
});

describe('ListFragments', () => {
  beforeEach(() => setup());

  test('returns the fragments whose start is in the range, inclusive, with their documented fields', async () => {
    const f = h.server.recordFragments('cam', { count: 5, startTimestamp: EPOCH - 10_000, serverLagMs: 100, sizeBytes: 4096 });
    const out = await media.send(new ListFragmentsCommand({
      StreamARN: h.server.state().streams[0].arn,
      FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(f[1].producerTimestamp, f[3].producerTimestamp) },
    }));
    expect(out.Fragments).toEqual([1, 2, 3].map((i) => ({
      FragmentNumber: f[i].number,
      FragmentSizeInBytes: 4096,
      ProducerTimestamp: new Date(f[i].producerTimestamp),
      ServerTimestamp: new Date(f[i].serverTimestamp),
      FragmentLengthInMilliseconds: 1000,
    })));
    expect(out.NextToken).toBeUndefined();
    const byServer = await media.send(new ListFragmentsCommand({
      StreamName: 'cam', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(f[1].producerTimestamp, f[3].producerTimestamp) },
    }));
    expect(byServer.Fragments!.map((x) => x.FragmentNumber)).toEqual([f[1].number, f[2].number]);
  });

  test('pages with MaxResults and NextToken; the token alone continues the same selection', async () => {
    const f = h.server.recordFragments('cam', { count: 10 });
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const out = await media.send(new ListFragmentsCommand(token
        ? { StreamName: 'cam', MaxResults: 4, NextToken: token }
        : { StreamName: 'cam', MaxResults: 4, FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, EPOCH) } }));
      pages.push(out.Fragments!.map((x) => x.FragmentNumber!));
      token = out.NextToken;
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat()).toEqual(f.map((x) => x.number));
  });

  test('fails with InvalidArgumentException without a selector or token, with a foreign token and out-of-range MaxResults', async () => {
    const cases: [any, string][] = [
      [{ StreamName: 'cam' }, 'FragmentSelector is required when NextToken is not given.'],
      [{ StreamName: 'cam', NextToken: 'Zm9v' }, 'NextToken Zm9v is not a token this API returned.'],
      [{ StreamName: 'cam', MaxResults: 1001, NextToken: 'Zm9v' }, "1 validation error detected: Value 1001 at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"],
      [{ FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, 1) } }, 'Specify either the StreamName or the StreamARN.'],
      [{ StreamName: 'cam', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(5000, 1000) } },
        'FragmentSelector.TimestampRange.EndTimestamp must not be earlier than its StartTimestamp.'],
    ];
    for (const [input, message] of cases) {
      const err = await rejection(media.send(new ListFragmentsCommand(input)));
      expect(err).toBeInstanceOf(InvalidArgumentException);
      expect([err.message, err.$metadata?.httpStatusCode]).toEqual([message, 400]);
    }
  });

  test('fails with ResourceNotFoundException for a stream that does not exist', async () => {
    const err = await rejection(media.send(new ListFragmentsCommand({ StreamName: 'nope', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, 1) } })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect([err.message, err.$metadata?.httpStatusCode]).toEqual(['The requested stream is not found or not active.', 404]);
  });
});

describe('GetHLSStreamingSessionURL and its session', () => {
  beforeEach(() => setup());

  test('LIVE: a master playlist, a media playlist of the latest 5 fragments, and real fMP4 init and media fragments', async () => {
    const f = h.server.recordFragments('cam', { count: 8 });
    const s = await hls({ StreamName: 'cam' });
    expect(s.url).toMatch(new RegExp(`^${dataEndpoint}/hls/v1/getHLSMasterPlaylist\\.m3u8\\?SessionToken=[A-Za-z0-9_-]+$`));
    expect(s.master).toMatch(/#EXT-X-STREAM-INF:BANDWIDTH=\d+,CODECS="avc1\.42c0[0-9a-f]{2}",RESOLUTION=320x240,FRAME-RATE=25\.000\n/);
    expect(fragmentNumbers(s.playlist)).toEqual(f.slice(3).map((x) => x.number));
    // SERVER_TIMESTAMP defaults DiscontinuityMode to ALWAYS: a marker between every two fragments.
    expect(s.playlist.split('\n').filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(4);
    expect(s.playlist).toContain('#EXT-X-MEDIA-SEQUENCE:3\n#EXT-X-DISCONTINUITY-SEQUENCE:3\n');
    expect(s.playlist).not.toContain('#EXT-X-ENDLIST');

    const [init, ...segments] = uris(s.playlist.replace(/#EXT-X-MAP:URI="([^"]+)"/, '$1'), s.mediaUrl);
    const initFile = await get(init);
    expect([initFile.status, initFile.type, initFile.headers.get('access-control-allow-origin')]).toEqual([200, 'video/mp4', '*']);
    expect(initFile.body.subarray(4, 8).toString()).toBe('ftyp');
    const last = await get(segments[segments.length - 1]);
    expect(last.body.includes(Buffer.from('moof'))).toBe(true);
    // The fragment's place on the timeline: its server timestamp after the stream's first fragment's.
    expect(decodeTimeOf(last.body)).toBe((lastOf(f).serverTimestamp - f[0].serverTimestamp) * timescaleOf(initFile.body) / 1000);
    const probe = ffprobe(Buffer.concat([initFile.body, last.body]), 'stream=codec_name,width,height');
    expect(probe.streams).toEqual([{ codec_name: 'h264', width: 320, height: 240 }]);
  });

  test('LIVE: new fragments appear as the clock passes, and the session expires after Expires seconds', async () => {
    const f = h.server.recordFragments('cam', { count: 10, startTimestamp: h.clock.now - 3_100, serverLagMs: 100 });
    const created = h.clock.now;
    const s = await hls({ StreamName: 'cam', MaxMediaPlaylistFragmentResults: 2, Expires: 300 });
    expect(fragmentNumbers(s.playlist)).toEqual([f[1].number, f[2].number]);
    h.clock.advance(2_000);
    expect(fragmentNumbers((await get(s.mediaUrl)).body.toString())).toEqual([f[3].number, f[4].number]);
    h.clock.advance(300_000);
    const expired = await get(s.mediaUrl);
    expect([expired.status, expired.headers.get('x-amzn-errortype'), JSON.parse(expired.body.toString()).message])
      .toEqual([401, 'NotAuthorizedException', `The streaming session expired at ${new Date(created + 300_000).toISOString()}.`]);
    const forged = await get(s.mediaUrl.replace(/SessionToken=[^&]+/, 'SessionToken=forged'));
    expect([forged.status, JSON.parse(forged.body.toString()).message]).toEqual([401, 'The session token is not valid for this resource.']);
  });

  test('ON_DEMAND: the oldest fragments of the range up to MaxMediaPlaylistFragmentResults, VOD, with program date-times', async () => {
    const f = h.server.recordFragments('cam', { count: 8, startTimestamp: EPOCH - 20_000 });
    const s = await hls({
      StreamName: 'cam',
      PlaybackMode: 'ON_DEMAND',
      MaxMediaPlaylistFragmentResults: 3,
      DisplayFragmentTimestamp: 'ALWAYS',
      HLSFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(f[2].producerTimestamp, f[7].producerTimestamp) },
    });
    expect(fragmentNumbers(s.playlist)).toEqual([f[2].number, f[3].number, f[4].number]);
    expect(s.playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD\n');
    expect(s.playlist.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(tagLines(s.playlist, '#EXT-X-DISCONTINUITY')).toEqual(['#EXT-X-DISCONTINUITY-SEQUENCE:0']); // PRODUCER_TIMESTAMP: NEVER
    expect(tagLines(s.playlist, '#EXT-X-PROGRAM-DATE-TIME:')).toEqual([2, 3, 4].map((i) => `#EXT-X-PROGRAM-DATE-TIME:${new Date(f[i].producerTimestamp).toISOString()}`));
  });

  test('ON_DISCONTINUITY marks only a gap of more than 50 ms; PRODUCER_TIMESTAMP duplicates keep the newer fragment', async () => {
    const f = h.server.recordFragments('cam', { count: 6, startTimestamp: EPOCH - 20_000, skip: [3] });
    const dup = h.server.recordFragments('cam', { count: 1, startTimestamp: f[0].producerTimestamp });
    const s = await hls({
      StreamName: 'cam',
      PlaybackMode: 'ON_DEMAND',
      DiscontinuityMode: 'ON_DISCONTINUITY',
      HLSFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(EPOCH - 30_000, EPOCH - 1_000) },
    });
    expect(fragmentNumbers(s.playlist)).toEqual([dup[0].number, f[1].number, f[2].number, f[3].number, f[4].number]);
    const lines = s.playlist.split('\n');
    expect(lines[lines.indexOf('#EXT-X-DISCONTINUITY') + 2]).toContain(`FragmentNumber=${f[3].number}`); // f[3] follows the skipped second
    expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(1);
  });

  test('LIVE_REPLAY: starts at StartTimestamp and adds a fragment each time a fragment duration elapses', async () => {
    const f = h.server.recordFragments('cam', { count: 6, startTimestamp: EPOCH - 20_000 });
    const s = await hls({ StreamName: 'cam', PlaybackMode: 'LIVE_REPLAY', HLSFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: new Date(f[1].producerTimestamp) } } });
    expect(fragmentNumbers(s.playlist)).toEqual([f[1].number]);
    h.clock.advance(2_000);
    expect(fragmentNumbers((await get(s.mediaUrl)).body.toString())).toEqual([f[1].number, f[2].number, f[3].number]);
  });

  test('H.265: the master playlist names the HEVC codec and the fragments are HEVC', async () => {
    h.server.recordFragments('cam', { count: 3, codec: 'H265', durationMs: 2000 });
    const s = await hls({ StreamName: 'cam' });
    expect(s.master).toMatch(/CODECS="hvc1\.1\.6\.L\d+\.[0-9a-f.]+"/);
    const [init, segment] = uris(s.playlist.replace(/#EXT-X-MAP:URI="([^"]+)"/, '$1'), s.mediaUrl);
    const probe = ffprobe(Buffer.concat([(await get(init)).body, (await get(segment)).body]), 'stream=codec_name,codec_tag_string');
    expect(probe.streams).toEqual([{ codec_name: 'hevc', codec_tag_string: 'hvc1' }]);
  });

  test('MPEG_TS: the playlist points to self-contained TS fragments', async () => {
    h.server.recordFragments('cam', { count: 3 });
    const s = await hls({ StreamName: 'cam', ContainerFormat: 'MPEG_TS' });
    expect(s.playlist).not.toContain('#EXT-X-MAP');
    const ts = await get(uris(s.playlist, s.mediaUrl)[0]);
    expect([ts.status, ts.type, ts.body[0], ts.body.length % 188]).toEqual([200, 'video/MP2T', 0x47, 0]);
  });

  test('fails with ResourceNotFoundException when LIVE has no fragment in the last 30 s, or the range has none', async () => {
    h.server.recordFragments('cam', { count: 3, startTimestamp: EPOCH - 40_000 });
    const live = await rejection(media.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'cam' })));
    expect(live).toBeInstanceOf(ResourceNotFoundException);
    expect([live.message, live.$metadata?.httpStatusCode]).toEqual(['No fragments found in the stream cam within the last 30 seconds (PlaybackMode LIVE).', 404]);
    const empty = await rejection(media.send(new GetHLSStreamingSessionURLCommand({
      StreamName: 'cam', PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(EPOCH - 20_000, EPOCH - 10_000) },
    })));
    expect(empty).toBeInstanceOf(ResourceNotFoundException);
    expect(empty.message).toBe('No fragments found in the stream cam for the requested SERVER_TIMESTAMP range (PlaybackMode ON_DEMAND).');
  });

  test('fails with NoDataRetentionException, and with the media and codec-private-data errors', async () => {
    await activeStream(h, { StreamName: 'no-retention' });
    const noRetention = await rejection(media.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'no-retention' })));
    expect(noRetention).toBeInstanceOf(NoDataRetentionException);
    expect(noRetention.message).toBe('The Stream data retention in hours is equal to zero.');
    const cases = [
      ['mjpeg', { codec: 'MJPEG' }, UnsupportedStreamMediaTypeException, (n: string) => `The codec ID of track 1 of fragment ${n} is V_MJPEG; it should be V_MPEG4/ISO/AVC (H.264) or V_MPEGH/ISO/HEVC (H.265).`],
      ['missing', { codecPrivateData: 'missing' }, MissingCodecPrivateDataException, (n: string) => `No codec private data was found in track 1 of fragment ${n}.`],
      ['invalid', { codecPrivateData: 'invalid' }, InvalidCodecPrivateDataException, (n: string) => `The codec private data in track 1 of fragment ${n} is not valid AVC data.`],
    ] as const;
    for (const [name, options, type, message] of cases) {
      await activeStream(h, { StreamName: name, DataRetentionInHours: 1 });
      const [fragment] = h.server.recordFragments(name, { count: 1, ...options });
      for (const send of [
        () => media.send(new GetHLSStreamingSessionURLCommand({ StreamName: name })),
        () => media.send(new GetDASHStreamingSessionURLCommand({ StreamName: name })),
        () => media.send(new GetClipCommand({ StreamName: name, ClipFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(h.clock.now - 10_000, h.clock.now - 1) } })),
      ]) {
        const err = await rejection(send());
        expect(err).toBeInstanceOf(type);
        expect([err.message, err.$metadata?.httpStatusCode]).toEqual([message(fragment.number), 400]);
      }
    }
  });

  test('fails with InvalidArgumentException for ranges and values the API Reference rules out', async () => {
    h.server.recordFragments('cam', { count: 3 });
    const selector = (r: any, type: 'SERVER_TIMESTAMP' | 'PRODUCER_TIMESTAMP' = 'SERVER_TIMESTAMP') => ({ FragmentSelectorType: type, TimestampRange: r });
    const cases: [GetHLSStreamingSessionURLCommandInput, string][] = [
      [{ StreamName: 'cam', HLSFragmentSelector: selector(range(0, 1)) }, 'HLSFragmentSelector.TimestampRange must not be set when PlaybackMode is LIVE.'],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND' }, 'HLSFragmentSelector with FragmentSelectorType and TimestampRange is required when PlaybackMode is ON_DEMAND.'],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: selector({ StartTimestamp: new Date(0) }) }, 'HLSFragmentSelector.TimestampRange.EndTimestamp is required when PlaybackMode is ON_DEMAND.'],
      [{ StreamName: 'cam', PlaybackMode: 'LIVE_REPLAY', HLSFragmentSelector: selector({ EndTimestamp: new Date(0) }) }, 'HLSFragmentSelector.TimestampRange.StartTimestamp is required when TimestampRange is set.'],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: selector(range(EPOCH - 1000, EPOCH - 2000)) },
        `EndTimestamp ${new Date(EPOCH - 2000).toISOString()} must be later than StartTimestamp ${new Date(EPOCH - 1000).toISOString()}.`],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: selector(range(EPOCH - 90_000_000, EPOCH)) }, 'EndTimestamp must be within 24 hours of StartTimestamp.'],
      [{ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: selector(range(h.clock.now - 1000, h.clock.now + 1)) }, 'EndTimestamp must be in the past when FragmentSelectorType is SERVER_TIMESTAMP.'],
      [{ StreamName: 'cam', Expires: 299 }, "1 validation error detected: Value 299 at 'expires' failed to satisfy constraint: Member must have value greater than or equal to 300"],
      [{ StreamName: 'cam', MaxMediaPlaylistFragmentResults: 5001 }, "1 validation error detected: Value 5001 at 'maxMediaPlaylistFragmentResults' failed to satisfy constraint: Member must have value less than or equal to 5000"],
      [{ StreamName: 'cam', ContainerFormat: 'MP4' as any }, "1 validation error detected: Value 'MP4' at 'containerFormat' failed to satisfy constraint: Member must satisfy enum value set: [FRAGMENTED_MP4, MPEG_TS]"],
    ];
    for (const [input, message] of cases) {
      const err = await rejection(media.send(new GetHLSStreamingSessionURLCommand(input)));
      expect(err).toBeInstanceOf(InvalidArgumentException);
      expect(err.message).toBe(message);
    }
    // A PRODUCER_TIMESTAMP range may end in the future.
    await media.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'cam', PlaybackMode: 'ON_DEMAND', HLSFragmentSelector: selector(range(EPOCH - 10_000, EPOCH + 1000), 'PRODUCER_TIMESTAMP') }));
  });
});

describe('GetDASHStreamingSessionURL and its manifest', () => {
  beforeEach(() => setup());

  test('ON_DEMAND: a static MPD whose timeline names each fragment, with init and media fragments by sequence number', async () => {
    const f = h.server.recordFragments('cam', { count: 4, startTimestamp: EPOCH - 10_000 });
    const { DASHStreamingSessionURL: url } = await media.send(new GetDASHStreamingSessionURLCommand({
      StreamName: 'cam',
      PlaybackMode: 'ON_DEMAND',
      DisplayFragmentNumber: 'ALWAYS',
      DisplayFragmentTimestamp: 'ALWAYS',
      DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(f[0].producerTimestamp, f[3].producerTimestamp) },
    }));
    expect(url).toMatch(new RegExp(`^${dataEndpoint}/dash/v1/getDASHManifest\\.mpd\\?SessionToken=`));
    const mpd = await get(url!);
    expect(mpd.type).toBe('application/dash+xml');
    const xml = mpd.body.toString();
    expect(xml).toContain('type="static" mediaPresentationDuration="PT4S"');
    expect([...xml.matchAll(/<S t="(\d+)" d="12800" kvs:fn="(\d+)" kvs:ts="(\d+)"\/>/g)].map((m) => [Number(m[1]), m[2], Number(m[3])]))
      .toEqual(f.map((x, i) => [i * 12800, x.number, x.producerTimestamp]));
    const template = /initialization="([^"]+)" media="([^"]+)"/.exec(xml)!.map((v) => v.replace(/&amp;/g, '&'));
    const init = await get(new URL(template[1], url).toString());
    const second = await get(new URL(template[2].replace('$Number$', '1'), url).toString());
    expect([init.status, second.status]).toEqual([200, 200]);
    expect(decodeTimeOf(second.body)).toBe(12800);
  });
});

describe('GetClip', () => {
  beforeEach(() => setup());

  test('returns a traditional MP4 of the fragments in the range', async () => {
    const f = h.server.recordFragments('cam', { count: 6, startTimestamp: EPOCH - 10_000 });
    const out = await media.send(new GetClipCommand({ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(f[1].producerTimestamp, f[3].producerTimestamp) } }));
    expect(out.ContentType).toBe('video/mp4');
    const mp4 = Buffer.from(await out.Payload!.transformToByteArray());
    expect(mp4.subarray(4, 8).toString()).toBe('ftyp');
    expect(mp4.indexOf('moov')).toBeLessThan(mp4.indexOf('mdat')); // faststart, not fragmented
    expect(mp4.includes(Buffer.from('moof'))).toBe(false);
    const probe = ffprobe(mp4, 'format=duration:stream=codec_name,width,height');
    expect([probe.format.duration, probe.streams]).toEqual(['3.000000', [{ codec_name: 'h264', width: 320, height: 240 }]]);
  });

  test('stops at the documented 100 MB', async () => {
    const f = h.server.recordFragments('cam', { count: 3, startTimestamp: EPOCH - 10_000, sizeBytes: 40 * 1024 * 1024 });
    const out = await media.send(new GetClipCommand({ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(f[0].producerTimestamp, EPOCH) } }));
    expect(ffprobe(Buffer.from(await out.Payload!.transformToByteArray()), 'format=duration').format.duration).toBe('2.000000');
  });

  test('fails with ResourceNotFoundException for a range without fragments and NoDataRetentionException without retention', async () => {
    h.server.recordFragments('cam', { count: 2, startTimestamp: EPOCH - 10_000 });
    const empty = await rejection(media.send(new GetClipCommand({ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(EPOCH - 5_000, EPOCH - 1_000) } })));
    expect(empty).toBeInstanceOf(ResourceNotFoundException);
    expect(empty.message).toBe('No fragments found in the stream cam for the requested SERVER_TIMESTAMP range.');
    await activeStream(h, { StreamName: 'no-retention' });
    expect(await rejection(media.send(new GetClipCommand({ StreamName: 'no-retention', ClipFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, 1) } }))))
      .toBeInstanceOf(NoDataRetentionException);
  });
});

describe('GetImages', () => {
  beforeEach(() => setup());
  const input = (f: RecordedFragment[], extra: Partial<GetImagesCommandInput> = {}): GetImagesCommandInput => ({
    StreamName: 'cam',
    ImageSelectorType: 'PRODUCER_TIMESTAMP',
    Format: 'JPEG',
    StartTimestamp: new Date(f[0].producerTimestamp),
    EndTimestamp: new Date(f[0].producerTimestamp + 1_000),
    SamplingInterval: 500,
    ...extra,
  });

  test('returns base64 JPEG or PNG images at each sampling time, and NO_MEDIA where no fragment covers the time', async () => {
    const f = h.server.recordFragments('cam', { count: 2, startTimestamp: EPOCH - 10_000 });
    const jpeg = await media.send(new GetImagesCommand(input(f, { EndTimestamp: new Date(f[0].producerTimestamp + 2_500) })));
    expect(jpeg.Images!.map((i) => [i.TimeStamp!.getTime() - f[0].producerTimestamp, i.Error])).toEqual(
      [[0, undefined], [500, undefined], [1000, undefined], [1500, undefined], [2000, 'NO_MEDIA'], [2500, 'NO_MEDIA']]);
    for (const image of jpeg.Images!.slice(0, 4)) expect(Buffer.from(image.ImageContent!, 'base64').subarray(0, 3).toString('hex')).toBe('ffd8ff');
    expect(jpeg.NextToken).toBeUndefined();
    const png = await media.send(new GetImagesCommand(input(f, { Format: 'PNG', WidthPixels: 64, HeightPixels: 48, SamplingInterval: undefined })));
    expect(png.Images).toHaveLength(1); // without SamplingInterval: the image at StartTimestamp
    const bytes = Buffer.from(png.Images![0].ImageContent!, 'base64');
    expect([bytes.subarray(1, 4).toString(), bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual(['PNG', 64, 48]);
    const tall = await media.send(new GetImagesCommand(input(f, { Format: 'PNG', HeightPixels: 120, SamplingInterval: undefined })));
    const tallBytes = Buffer.from(tall.Images![0].ImageContent!, 'base64');
    expect([tallBytes.readUInt32BE(16), tallBytes.readUInt32BE(20)]).toEqual([160, 120]); // the aspect ratio kept
  });

  test('pages 25 images at a time, up to MaxResults in all', async () => {
    const f = h.server.recordFragments('cam', { count: 1, startTimestamp: EPOCH - 10_000, codecPrivateData: 'missing' });
    const pages = async (extra: Partial<GetImagesCommandInput>) => {
      const sizes: number[] = [];
      let token: string | undefined;
      do {
        const end = new Date(f[0].producerTimestamp + 12_000);
        const out = await media.send(new GetImagesCommand(input(f, { EndTimestamp: end, SamplingInterval: 200, NextToken: token, ...extra })));
        sizes.push(out.Images!.length);
        token = out.NextToken;
      } while (token);
      return sizes;
    };
    // The fragment has no codec private data, so its 5 images are MEDIA_ERROR: no ffmpeg run is needed for 61 timestamps.
    expect(await pages({})).toEqual([25, 25, 11]);
    expect(await pages({ MaxResults: 30 })).toEqual([25, 5]);
    expect(await pages({ MaxResults: 10 })).toEqual([10]);
    const first = await media.send(new GetImagesCommand(input(f, { SamplingInterval: 200 })));
    expect(first.Images!.map((i) => i.Error)).toEqual(['MEDIA_ERROR', 'MEDIA_ERROR', 'MEDIA_ERROR', 'MEDIA_ERROR', 'MEDIA_ERROR', 'NO_MEDIA']);
  });

  test('fails with InvalidArgumentException for the documented limits, and NoDataRetentionException without retention', async () => {
    const f = h.server.recordFragments('cam', { count: 1 });
    const cases: [Partial<GetImagesCommandInput>, string][] = [
      [{ SamplingInterval: 199 }, 'SamplingInterval must be at least 200 ms; received 199.'],
      [{ EndTimestamp: new Date(f[0].producerTimestamp + 300_001) }, 'EndTimestamp must be at most 300 seconds after StartTimestamp.'],
      [{ WidthPixels: 100 }, 'WidthPixels needs HeightPixels: give both, only HeightPixels, or neither.'],
      [{ FormatConfig: { JPEGQuality: '0' } }, "FormatConfig.JPEGQuality must be an integer from 1 to 100; received '0'."],
      [{ MaxResults: 101 }, "1 validation error detected: Value 101 at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"],
      [{ HeightPixels: 2161 }, "1 validation error detected: Value 2161 at 'heightPixels' failed to satisfy constraint: Member must have value less than or equal to 2160"],
    ];
    for (const [extra, message] of cases) {
      const err = await rejection(media.send(new GetImagesCommand(input(f, extra))));
      expect(err).toBeInstanceOf(InvalidArgumentException);
      expect(err.message).toBe(message);
    }
    await activeStream(h, { StreamName: 'no-retention' });
    expect(await rejection(media.send(new GetImagesCommand(input(f, { StreamName: 'no-retention' }))))).toBeInstanceOf(NoDataRetentionException);
    expect(await rejection(media.send(new GetImagesCommand(input(f, { StreamName: 'nope' }))))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('GetMediaForFragmentList', () => {
  beforeEach(() => setup());

  test('returns one Matroska document per fragment, tagged with its number and timestamps', async () => {
    const f = h.server.recordFragments('cam', { count: 3, startTimestamp: EPOCH - 10_000 });
    const out = await media.send(new GetMediaForFragmentListCommand({ StreamName: 'cam', Fragments: [f[2].number, f[0].number] }));
    expect(out.ContentType).toBe('video/webm');
    const payload = Buffer.from(await out.Payload!.transformToByteArray());
    const ebml = Buffer.from('1a45dfa3', 'hex');
    const starts: number[] = [];
    for (let at = payload.indexOf(ebml); at >= 0; at = payload.indexOf(ebml, at + 1)) starts.push(at);
    expect(starts).toHaveLength(2);
    const tags = ffprobe(payload.subarray(0, starts[1]), 'format_tags:stream=codec_name');
    expect(tags.format.tags).toEqual({
      AWS_KINESISVIDEO_FRAGMENT_NUMBER: f[2].number,
      AWS_KINESISVIDEO_SERVER_SIDE_TIMESTAMP: (f[2].serverTimestamp / 1000).toFixed(3),
      AWS_KINESISVIDEO_PRODUCER_SIDE_TIMESTAMP: (f[2].producerTimestamp / 1000).toFixed(3),
      ENCODER: expect.any(String),
    });
    expect(tags.streams).toEqual([{ codec_name: 'h264' }]);
  });

  test('fails with ResourceNotFoundException for a fragment the stream does not hold, and InvalidArgumentException for a malformed number', async () => {
    h.server.recordFragments('cam', { count: 1 });
    const missing = await rejection(media.send(new GetMediaForFragmentListCommand({ StreamName: 'cam', Fragments: ['12345'] })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing.message).toBe('Fragment 12345 was not found in the stream cam.');
    const malformed = await rejection(media.send(new GetMediaForFragmentListCommand({ StreamName: 'cam', Fragments: ['12a'] })));
    expect(malformed).toBeInstanceOf(InvalidArgumentException);
    expect(malformed.message).toBe("1 validation error detected: Value '12a' at 'fragments.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9]+$");
  });
});

describe('quotas', () => {
  test('GetHLSStreamingSessionURL and GetDASHStreamingSessionURL: 25 TPS per stream; ClientLimitExceededException, not retried', async () => {
    await setup({ rateLimits: true });
    await activeStream(h, { StreamName: 'other', DataRetentionInHours: 1 });
    h.server.recordFragments('cam', { count: 1 });
    h.server.recordFragments('other', { count: 1 });
    const retrying = h.server.archivedMediaClient(dataEndpoint, { maxAttempts: 3 });
    const commands = [
      (s: string) => new GetHLSStreamingSessionURLCommand({ StreamName: s }),
      (s: string) => new GetDASHStreamingSessionURLCommand({ StreamName: s }),
    ] as const;
    for (const command of commands) {
      for (let i = 0; i < 25; i++) await media.send(command('cam') as any);
      const err = await rejection(retrying.send(command('cam') as any));
      expect(err).toBeInstanceOf(ClientLimitExceededException);
      expect([err.$metadata?.httpStatusCode, err.$metadata?.attempts]).toEqual([400, 1]);
      await media.send(command('other') as any); // another stream has its own budget
      h.clock.advance(1_000);
      await media.send(command('cam') as any);
    }
  });

  test('fragment-metadata points: ListFragments costs MaxResults of 10,000 per second and stream, shared with GetClip', async () => {
    await setup({ rateLimits: true });
    const f = h.server.recordFragments('cam', { count: 2, startTimestamp: EPOCH - 10_000 });
    const list = () => media.send(new ListFragmentsCommand({ StreamName: 'cam', MaxResults: 1000, FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, EPOCH) } }));
    for (let i = 0; i < 10; i++) await list();
    const err = await rejection(list());
    expect(err).toBeInstanceOf(ClientLimitExceededException);
    expect(err.message).toContain('(fragment-metadata quota of stream cam)');
    const clip = await rejection(media.send(new GetClipCommand({ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: range(f[0].producerTimestamp, EPOCH) } })));
    expect(clip).toBeInstanceOf(ClientLimitExceededException);
    h.clock.advance(100); // 100 ms refill 1,000 points
    await list();
  });

  test('fragment-media points: GetMediaForFragmentList costs one per fragment (scaled: 5 per second)', async () => {
    await setup({ rateLimits: { scale: 0.01 } });
    const f = h.server.recordFragments('cam', { count: 3 });
    const send = () => media.send(new GetMediaForFragmentListCommand({ StreamName: 'cam', Fragments: f.map((x) => x.number) }));
    await send();
    const err = await rejection(send());
    expect(err).toBeInstanceOf(ClientLimitExceededException);
    expect(err.message).toContain('(fragment-media quota of stream cam)');
    h.clock.advance(1_000);
    await send();
  });

  test('session resources: GetHLSMasterPlaylist 5 TPS per session, answered ClientLimitExceededException', async () => {
    await setup({ rateLimits: true });
    h.server.recordFragments('cam', { count: 2 });
    const { HLSStreamingSessionURL: url } = await media.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'cam' }));
    for (let i = 0; i < 5; i++) expect((await get(url!)).status).toBe(200);
    const throttled = await get(url!);
    expect([throttled.status, throttled.headers.get('x-amzn-errortype')]).toEqual([400, 'ClientLimitExceededException']);
    const { HLSStreamingSessionURL: another } = await media.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'cam' }));
    expect((await get(another!)).status).toBe(200);
  });
});

describe('authorization and faults', () => {
  beforeEach(() => setup());

  test('fails with NotAuthorizedException (401) when the authorizer denies the call, naming the IAM action and stream', async () => {
    const seen: string[] = [];
    h.server.setAuthorizer({ authorize: async (r) => { seen.push(`${r.action} ${r.resource}`); return { allowed: false, message: 'denied by test' }; } });
    const err = await rejection(media.send(new GetHLSStreamingSessionURLCommand({ StreamName: 'cam' })));
    expect(err).toBeInstanceOf(NotAuthorizedException);
    expect([err.message, err.$metadata?.httpStatusCode]).toEqual(['denied by test', 401]);
    expect(seen).toEqual([`kinesisvideo:GetHLSStreamingSessionURL ${h.server.state().streams[0].arn}`]);
  });

  test('injects faults into archived-media operations by name', async () => {
    h.server.injectFault('GetClip', { kind: 'error', errorType: 'InvalidMediaFrameException' });
    const err = await rejection(media.send(new GetClipCommand({ StreamName: 'cam', ClipFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, 1) } })));
    expect([err.name, err.$metadata?.httpStatusCode, err.message]).toEqual(['InvalidMediaFrameException', 400, 'Injected fault: InvalidMediaFrameException']);
  });
});

test('CreateStream leaves the new stream without fragments: every archived API sees an empty stream', async () => {
  await setup();
  await h.kvs.send(new CreateStreamCommand({ StreamName: 'fresh', DataRetentionInHours: 1 }));
  h.clock.advance(1_000);
  const out = await media.send(new ListFragmentsCommand({ StreamName: 'fresh', FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range(0, EPOCH) } }));
  expect(out.Fragments).toEqual([]);
});
