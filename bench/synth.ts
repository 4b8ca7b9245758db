/**
 * Benchmark 1, synth: N streams with notifications and image generation (plus topic and bucket) against the same N
 * bare CfnStreams, and against what a user would write instead (a shared Provider and a CustomResource per stream,
 * `handWrittenStack`), in the same run. Wall time (median of repetitions, alternating which goes first), template bytes
 * and resources per stream, and the IAM policies measured with ARNs resolved (`resolvedPolicySize`).
 * Goals: ≤ 1.5× the bare time, one provider per stack, every policy within IAM's limits.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { bareStack, fleetStack, handWrittenStack, limitViolations, PROMISED_STREAMS, templateShape } from './fleet-app';
import { BenchOptions, median, ms, ratio, table } from './support';
import { MANAGED_POLICY_LIMIT } from '../src/private/scoped-policy';

interface SynthRun {
  readonly ms: number;
  readonly template: { [section: string]: any };
}

/** One synthesis in memory (no assembly written: the same for both, and disk noise left out). */
function synthOnce(build: (app: App, n: number) => Stack, n: number): SynthRun {
  const start = process.hrtime.bigint();
  const stack = build(new App(), n);
  const template = Template.fromStack(stack).toJSON();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, template };
}

export interface SynthFigures {
  readonly n: number;
  readonly libraryMs: number;
  readonly bareMs: number;
  readonly handWrittenMs: number;
  readonly violations: string[];
}

export function runSynth(options: BenchOptions): SynthFigures[] {
  const sizes = options.quick ? [50] : [50, 100, PROMISED_STREAMS];
  const repetitions = options.quick ? 2 : 5;
  // Warm-up: aws-cdk-lib's modules load once, outside the measurements.
  const variants = [fleetStack, bareStack, handWrittenStack];
  variants.forEach((build) => synthOnce(build, 1));

  const figures: SynthFigures[] = [];
  const rows: string[][] = [];
  for (const n of sizes) {
    // Each repetition rotates which variant goes first.
    const runs = variants.map((): SynthRun[] => []);
    for (let i = 0; i < repetitions; i++) {
      for (let j = 0; j < variants.length; j++) {
        const v = (i + j) % variants.length;
        runs[v].push(synthOnce(variants[v], n));
      }
    }
    const [library, bare, handWritten] = runs;
    const libraryMs = median(library.map((r) => r.ms));
    const bareMs = median(bare.map((r) => r.ms));
    const handWrittenMs = median(handWritten.map((r) => r.ms));
    const shape = templateShape(library[0].template);
    const bareShape = templateShape(bare[0].template);
    const bytes = (t: SynthRun) => JSON.stringify(t.template).length;
    const handlerPolicy = shape.managedPolicies.find((p) => p.policy.startsWith('CdkKinesisVideoProviderHandlerPolicy'));
    const violations = limitViolations(shape);
    figures.push({ n, libraryMs, bareMs, handWrittenMs, violations });
    rows.push([
      String(n),
      `${ms(libraryMs)} / ${ms(bareMs)} / ${ms(handWrittenMs)}`,
      ratio(libraryMs, bareMs),
      ratio(libraryMs, handWrittenMs),
      `${(bytes(library[0]) / n).toFixed(0)} / ${(bytes(bare[0]) / n).toFixed(0)}`,
      `${(shape.resources / n).toFixed(2)} / ${(bareShape.resources / n).toFixed(2)}`,
      `${shape.resources}`,
      String(shape.providerFrameworks),
      `${handlerPolicy?.size ?? 0} / ${MANAGED_POLICY_LIMIT}`,
      violations.length === 0 ? 'none' : violations.join('; '),
    ]);
  }
  options.write(table(
    ['N', 'synth (library / bare / hand-written)', 'vs bare', 'vs hand-written', 'template bytes per stream', 'resources per stream', 'resources', 'providers', 'handler policy (resolved)', 'limit violations'],
    rows,
  ));
  options.write(`(median of ${repetitions} in-memory syntheses each, rotating order; hand-written: a shared Provider and a CustomResource per stream; goal: ratio ≤ 1.50×, 1 provider, no violations)`);
  return figures;
}
