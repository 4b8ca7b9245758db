/**
 * Runs Lambda handlers as Lambda does: each function in its own Node.js process (a "container") with only the
 * function's environment, the handler file required from the function's code directory, one invocation at a time
 * per container, and the function's timeout enforced (scaled). Containers stay warm between invocations.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as os from 'os';

export interface LambdaFunctionSpec {
  readonly logicalId: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** The directory holding the function's code, or undefined when `codeError` says why there is none. */
  readonly codeDir?: string;
  readonly codeError?: string;
  readonly handler: string;
  /** The function's own environment variables, from the template. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** The access key id the function's calls are signed with: its execution role's, as the harness issued it. */
  readonly accessKeyId?: string;
}

/** An error as the Lambda Invoke API reports it (`FunctionError` set, payload with these fields). */
export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export type InvokeResult = { readonly ok: true; readonly payload: unknown } | { readonly ok: false; readonly error: LambdaError };

export interface InvocationRecord {
  readonly functionLogicalId: string;
  readonly functionName: string;
  readonly handler: string;
  readonly requestId: string;
  readonly payload: unknown;
  readonly result: InvokeResult;
  readonly startedAt: number;
  /** When the handler began to run: after waiting for a container and, in a new one, its init phase. */
  readonly handlerStartedAt?: number;
  readonly endedAt: number;
}

export interface LambdaRuntimeOptions {
  /** Multiplies the functions' timeouts. */
  readonly timeScale: number;
  /** Environment every function sees (region, endpoints, dummy credentials...), under its own variables. */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /** Receives every line a function writes to stdout or stderr. */
  readonly onLog?: (functionName: string, line: string) => void;
  /**
   * How many containers may be in their init phase (process start and handler load) at once. An invocation that
   * finds no idle container of its function waits for one to become idle (a warm start, as Lambda reuses it) for as
   * long as a cold start takes on average here, then also for a free init slot (a cold start), whichever comes
   * first; the first container of a function starts at once. Lambda starts environments on other machines; here they
   * share the harness's cores, and hundreds of Node.js processes starting together only thrash them (and overrun
   * Lambda's 10-second init limit) without starting any sooner.
   * @default the machine's cores (at least 2)
   */
  readonly maxConcurrentInits?: number;
}

/** The code each container runs: receive an invocation, require the handler, answer with its result or error. */
const CONTAINER_SOURCE = String.raw`
const fs = require('fs');
const path = require('path');
const url = require('url');
const loaded = new Map();
// Log lines travel on the IPC channel, ahead of the invocation's result, so that they are in order with it.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, callback) => {
    process.send({ log: Buffer.isBuffer(chunk) ? chunk.toString('utf-8') : String(chunk) });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (done) done();
    return true;
  };
}
// A container outlives no harness: when the harness's process goes away, so does the container.
process.on('disconnect', () => process.exit(0));
function named(name, message) { const e = new Error(message); e.name = name; return e; }
async function load(codeDir, handler) {
  const key = codeDir + '|' + handler;
  if (loaded.has(key)) return loaded.get(key);
  const m = /^([^.]*)\.(.+)$/.exec(handler);
  if (!m) throw named('Runtime.MalformedHandlerName', 'Bad handler ' + handler + ': expected module.function');
  const base = path.resolve(codeDir, m[1]);
  let mod;
  for (const ext of ['.js', '.cjs', '.mjs']) {
    if (!fs.existsSync(base + ext)) continue;
    mod = ext === '.mjs' ? await import(url.pathToFileURL(base + ext).href) : require(base + ext);
    break;
  }
  if (mod === undefined) throw named('Runtime.ImportModuleError', "Error: Cannot find module '" + m[1] + "'");
  let fn = mod;
  for (const part of m[2].split('.')) fn = fn == null ? undefined : fn[part];
  if (typeof fn !== 'function') throw named('Runtime.HandlerNotFound', handler + ' is undefined or not exported');
  loaded.set(key, fn);
  return fn;
}
process.on('message', async (msg) => {
  try {
    // Lambda's init phase (loading the handler) does not count toward the function's timeout.
    const fn = await load(msg.codeDir, msg.handler);
    process.send({ id: msg.id, started: true });
    const deadline = Date.now() + msg.timeoutMs;
    const context = {
      ...msg.context,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const result = await new Promise((resolve, reject) => {
      const returned = fn(msg.event, context, (err, res) => (err ? reject(err) : resolve(res)));
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
      else if (fn.length < 3) resolve(returned);
    });
    process.send({ id: msg.id, ok: true, payload: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    process.send({ id: msg.id, ok: false, error: { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split('\n') } });
  }
});
`;

interface Container {
  readonly process: ChildProcess;
  /** Killed, or exited: never reused. */
  dead: boolean;
  /** Settles the invocation under way when the process exits. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** Lambda's limit for the init phase, which is not scaled: it is real process start-up. */
const INIT_TIMEOUT_MS = 10_000;

export class LambdaRuntime {
  /** Every invocation, in the order they ended. */
  public readonly invocations: InvocationRecord[] = [];
  /** Containers started (cold starts) and the real time their init phases took, summed. */
  public readonly coldStarts = { count: 0, initMs: 0 };
  private readonly idle = new Map<string, Container[]>();
  private readonly all = new Set<Container>();
  private readonly maxConcurrentInits: number;
  private inits = 0;
  /** Live containers (idle or busy) per function key. */
  private readonly live = new Map<string, number>();
  /** Invocations waiting for a warm container or an init slot; each re-checks when either frees up. */
  private waiters: (() => void)[] = [];

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.maxConcurrentInits = options.maxConcurrentInits ?? Math.max(2, os.availableParallelism());
  }

  /** Invokes the function synchronously (`RequestResponse`), as the provider framework does. */
  public async invoke(spec: LambdaFunctionSpec, payload: unknown): Promise<InvokeResult> {
    const requestId = randomUUID();
    const startedAt = Date.now();
    const timing: { handlerStartedAt?: number } = {};
    const result = await this.run(spec, payload, requestId, timing);
    this.invocations.push({
      functionLogicalId: spec.logicalId,
      functionName: spec.functionName,
      handler: spec.handler,
      requestId,
      payload,
      result,
      startedAt,
      handlerStartedAt: timing.handlerStartedAt,
      endedAt: Date.now(),
    });
    return result;
  }

  /** Stops every container. */
  public async close(): Promise<void> {
    const exits = [...this.all].map((c) => new Promise<void>((resolve) => {
      if (c.process.exitCode !== null || c.process.signalCode !== null) return resolve();
      c.process.once('exit', () => resolve());
      c.process.kill('SIGKILL');
    }));
    this.idle.clear();
    await Promise.all(exits);
  }

  private async run(spec: LambdaFunctionSpec, payload: unknown, requestId: string, timing: { handlerStartedAt?: number }): Promise<InvokeResult> {
    if (spec.codeDir === undefined) {
      return failure('Runtime.ImportModuleError', spec.codeError ?? `The code of function ${spec.functionName} is not available`);
    }
    const key = JSON.stringify([spec.functionArn, spec.codeDir, spec.environment, spec.accessKeyId]);
    const { container, warm } = await this.acquire(key, spec);
    const sentAt = Date.now();
    // A cold container holds its init slot until its handler is loaded (or the invocation ends).
    let initSlot = !warm;
    const releaseInit = () => {
      if (!initSlot) return;
      initSlot = false;
      this.inits--;
      this.wake();
    };
    const timeoutMs = Math.max(1, spec.timeoutSeconds * 1000 * this.options.timeScale);
    const codeDir = spec.codeDir;

    const result = await new Promise<InvokeResult>((resolve) => {
      // Lambda stops the container of a timed-out invocation; the next invocation starts cold.
      const stop = (error: InvokeResult) => {
        container.onExit = undefined;
        container.dead = true;
        container.process.kill('SIGKILL');
        resolve(error);
      };
      let timer = setTimeout(() => stop(failure('Sandbox.Timedout', `Init timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`)), INIT_TIMEOUT_MS);
      const onMessage = (message: { log?: string; started?: boolean; ok?: boolean; payload?: unknown; error?: LambdaError }) => {
        if (message.log !== undefined) return;
        clearTimeout(timer);
        if (message.started) {
          timing.handlerStartedAt = Date.now();
          if (!warm) this.coldStarts.initMs += Date.now() - sentAt;
          releaseInit();
          timer = setTimeout(() => stop(failure('Sandbox.Timedout', `Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`)), timeoutMs);
          return;
        }
        container.process.off('message', onMessage);
        container.onExit = undefined;
        resolve(message.ok ? { ok: true, payload: message.payload } : { ok: false, error: message.error! });
      };
      container.onExit = (code, signal) => {
        clearTimeout(timer);
        container.process.off('message', onMessage);
        const how = signal ? `signal: ${signal}` : `exit status ${code}`;
        resolve(failure('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited with error: ${how}`));
      };
      container.process.on('message', onMessage);
      container.process.send({
        id: requestId,
        codeDir,
        handler: spec.handler,
        event: payload,
        timeoutMs,
        context: {
          functionName: spec.functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: spec.functionArn,
          memoryLimitInMB: String(spec.memorySize),
          awsRequestId: requestId,
          logGroupName: `/aws/lambda/${spec.functionName}`,
          logStreamName: `harness/[$LATEST]${requestId.replace(/-/g, '')}`,
        },
      });
    });

    releaseInit();
    if (!container.dead) {
      const pool = this.idle.get(key) ?? [];
      pool.push(container);
      this.idle.set(key, pool);
      this.wake();
    }
    return result;
  }

  /** A warm container of the function if one is idle, else a new one once an init slot is free. */
  private async acquire(key: string, spec: LambdaFunctionSpec): Promise<{ container: Container; warm: boolean }> {
    // Waiting this long for a busy container costs no more than starting one.
    const coldAfter = Date.now() + ((this.live.get(key) ?? 0) > 0 ? this.averageInitMs() : 0);
    for (;;) {
      const warm = this.idle.get(key)?.pop();
      if (warm) return { container: warm, warm: true };
      const now = Date.now();
      if (now >= coldAfter && this.inits < this.maxConcurrentInits) {
        this.inits++;
        return { container: this.start(spec, key), warm: false };
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        if (now < coldAfter) setTimeout(resolve, coldAfter - now);
      });
    }
  }

  private averageInitMs(): number {
    return this.coldStarts.count === 0 || this.coldStarts.initMs === 0 ? 200 : this.coldStarts.initMs / this.coldStarts.count;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }

  private start(spec: LambdaFunctionSpec, key: string): Container {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: spec.codeDir ?? '',
      AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
      ...this.options.baseEnvironment,
      ...(spec.accessKeyId !== undefined ? { AWS_ACCESS_KEY_ID: spec.accessKeyId } : {}),
      ...spec.environment,
    };
    const child = spawn(process.execPath, ['-e', CONTAINER_SOURCE], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env, cwd: spec.codeDir });
    const container: Container = { process: child, dead: false };
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf-8').split('\n')) if (line.trim() !== '') this.options.onLog?.(spec.functionName, line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('message', (message: { log?: string }) => {
      if (message.log !== undefined) forward(Buffer.from(message.log));
    });
    this.live.set(key, (this.live.get(key) ?? 0) + 1);
    child.on('exit', (code, signal) => {
      this.live.set(key, (this.live.get(key) ?? 1) - 1);
      container.dead = true;
      this.all.delete(container);
      for (const [poolKey, pool] of this.idle) this.idle.set(poolKey, pool.filter((c) => c !== container));
      container.onExit?.(code, signal);
    });
    // Idle containers must not keep the test process alive; an invocation's timer does while it runs.
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    (child.channel as unknown as { unref?: () => void } | null | undefined)?.unref?.();
    this.all.add(container);
    this.coldStarts.count++;
    return container;
  }
}

function failure(errorType: string, errorMessage: string): InvokeResult {
  return { ok: false, error: { errorType, errorMessage, trace: [] } };
}
