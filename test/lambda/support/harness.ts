import { randomUUID } from 'crypto';
import {
  CreateSignalingChannelCommand,
  CreateStreamCommand,
  DeleteSignalingChannelCommand,
  DeleteStreamCommand,
  KinesisVideoClient,
  UpdateDataRetentionCommand,
  UpdateSignalingChannelCommand,
} from '@aws-sdk/client-kinesis-video';
import { SDK_MAX_ATTEMPTS } from '../../../lambda/budgets';
import { TIME_SCALE_ENV } from '../../../lambda/clock';
import { handlerFor } from '../../../lambda/dispatch';
import { HandlerContext } from '../../../lambda/handler';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, RawProperties } from '../../../lambda/types';
import { ChannelState, DEFAULT_TRANSITIONS, KvsTestServer, KvsTestServerOptions, RequestLogEntry, StreamState } from '../../kvs-server';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/kvs-handler-test/5b3c6f10-0000-4000-8000-000000000001';
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:provider-framework-onEvent';

/**
 * One time line for the test server and the handlers: the server's transitions and the handlers' sleeps both run on
 * it, so every poll is deterministic. A handler's sleep advances it; so does `advance()`.
 */
export class ManualTime {
  public readonly sleeps: number[] = [];
  private current = Date.UTC(2026, 0, 1);

  /** Whole milliseconds, like `Date.now()` (jittered sleeps are fractional; the server builds ARNs from this). */
  public readonly now = (): number => Math.floor(this.current);

  public advance(ms: number): void {
    this.current += ms;
  }
}

/** A started server on a {@link ManualTime}, with everything a test of the handlers needs. */
export class Harness {
  public static async start(options: KvsTestServerOptions = {}): Promise<Harness> {
    const time = new ManualTime();
    return new Harness(await KvsTestServer.start({ clock: time.now, ...options }), time);
  }

  /** For setting up fixtures: no retries. */
  public readonly kvs: KinesisVideoClient;
  /** What the handlers logged through {@link context}. */
  public readonly logs: string[] = [];

  private constructor(public readonly server: KvsTestServer, public readonly time: ManualTime) {
    this.kvs = server.client();
  }

  /**
   * A handler context on the server: real SDK clients with the entry points' `maxAttempts`, the manual time line
   * (a sleep advances it), jitter fixed at its midpoint, and logs collected in {@link logs}. `onSleep` runs after
   * each sleep, for tests that change the service while the handler waits.
   */
  public context(onSleep?: (ms: number) => void): HandlerContext {
    return {
      kinesisVideo: this.server.client({ maxAttempts: SDK_MAX_ATTEMPTS }),
      cloudFormation: this.server.cloudFormationClient({ maxAttempts: SDK_MAX_ATTEMPTS }),
      clock: {
        now: this.time.now,
        sleep: async (ms) => {
          this.time.sleeps.push(ms);
          this.time.advance(ms);
          onSleep?.(ms);
        },
      },
      random: () => 0.5,
      log: (message) => this.logs.push(message),
    };
  }

  /** Points the real entry points (`lambda/index.ts`) at the server; returns the function that restores the environment. */
  public useEnvironment(): () => void {
    const vars: Record<string, string> = {
      AWS_ENDPOINT_URL_KINESIS_VIDEO: this.server.endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.server.endpoint,
      AWS_REGION: this.server.region,
      AWS_ACCESS_KEY_ID: 'AKIAKVSHANDLERTEST00',
      AWS_SECRET_ACCESS_KEY: 'kvs-handler-test-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      [TIME_SCALE_ENV]: '0.01',
    };
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    return () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
  }

  /** Creates an ACTIVE stream and returns its ARN. */
  public async createStream(name: string, dataRetentionInHours = 24): Promise<string> {
    const { StreamARN } = await this.kvs.send(new CreateStreamCommand({ StreamName: name, DataRetentionInHours: dataRetentionInHours }));
    this.time.advance(DEFAULT_TRANSITIONS.streamCreate);
    return StreamARN!;
  }

  /** Creates an ACTIVE signaling channel and returns its ARN. */
  public async createChannel(name: string): Promise<string> {
    const { ChannelARN } = await this.kvs.send(new CreateSignalingChannelCommand({ ChannelName: name }));
    this.time.advance(DEFAULT_TRANSITIONS.channelCreate);
    return ChannelARN!;
  }

  /** Starts an UpdateDataRetention (+1 hour), which keeps the stream UPDATING for the server's `streamUpdate` time. */
  public async startStreamUpdate(arn: string): Promise<void> {
    await this.kvs.send(new UpdateDataRetentionCommand({
      StreamARN: arn, CurrentVersion: this.stream(arn).version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1,
    }));
  }

  /** Starts an UpdateSignalingChannel, which keeps the channel UPDATING for the server's `channelUpdate` time. */
  public async startChannelUpdate(arn: string): Promise<void> {
    await this.kvs.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: this.channel(arn).version, SingleMasterConfiguration: { MessageTtlSeconds: 30 },
    }));
  }

  /** Deletes a signaling channel and lets the deletion finish. */
  public async deleteChannel(arn: string): Promise<void> {
    await this.kvs.send(new DeleteSignalingChannelCommand({ ChannelARN: arn, CurrentVersion: this.channel(arn).version }));
    this.time.advance(DEFAULT_TRANSITIONS.channelDelete);
  }

  /** Deletes a stream and lets the deletion finish. */
  public async deleteStream(arn: string): Promise<void> {
    await this.kvs.send(new DeleteStreamCommand({ StreamARN: arn, CurrentVersion: this.stream(arn).version }));
    this.time.advance(DEFAULT_TRANSITIONS.streamDelete);
  }

  /** The server's view of a stream (no request made). */
  public stream(arn: string): StreamState {
    const found = this.server.state().streams.find((s) => s.arn === arn);
    if (!found) throw new Error(`no stream ${arn} on the test server`);
    return found;
  }

  /** The server's view of a signaling channel (no request made). */
  public channel(arn: string): ChannelState {
    const found = this.server.state().channels.find((c) => c.arn === arn);
    if (!found) throw new Error(`no channel ${arn} on the test server`);
    return found;
  }

  /** The handlers' calls since the last `clearRequests()`, as `Action` or `Action:ErrorType`. */
  public calls(): string[] {
    return this.server.requests().map(label);
  }

  public reset(): void {
    this.server.clearRequests();
    this.server.clearFaults();
    this.server.setAuthorizer(undefined);
    this.time.sleeps.length = 0;
    this.logs.length = 0;
  }

  public stop(): Promise<void> {
    return this.server.stop();
  }
}

/** `Action`, `Action:ErrorType` for an error answer, `Action:dropped` for a dropped connection, `Action:500` for a bare 5xx. */
export function label(entry: RequestLogEntry): string {
  if (entry.status === 0) return `${entry.action}:dropped`;
  if (entry.errorType) return `${entry.action}:${entry.errorType}`;
  return entry.status === 200 ? entry.action : `${entry.action}:${entry.status}`;
}

/** Matches an error message equal to `message` (a string given to `toThrow` matches any message containing it). */
export function exactly(message: string): RegExp {
  return new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** A unique resource name for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** CloudFormation-shaped events: string-typed properties plus the ServiceToken CloudFormation adds. */
export const events = {
  create(resourceType: string, properties: RawProperties): OnEventRequest {
    return base('Create', resourceType, properties);
  },
  update(resourceType: string, physicalResourceId: string, properties: RawProperties, oldProperties: RawProperties): OnEventRequest {
    return { ...base('Update', resourceType, properties), PhysicalResourceId: physicalResourceId, OldResourceProperties: withToken(oldProperties) };
  },
  delete(resourceType: string, physicalResourceId: string, properties: RawProperties): OnEventRequest {
    return { ...base('Delete', resourceType, properties), PhysicalResourceId: physicalResourceId };
  },
};

function base(requestType: OnEventRequest['RequestType'], resourceType: string, properties: RawProperties): OnEventRequest {
  return {
    RequestType: requestType,
    ResourceType: resourceType,
    LogicalResourceId: 'Resource',
    RequestId: randomUUID(),
    StackId: STACK_ID,
    ResourceProperties: withToken(properties),
  };
}

function withToken(properties: RawProperties): RawProperties {
  return { ServiceToken: SERVICE_TOKEN, ...properties };
}

export interface Lifecycle {
  readonly physicalResourceId: string;
  /** What the last isComplete returned. */
  readonly result: IsCompleteResponse;
  /** How many times isComplete ran. */
  readonly polls: number;
}

/**
 * What the Provider framework does with one event: `onEvent`, then `isComplete` on the event merged with `onEvent`'s
 * whole response (`Data` included) until it reports
 * completion (every `queryIntervalMs` of the time line), at most `maxPolls` times.
 */
export async function runProvider(
  event: OnEventRequest,
  invoke: { onEvent(e: OnEventRequest): Promise<OnEventResponse>; isComplete(e: IsCompleteRequest): Promise<IsCompleteResponse> },
  options: { maxPolls?: number; between?: () => void } = {},
): Promise<Lifecycle> {
  const response = await invoke.onEvent(event);
  const { PhysicalResourceId } = response;
  // framework.createResponseEvent: onEvent's whole response (its Data included) is merged into the isComplete event.
  const merged: IsCompleteRequest = { ...event, ...response };
  const maxPolls = options.maxPolls ?? 1;
  for (let polls = 1; ; polls++) {
    const result = await invoke.isComplete(merged);
    if (result.IsComplete || polls >= maxPolls) return { physicalResourceId: PhysicalResourceId, result, polls };
    options.between?.();
  }
}

/** The entry points of `lambda/index.ts` bound to an injected context: the dispatcher and handler classes, unchanged. */
export function inContext(ctx: HandlerContext) {
  return {
    onEvent: (e: OnEventRequest) => handlerFor(e, ctx).onEvent(),
    isComplete: (e: IsCompleteRequest) => handlerFor(e, ctx).isComplete(),
  };
}

/** Collects what the entry points log (`console.log` of JSON lines) as messages, and keeps the test output quiet. */
export function captureConsole(): { readonly messages: string[]; restore(): void } {
  const messages: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => {
    messages.push(JSON.parse(line).message);
  });
  return { messages, restore: () => spy.mockRestore() };
}
