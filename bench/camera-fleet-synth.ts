/**
 * Benchmark 5, fleet synth: the 2,000 cameras of issue 16 in a `CameraFleet` (12 nested stacks, each camera a stream
 * with notifications and image generation), synthesized in one process with `app.synth()` (the parent and every
 * shard template written to disk, as `cdk synth` does), against the same cameras as bare `CfnStream`s in nested stacks
 * with the same placement, in the same run. Median of the repetitions, alternating which goes first.
 * Goals: the fleet synthesizes in ≤ 10 s; every shard under 500 resources and IAM's limits, far under the template
 * size limit.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { bareFleetStack, cameraFleetStack, cameraIndexes, PROMISED_CAMERAS, PROMISED_SHARDS } from './camera-fleet-app';
import { limitViolations, templateShape } from './fleet-app';
import { BenchOptions, median, ms, ratio, table, tempDir } from './support';
import { MANAGED_POLICY_LIMIT } from '../src/private/scoped-policy';

/** CloudFormation's limit on a template given by S3 URL, which is how nested stack templates are deployed. */
const TEMPLATE_BYTES_LIMIT = 1_000_000;

interface Run {
  /** Wall time of construction and `app.synth()` in the child process. */
  readonly ms: number;
  /** CPU time (user + system) of the same: what the load of other processes on the machine changes least. */
  readonly cpuMs: number;
  /** Wall time of the whole child process, module loading included: what `cdk synth` waits for. */
  readonly processMs: number;
  /** Every template of the assembly, parent first, by file name. */
  readonly templates: Array<{ readonly file: string; readonly bytes: number; readonly template: { [section: string]: any } }>;
}

type Variant = 'fleet' | 'bare';

/**
 * One synthesis in a fresh Node.js process, as `cdk synth` runs an app: aws-cdk-lib keeps every token of every app
 * of a process in a global map, so repeated syntheses in one process would measure a heap that `cdk synth` never has.
 */
function synthOnce(variant: Variant, cameras: number, cleanup: string[]): Run {
  const outdir = tempDir('kvs-bench-fleet-synth-', cleanup);
  const start = Date.now();
  const stdout = execFileSync(process.execPath, ['-r', 'ts-node/register', __filename, CHILD_FLAG, variant, String(cameras), outdir], {
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    maxBuffer: 1024 * 1024,
  });
  const processMs = Date.now() - start;
  const { ms: wallMs, cpuMs } = JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number; cpuMs: number };
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort((a, b) => Number(a.includes('.nested.')) - Number(b.includes('.nested.')));
  const templates = files.map((file) => {
    const text = fs.readFileSync(path.join(outdir, file), 'utf8');
    return { file, bytes: Buffer.byteLength(text), template: JSON.parse(text) };
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  return { ms: wallMs, cpuMs, processMs, templates };
}

const CHILD_FLAG = '--synth-child';

/** The child: builds the variant's app and synthesizes it to `outdir`, then prints its times as JSON. */
function synthChild(variant: Variant, cameras: number, outdir: string): void {
  const indexes = cameraIndexes(cameras);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const app = new App({ outdir });
  if (variant === 'fleet') cameraFleetStack(app, indexes);
  else bareFleetStack(app, indexes);
  app.synth();
  const elapsed = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (elapsed.user + elapsed.system) / 1000 })}\n`);
}

export interface FleetSynthFigures {
  readonly cameras: number;
  readonly fleetMs: number;
  readonly bareMs: number;
  readonly violations: string[];
}

export function runFleetSynth(options: BenchOptions): FleetSynthFigures {
  const cameras = options.quick ? 200 : PROMISED_CAMERAS;
  const repetitions = options.quick ? 1 : 3;
  const cleanup: string[] = [];
  const variants: Variant[] = ['fleet', 'bare'];
  try {
    const runs = variants.map((): Run[] => []);
    for (let i = 0; i < repetitions; i++) {
      for (let j = 0; j < variants.length; j++) {
        const v = (i + j) % variants.length;
        runs[v].push(synthOnce(variants[v], cameras, cleanup));
      }
    }
    const [fleet, bare] = runs;
    const fleetMs = median(fleet.map((r) => r.ms));
    const bareMs = median(bare.map((r) => r.ms));
    const shards = fleet[0].templates.filter((t) => t.file.includes('.nested.'));
    const violations: string[] = [];
    const rows = shards.map(({ file, bytes, template }) => {
      const shape = templateShape(template);
      violations.push(...limitViolations(shape).map((v) => `${file}: ${v}`));
      if (bytes > TEMPLATE_BYTES_LIMIT) violations.push(`${file}: ${bytes} bytes, over CloudFormation's ${TEMPLATE_BYTES_LIMIT}`);
      const streams = Object.values(template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::KinesisVideo::Stream').length;
      const handler = shape.managedPolicies.find((p) => p.policy.startsWith('CdkKinesisVideoProviderHandlerPolicy'));
      const inline = Math.max(0, ...shape.inlinePolicies.map((r) => r.total));
      return [file.replace(/\.nested\.template\.json$/, ''), String(streams), String(shape.resources), `${(bytes / 1024).toFixed(0)} KiB`,
        `${handler?.size ?? 0} / ${MANAGED_POLICY_LIMIT}`, String(inline), String(Object.keys(template.Parameters ?? {}).length)];
    });
    const parent = fleet[0].templates[0];
    const row = (name: string, r: Run[]) => [name, ms(median(r.map((x) => x.ms))), ratio(median(r.map((x) => x.ms)), bareMs),
      ms(median(r.map((x) => x.cpuMs))), ratio(median(r.map((x) => x.cpuMs)), median(bare.map((x) => x.cpuMs))),
      ms(median(r.map((x) => x.processMs))), r.map((x) => ms(x.ms)).join(', '), String(r[0].templates.length), `${(total(r[0]) / 1024).toFixed(0)} KiB`];
    options.write(table(['variant', 'build + synth (median)', 'vs bare', 'CPU time', 'CPU vs bare', 'whole process', 'each run', 'templates', 'bytes in all'], [
      row('CameraFleet', fleet),
      row('bare CfnStreams in nested stacks', bare),
    ]));
    options.write(`load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    options.write('');
    options.write(table(['shard', 'streams', 'resources', 'template', 'handler policy (resolved)', 'largest inline policies of a role', 'parameters'], rows));
    options.write(`parent: ${templateShape(parent.template).resources} resources, ${(parent.bytes / 1024).toFixed(1)} KiB, `
      + `${Object.values(parent.template.Outputs ?? {}).length} outputs; limit violations: ${violations.length === 0 ? 'none' : violations.join('; ')}`);
    options.write(`(${cameras} cameras over ${PROMISED_SHARDS} shards; construction and app.synth() to a temporary directory in a fresh process each, median of ${repetitions}, rotating order; `
      + 'goal: ≤ 10 s, no violation)');
    return { cameras, fleetMs, bareMs, violations };
  } finally {
    for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function total(run: Run): number {
  return run.templates.reduce((sum, t) => sum + t.bytes, 0);
}

if (process.argv[2] === CHILD_FLAG) synthChild(process.argv[3] as Variant, Number(process.argv[4]), process.argv[5]);
