/**
 * What every benchmark shares: options, timing, percentiles, temporary cloud assemblies, a harness session against
 * the KVS test server, and the report table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis-video';
import { App } from 'aws-cdk-lib';
import { DeployHarness, OperationResult } from '../test/harness';
import { table } from '../test/harness/deploy-local';
import { KvsTestServer } from '../test/kvs-server';
import type { KvsTestServerOptions, RequestLogEntry, ServerState } from '../test/kvs-server';

export { table };

export interface BenchOptions {
  /** Smaller fleets and fewer repetitions: a smoke run of every benchmark. */
  readonly quick: boolean;
  /** Where the report lines go. */
  readonly write: (line: string) => void;
}

/** The shipped handler bundle, as `projen bundle:handlers` builds it. */
export const HANDLER_BUNDLE = path.join(__dirname, '..', 'assets', 'kvs-handler', 'index.js');

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}

export function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(2)} s`;
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}×`;
}

/** A temporary directory that `cleanup` removes. */
export function tempDir(prefix: string, cleanup: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup.push(dir);
  return dir;
}

/** Synthesizes an app into a fresh cloud assembly; returns its directory. */
export function synthAssembly(build: (app: App) => void, cleanup: string[]): string {
  const outdir = tempDir('kvs-bench-asm-', cleanup);
  const app = new App({ outdir });
  build(app);
  app.synth();
  return outdir;
}

export interface Session {
  readonly server: KvsTestServer;
  readonly harness: DeployHarness;
}

/**
 * How often the harness's CloudFormation handler for streams polls a stream for ACTIVE, in real-time ms (scaled):
 * about once a second, as CloudFormation's own handlers do. The harness's 10 ms default would alone use up the
 * 5 TPS per-stream DescribeStream quota and, with 240 streams, the 300 TPS account quota.
 */
const NATIVE_POLL_MS = 1_000;

/** Runs `body` with a KVS test server and a harness at `timeScale`, and stops both afterwards. */
export async function withSession<T>(serverOptions: KvsTestServerOptions, timeScale: number, body: (session: Session) => Promise<T>): Promise<T> {
  const server = await KvsTestServer.start(serverOptions);
  const harness = new DeployHarness({ server, timeScale, pollIntervalMs: NATIVE_POLL_MS * timeScale });
  try {
    return await body({ server, harness });
  } finally {
    await harness.close();
    await server.stop();
  }
}

export interface TimedDeploy {
  readonly result: OperationResult;
  /** Wall time from the call to its end. */
  readonly wallMs: number;
  readonly startedAt: number;
  /** The CPU time the process used meanwhile, every thread's (the harness, the test server and the Lambda hosts). */
  readonly cpuMs: number;
}

/** Deploys and times it. */
export async function timedDeploy(harness: DeployHarness, assembly: string): Promise<TimedDeploy> {
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  const result = await harness.deploy(assembly);
  const cpu = process.cpuUsage(cpuBefore);
  return { result, wallMs: Date.now() - startedAt, startedAt, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The column of {@link cpuCell}. */
export const CPU_TIME = 'CPU time (cores busy on average)';

/** A deployment's CPU time, and how many cores it kept busy on average. */
export function cpuCell(deploy: TimedDeploy): string {
  return `${seconds(deploy.cpuMs)} (${(deploy.cpuMs / deploy.wallMs).toFixed(2)} of ${os.availableParallelism()} cores)`;
}

/**
 * How long after `startedAt` CloudFormation reported the last stream CREATE_COMPLETE, in this stack or any stack nested
 * in it: CloudFormation's own part of the deployment (its CreateStream calls, their throttled retries and the wait for
 * ACTIVE), which no handler of the library takes part in. What follows it is the configurations' tail.
 */
function lastStreamCreatedMs(result: OperationResult, startedAt: number): number {
  const events = (r: Pick<OperationResult, 'events' | 'nestedStacks'>): OperationResult['events'] => [...r.events, ...r.nestedStacks.flatMap(events)];
  const created = events(result).filter((e) => e.resourceType === 'AWS::KinesisVideo::Stream' && e.status === 'CREATE_COMPLETE');
  return Math.max(0, ...created.map((e) => e.timestamp - startedAt));
}

/** The column that splits a deployment at its last stream: "<until then> + <the rest>". */
export const SPLIT_AT_LAST_STREAM = 'last stream CREATE_COMPLETE + the rest';

/** A timed deployment's value for {@link SPLIT_AT_LAST_STREAM}. */
export function splitAtLastStream(deploy: TimedDeploy): string {
  const streamsMs = lastStreamCreatedMs(deploy.result, deploy.startedAt);
  return `${seconds(streamsMs)} + ${seconds(deploy.wallMs - streamsMs)}`;
}

/** Whether the test server throttled the request (the account's or the resource's TPS limit). */
export function isThrottled(request: RequestLogEntry): boolean {
  return request.errorType === 'ClientLimitExceededException';
}

/** The failed resource events of an operation, "LogicalId: reason". */
export function failedResources(result: OperationResult): string[] {
  return result.events
    .filter((e) => e.status.endsWith('_FAILED') && e.logicalId !== result.stackName)
    .map((e) => `${e.logicalId}: ${e.reason ?? ''}`);
}

export type { ServerState };

/** The example's visitor gate camera creates its own stream (the example adopts it with StreamSettings). */
export async function connectExampleDevices(server: KvsTestServer): Promise<void> {
  await server.client({ maxAttempts: 10 }).send(new CreateStreamCommand({
    StreamName: 'site1-visitor-gate', DeviceName: 'gate-cam', MediaType: 'video/h264', DataRetentionInHours: 24,
  }));
}
