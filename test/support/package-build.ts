/**
 * The library compiled by jsii, as the release builds it, in a copy outside the work tree: the tests that need the
 * built package (jsii targets, the consumer project) leave `lib/`, `.jsii` and `dist/` of the work tree alone, and
 * do not race each other or a developer's own build.
 *
 * jsii is CPU-heavy, so the build is shared: it is cached in the system's temp directory under a hash of its inputs,
 * and a test that finds another process building the same inputs waits for it.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..', '..');
/** What the package is built from: jsii's inputs and what `npm pack` ships. */
const INPUTS = ['src', 'assets', 'package.json', 'tsconfig.json', '.npmignore', 'README.md', 'docs', 'LICENSE'];
/** The handler bundle, built by `npx projen bundle:handlers` (the test task runs it first). */
export const HANDLER_BUNDLE = join(ROOT, 'assets', 'kvs-handler', 'index.js');

const CACHE_PREFIX = 'cdk-kinesis-video-build-';
const STALE_MS = 24 * 3600_000;
const LOCK_TIMEOUT_MS = 10 * 60_000;
const DONE_MARKER = '.build-complete';

/** The directory of a jsii-compiled copy of the library (with `lib/` and `.jsii`), built once per set of inputs. */
export function builtPackage(): string {
  if (!existsSync(HANDLER_BUNDLE)) {
    throw new Error(`No handler bundle at ${relative(ROOT, HANDLER_BUNDLE)}: run npx projen bundle:handlers first`);
  }
  const dir = join(tmpdir(), `${CACHE_PREFIX}${inputsHash()}`);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  while (!existsSync(join(dir, DONE_MARKER))) {
    if (tryLock(lock)) {
      try {
        if (!existsSync(join(dir, DONE_MARKER))) build(dir);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another process to build ${dir} (lock ${lock})`);
    sleep(1000);
  }
  return dir;
}

function build(dir: string): void {
  pruneStaleBuilds();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const input of INPUTS) cpSync(join(ROOT, input), join(dir, input), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The release's compile step (projen's `compile` task).
  runTool('jsii', ['--silence-warnings=reserved-word'], dir);
  writeFileSync(join(dir, DONE_MARKER), new Date().toISOString());
}

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => filesUnder(join(ROOT, input))).sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((entry) => filesUnder(join(path, entry)));
}

/** Takes the lock, breaking one left by a process that died; false while another process holds it. */
function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    const held = statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > LOCK_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

/** Builds of other inputs more than a day old. */
function pruneStaleBuilds(): void {
  for (const entry of readdirSync(tmpdir()).filter((e) => e.startsWith(CACHE_PREFIX))) {
    const path = join(tmpdir(), entry);
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `command` in `cwd` and returns its output; on failure, the error carries the output. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

/** Runs a tool of the work tree's node_modules/.bin, as `run` does. */
export function runTool(tool: string, args: string[], cwd: string): string {
  return run(join(ROOT, 'node_modules', '.bin', tool), args, cwd);
}
