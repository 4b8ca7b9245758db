import {
  AccountStreamLimitExceededException,
  ClientLimitExceededException,
  CreateStreamCommand,
  DescribeStreamCommand,
  KinesisVideoServiceException,
  ListStreamsCommand,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis-video';
import { KvsTestServer } from './index';
import { Harness, rejection, startHarness } from './testing';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.server.stop());

const create = (StreamName = 'cam') => h.kvs.send(new CreateStreamCommand({ StreamName }));
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.name);

describe('fault kinds', () => {
  test('error: any documented error with its documented status, and the call changes nothing', async () => {
    h.server.injectFault('CreateStream', { kind: 'error', errorType: 'AccountStreamLimitExceededException' });
    const err = await rejection(create());
    expect(err).toBeInstanceOf(AccountStreamLimitExceededException);
    expect(err.message).toBe('Injected fault: AccountStreamLimitExceededException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(h.server.state().streams).toEqual([]);
    expect(h.server.requests()).toEqual([
      { action: 'CreateStream', body: { StreamName: 'cam' }, status: 400, errorType: 'AccountStreamLimitExceededException', at: h.clock.now, fault: 'error' },
    ]);
  });

  test('error: with a chosen message and status', async () => {
    h.server.injectFault('CreateStream', { kind: 'error', errorType: 'ResourceInUseException', message: 'busy', status: 409 });
    const err = await rejection(create());
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect([err.message, err.$metadata?.httpStatusCode]).toEqual(['busy', 409]);
  });

  test('throttle: ClientLimitExceededException with HTTP 400', async () => {
    h.server.injectFault('CreateStream', { kind: 'throttle' });
    const err = await rejection(create());
    expect(err).toBeInstanceOf(ClientLimitExceededException);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(h.server.state().streams).toEqual([]);
  });

  test('http: a bare 500 or 503 that the SDK retries when it may', async () => {
    h.server.injectFault('CreateStream', { kind: 'http', status: 500 });
    const err = await rejection(create());
    expect(err).toBeInstanceOf(KinesisVideoServiceException);
    expect(err.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 1 });
    expect(h.server.state().streams).toEqual([]);
    h.server.injectFault('CreateStream', { kind: 'http', status: 503 });
    const out = await h.server.client({ maxAttempts: 2 }).send(new CreateStreamCommand({ StreamName: 'cam' }));
    expect(out.$metadata.attempts).toBe(2);
    expect(h.server.requests().map((r) => [r.status, r.fault])).toEqual([[500, 'http'], [503, 'http'], [200, undefined]]);
  });

  test('drop: the connection closes without a response, and the call changes nothing', async () => {
    h.server.injectFault('CreateStream', { kind: 'drop' });
    const err = await rejection(create());
    expect(err).not.toBeInstanceOf(KinesisVideoServiceException);
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
    expect(h.server.state().streams).toEqual([]);
    expect(h.server.requests()).toEqual([{ action: 'CreateStream', body: { StreamName: 'cam' }, status: 0, at: h.clock.now, fault: 'drop' }]);
  });

  test('delay: answers late, then handles the call normally', async () => {
    const server = await KvsTestServer.start();
    try {
      server.injectFault('CreateStream', { kind: 'delay', ms: 150 });
      const started = Date.now();
      await server.client().send(new CreateStreamCommand({ StreamName: 'late' }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(server.state().streams.map((s) => s.name)).toEqual(['late']);
      expect(server.requests().map((r) => [r.status, r.fault])).toEqual([[200, 'delay']]);
    } finally {
      await server.stop();
    }
  });
});

describe('when faults apply', () => {
  test('the next call by default, or the next N calls', async () => {
    h.server.injectFault('ListStreams', { kind: 'throttle' });
    h.server.injectFault('CreateStream', { kind: 'throttle' }, { times: 2 });
    const outcomes = [];
    for (let i = 0; i < 2; i++) outcomes.push(await outcome(h.kvs.send(new ListStreamsCommand({}))));
    for (let i = 0; i < 3; i++) outcomes.push(await outcome(create(`s${i}`)));
    expect(outcomes).toEqual(['ClientLimitExceededException', 'ok', 'ClientLimitExceededException', 'ClientLimitExceededException', 'ok']);
  });

  test('with a probability, repeatably for a seed', async () => {
    const run = async (seed: number) => {
      const server = await KvsTestServer.start({ seed });
      try {
        server.injectFault('ListStreams', { kind: 'error', errorType: 'InternalFailure' }, { probability: 0.5 });
        const kvs = server.client();
        const outcomes = [];
        for (let i = 0; i < 24; i++) outcomes.push(await outcome(kvs.send(new ListStreamsCommand({}))));
        return outcomes;
      } finally {
        await server.stop();
      }
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
    const failures = first.filter((o) => o === 'InternalFailure').length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(20);
  });

  test('a probabilistic fault with times stops after that many faulted calls', async () => {
    h.server.injectFault('ListStreams', { kind: 'throttle' }, { probability: 0.9, times: 2 });
    const outcomes = [];
    for (let i = 0; i < 12; i++) outcomes.push(await outcome(h.kvs.send(new ListStreamsCommand({}))));
    expect(outcomes.filter((o) => o !== 'ok')).toEqual(['ClientLimitExceededException', 'ClientLimitExceededException']);
  });

  test('"*" matches every action; rules apply in the order added; clearFaults removes them', async () => {
    h.server.injectFault('DescribeStream', { kind: 'error', errorType: 'NotAuthorizedException' });
    h.server.injectFault('*', { kind: 'throttle' }, { times: 2 });
    expect(await outcome(h.kvs.send(new DescribeStreamCommand({ StreamName: 'x' })))).toBe('NotAuthorizedException');
    expect(await outcome(h.kvs.send(new DescribeStreamCommand({ StreamName: 'x' })))).toBe('ClientLimitExceededException');
    expect(await outcome(create())).toBe('ClientLimitExceededException');
    h.server.injectFault('*', { kind: 'throttle' });
    h.server.clearFaults();
    expect(await outcome(create())).toBe('ok');
  });

  test('fails unknown actions, undocumented errors without a status, and bad options', () => {
    expect(() => h.server.injectFault('CreateStreams', { kind: 'throttle' }))
      .toThrow("Unknown action 'CreateStreams'; expected a KVS or archived-media operation name, 'DescribeStacks' or '*'");
    expect(() => h.server.injectFault('CreateStream', { kind: 'error', errorType: 'TeapotException' }))
      .toThrow("Error fault 'TeapotException' is not a documented error; give its HTTP status");
    expect(() => h.server.injectFault('CreateStream', { kind: 'throttle' }, { probability: 0 })).toThrow('Fault probability must be in (0, 1]; received 0');
    expect(() => h.server.injectFault('CreateStream', { kind: 'throttle' }, { times: 0 })).toThrow('Fault times must be at least 1; received 0');
    expect(() => h.server.injectFault('CreateStream', { kind: 'delay', ms: -5 })).toThrow('Delay fault ms must be non-negative; received -5');
    h.server.injectFault('CreateStream', { kind: 'error', errorType: 'TeapotException', status: 418 });
  });
});
