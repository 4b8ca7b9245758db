import { spawn } from 'child_process';
import * as fs from 'fs';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  KinesisVideoClient,
  ListStreamsCommand,
  ResourceNotFoundException,
  TagStreamCommand,
  UpdateNotificationConfigurationCommand,
} from '@aws-sdk/client-kinesis-video';
import { KvsTestServer } from './index';
import { ServiceModel } from './model';
import { OPERATIONS } from './operations';
import { activeStream, EPOCH, Harness, rawRequest, rejection, startHarness } from './testing';

/**
 * A client process: opens argv[2]'s connections at once, each sending one DescribeStream without a stream name, and
 * prints "connecting", then the answers' statuses and any errors as JSON.
 */
const THOUSAND_CLIENTS = `
const net = require('net');
const { hostname, port } = new URL(process.argv[1]);
const count = Number(process.argv[2]);
const statuses = new Set(); const errors = []; let answered = 0;
process.stdout.write('connecting\\n');
for (let i = 0; i < count; i++) {
  const socket = net.connect(Number(port), hostname);
  let reply = '';
  socket.on('data', (chunk) => { reply += chunk; });
  socket.on('error', (e) => errors.push(e.code));
  socket.on('close', () => {
    if (reply !== '') { answered++; statuses.add(reply.split(' ')[1]); }
    if (answered + errors.length === count) process.stdout.write(JSON.stringify({ answered, statuses: [...statuses], errors }) + '\\n');
  });
  socket.end('POST /describeStream HTTP/1.1\\r\\nHost: ' + hostname + '\\r\\nContent-Type: application/json\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\n{}');
}`;

/** The connections Linux has dropped because a listen queue was full, in this network namespace. */
function listenOverflows(): number {
  const [names, values] = fs.readFileSync('/proc/net/netstat', 'utf-8').split('\n').filter((line) => line.startsWith('TcpExt:')).map((line) => line.split(' '));
  return Number(values[names.indexOf('ListenOverflows')]);
}

const ARN = /^arn:aws:kinesisvideo:us-east-1:123456789012:stream\/raw\/\d{13}$/;

describe('wire protocol', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.server.stop());

  test('listens on 127.0.0.1 on an ephemeral port', () => {
    expect(h.server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.server.endpoint).not.toBe('http://127.0.0.1:0');
    expect([h.server.region, h.server.accountId]).toEqual(['us-east-1', '123456789012']);
  });

  test('answers POST /<action> with the documented JSON body', async () => {
    const res = await rawRequest(h.server.endpoint, 'POST', '/createStream', '{"StreamName":"raw"}');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ StreamARN: `arn:aws:kinesisvideo:us-east-1:123456789012:stream/raw/${EPOCH}` });
    expect(JSON.parse(res.body).StreamARN).toMatch(ARN);
  });

  test('answers calls without output with an empty body', async () => {
    const arn = await activeStream(h, { StreamName: 'raw' });
    const res = await rawRequest(h.server.endpoint, 'POST', '/deleteStream', JSON.stringify({ StreamARN: arn }));
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
  });

  test('fails with the error name in x-amzn-ErrorType and in the body, with a message', async () => {
    const res = await rawRequest(h.server.endpoint, 'POST', '/describeStream', '{"StreamName":"missing"}');
    expect(res.status).toBe(404);
    expect(res.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(res.body)).toEqual({ __type: 'ResourceNotFoundException', message: 'The requested stream is not found or not active.' });
  });

  test('the SDK surfaces errors as its own exception classes', async () => {
    const err = await rejection(h.kvs.send(new DescribeStreamCommand({ StreamName: 'missing' })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('The requested stream is not found or not active.');
    expect(err.$metadata?.httpStatusCode).toBe(404);
  });

  test('fails unknown operations with UnknownOperationException (HTTP 404)', async () => {
    for (const [method, path] of [['POST', '/frobnicateStream'], ['GET', '/describeStream'], ['POST', '/DescribeStream']]) {
      const res = await rawRequest(h.server.endpoint, method, path, method === 'GET' ? '' : '{}');
      expect(res.status).toBe(404);
      expect(res.headers['x-amzn-errortype']).toBe('UnknownOperationException');
      expect(JSON.parse(res.body)).toEqual({ __type: 'UnknownOperationException', message: `The operation ${method} ${path} is not recognized.` });
    }
    expect(h.server.requests().map((r) => r.action)).toEqual(['POST /frobnicateStream', 'GET /describeStream', 'POST /DescribeStream']);
  });

  test('fails bodies that are not JSON objects with SerializationException', async () => {
    for (const body of ['{"StreamName":', '[1]', 'null']) {
      const res = await rawRequest(h.server.endpoint, 'POST', '/describeStream', body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ __type: 'SerializationException', message: 'The request body is not a JSON object.' });
    }
  });

  test('treats an empty body as an empty request', async () => {
    const res = await rawRequest(h.server.endpoint, 'POST', '/listStreams', '');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ StreamInfoList: [] });
  });

  test('is reachable through AWS_ENDPOINT_URL_KINESIS_VIDEO with an unchanged client', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_KINESIS_VIDEO;
    process.env.AWS_ENDPOINT_URL_KINESIS_VIDEO = h.server.endpoint;
    const client = new KinesisVideoClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } });
    try {
      await client.send(new CreateStreamCommand({ StreamName: 'via-env' }));
      expect(h.server.state().streams.map((s) => s.name)).toEqual(['via-env']);
    } finally {
      client.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_KINESIS_VIDEO;
      else process.env.AWS_ENDPOINT_URL_KINESIS_VIDEO = saved;
    }
  });

  test('client() makes one attempt unless overridden', async () => {
    h.server.injectFault('ListStreams', { kind: 'http', status: 503 });
    const err = await rejection(h.kvs.send(new ListStreamsCommand({})));
    expect(err.$metadata).toMatchObject({ httpStatusCode: 503, attempts: 1 });

    h.server.injectFault('ListStreams', { kind: 'http', status: 503 });
    const retrying = h.server.client({ maxAttempts: 2 });
    const out = await retrying.send(new ListStreamsCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(h.server.requests({ action: 'ListStreams' }).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  test('takes a thousand connections that arrive while it is busy, none of them dropped', async () => {
    // A fleet's clients connect at once while the server's thread is busy. Past the listen backlog, Linux drops the
    // SYNs and counts them in ListenOverflows (this network namespace's, /proc/net/netstat); TCP retries them seconds later.
    const connections = 1_000;
    const before = listenOverflows();
    const client = spawn(process.execPath, ['-e', THOUSAND_CLIENTS, h.server.endpoint, String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    client.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf-8');
      // The client connects as soon as it says so; this thread stays busy meanwhile, as a server under load is.
      if (output === 'connecting\n') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_500);
    });
    const code = await new Promise((resolve) => client.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(output.split('\n')[1])).toEqual({ answered: connections, statuses: ['400'], errors: [] });
    expect(listenOverflows() - before).toBe(0);
  });

  test('handles every operation of the model and supplement', () => {
    const model = ServiceModel.load();
    expect(Object.keys(OPERATIONS).sort()).toEqual([...model.operations.keys()].sort());
    expect(model.operations.size).toBe(32);
  });
});

describe('request log', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.server.stop());

  test('records action, body, status, error type and arrival time, in order', async () => {
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'logged', DataRetentionInHours: 2 }));
    h.clock.advance(5);
    await rejection(h.kvs.send(new TagStreamCommand({ StreamName: 'missing', Tags: { a: 'b' } })));
    expect(h.server.requests()).toEqual([
      { action: 'CreateStream', body: { StreamName: 'logged', DataRetentionInHours: 2 }, status: 200, at: EPOCH },
      { action: 'TagStream', body: { StreamName: 'missing', Tags: { a: 'b' } }, status: 404, errorType: 'ResourceNotFoundException', at: EPOCH + 5 },
    ]);
  });

  test('filters by action, returns copies and can be cleared', async () => {
    await h.kvs.send(new ListStreamsCommand({}));
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'one' }));
    const listed = h.server.requests({ action: 'CreateStream' });
    expect(listed.map((r) => r.body)).toEqual([{ StreamName: 'one' }]);
    listed[0].body.StreamName = 'changed';
    expect(h.server.requests({ action: 'CreateStream' })[0].body).toEqual({ StreamName: 'one' });
    h.server.clearRequests();
    expect(h.server.requests()).toEqual([]);
  });
});

describe('state()', () => {
  test('returns deep copies with every stream and channel setting', async () => {
    const h = await startHarness();
    try {
      const arn = await activeStream(h, { StreamName: 'observed', DataRetentionInHours: 24, Tags: { team: 'video' } });
      await h.kvs.send(new UpdateNotificationConfigurationCommand({
        StreamARN: arn,
        NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: 'arn:aws:sns:us-east-1:123456789012:topic' } },
      }));
      const state = h.server.state();
      expect(state).toEqual({
        streams: [{
          name: 'observed',
          arn,
          status: 'ACTIVE',
          version: expect.stringMatching(/^[a-z0-9]{20}$/),
          creationTime: EPOCH,
          dataRetentionInHours: 24,
          kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/kinesisvideo',
          streamStorageConfiguration: { DefaultStorageTier: 'HOT' },
          tags: { team: 'video' },
          notificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: 'arn:aws:sns:us-east-1:123456789012:topic' } },
        }],
        channels: [],
      });
      state.streams[0].tags.team = 'changed';
      expect(h.server.state().streams[0].tags).toEqual({ team: 'video' });
    } finally {
      await h.server.stop();
    }
  });
});

describe('stop()', () => {
  test('closes the port, and a second stop is harmless', async () => {
    const server = await KvsTestServer.start();
    await server.stop();
    await server.stop();
    await expect(rawRequest(server.endpoint, 'POST', '/listStreams', '{}')).rejects.toThrow(/ECONNREFUSED/);
  });

  test('cuts a delayed response short and leaves no timer behind', async () => {
    const server = await KvsTestServer.start();
    server.injectFault('ListStreams', { kind: 'delay', ms: 60_000 });
    const pending = rejection(server.client().send(new ListStreamsCommand({})));
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the request reach the server and start its delay
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await pending).name).toMatch(/socket hang up|ECONNRESET|Error/);
  });
});
