import * as http from 'http';
import { AddressInfo } from 'net';
import { Stack } from 'aws-cdk-lib';
import { PlaybackAuthorization, Stream, StreamPlaybackApi } from '../src';
import { deployLocal } from './harness/deploy-local';
import { launchChromium, viewerFile } from './support/viewer';

/**
 * The example viewer (examples/viewer) against the real thing, end to end: `deployLocal` deploys a StreamPlaybackApi
 * with JWT authorization and CORS for the page's origin, serves it on loopback, and headless Debian Chromium loads
 * the page from another origin: the preflight, the bearer token checked by the JWT authorizer, the bundled function
 * and its streams claim, then hls.js plays the session URL from the test server's live HLS.
 */

const ISSUER = 'https://login.viewer.test';

declare const document: any;

test('the viewer page plays a stream through the deployed playback API, with a JWT, from another origin', async () => {
  const pages = http.createServer((req, res) => {
    const file = viewerFile(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    res.writeHead(file ? 200 : 404, { 'content-type': file?.type ?? 'text/plain' });
    res.end(file?.body ?? '');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  const chromium = await launchChromium();
  const browser = chromium.browser;
  const outcome: { status?: string; state?: string; currentTime?: number; denied?: string } = {};
  try {
    const ok = await deployLocal({
      write: () => undefined,
      buildApp: (app) => {
        const stack = new Stack(app, 'Viewer', { env: { account: '123456789012', region: 'us-east-1' } });
        const lobby = new Stream(stack, 'Lobby', { streamName: 'lobby' });
        const garage = new Stream(stack, 'Garage', { streamName: 'garage' });
        new StreamPlaybackApi(stack, 'Playback', {
          streams: [lobby, garage],
          authorization: PlaybackAuthorization.jwt({ issuer: ISSUER, audience: ['viewer-page'] }),
          allowedOrigins: [origin],
        });
      },
      serve: async ([api], { server }) => {
        server.recordFragments('lobby', { count: 120, durationMs: 1000, startTimestamp: Date.now() - 5_200 });
        server.recordFragments('garage', { count: 120, durationMs: 1000, startTimestamp: Date.now() - 5_200 });
        const token = api.issuer(ISSUER).sign({ 'aud': 'viewer-page', 'sub': 'alice', 'kvs:streams': ['lobby'] });
        const page = await browser.newPage();
        await page.goto(`${origin}/viewer/index.html?${new URLSearchParams({ api: api.url, stream: 'lobby' })}#token=${token}`);
        await page.waitForFunction(() => {
          const v = document.querySelector('video');
          return v.currentTime > 1 && v.videoWidth > 0 && !v.paused;
        }, undefined, { timeout: 45_000 });
        outcome.status = (await page.textContent('#status')) ?? undefined;
        outcome.state = (await page.getAttribute('#status', 'data-state')) ?? undefined;
        outcome.currentTime = await page.evaluate(() => document.querySelector('video').currentTime);
        // The same token does not open another stream: the function's claim check answers 403, shown on the page.
        await page.goto(`${origin}/viewer/index.html?${new URLSearchParams({ api: api.url, stream: 'garage' })}#token=${token}`);
        await page.waitForSelector('#status[data-state="error"]');
        outcome.denied = (await page.textContent('#status')) ?? undefined;
        await page.close();
      },
    });
    expect(ok).toBe(true);
  } finally {
    await chromium.close();
    await new Promise<void>((resolve) => pages.close(() => resolve()));
  }
  expect(outcome).toEqual({
    status: 'Playing lobby',
    state: 'playing',
    currentTime: expect.any(Number),
    denied: 'The playback API answered 403: The token\'s kvs:streams claim grants lobby: it does not cover stream garage. '
      + 'Ask the token\'s issuer to add the stream (or a prefix such as cam-*) to the claim.',
  });
}, 150_000);
