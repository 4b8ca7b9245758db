import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeployHarness, readAssemblyStack } from '.';
import { LocalHttpApi, signedGetHeaders } from './http-api';
import { PlaybackAuthorization, Stream, StreamPlaybackApi } from '../../src';
import { KvsTestServer } from '../kvs-server';

/*
 * End to end: the playback API's stack deployed through the harness (the bundled function, its role evaluated by IAM
 * on every KVS call), served on loopback by the HTTP API emulation, called with SigV4 or a test JWT.
 */

const ISSUER = 'https://issuer.test';
let server: KvsTestServer;
let harness: DeployHarness;
let outdir: string;
const apis: LocalHttpApi[] = [];

beforeAll(async () => {
  server = await KvsTestServer.start();
  harness = new DeployHarness({ server, timeScale: 0.01 });
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvs-http-api-'));
  const app = new App({ outdir });
  const env = { account: server.accountId, region: server.region };
  const iamStack = new Stack(app, 'PlaybackIam', { env });
  const cam1 = new Stream(iamStack, 'Cam1', { streamName: 'cam-1' });
  const cam2 = new Stream(iamStack, 'Cam2', { streamName: 'cam-2' });
  const api = new StreamPlaybackApi(iamStack, 'Playback', { streams: [cam1, cam2] });
  const viewer = new iam.Role(iamStack, 'Viewer', { roleName: 'viewer', assumedBy: new iam.AccountRootPrincipal() });
  api.grantInvoke(viewer, { streams: [cam1] });
  const jwtStack = new Stack(app, 'PlaybackJwt', { env });
  new StreamPlaybackApi(jwtStack, 'Playback', {
    streamNamePrefix: 'cam-',
    authorization: PlaybackAuthorization.jwt({ issuer: ISSUER, audience: ['viewer-app'] }),
    allowedOrigins: ['http://viewer.test'],
  });
  app.synth();
  for (const stackName of ['PlaybackIam', 'PlaybackJwt']) {
    const result = await harness.deploy(readAssemblyStack(outdir, stackName));
    expect(result.status).toBe('CREATE_COMPLETE');
  }
  server.recordFragments('cam-1', { count: 5 });
  server.recordFragments('cam-2', { count: 5 });
}, 120_000);

afterAll(async () => {
  for (const api of apis) await api.stop();
  await harness?.close();
  await server?.stop();
  fs.rmSync(outdir, { recursive: true, force: true });
});

async function serve(stackName: string): Promise<LocalHttpApi> {
  const api = await LocalHttpApi.start({ harness, stackName, region: server.region, accountId: server.accountId });
  apis.push(api);
  return api;
}

function viewerRoleArn(): string {
  const role = harness.resources('PlaybackIam')!.find((r) => r.type === 'AWS::IAM::Role' && r.physicalId === 'viewer')!;
  return String(role.attributes.Arn);
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json() as any };
}

describe('SigV4 and IAM', () => {
  test('a viewer granted cam-1 gets an HLS URL that serves a playlist', async () => {
    const api = await serve('PlaybackIam');
    const url = `${api.url}streams/cam-1/hls?playbackMode=LIVE&expires=600`;
    const headers = await signedGetHeaders(url, server.region, harness.roleCredentials(viewerRoleArn(), 'viewer-session'));
    const answer = await get(url, headers);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ url: expect.stringContaining('/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken='), expiresAt: expect.any(String) });
    expect(Date.parse(answer.body.expiresAt) - Date.now()).toBeGreaterThan(590_000);
    expect(await (await fetch(answer.body.url)).text()).toMatch(/^#EXTM3U/);
    // The function's own calls went through IAM against its role's policies, and none was denied.
    expect(harness.iamDecisions.denied).toBe(0);
    expect(harness.iamDecisions.evaluated).toBeGreaterThanOrEqual(2);
  });

  test('fails with 403 from IAM for a stream the viewer was not granted, before the function runs', async () => {
    const api = await serve('PlaybackIam');
    const invocations = harness.invocations.length;
    const url = `${api.url}streams/cam-2/hls`;
    const answer = await get(url, await signedGetHeaders(url, server.region, harness.roleCredentials(viewerRoleArn(), 'viewer-session')));
    expect(answer.status).toBe(403);
    expect(answer.body.message).toBe(`User: arn:aws:sts::${server.accountId}:assumed-role/viewer/viewer-session is not authorized to perform: execute-api:Invoke `
      + `on resource: arn:aws:execute-api:${server.region}:${server.accountId}:${api.apiId}/$default/GET/streams/cam-2/hls because no identity-based policy allows the execute-api:Invoke action`);
    expect(harness.invocations.length).toBe(invocations);
  });

  test('fails with 403 without a signature, with a tampered one, or with a key IAM never issued', async () => {
    const api = await serve('PlaybackIam');
    const url = `${api.url}streams/cam-1/hls`;
    expect(await get(url)).toEqual({ status: 403, body: { message: 'Forbidden' } });
    const headers = await signedGetHeaders(url, server.region, harness.roleCredentials(viewerRoleArn(), 'viewer-session'));
    expect((await get(`${url}?expires=900`, headers)).body.message)
      .toBe('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
    const stranger = await signedGetHeaders(url, server.region, { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' });
    expect(await get(url, stranger)).toEqual({ status: 403, body: { message: 'The security token included in the request is invalid.' } });
  });

  test('the function\'s validation answers come through API Gateway as they are', async () => {
    const api = await serve('PlaybackIam');
    const url = `${api.url}streams/cam-1/hls?expires=10`;
    const answer = await get(url, await signedGetHeaders(url, server.region, harness.roleCredentials(viewerRoleArn(), 'viewer-session')));
    expect(answer).toEqual({
      status: 400,
      body: { error: 'InvalidParameter', parameter: 'expires', message: 'Invalid expires "10": must be a whole number of seconds from 300 to 43200' },
    });
  });
});

describe('JWT', () => {
  test('a token whose kvs:streams claim covers the stream gets a DASH URL', async () => {
    const api = await serve('PlaybackJwt');
    const token = api.issuer(ISSUER).sign({ 'aud': 'viewer-app', 'sub': 'alice', 'kvs:streams': ['cam-1'] });
    const answer = await get(`${api.url}streams/cam-1/dash`, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(answer.body.url).toContain('/dash/v1/getDASHManifest.mpd?SessionToken=');
  });

  test('fails with 403 from the function for a stream the claim does not cover', async () => {
    const api = await serve('PlaybackJwt');
    const token = api.issuer(ISSUER).sign({ 'aud': 'viewer-app', 'kvs:streams': ['cam-1'] });
    const answer = await get(`${api.url}streams/cam-2/hls`, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe('StreamNotAuthorized');
  });

  test('fails with 401 without a token, with another audience, expired, or signed by another key', async () => {
    const api = await serve('PlaybackJwt');
    const url = `${api.url}streams/cam-1/hls`;
    const issuer = api.issuer(ISSUER);
    const unauthorized = { status: 401, body: { message: 'Unauthorized' } };
    expect(await get(url)).toEqual(unauthorized);
    expect(await get(url, { authorization: issuer.sign({ 'aud': 'other-app', 'kvs:streams': ['*'] }) })).toEqual(unauthorized);
    expect(await get(url, { authorization: issuer.sign({ 'aud': 'viewer-app', 'kvs:streams': ['*'] }, -10) })).toEqual(unauthorized);
    const [head, payload] = issuer.sign({ aud: 'viewer-app' }).split('.');
    const forged = `${head}.${payload}.${Buffer.from('forged').toString('base64url')}`;
    expect(await get(url, { authorization: forged })).toEqual(unauthorized);
    expect(api.requests.slice(-4).map((r) => r.rejected)).toEqual([
      'the token is not a JWT',
      'the token\'s aud or client_id is not an audience of the authorizer',
      'the token has expired',
      'the token\'s signature is invalid',
    ]);
  });

  test('CORS: a preflight from the allowed origin is answered by API Gateway; answers carry the origin', async () => {
    const api = await serve('PlaybackJwt');
    const url = `${api.url}streams/cam-1/hls`;
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { 'origin': 'http://viewer.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://viewer.test');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-amz-date,x-amz-security-token,x-amz-content-sha256');
    const other = await fetch(url, { method: 'OPTIONS', headers: { 'origin': 'http://elsewhere.test', 'access-control-request-method': 'GET' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const token = api.issuer(ISSUER).sign({ 'aud': 'viewer-app', 'kvs:streams': ['cam-1'] });
    const answer = await fetch(url, { headers: { origin: 'http://viewer.test', authorization: token } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://viewer.test');
  });

  test('fails with 404 on a path that is no route', async () => {
    const api = await serve('PlaybackJwt');
    expect(await get(`${api.url}streams/cam-1/mp4`)).toEqual({ status: 404, body: { message: 'Not Found' } });
  });
});
