import {
  ClientLimitExceededException,
  CreateStreamCommand,
  DescribeStreamCommand,
  UpdateNotificationConfigurationCommand,
  UpdateStreamCommand,
} from '@aws-sdk/client-kinesis-video';
import { tpsLimitFor } from './index';
import { activeStream, Harness, rejection, startHarness } from './testing';

const THROTTLED = 'Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls. Try making the call later.';

let h: Harness;
afterEach(() => h?.server.stop());

/** Sends the same command `n` times in the same clock millisecond; returns the error names ('ok' for success). */
async function burst(n: number, command: () => any): Promise<string[]> {
  const outcomes = [];
  for (let i = 0; i < n; i++) outcomes.push(await h.kvs.send(command()).then(() => 'ok', (e: Error) => e.name));
  return outcomes;
}
const times = (n: number, value: string) => Array<string>(n).fill(value);

test('the documented table, with 50/5 TPS for unlisted updates and no limit elsewhere', () => {
  expect(tpsLimitFor('DescribeStream')).toEqual({ account: 300, resource: 5 });
  expect(tpsLimitFor('DeleteEdgeConfiguration')).toEqual({ account: 10, resource: 1 });
  expect(tpsLimitFor('CreateStream')).toEqual({ account: 50 });
  expect(tpsLimitFor('UpdateStream')).toEqual({ account: 50, resource: 5 });
  expect(tpsLimitFor('StartEdgeConfigurationUpdate')).toEqual({ account: 50, resource: 5 });
  expect(tpsLimitFor('ListStreams')).toBeUndefined();
});

test('limits are off by default', async () => {
  h = await startHarness();
  await activeStream(h, { StreamName: 'cam' });
  expect(await burst(20, () => new DescribeStreamCommand({ StreamName: 'cam' }))).toEqual(times(20, 'ok'));
});

describe('with the documented limits', () => {
  beforeEach(async () => {
    h = await startHarness({ rateLimits: true });
  });

  test('fails calls beyond the per-stream TPS with ClientLimitExceededException (HTTP 400), whether named by name or ARN', async () => {
    const arn = await activeStream(h, { StreamName: 'cam' });
    await activeStream(h, { StreamName: 'other' });
    const byName = await burst(3, () => new DescribeStreamCommand({ StreamName: 'cam' }));
    const byArn = await burst(3, () => new DescribeStreamCommand({ StreamARN: arn }));
    expect([...byName, ...byArn]).toEqual([...times(5, 'ok'), 'ClientLimitExceededException']);
    expect(await burst(5, () => new DescribeStreamCommand({ StreamName: 'other' }))).toEqual(times(5, 'ok'));
    const err = await rejection(h.kvs.send(new DescribeStreamCommand({ StreamName: 'cam' })));
    expect(err).toBeInstanceOf(ClientLimitExceededException);
    expect(err.message).toBe(THROTTLED);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    h.clock.advance(200);
    expect(await burst(2, () => new DescribeStreamCommand({ StreamName: 'cam' }))).toEqual(['ok', 'ClientLimitExceededException']);
  });

  test('fails calls beyond the per-account TPS', async () => {
    let i = 0;
    expect(await burst(51, () => new CreateStreamCommand({ StreamName: `s${i++}` }))).toEqual([...times(50, 'ok'), 'ClientLimitExceededException']);
    expect(h.server.state().streams).toHaveLength(50);
  });

  test('apply 5 TPS per stream to unlisted Update* calls, and a throttled call changes nothing', async () => {
    await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 1 });
    const config = (n: number) => ({ Status: 'ENABLED' as const, DestinationConfig: { Uri: `arn:aws:sns:us-east-1:123456789012:t${n}` } });
    let n = 0;
    expect(await burst(6, () => new UpdateNotificationConfigurationCommand({ StreamName: 'cam', NotificationConfiguration: config(n++) })))
      .toEqual([...times(5, 'ok'), 'ClientLimitExceededException']);
    expect(h.server.state().streams[0].notificationConfiguration).toEqual(config(4));
  });

  test('the SDK does not retry ClientLimitExceededException, even with attempts to spare', async () => {
    await activeStream(h, { StreamName: 'cam' });
    const patient = h.server.client({ maxAttempts: 3 });
    for (let i = 0; i < 5; i++) await patient.send(new DescribeStreamCommand({ StreamName: 'cam' }));
    const err = await rejection(patient.send(new DescribeStreamCommand({ StreamName: 'cam' })));
    expect(err).toBeInstanceOf(ClientLimitExceededException);
    expect(err.$metadata?.attempts).toBe(1);
    expect(h.server.requests().filter((r) => r.status !== 200).map((r) => r.errorType)).toEqual(['ClientLimitExceededException']);
  });

  test('can be scaled, turned off and back on', async () => {
    const { version } = await activeStream(h, { StreamName: 'cam' }).then(() => h.server.state().streams[0]);
    h.server.setRateLimits({ scale: 0.2 });
    expect(await burst(2, () => new DescribeStreamCommand({ StreamName: 'cam' }))).toEqual(['ok', 'ClientLimitExceededException']);
    h.server.setRateLimits(false);
    expect(await burst(10, () => new DescribeStreamCommand({ StreamName: 'cam' }))).toEqual(times(10, 'ok'));
    h.server.setRateLimits(true);
    expect(await burst(6, () => new UpdateStreamCommand({ StreamName: 'cam', CurrentVersion: 'stale' })))
      .toEqual([...times(5, 'VersionMismatchException'), 'ClientLimitExceededException']);
    expect(h.server.state().streams[0].version).toBe(version);
    expect(() => h.server.setRateLimits({ scale: -1 })).toThrow('Rate-limit scale must be a non-negative number; received -1');
  });
});
