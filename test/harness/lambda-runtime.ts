/**
 * Runs Lambda handlers as Lambda does: each container with only its function's environment, the handler file required
 * from the function's code directory with module state of its own, one invocation at a time per container, and the
 * function's timeout enforced (scaled). Containers stay warm between invocations.
 *
 * A container is not a process: it is a fresh instance of the function's CommonJS modules inside one of a few host
 * worker threads (one per core), with its own `process` (environment, pid, cwd, stdout, exit), console and timers.
 * A process per container cost about 0.3 s of CPU and 25 MB to start; an instance costs a few milliseconds and half
 * a megabyte, because each host compiles a file once and only runs its top level again per container. That is what
 * lets the harness deploy thousands of custom resources with its own cost well under the service's TPS limits.
 */
import { randomUUID } from 'crypto';
import * as os from 'os';
import { Worker } from 'worker_threads';

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
   * How many host worker threads the containers are spread over.
   * @default the machine's cores (at least 2)
   */
  readonly hosts?: number;
  /**
   * How many invocations may run at once, across all functions: the account's Lambda concurrency. An invocation past
   * it waits for one to end. (On AWS the Invoke would be throttled, and the caller, here the provider framework, retry
   * it; the harness does not run the framework as a function, so it queues instead.)
   * @default 1000, Lambda's default `ConcurrentExecutions` quota per account and region
   */
  readonly accountConcurrency?: number;
}

/**
 * The code each host worker runs. It keeps the containers placed on it: for each, a module cache of its own, a
 * `process` whose environment, pid, cwd, stdout/stderr and exit are the container's, a console writing to its log,
 * and timers that stop when the container is stopped. Files are compiled once per host and instantiated per
 * container (a fresh top level, as a fresh process would run it). Messages: `start`, `invoke` and `stop`, by
 * container id; answers: `log`, `started` (init done) and the result, in that order.
 */
const HOST_SOURCE = String.raw`
const { parentPort } = require('worker_threads');
const { Console } = require('console');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');
const { Writable } = require('stream');
const containers = new Map();
const compiled = new Map();
const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname', 'process', 'console',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'];
function named(name, message) { const e = new Error(message); e.name = name; return e; }
function post(message) { parentPort.postMessage(message); }
/** Writes an error nobody caught to the host's stderr, which the harness logs under 'lambda-host'. */
function reportUncaught(event, err) { console.error(event + ': ' + (err && err.stack ? err.stack : String(err))); }
/** A file's module wrapper, compiled once per host (keyed by its path and modification, as code copies change). */
function wrapper(file) {
  const stat = fs.statSync(file);
  const key = file + '|' + stat.mtimeMs + '|' + stat.size;
  let fn = compiled.get(key);
  if (!fn) {
    const source = fs.readFileSync(file, 'utf-8').replace(/^#!.*/, '');
    fn = new vm.Script('(function (' + PARAMS.join(', ') + ') {' + source + '\n})', { filename: file }).runInThisContext();
    compiled.set(key, fn);
  }
  return fn;
}
function createContainer({ id, pid, env, cwd }) {
  // timers: each live handle and the function that clears it.
  const c = { id, dead: false, timers: new Map(), modules: new Map(), handlers: new Map(), invocation: undefined };
  const out = new Writable({
    decodeStrings: false,
    write(chunk, encoding, done) {
      if (!c.dead) post({ container: id, log: Buffer.isBuffer(chunk) ? chunk.toString('utf-8') : String(chunk) });
      done();
    },
  });
  // A timer of a stopped container never fires, and a stopped container sets none: Lambda freezes and discards it.
  const timer = (set, clear, once) => (fn, ...args) => {
    if (c.dead) return set(() => {}, 0).unref();
    const handle = set((...a) => {
      if (once) c.timers.delete(handle);
      if (c.dead) return;
      try {
        fn(...a);
      } catch (err) {
        reportUncaught('uncaughtException', err);
        exit(c, 1);
      }
    }, ...args);
    c.timers.set(handle, clear);
    return handle;
  };
  const clearer = (clear) => (handle) => { c.timers.delete(handle); clear(handle); };
  c.timerApi = {
    setTimeout: timer(setTimeout, clearTimeout, true), setInterval: timer(setInterval, clearInterval, false),
    setImmediate: timer(setImmediate, clearImmediate, true), clearTimeout: clearer(clearTimeout),
    clearInterval: clearer(clearInterval), clearImmediate: clearer(clearImmediate),
  };
  c.clearTimers = () => { for (const [handle, clear] of c.timers) clear(handle); c.timers.clear(); };
  c.process = Object.create(process, {
    env: { value: env, enumerable: true, writable: true },
    pid: { value: pid, enumerable: true },
    cwd: { value: () => cwd },
    stdout: { value: out },
    stderr: { value: out },
    exit: { value: (code) => { exit(c, code === undefined ? 0 : code); throw named('Runtime.ExitError', 'process.exit(' + code + ')'); } },
  });
  c.console = new Console({ stdout: out, stderr: out });
  containers.set(id, c);
}
/** Lambda's runtime ends the container and fails the invocation under way. */
function exit(c, code) {
  if (c.dead) return;
  const requestId = c.invocation;
  stop(c);
  if (requestId !== undefined) post({ container: c.id, id: requestId, exited: 'exit status ' + code });
}
function stop(c) {
  c.dead = true;
  c.clearTimers();
  containers.delete(c.id);
}
/** require() for code of container c: its own instance of every file, the node: modules shared. */
function requireFor(c, fromDir) {
  const resolver = Module.createRequire(path.join(fromDir, 'noop.js'));
  const req = (id) => {
    if (id === 'process' || id === 'node:process') return c.process;
    if (id === 'timers' || id === 'node:timers') return c.timerApi;
    if (Module.isBuiltin(id)) return require(id);
    return load(c, resolver.resolve(id));
  };
  req.resolve = (id) => resolver.resolve(id);
  return req;
}
function load(c, file) {
  const cached = c.modules.get(file);
  if (cached) return cached.exports;
  if (file.endsWith('.json')) return JSON.parse(fs.readFileSync(file, 'utf-8'));
  if (file.endsWith('.node') || file.endsWith('.mjs')) {
    throw named('Runtime.ImportModuleError', 'Error: ' + file + ': the harness runs CommonJS (.js, .cjs) code only');
  }
  const module = { id: file, filename: file, exports: {}, loaded: false, children: [], paths: [] };
  c.modules.set(file, module);
  const t = c.timerApi;
  wrapper(file).call(module.exports, module.exports, requireFor(c, path.dirname(file)), module, file, path.dirname(file),
    c.process, c.console, t.setTimeout, t.setInterval, t.setImmediate, t.clearTimeout, t.clearInterval, t.clearImmediate);
  module.loaded = true;
  return module.exports;
}
function handlerOf(c, codeDir, handler) {
  const known = c.handlers.get(handler);
  if (known) return known;
  const m = /^([^.]*)\.(.+)$/.exec(handler);
  if (!m) throw named('Runtime.MalformedHandlerName', 'Bad handler ' + handler + ': expected module.function');
  const base = path.resolve(codeDir, m[1]);
  const file = ['.js', '.cjs', '.mjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (file === undefined) throw named('Runtime.ImportModuleError', "Error: Cannot find module '" + m[1] + "'");
  let fn = load(c, file);
  for (const part of m[2].split('.')) fn = fn == null ? undefined : fn[part];
  if (typeof fn !== 'function') throw named('Runtime.HandlerNotFound', handler + ' is undefined or not exported');
  c.handlers.set(handler, fn);
  return fn;
}
async function invoke(c, msg) {
  c.invocation = msg.id;
  // A stopped container's result is dropped: the harness already answered its invocation.
  const answer = (result) => {
    if (c.dead) return;
    c.invocation = undefined;
    post({ container: c.id, id: msg.id, ...result });
  };
  try {
    // Lambda's init phase (loading the handler) does not count toward the function's timeout.
    const fn = handlerOf(c, msg.codeDir, msg.handler);
    post({ container: c.id, id: msg.id, started: true });
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
    answer({ ok: true, payload: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    answer({ ok: false, error: { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split('\n') } });
  }
}
// An error nobody caught: thrown by a container's timer callback, it ends that container, as it ends the runtime's
// process on Lambda; thrown anywhere else (a socket callback), it cannot be charged to one container, so it ends the
// host and every container on it. (Tracking the running container through async_hooks cost a fifth of the CPU.)
for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (err) => {
    reportUncaught(event, err);
    process.exit(1);
  });
}
parentPort.on('message', (msg) => {
  if (msg.type === 'start') return createContainer(msg);
  const c = containers.get(msg.container);
  if (msg.type === 'stop') return c && stop(c);
  if (!c) return post({ container: msg.container, id: msg.id, exited: 'container stopped' });
  invoke(c, msg);
});
`;

interface Host {
  readonly worker: Worker;
  /** Containers placed on this host and not stopped. */
  readonly containers: Map<number, Container>;
  /** Containers of this host whose first invocation has not ended (see `COLD_STARTS_PER_HOST`). */
  starting: number;
}

interface Container {
  readonly id: number;
  readonly key: string;
  readonly functionName: string;
  readonly host: Host;
  /** Stopped (timed out, exited, or its host went away): never reused. */
  dead: boolean;
  /** Its first invocation has not ended yet: it counts in its host's `starting`. */
  cold: boolean;
  /** Settles the invocation under way: with the host's answer, or when the container ends. */
  pending?: (message: HostAnswer) => void;
}

type HostAnswer = {
  container: number; id?: string; log?: string; started?: boolean; ok?: boolean; payload?: unknown; error?: LambdaError; exited?: string;
};

/** Lambda's limit for the init phase, which is not scaled: it is real start-up. */
const INIT_TIMEOUT_MS = 10_000;
/**
 * How many containers a host starts at once: a container counts from its start until its first invocation ends.
 * A new container costs the host's CPU about 30 ms (its init, and its SDK clients' first call, which resolves their
 * configuration; a warm call costs about 4 ms), and all of a host's containers share its core: started without a
 * bound, a burst of 2,000 invocations made 3,000 containers whose first calls queued behind one another for 16 s,
 * nearly twice the CPU of the same deployment with 400 (BENCHMARKS.md, benchmark 6, fourth round).
 */
const COLD_STARTS_PER_HOST = 8;
/** How often an invocation waiting for a host to start its container looks again. */
const HOST_RECHECK_MS = 25;

export class LambdaRuntime {
  /** Every invocation, in the order they ended. */
  public readonly invocations: InvocationRecord[] = [];
  /** Containers started (cold starts) and the real time their init phases took, summed. */
  public readonly coldStarts = { count: 0, initMs: 0 };
  private readonly idle = new Map<string, Container[]>();
  private readonly hosts: Host[] = [];
  private readonly hostCount: number;
  private nextContainerId = 1;
  /** Live containers (idle or busy) per function key. */
  private readonly live = new Map<string, number>();
  /** Invocations of each function waiting for one of its containers to become idle. */
  private readonly waiters = new Map<string, (() => void)[]>();

  private readonly accountConcurrency: number;
  private executing = 0;
  private readonly concurrencyWaiters: (() => void)[] = [];

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.hostCount = options.hosts ?? Math.max(2, os.availableParallelism());
    this.accountConcurrency = options.accountConcurrency ?? 1000;
  }

  /** Invokes the function synchronously (`RequestResponse`), as the provider framework does. */
  public async invoke(spec: LambdaFunctionSpec, payload: unknown): Promise<InvokeResult> {
    const requestId = randomUUID();
    const startedAt = Date.now();
    const timing: { handlerStartedAt?: number } = {};
    while (this.executing >= this.accountConcurrency) await new Promise<void>((resolve) => this.concurrencyWaiters.push(resolve));
    this.executing++;
    let result: InvokeResult;
    try {
      result = await this.run(spec, payload, requestId, timing);
    } finally {
      this.executing--;
      this.concurrencyWaiters.shift()?.();
    }
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

  /** Stops every container and its hosts. */
  public async close(): Promise<void> {
    const hosts = this.hosts.splice(0);
    this.idle.clear();
    await Promise.all(hosts.map((h) => h.worker.terminate()));
  }

  private async run(spec: LambdaFunctionSpec, payload: unknown, requestId: string, timing: { handlerStartedAt?: number }): Promise<InvokeResult> {
    if (spec.codeDir === undefined) {
      return failure('Runtime.ImportModuleError', spec.codeError ?? `The code of function ${spec.functionName} is not available`);
    }
    const key = JSON.stringify([spec.functionArn, spec.codeDir, spec.environment, spec.accessKeyId]);
    const { container, warm } = await this.acquire(key, spec);
    const sentAt = Date.now();
    const timeoutMs = Math.max(1, spec.timeoutSeconds * 1000 * this.options.timeScale);

    const result = await new Promise<InvokeResult>((resolve) => {
      // Lambda stops the container of a timed-out invocation; the next invocation starts cold.
      const timeOut = (message: string) => () => {
        this.stop(container);
        resolve(failure('Sandbox.Timedout', message));
      };
      let timer = setTimeout(timeOut(`Init timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`), INIT_TIMEOUT_MS);
      container.pending = (message) => {
        if (message.started) {
          timing.handlerStartedAt = Date.now();
          if (!warm) this.coldStarts.initMs += Date.now() - sentAt;
          clearTimeout(timer);
          timer = setTimeout(timeOut(`Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`), timeoutMs);
          return;
        }
        clearTimeout(timer);
        if (message.exited !== undefined) {
          this.stop(container);
          resolve(failure('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited with error: ${message.exited}`));
        } else {
          resolve(message.ok ? { ok: true, payload: message.payload } : { ok: false, error: message.error! });
        }
      };
      container.host.worker.postMessage({
        type: 'invoke',
        container: container.id,
        id: requestId,
        codeDir: spec.codeDir,
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

    container.pending = undefined;
    this.warmedUp(container);
    if (!container.dead) {
      const pool = this.idle.get(key) ?? [];
      pool.push(container);
      this.idle.set(key, pool);
      this.waiters.get(key)?.shift()?.();
    }
    return result;
  }

  /**
   * An idle container of the function, as Lambda reuses one, else a new one. Lambda starts environments on machines
   * of their own; here they share the harness's cores with the handlers, so that starting fewer finishes sooner:
   * - while every container of the function is busy, an invocation first waits for one to become idle as long as a
   *   cold start takes on average here;
   * - then it waits for a host that is starting fewer than `COLD_STARTS_PER_HOST` containers, unless its function has
   *   no container yet (so that every function makes progress), or for one of its own containers to become idle.
   * Scheduling only: each invocation still runs alone in a container of its own function, and its timeout counts
   * from the end of its container's init.
   */
  private async acquire(key: string, spec: LambdaFunctionSpec): Promise<{ container: Container; warm: boolean }> {
    const coldAfter = Date.now() + ((this.live.get(key) ?? 0) > 0 ? this.averageInitMs() : 0);
    for (;;) {
      const idle = this.idle.get(key)?.pop();
      if (idle) return { container: idle, warm: true };
      const now = Date.now();
      const host = now >= coldAfter ? this.hostForNewContainer(key) : undefined;
      if (host) return { container: this.start(spec, key, host), warm: false };
      await new Promise<void>((resolve) => {
        const waiters = this.waiters.get(key) ?? [];
        this.waiters.set(key, waiters);
        const wake = () => {
          clearTimeout(timer);
          const index = waiters.indexOf(wake);
          if (index >= 0) waiters.splice(index, 1);
          resolve();
        };
        const timer = setTimeout(wake, now < coldAfter ? coldAfter - now : HOST_RECHECK_MS);
        waiters.push(wake);
      });
    }
  }

  /**
   * The host for a new container of the function: a new host while there are fewer than `hostCount`, else the one
   * with the fewest containers among those starting fewer than `COLD_STARTS_PER_HOST`; when none is, the one with the
   * fewest containers if the function has none yet, else none (the invocation waits).
   */
  private hostForNewContainer(key: string): Host | undefined {
    if (this.hosts.length < this.hostCount) return this.startHost();
    const fewest = (hosts: Host[]) => hosts.reduce((a, b) => (b.containers.size < a.containers.size ? b : a));
    const free = this.hosts.filter((h) => h.starting < COLD_STARTS_PER_HOST);
    if (free.length > 0) return fewest(free);
    return (this.live.get(key) ?? 0) > 0 ? undefined : fewest(this.hosts);
  }

  /** The container's first invocation ended, or it stopped before: its host may start another. */
  private warmedUp(container: Container): void {
    if (!container.cold) return;
    container.cold = false;
    container.host.starting--;
  }

  private averageInitMs(): number {
    return this.coldStarts.count === 0 || this.coldStarts.initMs === 0 ? 20 : this.coldStarts.initMs / this.coldStarts.count;
  }

  /** A new container of the function, on `host`. */
  private start(spec: LambdaFunctionSpec, key: string, host: Host): Container {
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
    const container: Container = { id: this.nextContainerId++, key, functionName: spec.functionName, host, dead: false, cold: true };
    host.starting++;
    host.containers.set(container.id, container);
    this.live.set(key, (this.live.get(key) ?? 0) + 1);
    // Each container's pid is its own, as each Lambda environment's process is.
    host.worker.postMessage({ type: 'start', id: container.id, pid: 1000 + container.id, env, cwd: spec.codeDir });
    this.coldStarts.count++;
    return container;
  }

  private startHost(): Host {
    // The host's own environment is empty: a container sees only its own (`process` in its code is the container's).
    // No execArgv: the test process's loaders (ts-node) have nothing to do in a host. A young generation larger than
    // the default: the SDK's short-lived objects of hundreds of concurrent invocations otherwise trigger constant scavenges.
    const worker = new Worker(HOST_SOURCE, {
      eval: true, env: {}, execArgv: [], stdout: true, stderr: true, resourceLimits: { maxYoungGenerationSizeMb: 96 },
    });
    const host: Host = { worker, containers: new Map(), starting: 0 };
    const forward = (functionName: string, text: string) => {
      for (const line of text.split('\n')) if (line.trim() !== '') this.options.onLog?.(functionName, line);
    };
    worker.on('message', (message: HostAnswer) => {
      // A stopped container's late answers find no container here and are dropped.
      const c = host.containers.get(message.container!);
      if (c === undefined) return;
      if (message.log !== undefined) forward(c.functionName, message.log);
      else c.pending?.(message);
    });
    // The host's own output (an uncaught error it charged to a container) goes to the log under its name.
    for (const stream of [worker.stdout, worker.stderr]) stream.on('data', (chunk: Buffer) => forward('lambda-host', chunk.toString('utf-8')));
    worker.on('error', (err) => forward('lambda-host', String(err.stack ?? err)));
    worker.on('exit', (code) => {
      const index = this.hosts.indexOf(host);
      if (index >= 0) this.hosts.splice(index, 1);
      for (const c of [...host.containers.values()]) {
        c.pending?.({ container: c.id, exited: `exit status ${code}` });
        this.stop(c);
      }
    });
    // An idle host must not keep the test process alive; an invocation's timer does while it runs.
    worker.unref();
    this.hosts.push(host);
    return host;
  }

  /** Stops a container: it is never reused, its timers never fire, its results are dropped. */
  private stop(container: Container): void {
    if (container.dead) return;
    container.dead = true;
    this.warmedUp(container);
    this.live.set(container.key, (this.live.get(container.key) ?? 1) - 1);
    container.host.containers.delete(container.id);
    container.host.worker.postMessage({ type: 'stop', container: container.id });
    const pool = this.idle.get(container.key);
    if (pool) this.idle.set(container.key, pool.filter((c) => c !== container));
  }
}

function failure(errorType: string, errorMessage: string): InvokeResult {
  return { ok: false, error: { errorType, errorMessage, trace: [] } };
}
