/**
 * Benchmark 4, the handler: the shipped bundle's size (minified, and deflated as in the Lambda zip), its cold
 * `require` time against requiring the bare SDK client in the same run, and the API calls per configuration (each
 * custom resource type replayed, one at a time, through the bundle against the KVS test server).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { BenchOptions, connectExampleDevices, HANDLER_BUNDLE, median, ms, ratio, synthAssembly, table, withSession } from './support';
import { buildExampleApp } from '../examples/app';

/** Cold `require` of `module` in a fresh Node.js process, in ms (the process start itself left out). */
function coldRequireMs(module: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(module)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf-8', env: { PATH: process.env.PATH ?? '' } });
  if (run.status !== 0) throw new Error(`require(${module}) failed: ${run.stderr}`);
  return Number(run.stdout);
}

export interface HandlerFigures {
  readonly bundleBytes: number;
  readonly zippedBytes: number;
  readonly requireMs: number;
  readonly sdkRequireMs: number;
}

export async function runHandler(options: BenchOptions): Promise<HandlerFigures> {
  const bundle = fs.readFileSync(HANDLER_BUNDLE);
  const zipped = zlib.deflateRawSync(bundle, { level: 9 }).length;
  const sdk = require.resolve('@aws-sdk/client-kinesis-video');
  const repetitions = options.quick ? 3 : 9;
  const ours: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    ours.push(coldRequireMs(HANDLER_BUNDLE));
    baseline.push(coldRequireMs(sdk));
  }
  const figures = { bundleBytes: bundle.length, zippedBytes: zipped, requireMs: median(ours), sdkRequireMs: median(baseline) };
  options.write(table(['', 'handler bundle', 'baseline: bare @aws-sdk/client-kinesis-video (node_modules, CJS)'], [
    ['size, minified', `${(figures.bundleBytes / 1024).toFixed(0)} KiB`, '-'],
    ['size, deflated (zip)', `${(figures.zippedBytes / 1024).toFixed(0)} KiB`, '-'],
    [`cold require (median of ${repetitions})`, ms(figures.requireMs), `${ms(figures.sdkRequireMs)} (bundle: ${ratio(figures.requireMs, figures.sdkRequireMs)})`],
  ]));
  options.write('');
  options.write(await apiCallsPerConfiguration());
  return figures;
}

type Event = Record<string, unknown> & { ResourceType: string; LogicalResourceId: string; ResourceProperties: Record<string, unknown> };
type Entry = (event: unknown) => Promise<Record<string, unknown>>;

/**
 * Deploys the example through the harness, then replays each custom resource type's events through the bundle, one
 * request at a time, counting the requests the server receives for: onEvent then isComplete until complete (what the
 * Provider framework does), for a no-op Update, a Delete and a Create.
 */
async function apiCallsPerConfiguration(): Promise<string> {
  const cleanup: string[] = [];
  const timeScale = 0.05;
  try {
    const assembly = synthAssembly((app) => buildExampleApp(app), cleanup);
    return await withSession({}, timeScale, async ({ server, harness }) => {
      await connectExampleDevices(server);
      const created = await harness.deploy(assembly);
      if (created.status !== 'CREATE_COMPLETE') throw new Error(`The example did not deploy: ${created.status}`);
      const creates = new Map<string, Event>();
      for (const invocation of created.invocations) {
        const event = invocation.payload as Event;
        if (invocation.handler === 'index.onEvent' && event.RequestType === 'Create' && !creates.has(event.ResourceType)) creates.set(event.ResourceType, event);
      }
      const physicalId = (logicalId: string) => created.resources.find((r) => r.logicalId === logicalId)!.physicalId!;

      const saved = { env: { ...process.env }, log: console.log };
      Object.assign(process.env, {
        AWS_REGION: server.region,
        AWS_ACCESS_KEY_ID: 'AKIDBENCH',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_ENDPOINT_URL_KINESIS_VIDEO: server.endpoint,
        AWS_ENDPOINT_URL_CLOUDFORMATION: server.endpoint,
        KVS_HANDLER_TIME_SCALE: String(timeScale),
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const handler = require(HANDLER_BUNDLE) as { onEvent: Entry; isComplete: Entry };
      console.log = () => undefined;
      const rows: string[][] = [];
      try {
        const run = async (event: Event) => {
          server.clearRequests();
          const response = await handler.onEvent(event);
          const next = { ...event, PhysicalResourceId: response.PhysicalResourceId ?? event.PhysicalResourceId, Data: response.Data };
          for (let poll = 0; poll < 100 && !(await handler.isComplete(next)).IsComplete; poll++) await new Promise((r) => setTimeout(r, 50));
          const counts = new Map<string, number>();
          for (const request of server.requests()) counts.set(request.action, (counts.get(request.action) ?? 0) + 1);
          return [...counts].map(([action, n]) => `${action} ${n}`).join(', ') || 'none';
        };
        for (const [type, create] of [...creates].sort(([a], [b]) => a.localeCompare(b))) {
          const existing = { ...create, PhysicalResourceId: physicalId(create.LogicalResourceId) };
          rows.push([type, 'Update (no-op)', await run({ ...existing, RequestType: 'Update', OldResourceProperties: create.ResourceProperties })]);
          rows.push([type, 'Delete', await run({ ...existing, RequestType: 'Delete' })]);
          rows.push([type, 'Create', await run(create)]);
        }
      } finally {
        console.log = saved.log;
        for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
        Object.assign(process.env, saved.env);
      }
      return `${table(['custom resource type', 'request', 'API calls (onEvent, then isComplete until complete)'], rows)}\n`
        + '(the example app\'s custom resources, replayed one request at a time through the bundle against the test server)';
    });
  } finally {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  }
}
