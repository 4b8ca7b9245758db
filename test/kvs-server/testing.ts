import * as http from 'http';
import {
  CreateSignalingChannelCommand,
  CreateSignalingChannelCommandInput,
  CreateStreamCommand,
  CreateStreamCommandInput,
  KinesisVideoClient,
} from '@aws-sdk/client-kinesis-video';
import { KvsTestServer, KvsTestServerOptions } from './index';

/** 2026-01-01T00:00:00Z: a 13-digit epoch-ms start for a manual clock. */
export const EPOCH = 1_767_225_600_000;

/** A clock the test moves by hand, so transitions happen exactly when the test says. */
export class ManualClock {
  public now = EPOCH;
  public readonly read = () => this.now;

  public advance(ms: number) {
    this.now += ms;
  }
}

export interface Harness {
  server: KvsTestServer;
  kvs: KinesisVideoClient;
  clock: ManualClock;
}

/** Starts a server on a manual clock, with a client for it. */
export async function startHarness(options: KvsTestServerOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const server = await KvsTestServer.start({ clock: clock.read, ...options });
  return { server, kvs: server.client(), clock };
}

/** Creates a stream and lets CREATING finish; returns its ARN. */
export async function activeStream(h: Harness, input: CreateStreamCommandInput): Promise<string> {
  const { StreamARN } = await h.kvs.send(new CreateStreamCommand(input));
  h.clock.advance(1_000);
  return StreamARN!;
}

/** Creates a signaling channel and lets CREATING finish; returns its ARN. */
export async function activeChannel(h: Harness, input: CreateSignalingChannelCommandInput): Promise<string> {
  const { ChannelARN } = await h.kvs.send(new CreateSignalingChannelCommand(input));
  h.clock.advance(1_000);
  return ChannelARN!;
}

/** The error a promise rejects with, for asserting its class, name, message and status together. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request without keep-alive, for asserting the wire format the SDK hides. */
export function rawRequest(endpoint: string, method: string, path: string, body = '', headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${endpoint}${path}`, { method, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
