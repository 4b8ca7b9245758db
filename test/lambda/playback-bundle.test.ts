import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** The shipped playback function: built by the project's bundle script, loaded as Lambda loads it. */
const ROOT = join(__dirname, '..', '..');
let dir: string;
let bundle: { handler: (event: unknown) => Promise<{ statusCode: number; body: string }> };
const saved = { ...process.env };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kvs-playback-bundle-'));
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-handlers.mjs'), join(dir, 'out'), join('lambda', 'playback', 'index.ts')], { cwd: ROOT });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    KVS_PLAYBACK_STREAM_NAMES: '["cam-1"]',
    KVS_PLAYBACK_AUTHORIZATION: 'IAM',
    KVS_PLAYBACK_CLIP_BUCKET: 'clips',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  bundle = require(join(dir, 'out', 'index.js'));
});

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

test('one self-contained file exporting index.handler, with its three SDK clients and the presigner only', () => {
  expect(typeof bundle.handler).toBe('function');
  expect(statSync(join(dir, 'out', 'index.js')).size).toBeLessThan(600_000);
});

test('answers from its configuration without a call: a stream the API does not serve is 404', async () => {
  const answer = await bundle.handler({
    routeKey: 'GET /streams/{streamName}/hls', pathParameters: { streamName: 'garage' }, requestContext: { requestId: 'r' },
  });
  expect(answer.statusCode).toBe(404);
  expect(JSON.parse(answer.body)).toEqual({ error: 'StreamNotServed', message: 'This API does not serve stream garage: it serves cam-1.' });
});
