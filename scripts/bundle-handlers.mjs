// Bundles lambda/index.ts (or the entry given second, such as lambda/playback/index.ts), with the pinned SDK clients
// inside, into one minified file that ships in the npm package. Consumers' `cdk synth` then needs no Docker, no esbuild
// and no network.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: bundle-handlers.mjs OUTDIR [ENTRY]');
const entry = process.argv[3] ?? join('lambda', 'index.ts');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
if (!existsSync(entry)) {
  console.log(`bundle-handlers: ${entry} does not exist yet; nothing to bundle`);
  process.exit(0);
}
const { '//': _why, ...options } = JSON.parse(readFileSync(new URL('./handler-build-options.json', import.meta.url), 'utf8'));
await build({ ...options, entryPoints: [entry], outfile: join(outdir, 'index.js') });
console.log(`bundle-handlers: wrote ${join(outdir, 'index.js')}`);
