/**
 * The naive handler for the fleet comparison: the same lambda/ code, bundled as `projen bundle:handlers` bundles it,
 * with one change: no retry budget for throttling (`THROTTLE_RETRY.maxAttempts` 1, so a
 * ClientLimitExceededException fails the resource at once). The SDK's own retries of 5xx stay as they are.
 */
import * as fs from 'fs';
import * as path from 'path';
import { build, BuildOptions, Plugin } from 'esbuild';
import { HANDLER_BUNDLE } from './support';

/** The shipped bundle's esbuild options (scripts/bundle-handlers.mjs reads the same file). */
const { '//': _why, ...HANDLER_BUILD_OPTIONS } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'scripts', 'handler-build-options.json'), 'utf8'),
) as BuildOptions & { '//': string };

const LAMBDA_DIR = path.join(__dirname, '..', 'lambda');
const BUDGETS = path.join(LAMBDA_DIR, 'budgets.ts');

/** Resolves lambda/'s `./budgets` to a module that re-exports it with the throttling budget set to zero retries. */
const zeroRetryBudget: Plugin = {
  name: 'zero-retry-budget',
  setup(b) {
    b.onResolve({ filter: /(^|\/)budgets$/ }, (args) => {
      if (args.namespace === 'naive') return { path: BUDGETS };
      return path.resolve(args.resolveDir, `${args.path}.ts`) === BUDGETS ? { path: 'budgets', namespace: 'naive' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'naive' }, () => ({
      resolveDir: LAMBDA_DIR,
      loader: 'ts',
      contents: [
        "import { THROTTLE_RETRY as SHIPPED } from './budgets';",
        "export * from './budgets';",
        'export const THROTTLE_RETRY = { ...SHIPPED, maxAttempts: 1 } as const;',
      ].join('\n'),
    }));
  },
};

/** Builds the naive bundle into `outdir`/index.js, with the options of scripts/bundle-handlers.mjs. */
export async function buildNaiveBundle(outdir: string): Promise<string> {
  const outfile = path.join(outdir, 'index.js');
  await build({ ...HANDLER_BUILD_OPTIONS, entryPoints: [path.join(LAMBDA_DIR, 'index.ts')], outfile, plugins: [zeroRetryBudget] });
  return outfile;
}

/**
 * Puts `bundle` in place of the shipped handler in a synthesized cloud assembly: every asset directory whose
 * index.js is the shipped bundle. Returns how many it replaced.
 */
export function swapHandlerBundle(assembly: string, bundle: string): number {
  const shipped = fs.readFileSync(HANDLER_BUNDLE);
  let swapped = 0;
  for (const entry of fs.readdirSync(assembly)) {
    const file = path.join(assembly, entry, 'index.js');
    if (entry.startsWith('asset.') && fs.existsSync(file) && fs.readFileSync(file).equals(shipped)) {
      fs.copyFileSync(bundle, file);
      swapped++;
    }
  }
  return swapped;
}
