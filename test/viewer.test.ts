import * as http from 'http';
import { AddressInfo } from 'net';
import { CreateStreamCommand, GetDataEndpointCommand } from '@aws-sdk/client-kinesis-video';
import { GetHLSStreamingSessionURLCommand, KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { BrowserContext } from 'playwright-core';
import { KvsTestServer } from './kvs-server';
import { launchChromium, viewerFile } from './support/viewer';

/**
 * The example viewer (examples/viewer) end to end in headless Debian Chromium: the page calls the playback API's HLS
 * route, and hls.js plays the session URL from the KVS test server's live HLS (ffmpeg-made fMP4 segments).
 * The API here is a minimal stand-in for the playback construct's route, with the same contract:
 * `GET {api}/streams/{streamName}/hls?playbackMode=LIVE` → `{ "url": "<HLS session URL>", "expiresAt": "<ISO>" }`,
 * behind a bearer token. It calls the real SDK clients against the test server, as the construct's Lambda does.
 */
/** The page's globals inside `page.evaluate` (the test's own tsconfig has no DOM library). */
declare const document: any;

const TOKEN = 'viewer-test-token';
const CREDENTIALS = { accessKeyId: 'AKIAVIEWERTEST000000', secretAccessKey: 'viewer-test-secret' };
/** The page's files and the stand-in HLS route, on 127.0.0.1 and an ephemeral port. */
async function startApi(kvs: KvsTestServer): Promise<{ base: string; routeCalls: string[]; close(): Promise<void> }> {
  const routeCalls: string[] = [];
  const control = kvs.client();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    const file = viewerFile(url.pathname);
    if (file) return send(200, file.type, file.body);
    const route = /^\/streams\/([^/]+)\/hls$/.exec(url.pathname);
    if (!route) return send(404, 'application/json', JSON.stringify({ message: `No route ${url.pathname}` }));
    routeCalls.push(`${req.method} ${url.pathname}${url.search} auth=${req.headers.authorization ?? ''}`);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, 'application/json', JSON.stringify({ message: 'Unauthorized' }));
    const StreamName = decodeURIComponent(route[1]);
    (async () => {
      const { DataEndpoint } = await control.send(new GetDataEndpointCommand({ StreamName, APIName: 'GET_HLS_STREAMING_SESSION_URL' }));
      const media = new KinesisVideoArchivedMediaClient({ endpoint: DataEndpoint, region: kvs.region, credentials: CREDENTIALS, maxAttempts: 1 });
      try {
        const expires = 300;
        const { HLSStreamingSessionURL } = await media.send(new GetHLSStreamingSessionURLCommand({
          StreamName, PlaybackMode: (url.searchParams.get('playbackMode') ?? 'LIVE') as any, Expires: expires,
        }));
        send(200, 'application/json', JSON.stringify({ url: HLSStreamingSessionURL, expiresAt: new Date(Date.now() + expires * 1000).toISOString() }));
      } finally {
        media.destroy();
      }
    })().catch((err) => send(err.$metadata?.httpStatusCode ?? 500, 'application/json', JSON.stringify({ message: `${err.name}: ${err.message}` })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    routeCalls,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

let kvs: KvsTestServer;
let api: Awaited<ReturnType<typeof startApi>>;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let browser: BrowserContext;

beforeAll(async () => {
  kvs = await KvsTestServer.start({ transitions: { streamCreate: 0 } });
  await kvs.client().send(new CreateStreamCommand({ StreamName: 'lobby', DataRetentionInHours: 24 }));
  // A live producer: five fragments already ingested, then one more every second for the rest of the test.
  kvs.recordFragments('lobby', { count: 180, durationMs: 1000, startTimestamp: Date.now() - 5_200 });
  api = await startApi(kvs);
  chromium = await launchChromium();
  browser = chromium.browser;
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await api?.close();
  await kvs?.stop();
});

const viewerUrl = (params: Record<string, string>, fragment = '') => `${api.base}/viewer/index.html?${new URLSearchParams(params)}${fragment}`;

test('plays the live stream from the HLS route: the video advances and decodes frames of the test pattern', async () => {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto(viewerUrl({ api: api.base, stream: 'lobby' }, `#token=${TOKEN}`));

  await page.waitForFunction(() => {
    const v = document.querySelector('video');
    return v.currentTime > 1 && v.videoWidth > 0 && !v.paused;
  }, undefined, { timeout: 45_000 });
  const first = await page.evaluate(() => document.querySelector('video').currentTime);
  await page.waitForTimeout(2_000);
  const video = await page.evaluate(() => {
    const v = document.querySelector('video');
    return { currentTime: v.currentTime, width: v.videoWidth, height: v.videoHeight, decoded: v.getVideoPlaybackQuality().totalVideoFrames };
  });
  expect(video.currentTime).toBeGreaterThan(first + 1);
  expect([video.width, video.height]).toEqual([320, 240]);
  expect(video.decoded).toBeGreaterThan(25);
  expect(await page.textContent('#status')).toBe('Playing lobby');
  expect(await page.getAttribute('#status', 'data-state')).toBe('playing');

  // The page asked the route once, with its bearer token; hls.js then loaded the session's playlists and segments.
  expect(api.routeCalls).toEqual([`GET /streams/lobby/hls?playbackMode=LIVE auth=Bearer ${TOKEN}`]);
  const fetched = (action: string) => kvs.requests({ action }).filter((r) => r.status === 200).length;
  expect(fetched('GetHLSMasterPlaylist')).toBe(1);
  expect(fetched('GetMP4InitFragment')).toBe(1);
  expect(fetched('GetHLSMediaPlaylist')).toBeGreaterThanOrEqual(2); // a live playlist is reloaded
  expect(fetched('GetMP4MediaFragment')).toBeGreaterThanOrEqual(3);
  expect(kvs.requests().filter((r) => r.status >= 400)).toEqual([]);
  expect(consoleErrors).toEqual([]);
  await page.close();
}, 90_000);

test('fails with the API\'s answer on the page when the token is wrong', async () => {
  const page = await browser.newPage();
  await page.goto(viewerUrl({ api: api.base, stream: 'lobby', token: 'wrong' }));
  await page.waitForSelector('#status[data-state="error"]');
  expect(await page.textContent('#status')).toBe('The playback API answered 401: Unauthorized');
  await page.close();
}, 60_000);

test('fails with the API\'s answer on the page when the stream has no recent fragments', async () => {
  await kvs.client().send(new CreateStreamCommand({ StreamName: 'idle', DataRetentionInHours: 24 }));
  const page = await browser.newPage();
  await page.goto(viewerUrl({ api: api.base, stream: 'idle' }, `#token=${TOKEN}`));
  await page.waitForSelector('#status[data-state="error"]');
  expect(await page.textContent('#status')).toBe(
    'The playback API answered 404: ResourceNotFoundException: No fragments found in the stream idle within the last 30 seconds (PlaybackMode LIVE).');
  await page.close();
}, 60_000);
