import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { captureConsole, events, Harness, runProvider, STACK_ID } from './support/harness';
import { ResourceType } from '../../src/private/custom-resource-contract';

/** The shipped artifact: built by the project's bundle script, loaded as Lambda loads it, run against the test server. */
let dir: string;
let bundle: typeof import('../../lambda');
let h: Harness;
let restoreEnvironment: () => void;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvs-handler-bundle-'));
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'bundle-handlers.mjs'), join(dir, 'out')], { cwd: join(__dirname, '..', '..') });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  bundle = require(join(dir, 'out', 'index.js'));
  h = await Harness.start();
  restoreEnvironment = h.useEnvironment();
});
afterAll(async () => {
  restoreEnvironment();
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('exports the two handler entry points from one self-contained file', () => {
  expect(typeof bundle.onEvent).toBe('function');
  expect(typeof bundle.isComplete).toBe('function');
  // Only the two SDK clients are bundled: a third client or a heavy dependency would show here.
  expect(statSync(join(dir, 'out', 'index.js')).size).toBeLessThan(700_000);
});

test('runs a stream configuration and the retention guard, the latter asking CloudFormation', async () => {
  const arn = await h.createStream('bundled', 48);
  h.server.setStackStatus(STACK_ID, 'UPDATE_ROLLBACK_IN_PROGRESS');
  h.reset();
  const console_ = captureConsole();

  const configured = await runProvider(events.create(ResourceType.STREAM_CONFIGURATION, {
    StreamArn: arn, NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: 'arn:aws:sns:us-east-1:123456789012:t' } },
  }), bundle);
  const guarded = await runProvider(events.create(ResourceType.RETENTION_GUARD, {
    Streams: [{ StreamName: 'bundled', DataRetentionInHours: '1' }],
  }), bundle);

  expect(configured.result).toEqual({ IsComplete: true, Data: { StreamArn: arn, StreamName: 'bundled' } });
  expect(guarded.result).toEqual({ IsComplete: true, Data: {} });
  expect(h.calls()).toEqual([
    'DescribeStream', 'UpdateNotificationConfiguration', 'DescribeNotificationConfiguration',
    'DescribeStacks', 'DescribeStream', 'DescribeStacks',
  ]);
  console_.restore();
  expect(console_.messages).toEqual(['Letting the rollback restore the previous data retention (stack is UPDATE_ROLLBACK_IN_PROGRESS)']);
});
