/**
 * Benchmark 2, fleet convergence: the promised number of streams, each with notifications and image generation,
 * deployed through the harness against the test server with the documented TPS limits on and realistic transition
 * times, with the shipped handler and, in the same run, a naive one without throttling retries. A third run with
 * no limits and instant transitions measures what the harness itself costs on this machine, and a fourth deploys the
 * same streams as bare `CfnStream`s under the same limits: what CloudFormation alone takes.
 * Goals: no failure; total time ≤ 1.2× the lower bound the TPS limits set.
 */
import * as fs from 'fs';
import { bareStack, fleetStack, PROMISED_STREAMS } from './fleet-app';
import { buildNaiveBundle, swapHandlerBundle } from './naive-bundle';
import { BenchOptions, CPU_TIME, cpuCell, failedResources, isThrottled, ratio, seconds, SPLIT_AT_LAST_STREAM, splitAtLastStream, synthAssembly, table, tempDir, timedDeploy, withSession } from './support';
import { DOCUMENTED_TPS } from '../test/kvs-server';
import type { RequestLogEntry } from '../test/kvs-server';

/**
 * ASSUMPTION: how long the service takes, in ms. AWS documents no figures; these are the order of magnitude seen
 * when creating streams and changing their retention in the console.
 */
export const REALISTIC_TRANSITIONS = { streamCreate: 3_000, streamUpdate: 2_000, streamDelete: 2_000 } as const;

/** The configuration calls a fleet needs at the least: one CreateStream and one update per configuration, per stream. */
const REQUIRED_CALLS = ['CreateStream', 'UpdateNotificationConfiguration', 'UpdateImageGenerationConfiguration'];

/** Seconds the account quota of `action` needs for `calls` calls, after the one-second burst the bucket starts with. */
function quotaSeconds(action: string, calls: number): number {
  const rate = DOCUMENTED_TPS[action]?.account ?? 50;
  return Math.max(0, calls - rate) / rate;
}

/**
 * The lower bound the TPS limits set: streams come out of CreateStream no faster than its quota, the last one still
 * takes the create transition before its configuration can start, and the configuration updates (quotas of the same
 * size) follow the creates in a pipeline.
 */
export function lowerBoundMs(streams: number): number {
  return 1000 * Math.max(...REQUIRED_CALLS.map((action) => quotaSeconds(action, streams))) + REALISTIC_TRANSITIONS.streamCreate;
}

/**
 * The bound the handlers' own calls set: for each configuration API (which only the handlers call), the calls made in
 * the run at that API's account quota.
 */
export function callBoundMs(requests: readonly RequestLogEntry[]): { ms: number; action: string } {
  const counts = new Map<string, number>();
  for (const r of requests) if (r.action.endsWith('Configuration')) counts.set(r.action, (counts.get(r.action) ?? 0) + 1);
  let worst = { ms: 0, action: '-' };
  for (const [action, n] of counts) {
    const bound = 1000 * quotaSeconds(action, n);
    if (bound > worst.ms) worst = { ms: bound, action: `${action} × ${n}` };
  }
  return worst;
}

export interface FleetFigures {
  readonly streams: number;
  readonly lowerBoundMs: number;
  readonly runs: ReadonlyArray<{ readonly name: string; readonly status: string; readonly failures: number; readonly wallMs: number }>;
}

export async function runFleet(options: BenchOptions): Promise<FleetFigures> {
  const streams = options.quick ? 50 : PROMISED_STREAMS;
  const cleanup: string[] = [];
  try {
    const shipped = synthAssembly((app) => fleetStack(app, streams), cleanup);
    const naive = synthAssembly((app) => fleetStack(app, streams), cleanup);
    const bare = synthAssembly((app) => bareStack(app, streams), cleanup);
    const swapped = swapHandlerBundle(naive, await buildNaiveBundle(tempDir('kvs-bench-naive-', cleanup)));
    if (swapped !== 1) throw new Error(`Expected one handler asset in the naive assembly, found ${swapped}`);

    // Real time (scale 1): the harness's local overhead does not shrink with a time scale, so only real time keeps
    // the limits and the overhead in proportion.
    const limited = { rateLimits: true, transitions: REALISTIC_TRANSITIONS } as const;
    const runs = [
      { name: 'shipped handler, TPS limits + transitions', assembly: shipped, server: limited },
      { name: 'naive handler (no throttling retries), same', assembly: naive, server: limited },
      { name: 'shipped handler, no limits, instant transitions (harness floor)', assembly: shipped, server: { transitions: { streamCreate: 0, streamUpdate: 0 } } },
      { name: 'bare CfnStreams, no library (CloudFormation alone), TPS limits + transitions', assembly: bare, server: limited },
    ];
    const rows: string[][] = [];
    const figures: FleetFigures['runs'][number][] = [];
    const bound = lowerBoundMs(streams);
    for (const run of runs) {
      await withSession(run.server, 1, async ({ server, harness }) => {
        const deploy = await timedDeploy(harness, run.assembly);
        const { result, wallMs } = deploy;
        const failed = failedResources(result).filter((line) => !line.includes('Resource creation cancelled'));
        const requests = server.requests();
        const throttled = requests.filter(isThrottled).length;
        const calls = callBoundMs(requests);
        figures.push({ name: run.name, status: result.status, failures: failed.length, wallMs });
        const iam = harness.iamDecisions;
        rows.push([run.name, result.status, String(failed.length), seconds(wallMs), ratio(wallMs, bound), splitAtLastStream(deploy), cpuCell(deploy),
          String(requests.length), String(throttled),
          `${iam.evaluated} / ${iam.denied}`, `${seconds(calls.ms)} (${calls.action})`]);
        if (failed.length > 0) options.write(`  first failure (${run.name}): ${failed[0]}`);
      });
    }
    options.write(table(['run', 'status', 'failed resources', 'total', 'vs lower bound', SPLIT_AT_LAST_STREAM, CPU_TIME, 'requests', 'throttled', 'IAM evaluated / denied',
      'bound of the handlers\' configuration calls'], rows));
    options.write(`${streams} streams; lower bound set by the TPS limits: ${seconds(bound)} `
      + `((${streams} − 50) / 50 TPS CreateStream + ${REALISTIC_TRANSITIONS.streamCreate / 1000} s stream creation); goal ≤ 1.20× with 0 failures. `
      + `The shipped handler's fleet takes ${ratio(figures[0].wallMs, figures[3].wallMs)} of what CloudFormation alone takes`);
    return { streams, lowerBoundMs: bound, runs: figures };
  } finally {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  }
}
