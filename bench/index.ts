/**
 * Every benchmark, one after the other: `npx projen bench` (add `-- --quick` for a smoke run with smaller fleets).
 * Each prints its figures beside a baseline measured in the same run; BENCHMARKS.md holds the results.
 */
import * as fs from 'fs';
import { runFleetSynth } from './camera-fleet-synth';
import { runFleet } from './fleet';
import { runNestedFleet } from './fleet-nested';
import { runHandler } from './handler';
import { runLatency } from './latency';
import { BenchOptions, HANDLER_BUNDLE, seconds } from './support';
import { runSynth } from './synth';

const USAGE = 'usage: bench/index.ts [--quick] [--only synth|fleet|latency|handler|fleetsynth|nested] [--cameras 2000,400 (nested only)]';
/** `onlyWhenNamed`: minutes long, so it runs only with `--only`. */
const BENCHMARKS: Record<string, { title: string; run: (options: BenchOptions & { sizes?: number[] }) => unknown; onlyWhenNamed?: boolean }> = {
  synth: { title: '1. Synth: library vs bare CfnStreams and vs a hand-written Provider + CustomResource per stream', run: runSynth },
  fleet: { title: '2. Fleet convergence under the documented TPS limits', run: runFleet },
  latency: { title: '3. Added latency per resource', run: runLatency },
  handler: { title: '4. Handler bundle, cold require, API calls per configuration', run: runHandler },
  fleetsynth: { title: '5. Fleet synth: 2,000 cameras in a CameraFleet vs bare CfnStreams in nested stacks', run: runFleetSynth },
  nested: { title: '6. A fleet in nested stacks under the account-wide TPS limits', run: runNestedFleet, onlyWhenNamed: true },
};

async function main(argv: string[]): Promise<void> {
  let quick = false;
  let only: string | undefined;
  let sizes: number[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    // `npx projen bench -- --only synth` passes the separator on.
    if (argv[i] === '--') continue;
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--only' && argv[i + 1] in BENCHMARKS) only = argv[++i];
    else if (argv[i] === '--cameras' && /^\d+(,\d+)*$/.test(argv[i + 1] ?? '')) sizes = argv[++i].split(',').map(Number);
    else throw new Error(`Unknown argument ${argv[i]}\n${USAGE}`);
  }
  if (!fs.existsSync(HANDLER_BUNDLE)) throw new Error(`${HANDLER_BUNDLE} does not exist: bundle the handlers first (npx projen bundle:handlers)`);
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const options = { quick, write, sizes };
  for (const [name, bench] of Object.entries(BENCHMARKS)) {
    if (only !== undefined ? name !== only : bench.onlyWhenNamed) continue;
    write(`\n## ${bench.title}${quick ? ' (--quick)' : ''}\n`);
    const start = Date.now();
    await bench.run(options);
    write(`(${name}: ${seconds(Date.now() - start)})`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
