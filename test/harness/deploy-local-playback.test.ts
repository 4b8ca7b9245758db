import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { deployLocal, sendLiveVideo } from './deploy-local';
import { signedGetHeaders } from './http-api';
import { PlaybackAuthorization, Stream, StreamPlaybackApi } from '../../src';

/** `deploy:local` serves the HTTP APIs of the app it deploys: a SigV4 request and a test JWT each get a URL back. */
test('deploy:local serves the playback APIs on loopback, for SigV4 and for a test JWT', async () => {
  const lines: string[] = [];
  const answers: Array<{ status: number; body: any }> = [];
  const ok = await deployLocal({
    write: (text) => lines.push(text),
    buildApp: (app) => {
      const stack = new Stack(app, 'Playback', { env: { account: '123456789012', region: 'us-east-1' } });
      const camera = new Stream(stack, 'Camera', { streamName: 'lobby' });
      const api = new StreamPlaybackApi(stack, 'Iam', { streams: [camera] });
      api.grantInvoke(new iam.Role(stack, 'Viewer', { roleName: 'viewer', assumedBy: new iam.AccountRootPrincipal() }));
      new StreamPlaybackApi(stack, 'Jwt', { streams: [camera], authorization: PlaybackAuthorization.jwt({ issuer: 'https://issuer.test', audience: ['app'] }) });
    },
    serve: async (apis, { harness, server }) => {
      // What `--serve` does: the cameras of the app send live video.
      expect(sendLiveVideo(server)).toEqual(['lobby']);
      const [iamApi, jwtApi] = apis[0].issuerUrls.length === 0 ? apis : [...apis].reverse();
      const role = harness.resources('Playback')!.find((r) => r.type === 'AWS::IAM::Role' && r.physicalId === 'viewer')!;
      const url = `${iamApi.url}streams/lobby/hls`;
      const headers = await signedGetHeaders(url, server.region, harness.roleCredentials(String(role.attributes.Arn), 'local'));
      for (const [target, init] of [[url, { headers }], [`${jwtApi.url}streams/lobby/hls`, {
        headers: { authorization: jwtApi.issuer('https://issuer.test').sign({ 'aud': 'app', 'kvs:streams': 'lobby' }) },
      }]] as const) {
        const response = await fetch(target, init);
        answers.push({ status: response.status, body: await response.json() });
      }
    },
  });
  expect(ok).toBe(true);
  expect(answers).toEqual([
    { status: 200, body: { url: expect.stringContaining('/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken='), expiresAt: expect.any(String) } },
    { status: 200, body: { url: expect.stringContaining('/hls/v1/getHLSMasterPlaylist.m3u8?SessionToken='), expiresAt: expect.any(String) } },
  ]);
  expect(lines.filter((l) => l.startsWith('HTTP API '))).toEqual([
    expect.stringMatching(/^HTTP API Iam[0-9A-F]{8} of Playback: http:\/\/127\.0\.0\.1:\d+\/ \(SigV4 with the credentials of a role of the stack \(DeployHarness\.roleCredentials\), IAM-evaluated\)$/),
    expect.stringMatching(/^HTTP API Jwt[0-9A-F]{8} of Playback: http:\/\/127\.0\.0\.1:\d+\/ \(JWT from the test issuer of https:\/\/issuer\.test\)$/),
  ]);
}, 120_000);
