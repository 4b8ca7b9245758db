import { CreateStreamCommand, DescribeStreamCommand } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { streamGrants } from '../../lambda/playback/access';
import { DataEndpoints } from '../../lambda/playback/endpoints';
import { configFromEnvironment, createPlaybackHandler, PlaybackConfig } from '../../lambda/playback/handler';
import { KvsTestServer } from '../kvs-server';
import { MotoServer, startMoto } from '../support/moto';

/*
 * The playback function's routes through the real SDK v3 clients: the control plane and the archived-media data plane
 * of the KVS test server (GetDataEndpoint hands out its loopback data endpoints), and S3 in moto for clips.
 */

const CREDENTIALS = { accessKeyId: 'AKIDPLAYBACK', secretAccessKey: 'playback-secret' };
const REGION = 'us-east-1';
const BUCKET = 'clips-bucket';

let moto: MotoServer;
let server: KvsTestServer;
let endpoints: DataEndpoints;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);

afterAll(async () => {
  s3.destroy();
  await moto.stop();
});

beforeEach(async () => {
  server = await KvsTestServer.start();
  endpoints = new DataEndpoints(server.client(),
    (endpoint) => new KinesisVideoArchivedMediaClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 }));
  for (const [name, retention] of [['cam-1', 24], ['cam-2', 24], ['lobby-door', 24], ['no-retention', 0]] as const) {
    await server.client().send(new CreateStreamCommand({ StreamName: name, DataRetentionInHours: retention }));
  }
  // The streams leave CREATING after the server's transition time.
  for (const name of ['cam-1', 'cam-2', 'lobby-door', 'no-retention']) {
    while ((await server.client().send(new DescribeStreamCommand({ StreamName: name }))).StreamInfo?.Status !== 'ACTIVE') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  server.clearRequests();
});

afterEach(async () => {
  endpoints.destroy();
  await server.stop();
});

const IAM_CONFIG: PlaybackConfig = configFromEnvironment({
  KVS_PLAYBACK_STREAM_NAMES: '["cam-1","cam-2","no-retention"]',
  KVS_PLAYBACK_STREAM_NAME_PREFIXES: '["lobby-"]',
  KVS_PLAYBACK_AUTHORIZATION: 'IAM',
  KVS_PLAYBACK_CLIP_BUCKET: BUCKET,
  KVS_PLAYBACK_CLIP_KEY_PREFIX: 'clips/',
  KVS_PLAYBACK_CLIP_URL_EXPIRES: '900',
  KVS_PLAYBACK_SESSION_EXPIRES: '3600',
});
const JWT_CONFIG: PlaybackConfig = { ...IAM_CONFIG, authorization: 'JWT', streamsClaim: 'kvs:streams' };

/** Times are the server's: `now` is fixed for each call, so that `expiresAt` is exact. */
let now = 0;

function handler(config: PlaybackConfig = IAM_CONFIG) {
  return createPlaybackHandler({
    endpoints,
    s3,
    presign: (client, command, expiresIn) => getSignedUrl(client, command, { expiresIn }),
    now: () => now,
    config,
  });
}

/** An API Gateway HTTP API (payload 2.0) event for `GET /streams/<stream>/<route>?<query>`. */
function event(route: string, stream: string, query: Record<string, string> = {}, claims?: Record<string, unknown>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `GET /streams/{streamName}/${route}`,
    rawPath: `/streams/${stream}/${route}`,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: { streamName: stream },
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

async function call(route: string, stream: string, query: Record<string, string> = {}, config?: PlaybackConfig, claims?: Record<string, unknown>) {
  now = Date.now();
  const answer = await handler(config)(event(route, stream, query, claims)) as APIGatewayProxyStructuredResultV2;
  return { status: answer.statusCode, headers: answer.headers, body: JSON.parse(answer.body as string) };
}

/** The archived-media and GetDataEndpoint requests the server received, in order: action and body. */
function requests() {
  return server.requests().filter((r) => r.action !== 'CreateStream' && r.action !== 'DescribeStream').map((r) => ({ action: r.action, body: r.body }));
}

const seconds = (ms: number) => ms / 1000;

describe('playback routes', () => {
  test('hls, LIVE by default: GetDataEndpoint once, then the session with the API\'s default Expires; the URL serves a playlist', async () => {
    server.recordFragments('cam-1', { count: 6 });
    const answer = await call('hls', 'cam-1');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/b-[0-9a-f]+\/hls\/v1\/getHLSMasterPlaylist\.m3u8\?SessionToken=/), expiresAt: new Date(now + 3_600_000).toISOString() });
    expect(answer.headers).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(requests()).toEqual([
      { action: 'GetDataEndpoint', body: { StreamName: 'cam-1', APIName: 'GET_HLS_STREAMING_SESSION_URL' } },
      { action: 'GetHLSStreamingSessionURL', body: { StreamName: 'cam-1', PlaybackMode: 'LIVE', Expires: 3600 } },
    ]);
    const playlist = await fetch(answer.body.url);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toMatch(/^#EXTM3U/);
  });

  test('hls ON_DEMAND: every documented parameter passed on as the API Reference names it', async () => {
    const [first] = server.recordFragments('cam-1', { count: 5, durationMs: 2000 });
    const start = new Date(first.producerTimestamp).toISOString();
    const end = new Date(first.producerTimestamp + 8000).toISOString();
    const answer = await call('hls', 'cam-1', {
      playbackMode: 'ON_DEMAND',
      fragmentSelectorType: 'PRODUCER_TIMESTAMP',
      startTimestamp: start,
      endTimestamp: end,
      containerFormat: 'MPEG_TS',
      discontinuityMode: 'ON_DISCONTINUITY',
      displayFragmentTimestamp: 'ALWAYS',
      expires: '300',
      maxMediaPlaylistFragmentResults: '3',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.expiresAt).toBe(new Date(now + 300_000).toISOString());
    expect(requests().at(-1)).toEqual({
      action: 'GetHLSStreamingSessionURL',
      body: {
        StreamName: 'cam-1',
        PlaybackMode: 'ON_DEMAND',
        HLSFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: seconds(first.producerTimestamp), EndTimestamp: seconds(first.producerTimestamp + 8000) } },
        ContainerFormat: 'MPEG_TS',
        DiscontinuityMode: 'ON_DISCONTINUITY',
        DisplayFragmentTimestamp: 'ALWAYS',
        Expires: 300,
        MaxMediaPlaylistFragmentResults: 3,
      },
    });
  });

  test('dash LIVE_REPLAY from a start time, with fragment numbers and timestamps in the manifest', async () => {
    const [first] = server.recordFragments('cam-1', { count: 4 });
    const answer = await call('dash', 'cam-1', {
      playbackMode: 'LIVE_REPLAY',
      startTimestamp: new Date(first.serverTimestamp).toISOString(),
      displayFragmentNumber: 'ALWAYS',
      displayFragmentTimestamp: 'NEVER',
      maxManifestFragmentResults: '10',
      expires: '43200',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ url: expect.stringContaining('/dash/v1/getDASHManifest.mpd?SessionToken='), expiresAt: new Date(now + 43_200_000).toISOString() });
    expect(requests()).toEqual([
      { action: 'GetDataEndpoint', body: { StreamName: 'cam-1', APIName: 'GET_DASH_STREAMING_SESSION_URL' } },
      {
        action: 'GetDASHStreamingSessionURL',
        body: {
          StreamName: 'cam-1',
          PlaybackMode: 'LIVE_REPLAY',
          DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: seconds(first.serverTimestamp) } },
          DisplayFragmentNumber: 'ALWAYS',
          DisplayFragmentTimestamp: 'NEVER',
          Expires: 43200,
          MaxManifestFragmentResults: 10,
        },
      },
    ]);
  });

  test('clip: GetClip\'s MP4 goes to S3 under the prefix, and the presigned URL serves exactly those bytes', async () => {
    const fragments = server.recordFragments('cam-1', { count: 3 });
    const start = new Date(fragments[0].serverTimestamp).toISOString();
    const end = new Date(fragments[2].serverTimestamp).toISOString();
    const answer = await call('clip', 'cam-1', { startTimestamp: start, endTimestamp: end });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      url: expect.stringMatching(new RegExp(`^${moto.endpoint}/${BUCKET}/clips/cam-1/\\d{8}T\\d{6}\\.\\d{3}Z-\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f-]{36}\\.mp4\\?.*X-Amz-Expires=900`)),
      expiresAt: new Date(now + 900_000).toISOString(),
      contentType: 'video/mp4',
      sizeInBytes: expect.any(Number),
    });
    expect(requests()).toEqual([
      { action: 'GetDataEndpoint', body: { StreamName: 'cam-1', APIName: 'GET_CLIP' } },
      {
        action: 'GetClip',
        body: { StreamName: 'cam-1', ClipFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: seconds(fragments[0].serverTimestamp), EndTimestamp: seconds(fragments[2].serverTimestamp) } } },
      },
    ]);
    const downloaded = await fetch(answer.body.url);
    expect(downloaded.status).toBe(200);
    const bytes = Buffer.from(await downloaded.arrayBuffer());
    expect(bytes.byteLength).toBe(answer.body.sizeInBytes);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  test('images, paginated: 25 a page, the nextToken carried over, JPEG quality and size as documented', async () => {
    const fragments = server.recordFragments('cam-1', { count: 60 });
    const start = fragments[0].serverTimestamp;
    const query = {
      startTimestamp: new Date(start).toISOString(),
      endTimestamp: new Date(fragments[59].serverTimestamp).toISOString(),
      samplingInterval: '2000',
      format: 'JPEG',
      jpegQuality: '70',
      widthPixels: '320',
      heightPixels: '180',
      maxResults: '28',
    };
    const first = await call('images', 'cam-1', query);
    expect(first.status).toBe(200);
    expect(first.body.images).toHaveLength(25);
    expect(first.body.images[0]).toEqual({ timestamp: new Date(start).toISOString(), imageContent: expect.stringMatching(/^\/9j\//) });
    expect(first.body.nextToken).toEqual(expect.any(String));
    const second = await call('images', 'cam-1', { ...query, nextToken: first.body.nextToken });
    expect(second.status).toBe(200);
    const secondTimes = second.body.images.map((i: { timestamp: string }) => i.timestamp);
    expect(secondTimes).toEqual([25, 26, 27].map((n) => new Date(start + n * 2000).toISOString()));
    expect(second.body.nextToken).toBeUndefined();
    const imageCalls = requests().filter((r) => r.action === 'GetImages');
    expect(imageCalls[0].body).toEqual({
      StreamName: 'cam-1',
      ImageSelectorType: 'SERVER_TIMESTAMP',
      StartTimestamp: seconds(start),
      EndTimestamp: seconds(fragments[59].serverTimestamp),
      SamplingInterval: 2000,
      Format: 'JPEG',
      FormatConfig: { JPEGQuality: '70' },
      WidthPixels: 320,
      HeightPixels: 180,
      MaxResults: 28,
    });
    expect(imageCalls[1].body.NextToken).toBe(first.body.nextToken);
  });

  test('fragments, paginated within a timestamp range', async () => {
    const fragments = server.recordFragments('lobby-door', { count: 5 });
    const query = {
      fragmentSelectorType: 'PRODUCER_TIMESTAMP',
      maxResults: '3',
      startTimestamp: new Date(fragments[0].producerTimestamp).toISOString(),
      endTimestamp: new Date(fragments[4].producerTimestamp).toISOString(),
    };
    const first = await call('fragments', 'lobby-door', query);
    expect(first.status).toBe(200);
    expect(first.body.fragments).toHaveLength(3);
    expect(first.body.fragments[0]).toEqual({
      fragmentNumber: fragments[0].number,
      fragmentSizeInBytes: fragments[0].sizeBytes,
      producerTimestamp: new Date(fragments[0].producerTimestamp).toISOString(),
      serverTimestamp: new Date(fragments[0].serverTimestamp).toISOString(),
      fragmentLengthInMilliseconds: 1000,
    });
    const second = await call('fragments', 'lobby-door', { ...query, nextToken: first.body.nextToken });
    expect(second.body.fragments.map((f: { fragmentNumber: string }) => f.fragmentNumber)).toEqual(fragments.slice(3).map((f) => f.number));
    expect(second.body.nextToken).toBeUndefined();
    expect(requests().filter((r) => r.action === 'ListFragments').map((r) => r.body)).toEqual([
      { StreamName: 'lobby-door', MaxResults: 3, FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: seconds(fragments[0].producerTimestamp), EndTimestamp: seconds(fragments[4].producerTimestamp) } } },
      { StreamName: 'lobby-door', MaxResults: 3, NextToken: first.body.nextToken, FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: seconds(fragments[0].producerTimestamp), EndTimestamp: seconds(fragments[4].producerTimestamp) } } },
    ]);
  });
});

describe('the data endpoint cache', () => {
  test('one GetDataEndpoint per stream and API name across requests', async () => {
    server.recordFragments('cam-1', { count: 3 });
    server.recordFragments('cam-2', { count: 3 });
    await call('hls', 'cam-1');
    await call('hls', 'cam-1');
    await call('dash', 'cam-1');
    await call('hls', 'cam-2');
    expect(requests().filter((r) => r.action === 'GetDataEndpoint').map((r) => r.body)).toEqual([
      { StreamName: 'cam-1', APIName: 'GET_HLS_STREAMING_SESSION_URL' },
      { StreamName: 'cam-1', APIName: 'GET_DASH_STREAMING_SESSION_URL' },
      { StreamName: 'cam-2', APIName: 'GET_HLS_STREAMING_SESSION_URL' },
    ]);
  });

  test('under the documented quotas, ten sessions in a burst cost one GetDataEndpoint (5 TPS per stream) and none is throttled', async () => {
    server.recordFragments('cam-1', { count: 3 });
    server.setRateLimits(true);
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await call('hls', 'cam-1'));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(requests().filter((r) => r.action === 'GetDataEndpoint')).toHaveLength(1);
  });

  test('a data endpoint that fails without an answer is asked again, and the call retried once on the new one', async () => {
    server.recordFragments('cam-1', { count: 3 });
    await call('hls', 'cam-1');
    server.clearRequests();
    server.injectFault('GetHLSStreamingSessionURL', { kind: 'http', status: 503 });
    const answer = await call('hls', 'cam-1');
    expect(answer.status).toBe(200);
    expect(requests().map((r) => r.action)).toEqual(['GetHLSStreamingSessionURL', 'GetDataEndpoint', 'GetHLSStreamingSessionURL']);
  });

  test('fails with 502 when the refreshed endpoint fails too', async () => {
    server.recordFragments('cam-1', { count: 3 });
    server.injectFault('GetHLSStreamingSessionURL', { kind: 'drop' }, { times: 2 });
    const answer = await call('hls', 'cam-1');
    expect(answer.status).toBe(502);
    expect(answer.body.error).toBe('KinesisVideoError');
    expect(requests().map((r) => r.action)).toEqual(['GetDataEndpoint', 'GetHLSStreamingSessionURL', 'GetDataEndpoint', 'GetHLSStreamingSessionURL']);
  });

  test('a documented error keeps the endpoint', async () => {
    await call('hls', 'cam-1');
    await call('hls', 'cam-1');
    expect(requests().map((r) => r.action)).toEqual(['GetDataEndpoint', 'GetHLSStreamingSessionURL', 'GetHLSStreamingSessionURL']);
  });

  test('fails with 429 and Retry-After when GetDataEndpoint itself is throttled, and asks again next time', async () => {
    server.recordFragments('cam-1', { count: 3 });
    server.injectFault('GetDataEndpoint', { kind: 'throttle' });
    const throttled = await call('hls', 'cam-1');
    expect(throttled.status).toBe(429);
    expect(throttled.headers?.['retry-after']).toBe('1');
    expect((await call('hls', 'cam-1')).status).toBe(200);
    expect(requests().map((r) => r.action)).toEqual(['GetDataEndpoint', 'GetDataEndpoint', 'GetHLSStreamingSessionURL']);
  });
});

describe('documented errors become answers that say what to do', () => {
  test('fails with 404 when LIVE finds no fragment in the last 30 seconds', async () => {
    const answer = await call('hls', 'cam-1');
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe('NoFragments');
    expect(answer.body.message).toMatch(/^GetHLSStreamingSessionURL failed for stream cam-1: ResourceNotFoundException: .+ A LIVE session needs fragments ingested within the last 30 seconds: check that the producer is streaming, or ask for LIVE_REPLAY or ON_DEMAND with a range that has video \(GET \/streams\/\{streamName\}\/fragments lists it\)\.$/);
  });

  test('fails with 404 when an ON_DEMAND range holds no fragment', async () => {
    const answer = await call('dash', 'cam-1', { playbackMode: 'ON_DEMAND', startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:10:00Z' });
    expect(answer.status).toBe(404);
    expect(answer.body.message).toMatch(/ResourceNotFoundException: .+ The stream has no fragments in the requested range: choose a range that has video/);
  });

  test('fails with 409 on a stream without data retention', async () => {
    const answer = await call('hls', 'no-retention');
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('NoDataRetention');
    expect(answer.body.message).toMatch(/NoDataRetentionException: .+ The stream keeps no data \(DataRetentionInHours 0\), so it has no archive to play: raise its dataRetention\.$/);
  });

  test.each(['missing', 'invalid'] as const)('fails with 422 on %s codec private data', async (codecPrivateData) => {
    server.recordFragments('cam-1', { count: 3, codecPrivateData });
    const answer = await call('hls', 'cam-1');
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe('CodecPrivateData');
    expect(answer.body.message).toMatch(new RegExp(`${codecPrivateData === 'missing' ? 'Missing' : 'Invalid'}CodecPrivateDataException: .+ fix the producer's encoder settings\\.$`));
  });

  test('fails with 422 on a media type playback does not support', async () => {
    server.recordFragments('cam-1', { count: 3, codec: 'MJPEG' });
    const answer = await call('dash', 'cam-1');
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe('UnsupportedMediaType');
    expect(answer.body.message).toMatch(/UnsupportedStreamMediaTypeException: .+ change the producer's codec\.$/);
  });

  test('fails with 429 and Retry-After when Kinesis Video Streams throttles', async () => {
    server.recordFragments('cam-1', { count: 3 });
    server.injectFault('GetHLSStreamingSessionURL', { kind: 'throttle' });
    const answer = await call('hls', 'cam-1');
    expect(answer.status).toBe(429);
    expect(answer.headers?.['retry-after']).toBe('1');
    expect(answer.body.message).toMatch(/ClientLimitExceededException: .+ retry after 1 second\.$/);
  });

  test('fails with 422 when GetClip cannot parse the range\'s frames', async () => {
    server.injectFault('GetClip', { kind: 'error', errorType: 'InvalidMediaFrameException', status: 400, message: 'frame 12 cannot be parsed' });
    const answer = await call('clip', 'cam-1', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z' });
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({
      error: 'InvalidMediaFrame',
      message: 'GetClip failed for stream cam-1: InvalidMediaFrameException: frame 12 cannot be parsed Frames of the requested range cannot be parsed with the track\'s codec: choose another range, or fix the producer.',
    });
  });

  test('fails with 403 when the function may not read the stream', async () => {
    server.injectFault('ListFragments', { kind: 'error', errorType: 'NotAuthorizedException', status: 401, message: 'not authorized' });
    const answer = await call('fragments', 'cam-1');
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: 'NotAuthorized',
      message: 'ListFragments failed for stream cam-1: NotAuthorizedException: not authorized The playback API\'s function may not read this stream: grant its role the archived-media actions on the stream (and kms:Decrypt on the stream\'s customer managed key).',
    });
  });

  test('fails with 400 on the service\'s InvalidArgumentException', async () => {
    server.injectFault('GetImages', { kind: 'error', errorType: 'InvalidArgumentException', status: 400, message: 'bad range' });
    const answer = await call('images', 'cam-1', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'InvalidArgument', message: 'GetImages failed for stream cam-1: InvalidArgumentException: bad range Change the request\'s parameters as the message says.' });
  });
});

describe('parameter validation: 400 naming the parameter, the value and what is allowed, before any call', () => {
  const cases: Array<[string, Record<string, string>, string, string]> = [
    ['hls', { playbackmode: 'LIVE' }, 'playbackmode', 'Invalid playbackmode "LIVE": must be one of the parameters of this route: playbackMode, fragmentSelectorType, startTimestamp, endTimestamp, displayFragmentTimestamp, expires, containerFormat, discontinuityMode, maxMediaPlaylistFragmentResults'],
    ['hls', { playbackMode: 'live' }, 'playbackMode', 'Invalid playbackMode "live": must be one of LIVE, LIVE_REPLAY, ON_DEMAND'],
    ['hls', { startTimestamp: '2026-01-01T00:00:00Z' }, 'startTimestamp', 'Invalid startTimestamp "2026-01-01T00:00:00Z": must be unset with playbackMode LIVE, which plays the newest fragments (use LIVE_REPLAY to start at a time)'],
    ['hls', { playbackMode: 'LIVE_REPLAY' }, 'startTimestamp', 'Parameter startTimestamp is missing: must be given with playbackMode LIVE_REPLAY (an ISO 8601 date and time)'],
    ['hls', { playbackMode: 'ON_DEMAND', startTimestamp: '2026-01-01T00:00:00Z' }, 'endTimestamp', 'Parameter endTimestamp is missing: must be given with playbackMode ON_DEMAND (an ISO 8601 date and time)'],
    ['hls', { playbackMode: 'ON_DEMAND', startTimestamp: '2026-01-01', endTimestamp: '2026-01-02T00:00:00Z' }, 'startTimestamp', 'Invalid startTimestamp "2026-01-01": must be an ISO 8601 date and time with its offset, for example 2026-01-01T00:00:00Z'],
    ['hls', { playbackMode: 'ON_DEMAND', startTimestamp: '2026-01-01T01:00:00Z', endTimestamp: '2026-01-01T00:00:00Z' }, 'endTimestamp', 'Invalid endTimestamp "2026-01-01T00:00:00.000Z": must be later than startTimestamp (2026-01-01T01:00:00.000Z)'],
    ['hls', { playbackMode: 'ON_DEMAND', startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-02T00:00:01Z' }, 'endTimestamp', 'Invalid endTimestamp "2026-01-02T00:00:01.000Z": must be within 24 hours of startTimestamp (2026-01-01T00:00:00.000Z)'],
    ['hls', { expires: '299' }, 'expires', 'Invalid expires "299": must be a whole number of seconds from 300 to 43200'],
    ['hls', { expires: '43201' }, 'expires', 'Invalid expires "43201": must be a whole number of seconds from 300 to 43200'],
    ['hls', { expires: '600.5' }, 'expires', 'Invalid expires "600.5": must be a whole number of seconds from 300 to 43200'],
    ['hls', { containerFormat: 'MP4' }, 'containerFormat', 'Invalid containerFormat "MP4": must be one of FRAGMENTED_MP4, MPEG_TS'],
    ['hls', { discontinuityMode: 'SOMETIMES' }, 'discontinuityMode', 'Invalid discontinuityMode "SOMETIMES": must be one of ALWAYS, NEVER, ON_DISCONTINUITY'],
    ['hls', { displayFragmentTimestamp: 'YES' }, 'displayFragmentTimestamp', 'Invalid displayFragmentTimestamp "YES": must be one of ALWAYS, NEVER'],
    ['hls', { maxMediaPlaylistFragmentResults: '5001' }, 'maxMediaPlaylistFragmentResults', 'Invalid maxMediaPlaylistFragmentResults "5001": must be a whole number of fragments from 1 to 5000'],
    ['hls', { fragmentSelectorType: 'CLIENT_TIMESTAMP' }, 'fragmentSelectorType', 'Invalid fragmentSelectorType "CLIENT_TIMESTAMP": must be one of SERVER_TIMESTAMP, PRODUCER_TIMESTAMP'],
    ['dash', { displayFragmentNumber: 'SOMETIMES' }, 'displayFragmentNumber', 'Invalid displayFragmentNumber "SOMETIMES": must be one of ALWAYS, NEVER'],
    ['dash', { maxManifestFragmentResults: '0' }, 'maxManifestFragmentResults', 'Invalid maxManifestFragmentResults "0": must be a whole number of fragments from 1 to 5000'],
    ['dash', { containerFormat: 'MPEG_TS' }, 'containerFormat', 'Invalid containerFormat "MPEG_TS": must be one of the parameters of this route: playbackMode, fragmentSelectorType, startTimestamp, endTimestamp, displayFragmentTimestamp, expires, displayFragmentNumber, maxManifestFragmentResults'],
    ['clip', {}, 'startTimestamp', 'Parameter startTimestamp is missing: must be an ISO 8601 date and time, for example 2026-01-01T00:00:00Z'],
    ['clip', { startTimestamp: '2026-01-01T00:00:00Z' }, 'endTimestamp', 'Parameter endTimestamp is missing: must be an ISO 8601 date and time, for example 2026-01-01T00:05:00Z'],
    ['clip', { startTimestamp: '2099-01-01T00:00:00Z', endTimestamp: '2099-01-01T00:01:00Z' }, 'endTimestamp', 'Invalid endTimestamp "2099-01-01T00:01:00.000Z": must be in the past with fragmentSelectorType SERVER_TIMESTAMP (now is NOW)'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:05:01Z' }, 'endTimestamp', 'Invalid endTimestamp "2026-01-01T00:05:01.000Z": must be within 300 seconds of startTimestamp (2026-01-01T00:00:00.000Z)'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', imageSelectorType: 'X' }, 'imageSelectorType', 'Invalid imageSelectorType "X": must be one of SERVER_TIMESTAMP, PRODUCER_TIMESTAMP'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', format: 'GIF' }, 'format', 'Invalid format "GIF": must be one of JPEG, PNG'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', samplingInterval: '199' }, 'samplingInterval', 'Invalid samplingInterval "199": must be a whole number of milliseconds, at least 200'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', jpegQuality: '101' }, 'jpegQuality', 'Invalid jpegQuality "101": must be a whole number from 1 to 100'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', format: 'PNG', jpegQuality: '80' }, 'jpegQuality', 'Invalid jpegQuality "80": must be unset with format PNG (it applies to JPEG only)'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', widthPixels: '3841' }, 'widthPixels', 'Invalid widthPixels "3841": must be a whole number of pixels from 1 to 3840'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', heightPixels: '2161' }, 'heightPixels', 'Invalid heightPixels "2161": must be a whole number of pixels from 1 to 2160'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', widthPixels: '640' }, 'widthPixels', 'Invalid widthPixels "640": must be given together with heightPixels (GetImages refuses a width alone; a height alone keeps the aspect ratio)'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', maxResults: '101' }, 'maxResults', 'Invalid maxResults "101": must be a whole number of images from 1 to 100'],
    ['images', { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:01:00Z', nextToken: 'not a token!' }, 'nextToken', 'Invalid nextToken "not a token!": must be the nextToken of the previous page (1-4096 characters of [a-zA-Z0-9+/=])'],
    ['fragments', { startTimestamp: '2026-01-01T00:00:00Z' }, 'endTimestamp', 'Parameter endTimestamp is missing: must be given together with the other end of the range (or neither, for every fragment)'],
    ['fragments', { maxResults: '1001' }, 'maxResults', 'Invalid maxResults "1001": must be a whole number of fragments from 1 to 1000'],
  ];

  test.each(cases)('fails: %s %j → 400 on %s', async (route, query, parameter, message) => {
    const answer = await call(route, 'cam-1', query);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'InvalidParameter', parameter, message: message.replace('NOW', new Date(now).toISOString()) });
    expect(requests()).toEqual([]);
  });

  test('fails with 400 on a stream name outside the API Reference\'s pattern', async () => {
    const answer = await call('hls', 'cam 1');
    expect(answer).toEqual({
      status: 400,
      headers: expect.anything(),
      body: { error: 'InvalidParameter', parameter: 'streamName', message: 'Invalid streamName "cam 1": must be 1-256 characters of [a-zA-Z0-9_.-]' },
    });
  });
});

describe('per-stream authorization', () => {
  test('fails with 404 for a stream the API does not serve, naming those it serves', async () => {
    const answer = await call('hls', 'garage');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'StreamNotServed', message: 'This API does not serve stream garage: it serves cam-1, cam-2, no-retention, lobby-*.' });
    expect(requests()).toEqual([]);
  });

  test('a stream matched by the API\'s prefix is served', async () => {
    server.recordFragments('lobby-door', { count: 3 });
    expect((await call('hls', 'lobby-door')).status).toBe(200);
  });

  test('JWT: the streams claim grants names and prefixes', async () => {
    server.recordFragments('cam-1', { count: 3 });
    server.recordFragments('lobby-door', { count: 3 });
    expect((await call('hls', 'cam-1', {}, JWT_CONFIG, { 'kvs:streams': '[cam-1 lobby-*]' })).status).toBe(200);
    expect((await call('hls', 'lobby-door', {}, JWT_CONFIG, { 'kvs:streams': '[cam-1 lobby-*]' })).status).toBe(200);
    expect((await call('hls', 'cam-1', {}, JWT_CONFIG, { 'kvs:streams': '*' })).status).toBe(200);
  });

  test('fails with 403 under JWT for a stream the claim does not cover, before any call', async () => {
    const answer = await call('hls', 'cam-2', {}, JWT_CONFIG, { 'kvs:streams': 'cam-1,lobby-*' });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: 'StreamNotAuthorized',
      message: 'The token\'s kvs:streams claim grants cam-1, lobby-*: it does not cover stream cam-2. Ask the token\'s issuer to add the stream (or a prefix such as cam-*) to the claim.',
    });
    expect(requests()).toEqual([]);
  });

  test('fails with 403 under JWT without the claim', async () => {
    const answer = await call('hls', 'cam-1', {}, JWT_CONFIG, { sub: 'viewer' });
    expect(answer.status).toBe(403);
    expect(answer.body.message).toBe('The token\'s kvs:streams claim is missing or lists no stream: it does not cover stream cam-1. Ask the token\'s issuer to add the stream (or a prefix such as cam-*) to the claim.');
  });

  test('claims as API Gateway renders them: arrays, JSON arrays, [a b], space and comma lists; junk grants nothing', () => {
    expect(streamGrants(['cam-1', 'lobby-*'])).toEqual(['cam-1', 'lobby-*']);
    expect(streamGrants('["cam-1","lobby-*"]')).toEqual(['cam-1', 'lobby-*']);
    expect(streamGrants('[cam-1 lobby-*]')).toEqual(['cam-1', 'lobby-*']);
    expect(streamGrants('cam-1 lobby-*')).toEqual(['cam-1', 'lobby-*']);
    expect(streamGrants('cam-1, lobby-*')).toEqual(['cam-1', 'lobby-*']);
    expect(streamGrants('ca*m, c/d, *x')).toEqual([]);
    expect(streamGrants(undefined)).toEqual([]);
    expect(streamGrants(42)).toEqual([]);
  });
});

describe('configuration', () => {
  test('fails at init without the environment StreamPlaybackApi sets', () => {
    expect(() => configFromEnvironment({ KVS_PLAYBACK_AUTHORIZATION: 'IAM' }))
      .toThrow('The playback function needs the environment variable KVS_PLAYBACK_CLIP_BUCKET (set by StreamPlaybackApi)');
    expect(() => configFromEnvironment({ KVS_PLAYBACK_AUTHORIZATION: 'JWT', KVS_PLAYBACK_CLIP_BUCKET: 'b' }))
      .toThrow('The playback function needs the environment variable KVS_PLAYBACK_STREAMS_CLAIM (set by StreamPlaybackApi)');
  });

  test('fails with 404 on a route the API does not have', async () => {
    const answer = await handler()({ ...event('hls', 'cam-1'), routeKey: 'GET /streams/{streamName}/mp4' }) as APIGatewayProxyStructuredResultV2;
    expect(answer.statusCode).toBe(404);
    expect(JSON.parse(answer.body as string).message).toBe('No route GET /streams/{streamName}/mp4: the API has GET /streams/{streamName}/hls|dash|clip|images|fragments');
  });
});
