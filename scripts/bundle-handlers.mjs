// Bundles lambda/index.ts, with the pinned @aws-sdk/client-kinesis-video inside, into one minified file that ships in
// the npm package. Consumers' `cdk synth` then needs no Docker, no esbuild and no network.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: bundle-handlers.mjs OUTDIR');
const entry = join('lambda', 'index.ts');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
if (!existsSync(entry)) {
  console.log(`bundle-handlers: ${entry} does not exist yet; nothing to bundle`);
  process.exit(0);
}
await build({
  entryPoints: [entry],
  outfile: join(outdir, 'index.js'),
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // The SDK's ES module builds tree-shake far better than its CommonJS ones.
  mainFields: ['module', 'main'],
  // Those builds load a few Node built-ins with import(); as require() they also load under test runners' vm modules.
  supported: { 'dynamic-import': false },
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`bundle-handlers: wrote ${join(outdir, 'index.js')}`);
