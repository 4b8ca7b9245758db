import * as fs from 'fs';
import * as path from 'path';
import { TempDirs } from './fixtures/apps';
import { LambdaFunctionSpec, LambdaRuntime } from './lambda-runtime';

let dirs: TempDirs;
let runtime: LambdaRuntime;
const logs: string[] = [];

beforeEach(() => {
  dirs = new TempDirs();
  logs.length = 0;
  runtime = new LambdaRuntime({ timeScale: 0.01, baseEnvironment: { AWS_REGION: 'eu-west-1' }, onLog: (name, line) => logs.push(`${name}: ${line}`) });
});

afterEach(async () => {
  await runtime.close();
  dirs.removeAll();
});

/** A function whose code directory holds `files`. */
function fn(files: Record<string, string>, overrides: Partial<LambdaFunctionSpec> = {}): LambdaFunctionSpec {
  const codeDir = dirs.make('harness-code-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(codeDir, name), text);
  return {
    logicalId: 'Fn',
    functionName: 'my-fn',
    functionArn: `function:my-fn:${codeDir}`,
    codeDir,
    handler: 'index.handler',
    environment: { MY_VAR: 'mine' },
    timeoutSeconds: 10,
    memorySize: 128,
    ...overrides,
  };
}

describe('LambdaRuntime', () => {
  test('runs the handler with the function\'s environment only, its context, and keeps the container warm', async () => {
    const spec = fn({
      'index.js': `
        let calls = 0;
        exports.handler = async (event, context) => {
          calls++;
          console.log('called', event.n);
          return { calls, pid: process.pid, env: { region: process.env.AWS_REGION, mine: process.env.MY_VAR, home: process.env.HOME ?? null },
            name: context.functionName, remaining: context.getRemainingTimeInMillis() > 0 };
        };`,
    });
    const first = await runtime.invoke(spec, { n: 1 });
    const second = await runtime.invoke(spec, { n: 2 });
    const payload = (r: typeof first) => (r.ok ? r.payload : r.error) as { calls: number; pid: number };
    expect(first).toEqual({ ok: true, payload: { calls: 1, pid: expect.any(Number), env: { region: 'eu-west-1', mine: 'mine', home: null }, name: 'my-fn', remaining: true } });
    expect(payload(second).calls).toBe(2);
    expect(payload(second).pid).toBe(payload(first).pid);
    expect(logs).toEqual(['my-fn: called 1', 'my-fn: called 2']);
    expect(runtime.invocations.map((i) => i.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  test('supports callback handlers and handlers in subdirectories', async () => {
    const spec = fn({ 'index.js': '' }, { handler: 'lib/cb.handler' });
    fs.mkdirSync(path.join(spec.codeDir!, 'lib'));
    fs.writeFileSync(path.join(spec.codeDir!, 'lib', 'cb.js'), 'exports.handler = (event, context, callback) => callback(null, { got: event });');
    expect(await runtime.invoke(spec, 'x')).toEqual({ ok: true, payload: { got: 'x' } });
  });

  test('does not count the init phase (loading the handler) toward the timeout', async () => {
    // Loading takes 300 ms; the scaled timeout is 100 ms.
    const spec = fn({ 'index.js': 'const end = Date.now() + 300; while (Date.now() < end) {}\nexports.handler = async () => "ok";' }, { timeoutSeconds: 10 });
    expect(await runtime.invoke(spec, {})).toEqual({ ok: true, payload: 'ok' });
  });

  test('fails an invocation past the scaled timeout, and starts the next one in a fresh container', async () => {
    const spec = fn({ 'index.js': 'exports.handler = async (e) => { if (e.sleep) await new Promise((r) => setTimeout(r, e.sleep)); return process.pid; };' });
    const warm = await runtime.invoke(spec, {});
    const timedOut = await runtime.invoke(spec, { sleep: 1000 });
    const next = await runtime.invoke(spec, {});
    expect(timedOut).toEqual({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 10.00 seconds', trace: [] } });
    expect(next.ok && warm.ok && next.payload !== warm.payload).toBe(true);
  });

  test('fails with the handler\'s error', async () => {
    const result = await runtime.invoke(fn({ 'index.js': 'exports.handler = async () => { throw new TypeError("bad input"); };' }), {});
    expect(result).toEqual({ ok: false, error: { errorType: 'TypeError', errorMessage: 'bad input', trace: expect.arrayContaining(['TypeError: bad input']) } });
  });

  test('fails on a missing module, a missing export and missing code', async () => {
    expect(await runtime.invoke(fn({ 'other.js': '' }), {}))
      .toEqual({ ok: false, error: { errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'index'", trace: expect.any(Array) } });
    expect(await runtime.invoke(fn({ 'index.js': 'exports.other = () => 1;' }), {}))
      .toEqual({ ok: false, error: { errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported', trace: expect.any(Array) } });
    expect(await runtime.invoke({ ...fn({}), codeDir: undefined, codeError: 'not an asset' }, {}))
      .toEqual({ ok: false, error: { errorType: 'Runtime.ImportModuleError', errorMessage: 'not an asset', trace: [] } });
  });

  test('fails an invocation whose container exits', async () => {
    const result = await runtime.invoke(fn({ 'index.js': 'exports.handler = async () => process.exit(3);' }), {});
    expect(result).toEqual({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/), trace: [] } });
  });

  test('gives concurrent containers module state and an environment of their own', async () => {
    const code = { 'index.js': 'let calls = 0;\nexports.handler = async (e) => { calls++; await new Promise((r) => setTimeout(r, 50)); return { calls, mine: process.env.MY_VAR, pid: process.pid }; };' };
    const a = fn(code);
    const b = fn(code, { functionArn: 'function:other', environment: { MY_VAR: 'theirs' } });
    const results = await Promise.all([runtime.invoke(a, {}), runtime.invoke(a, {}), runtime.invoke(b, {})]);
    const payloads = results.map((r) => (r.ok ? r.payload : r.error) as { calls: number; mine: string; pid: number });
    expect(payloads.map((p) => [p.calls, p.mine])).toEqual([[1, 'mine'], [1, 'mine'], [1, 'theirs']]);
    expect(new Set(payloads.map((p) => p.pid)).size).toBe(3);
    expect(runtime.coldStarts.count).toBe(3);
  });

  test('fails the invocation whose timer throws, and only that one of the host', async () => {
    const oneHost = new LambdaRuntime({ timeScale: 1, baseEnvironment: {}, hosts: 1, onLog: (name, line) => logs.push(`${name}: ${line}`) });
    try {
      const crashing = fn({ 'index.js': 'exports.handler = async () => { setTimeout(() => { throw new Error("late"); }, 10); await new Promise((r) => setTimeout(r, 200)); return "never"; };' });
      const healthy = fn({ 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 100)); return "fine"; };' }, { functionArn: 'function:healthy' });
      const [crashed, fine] = await Promise.all([oneHost.invoke(crashing, {}), oneHost.invoke(healthy, {})]);
      expect(crashed).toEqual({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Runtime exited with error: exit status 1$/), trace: [] } });
      expect(fine).toEqual({ ok: true, payload: 'fine' });
      expect(logs).toContainEqual(expect.stringMatching(/^lambda-host: uncaughtException: Error: late/));
    } finally {
      await oneHost.close();
    }
  });

  test('never fires the timers of a timed-out container again', async () => {
    const spec = fn({ 'index.js': 'exports.handler = async () => { setInterval(() => console.log("tick"), 5); await new Promise(() => {}); };' });
    expect(await runtime.invoke(spec, {})).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    const ticks = logs.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(ticks).toBeGreaterThan(0);
    expect(logs.length).toBe(ticks);
  });

  test('starts at most 8 containers at once per host, and reuses them for the rest of a burst', async () => {
    const oneHost = new LambdaRuntime({ timeScale: 1, baseEnvironment: {}, hosts: 1 });
    try {
      const spec = fn({ 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 100)); return process.pid; };' });
      const results = await Promise.all(Array.from({ length: 40 }, () => oneHost.invoke(spec, {})));
      expect(results.every((r) => r.ok)).toBe(true);
      // A container counts as starting from its first invocation's start to that invocation's end.
      const firsts = new Map<unknown, { from: number; to: number }>();
      for (const i of [...oneHost.invocations].sort((a, b) => a.startedAt - b.startedAt)) {
        if (i.result.ok && !firsts.has(i.result.payload)) firsts.set(i.result.payload, { from: i.handlerStartedAt!, to: i.endedAt });
      }
      const startingAt = (t: number) => [...firsts.values()].filter((f) => f.from <= t && t < f.to).length;
      expect(Math.max(...[...firsts.values()].map((f) => startingAt(f.from)))).toBe(8);
      expect(oneHost.coldStarts.count).toBe(firsts.size);
      expect(firsts.size).toBeLessThan(40);
    } finally {
      await oneHost.close();
    }
  });

  test('starts the first container of a function even while its host is starting 8 others', async () => {
    const oneHost = new LambdaRuntime({ timeScale: 1, baseEnvironment: {}, hosts: 1 });
    try {
      const slow = fn({ 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 1000)); return "slow"; };' });
      const other = fn({ 'index.js': 'exports.handler = async () => "other";' }, { functionArn: 'function:other' });
      const slowOnes = Promise.all(Array.from({ length: 12 }, () => oneHost.invoke(slow, {})));
      await new Promise((r) => setTimeout(r, 300)); // the host is starting 8 containers of `slow`; 4 invocations wait
      expect(await oneHost.invoke(other, {})).toEqual({ ok: true, payload: 'other' });
      const otherEnded = oneHost.invocations.find((i) => i.result.ok && i.result.payload === 'other')!.endedAt;
      await slowOnes;
      expect(Math.min(...oneHost.invocations.filter((i) => i.result.ok && i.result.payload === 'slow').map((i) => i.endedAt))).toBeGreaterThan(otherEnded);
    } finally {
      await oneHost.close();
    }
  });

  test('runs at most accountConcurrency invocations at once, queueing the rest', async () => {
    const limited = new LambdaRuntime({ timeScale: 0.01, baseEnvironment: {}, accountConcurrency: 2 });
    try {
      const spec = fn({ 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 50)); return "ok"; };' });
      await Promise.all([1, 2, 3, 4, 5].map(() => limited.invoke(spec, {})));
      const overlapAt = (t: number) => limited.invocations.filter((i) => i.handlerStartedAt! <= t && t < i.endedAt).length;
      expect(Math.max(...limited.invocations.map((i) => overlapAt(i.handlerStartedAt!)))).toBe(2);
      expect(limited.coldStarts.count).toBe(2);
    } finally {
      await limited.close();
    }
  });
});
