import { execFileSync } from 'child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Replaces the staged copy of `assets/kvs-handler` in a synthesized assembly (which `projen bundle:handlers` builds)
 * with a bundle of `lambda/` as it is now, so that a local deployment runs the handlers of these sources.
 */
export function restageHandler(outdir: string): void {
  const fresh = join(outdir, 'fresh-handler');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'bundle-handlers.mjs'), fresh], { cwd: ROOT, stdio: 'ignore' });
  const staged = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'index.js'))
    && readFileSync(join(outdir, d, 'index.js'), 'utf8').includes('Custom::KinesisVideoStreamConfiguration'));
  if (staged.length !== 1) throw new Error(`Expected one staged handler bundle in ${outdir}; found ${staged.length}`);
  copyFileSync(join(fresh, 'index.js'), join(outdir, staged[0], 'index.js'));
}
