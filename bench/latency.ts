/**
 * Benchmark 3, added latency: for each custom resource, the time from the service reaching the desired state to the
 * handler reporting complete (the end of the invocation that returned complete). The desired state is reached at the
 * last successful call that changes the resource's target (plus the stream's update transition for the calls that make
 * a stream UPDATING), read from the test server's request log.
 *
 * Runs in scaled time (`SCALED`): the service's transitions, the handlers' waits and the Provider's query interval
 * are all multiplied by it, so a latency measured here, divided by it, is the latency in a real deployment. That
 * division also multiplies the harness's own unscaled overhead (process hops, local HTTP), so the real-second figures
 * are upper bounds. Goal: p50 ≤ 1 s (real).
 */
import * as fs from 'fs';
import { Duration } from 'aws-cdk-lib';
import { REALISTIC_TRANSITIONS } from './fleet';
import { fleetStack } from './fleet-app';
import { BenchOptions, connectExampleDevices, median, percentile, synthAssembly, table, withSession } from './support';
import { buildExampleApp } from '../examples/app';
import type { OperationResult } from '../test/harness';
import type { RequestLogEntry } from '../test/kvs-server';

/** The scaled run's time scale. */
const SCALED = 0.1;

/** The calls that change what each type configures; those marked `true` start an UPDATING transition of the stream. */
const MUTATIONS: Record<string, Record<string, boolean>> = {
  'Custom::KinesisVideoStreamConfiguration': { UpdateNotificationConfiguration: false, UpdateImageGenerationConfiguration: false },
  'Custom::KinesisVideoMediaStorage': { UpdateMediaStorageConfiguration: false },
  'Custom::KinesisVideoEdgeConfiguration': { StartEdgeConfigurationUpdate: false, DeleteEdgeConfiguration: false },
  'Custom::KinesisVideoStreamSettings': {
    UpdateDataRetention: true, UpdateStream: true, UpdateStreamStorageConfiguration: true, TagStream: false, UntagStream: false,
  },
};

/** The stream or channel a request or a physical id names, by name. */
function targetName(value?: string): string | undefined {
  return value === undefined ? undefined : /:(?:stream|channel)\/([^/]+)\//.exec(value)?.[1] ?? value;
}

function requestTarget(r: RequestLogEntry): string | undefined {
  return targetName(r.body?.ChannelARN ?? r.body?.ChannelName ?? r.body?.StreamARN ?? r.body?.StreamName);
}

interface Sample {
  readonly type: string;
  readonly addedMs: number;
}

/** Added latency per custom resource of one operation, in scaled milliseconds. */
function samples(result: OperationResult, requests: readonly RequestLogEntry[], streamUpdateMs: number): Sample[] {
  const out: Sample[] = [];
  for (const resource of result.resources) {
    const mutations = MUTATIONS[resource.type];
    if (!mutations || !resource.physicalId) continue;
    // The first target of the physical id (`Kind|<target>|...`) is what the calls name (the channel, for media storage).
    const target = targetName(resource.physicalId.split('|')[1]);
    const changed = requests.filter((r) => r.status === 200 && r.action in mutations && requestTarget(r) === target);
    if (changed.length === 0) continue;
    const desired = Math.max(...changed.map((r) => r.at + (mutations[r.action] ? streamUpdateMs : 0)));
    const invocations = result.invocations
      .filter((i) => (i.payload as { LogicalResourceId?: string }).LogicalResourceId === resource.logicalId && i.result.ok);
    const complete = Math.max(...invocations.map((i) => i.endedAt));
    out.push({ type: resource.type.replace('Custom::KinesisVideo', ''), addedMs: complete - desired });
  }
  return out;
}

export interface LatencyFigures {
  readonly timeScale: number;
  readonly samples: number;
  readonly p50RealMs: number;
  readonly p95RealMs: number;
}

/** Deploys a fleet (create, then an update of every configuration) and the example app; returns every sample. */
async function measure(timeScale: number, streams: number): Promise<Sample[]> {
  const cleanup: string[] = [];
  const transitions = Object.fromEntries(Object.entries(REALISTIC_TRANSITIONS).map(([k, v]) => [k, v * timeScale]));
  try {
    const fleet = synthAssembly((app) => fleetStack(app, streams), cleanup);
    const fleetUpdated = synthAssembly((app) => fleetStack(app, streams, 'KvsFleet', Duration.seconds(5)), cleanup);
    const example = synthAssembly((app) => buildExampleApp(app), cleanup);
    const all: Sample[] = [];
    await withSession({ transitions }, timeScale, async ({ server, harness }) => {
      await connectExampleDevices(server);
      for (const [assembly, what] of [[fleet, 'fleet create'], [fleetUpdated, 'fleet update'], [example, 'example create']] as const) {
        server.clearRequests();
        const result = await harness.deploy(assembly);
        if (!['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(result.status)) throw new Error(`${what}: ${result.status}`);
        all.push(...samples(result, server.requests(), transitions.streamUpdate));
      }
    });
    return all;
  } finally {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Measured at time scale `SCALED` (the conversion to real seconds is an upper bound) and, unless quick, directly in
 * real time (scale 1) on a smaller fleet, so that the two can be compared in the same run.
 */
export async function runLatency(options: BenchOptions): Promise<LatencyFigures[]> {
  const plans = options.quick ? [{ timeScale: SCALED, streams: 10 }] : [{ timeScale: SCALED, streams: 40 }, { timeScale: 1, streams: 10 }];
  const figures: LatencyFigures[] = [];
  const rows: string[][] = [];
  for (const { timeScale, streams } of plans) {
    const all = await measure(timeScale, streams);
    const byType = new Map<string, number[]>();
    for (const s of all) byType.set(s.type, [...byType.get(s.type) ?? [], s.addedMs]);
    const real = (scaledMs: number) => scaledMs / timeScale;
    const row = (name: string, values: number[]) => [String(timeScale), `${streams}`, name, String(values.length),
      `${percentile(values, 50).toFixed(0)} / ${percentile(values, 95).toFixed(0)} ms`,
      `${(real(percentile(values, 50)) / 1000).toFixed(2)} / ${(real(percentile(values, 95)) / 1000).toFixed(2)} s`];
    const values = all.map((s) => s.addedMs);
    rows.push(...[...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, v]) => row(type, v)), row('all', values));
    figures.push({ timeScale, samples: values.length, p50RealMs: real(median(values)), p95RealMs: real(percentile(values, 95)) });
  }
  options.write(table(['time scale', 'fleet', 'custom resource type', 'samples', 'p50 / p95 measured', 'p50 / p95 real (measured ÷ time scale)'], rows));
  options.write('(a fleet created and updated, then the example app created; real = measured ÷ time scale, an upper bound below scale 1; goal: p50 ≤ 1 s real)');
  return figures;
}
