/**
 * `deploy:local`: synthesizes the example app (examples/app.ts), starts an in-process KVS test server, deploys every
 * stack through the local deploy harness, and prints what was created and the service state of each KVS resource.
 *
 *   ts-node --prefer-ts-exts test/harness/deploy-local.ts [--time-scale 0.01] [--destroy] [--verbose]
 *
 * The handlers run from the bundle in assets/kvs-handler (`npx projen bundle:handlers`), exactly as shipped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateSignalingChannelCommand, CreateStreamCommand } from '@aws-sdk/client-kinesis-video';
import { App } from 'aws-cdk-lib';
import { DeployHarness, OperationResult, readAssembly, StackEvent } from '.';
import { AssemblyStack } from './assembly';
import { LocalHttpApi, serveHttpApis } from './http-api';
import { buildExampleApp } from '../../examples/app';
import { ResourceType } from '../../src/private/custom-resource-contract';
import { KvsTestServer } from '../kvs-server';
import type { ServerState } from '../kvs-server';

export interface DeployLocalOptions {
  /** Adds the stacks to deploy to the app. @default the example app */
  readonly buildApp?: (app: App) => void;
  /** @default 0.01 */
  readonly timeScale?: number;
  /** Destroy every stack after deploying it, and report that too. @default false */
  readonly destroy?: boolean;
  /** Print every stack event and handler log line as it happens. @default false */
  readonly verbose?: boolean;
  /** Where the report goes. @default stdout */
  readonly write?: (text: string) => void;
  /**
   * Called once every stack is deployed, with the stacks' HTTP APIs served on loopback (http-api.ts); they stop when
   * it returns. `--serve` waits for Ctrl-C here.
   * @default the APIs are listed, then stopped
   */
  readonly serve?: (apis: LocalHttpApi[], context: { readonly harness: DeployHarness; readonly server: KvsTestServer }) => Promise<void>;
}

const SUCCESS = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'DELETE_COMPLETE'];

/** Deploys (and optionally destroys) every stack of the app; true when every operation succeeded. */
export async function deployLocal(options: DeployLocalOptions = {}): Promise<boolean> {
  const write = options.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvs-deploy-local-'));
  const server = await KvsTestServer.start();
  const harness = new DeployHarness({
    server,
    timeScale: options.timeScale ?? 0.01,
    onEvent: options.verbose ? (e) => write(`  ${eventLine(e)}`) : undefined,
    onLog: options.verbose ? (fn, line) => write(`  [${fn}] ${line}`) : undefined,
  });
  let ok = true;
  try {
    const app = new App({ outdir });
    (options.buildApp ?? buildExampleApp)(app);
    app.synth();
    const stacks = readAssembly(outdir);
    await connectDevices(server, stacks, write);
    for (const stack of stacks) {
      const result = await harness.deploy(stack);
      write(renderResult(result));
      ok &&= SUCCESS.includes(result.status);
    }
    const served = await serveHttpApis(harness, stacks.map((s) => s.stackName), server.region, server.accountId);
    for (const line of served.report) write(line);
    try {
      await options.serve?.(served.apis, { harness, server });
    } finally {
      for (const api of served.apis) await api.stop();
    }
    if (options.destroy) {
      for (const stack of [...stacks].reverse()) {
        if (harness.status(stack.stackName) === undefined) continue;
        const result = await harness.destroy(stack.stackName);
        write(renderResult(result));
        ok &&= SUCCESS.includes(result.status);
      }
    }
    const iam = harness.iamDecisions;
    write(`IAM: ${iam.evaluated} calls of the handlers evaluated against their role's policies at the time of the call, ${iam.denied} denied`);
    ok &&= iam.denied === 0;
  } finally {
    await harness.close();
    await server.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return ok;
}

/**
 * Plays the devices. A stream or channel that the app adopts with `StreamSettings` or `ChannelSettings` is one a camera
 * creates when it first connects, so it is created here, before the deployment, as its camera would.
 */
async function connectDevices(server: KvsTestServer, stacks: AssemblyStack[], write: (text: string) => void): Promise<void> {
  const client = server.client();
  const created: string[] = [];
  for (const resource of stacks.flatMap((stack) => Object.values(stack.template.Resources ?? {}))) {
    const name = (resource.Properties as { StreamName?: unknown; ChannelName?: unknown } | undefined);
    if (resource.Type === ResourceType.STREAM_SETTINGS && typeof name?.StreamName === 'string') {
      await client.send(new CreateStreamCommand({ StreamName: name.StreamName, DataRetentionInHours: 24 }));
      created.push(`stream ${name.StreamName}`);
    }
    if (resource.Type === ResourceType.CHANNEL_SETTINGS && typeof name?.ChannelName === 'string') {
      await client.send(new CreateSignalingChannelCommand({ ChannelName: name.ChannelName }));
      created.push(`signaling channel ${name.ChannelName}`);
    }
  }
  if (created.length > 0) write(`Created by their (simulated) devices before the deployment: ${created.join(', ')}\n`);
}

/** How long `--serve` keeps the simulated cameras sending. */
const LIVE_MINUTES = 60;

/**
 * Plays the cameras: every stream that retains data gets an hour of one-second H.264 fragments from 30 s ago on, which
 * the test server makes visible as the clock passes them, so that LIVE playback works while `--serve` runs.
 */
export function sendLiveVideo(server: KvsTestServer): string[] {
  const live = server.state().streams.filter((s) => s.status === 'ACTIVE' && s.dataRetentionInHours > 0);
  const seconds = LIVE_MINUTES * 60;
  for (const stream of live) server.recordFragments(stream.name, { count: seconds, startTimestamp: Date.now() - 30_000 });
  return live.map((s) => s.name);
}

/** The report of one operation: summary, resources, failures, outputs and the KVS service state. */
export function renderResult(result: OperationResult): string {
  const first = result.events[0]?.timestamp;
  const last = result.events.at(-1)?.timestamp;
  const seconds = first === undefined || last === undefined ? 0 : (last - first) / 1000;
  const parts = [
    `Stack ${result.stackName}: ${result.operation} ${result.status} in ${seconds.toFixed(1)} s `
      + `(${result.events.length} events, ${result.invocations.length} Lambda invocations)`,
  ];
  if (result.resources.length > 0) {
    parts.push(table(['Logical ID', 'Type', 'Physical ID', 'Status'],
      result.resources.map((r) => [r.logicalId, r.type, r.physicalId ?? '-', r.status])));
  }
  const failures = result.events.filter((e) => e.status.endsWith('_FAILED') && e.reason);
  if (failures.length > 0) parts.push(['Failures:', ...failures.map((e) => `  ${eventLine(e)}`)].join('\n'));
  if (Object.keys(result.outputs).length > 0) {
    parts.push(table(['Output', 'Value'], Object.entries(result.outputs)));
  }
  if (result.serverState) parts.push(renderServerState(result.serverState as ServerState));
  return `${parts.join('\n\n')}\n`;
}

/** The KVS test server's streams and signaling channels, one row each. */
export function renderServerState(state: ServerState): string {
  const tags = (t: Record<string, string>) => Object.entries(t).map(([k, v]) => `${k}=${v}`).join(',') || '-';
  const streams = state.streams.length === 0 ? 'KVS streams: none' : table(
    ['KVS stream', 'Status', 'Retention (h)', 'Media type', 'Tier', 'Notifications', 'Image generation', 'Edge', 'Tags'],
    state.streams.map((s) => [
      s.name,
      s.status,
      String(s.dataRetentionInHours),
      s.mediaType ?? '-',
      s.streamStorageConfiguration.DefaultStorageTier,
      s.notificationConfiguration ? `${s.notificationConfiguration.Status} -> ${s.notificationConfiguration.DestinationConfig?.Uri}` : '-',
      s.imageGenerationConfiguration
        ? `${s.imageGenerationConfiguration.Status} ${s.imageGenerationConfiguration.Format} every ${s.imageGenerationConfiguration.SamplingInterval} ms`
          + ` -> ${s.imageGenerationConfiguration.DestinationConfig?.Uri}`
        : '-',
      s.edgeConfiguration ? s.edgeConfiguration.syncStatus : '-',
      tags(s.tags),
    ]));
  const channels = state.channels.length === 0 ? 'KVS signaling channels: none' : table(
    ['KVS signaling channel', 'Status', 'Type', 'Message TTL (s)', 'Media storage', 'Tags'],
    state.channels.map((c) => [
      c.name,
      c.status,
      c.channelType,
      String(c.singleMasterConfiguration.MessageTtlSeconds),
      c.mediaStorageConfiguration.Status === 'ENABLED' ? `ENABLED -> ${c.mediaStorageConfiguration.StreamARN}` : String(c.mediaStorageConfiguration.Status),
      tags(c.tags),
    ]));
  return `${streams}\n\n${channels}`;
}

function eventLine(e: StackEvent): string {
  return `${e.logicalId} ${e.status}${e.reason ? `: ${e.reason}` : ''}`;
}

/** A plain-text table: columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const USAGE = 'usage: deploy-local.ts [--time-scale <factor>] [--destroy] [--verbose] [--serve]';

function parseArgs(argv: string[]): DeployLocalOptions {
  const options: { timeScale?: number; destroy?: boolean; verbose?: boolean; serve?: DeployLocalOptions['serve'] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--':
        // `npx projen deploy:local -- --destroy` passes the separator on.
        break;
      case '--destroy':
        options.destroy = true;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      case '--serve':
        // Serves the stacks' HTTP APIs until Ctrl-C, with live video on every stream that retains data.
        options.serve = (_apis, { server }) => {
          const streams = sendLiveVideo(server);
          process.stdout.write(`Live video from simulated cameras for ${LIVE_MINUTES} minutes on: ${streams.join(', ')}\n`
            + 'An IAM-authorized API takes requests signed with the credentials of a role of the stack, as '
            + 'test/harness/deploy-local-playback.test.ts shows. Ctrl-C stops.\n');
          return new Promise((resolve) => process.once('SIGINT', () => resolve()));
        };
        break;
      case '--time-scale': {
        const value = Number(argv[++i]);
        if (!(value > 0)) throw new Error(`--time-scale must be a number greater than 0, got ${argv[i]}\n${USAGE}`);
        options.timeScale = value;
        break;
      }
      default:
        throw new Error(`Unknown argument ${arg}\n${USAGE}`);
    }
  }
  return options;
}

if (require.main === module) {
  const bundle = path.join(__dirname, '..', '..', 'assets', 'kvs-handler', 'index.js');
  if (!fs.existsSync(bundle)) {
    process.stderr.write(`${bundle} does not exist: bundle the handlers first (npx projen bundle:handlers)\n`);
    process.exit(1);
  }
  deployLocal(parseArgs(process.argv.slice(2))).then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
