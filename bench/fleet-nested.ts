/**
 * Benchmark 6, a fleet in nested stacks: N cameras (notifications and image generation each, as in benchmark 2) in
 * a `CameraFleet` of nested stacks of about 170 (`shardedFleetStack`), deployed through the harness against one test server whose
 * account-wide TPS limits all shards share, with realistic transitions. In the same run, the harness floor: the same
 * deployment with no limits and instant transitions, which measures what the harness itself costs here; and the
 * baseline: the same number of streams as bare `CfnStream`s in as many nested stacks (`bareFleetStack`: no
 * configuration, guard or provider) under the same limits, which measures what CloudFormation alone takes.
 * Goals: 0 failures; total time ≤ 1.2× the TPS lower bound; the floor well under that bound.
 */
import * as fs from 'fs';
import * as os from 'os';
import { bareFleetStack, cameraIndexes } from './camera-fleet-app';
import { callBoundMs, lowerBoundMs, REALISTIC_TRANSITIONS } from './fleet';
import { CAMERAS_PER_SHARD, shardedFleetStack } from './fleet-app';
import { BenchOptions, CPU_TIME, cpuCell, failedResources, isThrottled, percentile, ratio, seconds, SPLIT_AT_LAST_STREAM, splitAtLastStream, synthAssembly, table, timedDeploy, TimedDeploy, withSession } from './support';
import type { InvocationRecord, OperationResult } from '../test/harness';
import type { RequestLogEntry } from '../test/kvs-server';

/** The fleet. */
export const NESTED_FLEET_CAMERAS = 2_000;

/** Every failed resource event of the operation and of its nested stacks, "stack/LogicalId: reason". */
function allFailures(result: OperationResult): string[] {
  const nested = (results: OperationResult['nestedStacks']): string[] => results.flatMap((n) => [
    ...n.events.filter((e) => e.status.endsWith('_FAILED') && e.logicalId !== n.stackName).map((e) => `${n.logicalId}/${e.logicalId}: ${e.reason ?? ''}`),
    ...nested(n.nestedStacks),
  ]);
  return [...failedResources(result), ...nested(result.nestedStacks)].filter((line) => !line.endsWith('Resource creation cancelled'));
}

/** How long the onEvent handlers ran (from the end of their container's init to their answer): p50 / max. */
function handlerTimes(invocations: readonly InvocationRecord[]): string {
  const times = invocations.filter((i) => i.handler.endsWith('.onEvent') && i.handlerStartedAt !== undefined).map((i) => i.endedAt - i.handlerStartedAt!);
  return times.length === 0 ? '-' : `${seconds(percentile(times, 50))} / ${seconds(Math.max(...times))}`;
}

/**
 * When each API's calls succeeded, in seconds from `startedAt`: first, p50, p90 and last success, with the throttled
 * attempts. It shows where a deployment's time goes (CreateStream at its quota, then the tail of its retries).
 */
function apiTimeline(requests: readonly RequestLogEntry[], startedAt: number): string[][] {
  const byAction = new Map<string, { succeeded: number[]; throttled: number }>();
  for (const r of requests) {
    const entry = byAction.get(r.action) ?? { succeeded: [], throttled: 0 };
    if (isThrottled(r)) entry.throttled++;
    else if (r.status === 200) entry.succeeded.push(r.at - startedAt);
    byAction.set(r.action, entry);
  }
  return [...byAction].filter(([, e]) => e.succeeded.length > 0).map(([action, e]) => [action, String(e.succeeded.length), String(e.throttled),
    ...[0, 50, 90, 100].map((p) => seconds(percentile(e.succeeded, p)))]);
}

export interface NestedFleetFigures {
  readonly cameras: number;
  readonly lowerBoundMs: number;
  readonly limitedMs: number;
  readonly floorMs: number;
  /** The same streams as bare `CfnStream`s in as many nested stacks, under the same limits: what CloudFormation alone takes. */
  readonly bareMs: number;
  readonly failures: number;
}

/** `sizes`: the fleet sizes to run (default: 2,000; --quick 400). */
export async function runNestedFleet(options: BenchOptions & { readonly sizes?: readonly number[] }): Promise<NestedFleetFigures[]> {
  const sizes = options.sizes ?? (options.quick ? [400] : [NESTED_FLEET_CAMERAS]);
  const figures: NestedFleetFigures[] = [];
  for (const cameras of sizes) {
    const rows: string[][] = [];
    const cleanup: string[] = [];
    try {
      const assembly = synthAssembly((app) => shardedFleetStack(app, cameras), cleanup);
      const shards = Math.ceil(cameras / CAMERAS_PER_SHARD);
      const bare = synthAssembly((app) => bareFleetStack(app, cameraIndexes(cameras), shards), cleanup);
      const bound = lowerBoundMs(cameras);
      const limited = { rateLimits: true, transitions: REALISTIC_TRANSITIONS } as const;
      const runs = [
        { name: 'TPS limits + transitions', assembly, server: limited },
        { name: 'no limits, instant transitions (harness floor)', assembly, server: { transitions: { streamCreate: 0, streamUpdate: 0 } } },
        { name: 'bare CfnStreams, no library (CloudFormation alone), TPS limits + transitions', assembly: bare, server: limited },
      ];
      const deploys: TimedDeploy[] = [];
      const timelines: string[] = [];
      let failures = 0;
      for (const run of runs) {
        // Real time (scale 1), as benchmark 2: the harness's own costs do not shrink with a time scale.
        await withSession(run.server, 1, async ({ server, harness }) => {
          const deploy = await timedDeploy(harness, run.assembly);
          deploys.push(deploy);
          const { result, wallMs, startedAt } = deploy;
          const failed = allFailures(result);
          const requests = server.requests();
          const iam = harness.iamDecisions;
          const cold = harness.coldStarts;
          const calls = callBoundMs(requests);
          failures += failed.length;
          rows.push([String(cameras), String(result.nestedStacks.length), run.name, result.status, String(failed.length),
            seconds(wallMs), ratio(wallMs, bound), splitAtLastStream(deploy), cpuCell(deploy),
            String(requests.length), String(requests.filter(isThrottled).length),
            `${iam.evaluated} / ${iam.simulated} / ${iam.denied} (${seconds(iam.ms)})`, `${cold.count} (${seconds(cold.initMs)})`, String(harness.invocations.length),
            handlerTimes(harness.invocations), `${seconds(calls.ms)} (${calls.action})`]);
          if (failed.length > 0) options.write(`  first failure (${cameras}, ${run.name}): ${failed[0]}`);
          if (run.server === limited) {
            timelines.push(`${run.name}, ${cameras} cameras:`, table(['API', 'succeeded', 'throttled', 'first', 'p50', 'p90', 'last success'], apiTimeline(requests, startedAt)));
          }
        });
      }
      const [limitedRun, floorRun, bareRun] = deploys;
      const f: NestedFleetFigures = {
        cameras, lowerBoundMs: bound, limitedMs: limitedRun.wallMs, floorMs: floorRun.wallMs, bareMs: bareRun.wallMs, failures,
      };
      const cores = os.availableParallelism();
      figures.push(f);
      // Each size reports as soon as it is done: the largest takes minutes.
      options.write(table(['cameras', 'nested stacks', 'run', 'status', 'failed resources', 'total', 'vs lower bound',
        SPLIT_AT_LAST_STREAM, CPU_TIME, 'requests', 'throttled',
        'IAM evaluated / simulated / denied (time)', 'cold starts (init time)', 'invocations', 'onEvent handler p50 / max',
        'bound of the handlers\' configuration calls'], rows));
      options.write(`${cameras} cameras in nested stacks of ${CAMERAS_PER_SHARD}: lower bound ${seconds(bound)} `
        + `((${cameras} − 50) / 50 TPS CreateStream + ${REALISTIC_TRANSITIONS.streamCreate / 1000} s); deploy ${ratio(f.limitedMs, bound)}, `
        + `floor ${ratio(f.floorMs, bound)} (its CPU time, ${seconds(floorRun.cpuMs)}, alone takes ${seconds(floorRun.cpuMs / cores)} on `
        + `${cores} cores); goal ≤ 1.20× with 0 failures. The same streams without the library: `
        + `${seconds(f.bareMs)} (${ratio(f.bareMs, bound)}); the library's fleet takes ${ratio(f.limitedMs, f.bareMs)} of that`);
      options.write(`When the calls succeeded, in seconds from the start of each run under the limits:\n\n${timelines.join('\n\n')}`);
    } finally {
      for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
}
