import { App, Stack } from 'aws-cdk-lib';
import * as kv from 'aws-cdk-lib/aws-kinesisvideo';
import { deployLocal, renderServerState, table } from './deploy-local';
import { fixtureProvider, fixtureResource } from './fixtures/apps';

describe('report', () => {
  test('tables pad every column to its widest cell', () => {
    expect(table(['A', 'Long header'], [['wide cell', 'x'], ['y', '']])).toBe([
      'A          Long header',
      '---------  -----------',
      'wide cell  x',
      'y',
    ].join('\n'));
  });

  test('renders streams and channels with their configurations', () => {
    expect(renderServerState({
      streams: [{
        name: 'cam',
        arn: 'arn:stream',
        status: 'ACTIVE',
        version: 'v',
        creationTime: 0,
        dataRetentionInHours: 24,
        mediaType: 'video/h264',
        kmsKeyId: 'k',
        streamStorageConfiguration: { DefaultStorageTier: 'HOT' },
        tags: { site: 's1' },
        notificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: 'arn:topic' } },
      }],
      channels: [{
        name: 'bell',
        arn: 'arn:channel',
        status: 'ACTIVE',
        version: 'v',
        creationTime: 0,
        channelType: 'SINGLE_MASTER',
        singleMasterConfiguration: { MessageTtlSeconds: 60 },
        tags: {},
        mediaStorageConfiguration: { Status: 'ENABLED', StreamARN: 'arn:stream' },
      }],
    })).toBe([
      'KVS stream  Status  Retention (h)  Media type  Tier  Notifications         Image generation  Edge  Tags',
      '----------  ------  -------------  ----------  ----  --------------------  ----------------  ----  -------',
      'cam         ACTIVE  24             video/h264  HOT   ENABLED -> arn:topic  -                 -     site=s1',
      '',
      'KVS signaling channel  Status  Type           Message TTL (s)  Media storage          Tags',
      '---------------------  ------  -------------  ---------------  ---------------------  ----',
      'bell                   ACTIVE  SINGLE_MASTER  60               ENABLED -> arn:stream  -',
    ].join('\n'));
  });
});

describe('deployLocal', () => {
  const build = (failing: boolean) => (app: App) => {
    const stack = new Stack(app, 'Local');
    const cam = new kv.CfnStream(stack, 'Cam', { name: 'cam-1', dataRetentionInHours: 24 });
    fixtureResource(stack, 'Check', fixtureProvider(stack), { Stream: cam.ref, ...(failing ? { FailOn: 'Create', FailMessage: 'nope' } : {}) });
  };

  test('deploys, reports resources and service state, then destroys', async () => {
    const lines: string[] = [];
    const ok = await deployLocal({ buildApp: build(false), destroy: true, write: (text) => lines.push(text) });
    expect(ok).toBe(true);
    const [deployed, destroyed] = lines;
    expect(deployed).toMatch(/^Stack Local: CREATE CREATE_COMPLETE in \d+\.\d s \(\d+ events, 2 Lambda invocations\)\n/);
    expect(deployed).toMatch(/\nCam +AWS::KinesisVideo::Stream +cam-1 +CREATE_COMPLETE\n/);
    expect(deployed).toMatch(/\nCheck +Custom::Fixture +[0-9a-f-]{36} +CREATE_COMPLETE\n/);
    expect(deployed).toMatch(/\ncam-1 +ACTIVE +24 +- +HOT +- +- +- +-\n/);
    expect(destroyed).toMatch(/^Stack Local: DELETE DELETE_COMPLETE in /);
    expect(destroyed).toContain('KVS streams: none');
    // The fixture handler calls no AWS API: nothing to evaluate, nothing denied.
    expect(lines.at(-1)).toBe('IAM: 0 calls of the handlers evaluated against their role\'s policies at the time of the call, 0 denied');
  });

  test('fails: reports the failure and returns false', async () => {
    const lines: string[] = [];
    expect(await deployLocal({ buildApp: build(true), write: (text) => lines.push(text) })).toBe(false);
    expect(lines[0]).toMatch(/^Stack Local: CREATE ROLLBACK_COMPLETE /);
    expect(lines[0]).toMatch(/\nFailures:\n {2}Check CREATE_FAILED: Received response status \[FAILED\] from custom resource\. Message returned: nope \(RequestId: [0-9a-f-]{36}\)\n/);
  });
});
