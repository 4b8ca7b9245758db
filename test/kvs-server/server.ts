import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { CloudFormationClient, CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import { KinesisVideoClient, KinesisVideoClientConfig } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient, KinesisVideoArchivedMediaClientConfig } from '@aws-sdk/client-kinesis-video-archived-media';
import { ArchivedMediaDataPlane } from './archived-media';
import { loadArchivedMediaModel } from './archived-media-model';
import { accessKeyIdOf, Authorizer, kvsResourceOf } from './authorization';
import { CloudFormationStacks, queryError, QueryResponse } from './cloudformation';
import { KvsError, MESSAGES } from './errors';
import { ANY_ACTION, Fault, FaultInjector, FaultWhen } from './faults';
import { FragmentRecord, FragmentStore, RecordFragmentsOptions } from './fragments';
import { MediaLibrary } from './media';
import { OperationSpec, ServiceModel } from './model';
import { OPERATIONS } from './operations';
import { SeededRandom } from './random';
import { RateLimiter, RateLimitSetting } from './rate-limit';
import {
  DEFAULT_EDGE_ASSUMPTIONS,
  DEFAULT_TRANSITIONS,
  EdgeStateAssumptions,
  KvsState,
  ServerState,
  TransitionTimes,
  validateTransitionTimes,
} from './state';
import { RequestValidator } from './validation';

export interface KvsTestServerOptions {
  /** Default 'us-east-1'. */
  region?: string;
  /** Default '123456789012'. */
  accountId?: string;
  /** Milliseconds per asynchronous transition; the rest keep `DEFAULT_TRANSITIONS`. */
  transitions?: Partial<TransitionTimes>;
  /** The documented TPS limits: off by default; true applies them; `{ scale }` multiplies them. */
  rateLimits?: RateLimitSetting;
  /** Seed of the PRNG behind probabilistic faults and generated ids. Default 1. */
  seed?: number;
  /** The server's clock, in epoch ms (default `Date.now`); a manual clock makes transitions step-controlled. */
  clock?: () => number;
  /** ASSUMPTIONS about the order of edge sync states; see `EdgeStateAssumptions`. */
  edgeStates?: Partial<EdgeStateAssumptions>;
  /** Decides every call by its signer, action and resource; a denied call answers AccessDenied. Default: all allowed. */
  authorizer?: Authorizer;
  /** Where the ffmpeg-made media is cached across runs. Default: `<os.tmpdir()>/cdk-kinesis-video-test-media`. */
  mediaCacheDir?: string;
}

/** A recorded fragment as `recordFragments` returns it (timestamps in epoch ms). */
export type RecordedFragment = FragmentRecord;

export interface RequestLogEntry {
  /** PascalCase action ('DescribeStream', 'DescribeStacks'), or `<METHOD> <path>` for an unknown operation. */
  action: string;
  /** The parsed request body (form parameters for CloudFormation). */
  body: any;
  /** HTTP status sent; 0 when the connection was dropped. */
  status: number;
  errorType?: string;
  /** Clock time the request arrived, epoch ms. */
  at: number;
  /** The kind of injected fault that decided this call, if any. */
  fault?: Fault['kind'];
}

const DUMMY_CREDENTIALS = { accessKeyId: 'AKIAKVSTESTSERVER000', secretAccessKey: 'kvs-test-server-secret' };
const DESCRIBE_STACKS = 'DescribeStacks';

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  errorType?: string;
}

/** `/<s|b>-<endpoint id>/<rest>`: a path under one of the data endpoints GetDataEndpoint hands out. */
const DATA_ENDPOINT_PATH = /^\/([sb])-([0-9a-f]+)(\/.*)$/;

/** What differs between the control plane and the archived-media data plane in running a call. */
interface Plane {
  /** The error a call that IAM denies answers, as the plane's model declares it. */
  readonly deniedError: string;
  readonly validator: RequestValidator;
  /** The model whose error shapes the plane's errors take. */
  readonly model: ServiceModel;
  execute(): Reply | Promise<Reply>;
}

/**
 * How many connections the kernel queues for the server to accept (capped by `net.core.somaxconn`, 4,096 on current
 * Linux). Node's default of 511 is too few for a fleet's thousands of clients connecting at once while the server is
 * busy: Linux drops the SYNs past it, and TCP retries them after 1, 3, 7, 15 and 31 s, stalls that no AWS endpoint
 * causes (they showed as idle tails of up to 30 s and as `ECONNRESET`s in the fleet benchmarks).
 */
const LISTEN_BACKLOG = 4_096;

/**
 * A loopback double of the Kinesis Video Streams control plane (REST-JSON) plus CloudFormation `DescribeStacks`
 * (awsQuery), for the real SDK clients. See README.md in this folder.
 */
export class KvsTestServer {
  /** Starts a server on 127.0.0.1 and an ephemeral port. */
  public static async start(options: KvsTestServerOptions = {}): Promise<KvsTestServer> {
    const httpServer = http.createServer();
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => resolve());
    });
    return new KvsTestServer(httpServer, options);
  }

  public readonly endpoint: string;
  public readonly region: string;
  public readonly accountId: string;

  private readonly model = ServiceModel.load();
  private readonly archivedModel = loadArchivedMediaModel();
  private readonly validator: RequestValidator;
  private readonly archivedValidator: RequestValidator;
  private readonly fragments: FragmentStore;
  private readonly dataPlane: ArchivedMediaDataPlane;
  private readonly kvs: KvsState;
  private readonly stacks: CloudFormationStacks;
  private readonly faults: FaultInjector;
  private readonly rateLimiter: RateLimiter;
  private readonly clock: () => number;
  private readonly log: RequestLogEntry[] = [];
  private readonly sleeping = new Map<NodeJS.Timeout, () => void>();
  private readonly clients: { destroy(): void }[] = [];
  private authorizer?: Authorizer;
  private stopped = false;

  private constructor(private readonly httpServer: http.Server, options: KvsTestServerOptions) {
    const { port } = httpServer.address() as AddressInfo;
    this.endpoint = `http://127.0.0.1:${port}`;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.clock = options.clock ?? Date.now;
    const seed = options.seed ?? 1;
    validateTransitionTimes(options.transitions ?? {});
    this.kvs = new KvsState(this.region, this.accountId, this.clock, { ...DEFAULT_TRANSITIONS, ...options.transitions },
      { ...DEFAULT_EDGE_ASSUMPTIONS, ...options.edgeStates }, new SeededRandom(seed + 1));
    this.stacks = new CloudFormationStacks(this.kvs.partition, this.region, this.accountId, this.clock);
    this.faults = new FaultInjector(seed);
    this.rateLimiter = new RateLimiter(this.clock, options.rateLimits ?? false);
    this.validator = new RequestValidator(this.model);
    this.archivedValidator = new RequestValidator(this.archivedModel);
    this.kvs.dataEndpointBase = this.endpoint;
    this.fragments = new FragmentStore(this.clock);
    this.dataPlane = new ArchivedMediaDataPlane({
      kvs: this.kvs,
      fragments: this.fragments,
      media: new MediaLibrary(options.mediaCacheDir),
      rateLimiter: this.rateLimiter,
      clock: this.clock,
      errorStatus: (errorType) => this.archivedModel.errorStatus(errorType),
    });
    this.authorizer = options.authorizer;
    httpServer.on('request', (req, res) => this.onRequest(req, res));
  }

  /** A real SDK client for this server: endpoint, region, dummy credentials, and `maxAttempts: 1` unless overridden. */
  public client(overrides: KinesisVideoClientConfig = {}): KinesisVideoClient {
    const client = new KinesisVideoClient({ ...this.clientDefaults(), ...overrides });
    this.clients.push(client);
    return client;
  }

  /**
   * A real archived-media SDK client for a data endpoint that GetDataEndpoint returned (`<server>/b-<id>`); same
   * defaults as `client()`. Without an endpoint it is pointed at the server itself, where archived-media calls get
   * UnknownOperationException, as they would at the service's control-plane endpoint.
   */
  public archivedMediaClient(dataEndpoint: string = this.endpoint,
    overrides: KinesisVideoArchivedMediaClientConfig = {}): KinesisVideoArchivedMediaClient {
    const client = new KinesisVideoArchivedMediaClient({ ...this.clientDefaults(), endpoint: dataEndpoint, ...overrides });
    this.clients.push(client);
    return client;
  }

  /** A real CloudFormation SDK client for this server's `DescribeStacks`; same defaults as `client()`. */
  public cloudFormationClient(overrides: CloudFormationClientConfig = {}): CloudFormationClient {
    const client = new CloudFormationClient({ ...this.clientDefaults(), ...overrides });
    this.clients.push(client);
    return client;
  }

  /** Closes every connection, cancels delayed responses and destroys the clients made by `client()`. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const [timer, wake] of this.sleeping) {
      clearTimeout(timer);
      wake();
    }
    this.sleeping.clear();
    this.clients.forEach((c) => c.destroy());
    const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    this.httpServer.closeAllConnections();
    await closed;
  }

  // ---- test controls ----

  /** Faults for an action ('UpdateNotificationConfiguration', 'DescribeStacks', or '*' for all); see `FaultWhen`. */
  public injectFault(action: string, fault: Fault, when?: FaultWhen): void {
    const archived = this.archivedModel.operations.has(action);
    if (action !== ANY_ACTION && action !== DESCRIBE_STACKS && !this.model.operations.has(action) && !archived) {
      throw new Error(`Unknown action '${action}'; expected a KVS or archived-media operation name, '${DESCRIBE_STACKS}' or '${ANY_ACTION}'`);
    }
    if (fault.kind === 'error' && fault.status === undefined && (archived ? this.archivedModel : this.model).errorStatus(fault.errorType) === undefined) {
      throw new Error(`Error fault '${fault.errorType}' is not a documented error; give its HTTP status`);
    }
    this.faults.add(action, fault, when);
  }

  public clearFaults(): void {
    this.faults.clear();
  }

  /** Replaces the authorizer; `undefined` allows every call. */
  public setAuthorizer(authorizer: Authorizer | undefined): void {
    this.authorizer = authorizer;
  }

  public setRateLimits(limits: RateLimitSetting): void {
    this.rateLimiter.configure(limits);
  }

  /** Changes transition times; transitions already under way finish by the new times, after those already due settle. */
  public setTransitionTimes(t: Partial<TransitionTimes>): void {
    validateTransitionTimes(t);
    this.kvs.settle();
    this.kvs.times = { ...this.kvs.times, ...t };
  }

  public setEdgeStateAssumptions(a: Partial<EdgeStateAssumptions>): void {
    this.kvs.edgeAssumptions = { ...this.kvs.edgeAssumptions, ...a };
  }

  /** Edge Agent simulation: hub devices are online unless marked offline. */
  public setHubDeviceOnline(hubDeviceArn: string, online: boolean, opts: { acknowledgeDelayMs?: number } = {}): void {
    this.kvs.setHubDeviceOnline(hubDeviceArn, online, opts.acknowledgeDelayMs);
  }

  /** The next `count` DeleteEdgeConfiguration calls on the stream end in DELETE_FAILED instead of removing the configuration. */
  public failNextEdgeDeletes(streamArn: string, count: number): void {
    this.kvs.failNextEdgeDeletes(streamArn, count);
  }

  public requests(filter: { action?: string } = {}): RequestLogEntry[] {
    return structuredClone(this.log.filter((e) => filter.action === undefined || e.action === filter.action));
  }

  public clearRequests(): void {
    this.log.length = 0;
  }

  public state(): ServerState {
    return this.kvs.snapshot();
  }

  /**
   * Records fragments in a stream as a producer's PutMedia would have, for the archived-media APIs to find; see
   * `RecordFragmentsOptions`. The stream (by name or ARN) must exist and retain data: KVS persists nothing at zero retention.
   */
  public recordFragments(stream: string, options: RecordFragmentsOptions = {}): RecordedFragment[] {
    this.kvs.settle();
    const record = this.kvs.findStream(stream.startsWith('arn:') ? { StreamARN: stream } : { StreamName: stream });
    if (!record) throw new Error(`recordFragments: no stream ${stream}`);
    if (record.dataRetentionInHours === 0) throw new Error(`recordFragments: the stream ${stream} has DataRetentionInHours 0, so KVS would persist no fragments`);
    return this.fragments.record(record.arn, options).map((f) => ({ ...f }));
  }

  /** Sets what DescribeStacks reports for a stack (by ARN or name); an unknown stack gets "Stack with id X does not exist". */
  public setStackStatus(stackId: string, status: string): void {
    this.stacks.set(stackId, status);
  }

  // ---- request handling ----

  private clientDefaults() {
    return { endpoint: this.endpoint, region: this.region, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 };
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.dispatch(req, res, Buffer.concat(chunks).toString('utf8')).catch((err) => {
        this.send(res, this.errorReply(new KvsError('InternalFailure', `KVS test server failure: ${(err as Error).stack}`)));
      });
    });
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const at = this.clock();
    const path = new URL(req.url ?? '/', this.endpoint).pathname;
    if (req.method === 'POST' && path === '/' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return this.dispatchQuery(req, res, new URLSearchParams(raw), at, accessKeyIdOf(req.headers.authorization));
    }
    const data = DATA_ENDPOINT_PATH.exec(path);
    if (data && [...this.kvs.streams.values()].some((st) => st.endpointId === data[2])) {
      return this.dispatchData(req, res, raw, at, `${this.endpoint}/${data[1]}-${data[2]}`, data[1] as 's' | 'b', `${data[3]}${new URL(req.url ?? '/', this.endpoint).search}`);
    }
    const op = req.method === 'POST' ? this.model.operationForUri(path) : undefined;
    if (!op) {
      const reply = this.errorReply(new KvsError('UnknownOperationException', `The operation ${req.method} ${path} is not recognized.`));
      return this.finish(res, { action: `${req.method} ${path}`, body: raw, at }, reply);
    }
    return this.dispatchJson(req, res, raw, at, op, this.model, (input) => this.handle(op, input, accessKeyIdOf(req.headers.authorization)));
  }

  /** A REST-JSON call: parse the body, apply any fault, then run it. */
  private async dispatchJson(req: http.IncomingMessage, res: http.ServerResponse, raw: string, at: number, op: OperationSpec, model: ServiceModel,
    run: (input: Record<string, any>) => Promise<Reply>) {
    let input: Record<string, unknown>;
    try {
      input = raw.trim() === '' ? {} : JSON.parse(raw);
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('not an object');
    } catch {
      const reply = this.errorReply(new KvsError('SerializationException', 'The request body is not a JSON object.'));
      return this.finish(res, { action: op.name, body: raw, at }, reply);
    }
    const entry = { action: op.name, body: input, at };
    const fault = this.faults.take(op.name);
    if (fault?.kind === 'delay') {
      await this.sleep(fault.ms);
      if (this.stopped) return req.socket.destroy();
    } else if (fault) {
      return this.applyFault(req, res, entry, fault, (f) => (f.kind === 'throttle'
        ? this.errorReply(new KvsError('ClientLimitExceededException', MESSAGES.throttled))
        : this.errorReply(new KvsError(f.errorType, f.message ?? `Injected fault: ${f.errorType}`, f.status), model)));
    }
    return this.finish(res, { ...entry, fault: fault?.kind }, await run(input));
  }

  /**
   * A request under a data endpoint: the archived-media operations (POST, SigV4-signed) on `b-` endpoints, and the
   * HLS and DASH session resources (GET, authorized by their session token) that the session URLs point to.
   */
  private async dispatchData(req: http.IncomingMessage, res: http.ServerResponse, raw: string, at: number, dataEndpoint: string,
    prefix: 's' | 'b', rest: string) {
    const url = new URL(rest, this.endpoint);
    const unknown = () => this.finish(res, { action: `${req.method} ${new URL(req.url ?? '/', this.endpoint).pathname}`, body: raw, at },
      this.errorReply(new KvsError('UnknownOperationException', `The operation ${req.method} ${url.pathname} is not recognized at the data endpoint ${dataEndpoint}.`)));
    if (prefix !== 'b') return unknown(); // PUT_MEDIA and GET_MEDIA (s- endpoints) are not simulated.
    if (req.method === 'POST') {
      const op = this.archivedModel.operationForUri(url.pathname);
      if (!op) return unknown();
      return this.dispatchJson(req, res, raw, at, op, this.archivedModel,
        (input) => this.handleArchived(op, input, accessKeyIdOf(req.headers.authorization), dataEndpoint));
    }
    if (req.method === 'GET') {
      try {
        const reply = await this.dataPlane.sessionResource(url.pathname, url.searchParams);
        if (!reply) return unknown();
        const errorType = reply.status >= 400 ? JSON.parse(String(reply.body)).__type : undefined;
        const headers: Record<string, string> = { 'content-type': reply.contentType, 'access-control-allow-origin': '*' };
        if (errorType) headers['x-amzn-errortype'] = errorType;
        return this.finish(res, { action: url.pathname.split('/').pop()!.replace(/\.\w+$/, '').replace(/^get/, 'Get'), body: Object.fromEntries(url.searchParams), at },
          { status: reply.status, headers, body: reply.body, errorType });
      } catch (err) {
        return this.finish(res, { action: `GET ${url.pathname}`, body: '', at },
          this.errorReply(new KvsError('InternalFailure', `KVS test server failure: ${(err as Error).stack}`)));
      }
    }
    return unknown();
  }

  /** Runs one archived-media call, through the pipeline of every call. */
  private handleArchived(op: OperationSpec, input: Record<string, any>, accessKeyId: string, dataEndpoint: string): Promise<Reply> {
    return this.run(op, input, accessKeyId, {
      // The archived-media APIs declare NotAuthorizedException (401) where the control plane declares AccessDeniedException.
      deniedError: 'NotAuthorizedException',
      validator: this.archivedValidator,
      model: this.archivedModel,
      execute: async () => {
        const result = await this.dataPlane.execute(op.name, input, dataEndpoint);
        return 'json' in result
          ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result.json) }
          : { status: 200, headers: { 'content-type': result.contentType }, body: result.payload };
      },
    });
  }

  /** Runs one control-plane KVS call, through the pipeline of every call. */
  private handle(op: OperationSpec, input: Record<string, any>, accessKeyId: string): Promise<Reply> {
    return this.run(op, input, accessKeyId, {
      deniedError: 'AccessDeniedException',
      validator: this.validator,
      model: this.model,
      execute: () => {
        const output = OPERATIONS[op.name](this.kvs, input);
        const body = output === undefined ? '' : JSON.stringify(output);
        return { status: 200, headers: { 'content-type': 'application/json' }, body };
      },
    });
  }

  /** Runs one call: settle, rate limit, authorize, validate, execute. Any error leaves the state as it was. */
  private async run(op: OperationSpec, input: Record<string, any>, accessKeyId: string, plane: Plane): Promise<Reply> {
    try {
      this.kvs.settle();
      if (!this.rateLimiter.tryAcquire(op.name, this.resourceKey(input))) throw new KvsError('ClientLimitExceededException', MESSAGES.throttled);
      const decision = await this.authorizer?.authorize({ accessKeyId, action: `kinesisvideo:${op.name}`, resource: kvsResourceOf(this.kvs, input) });
      if (decision && !decision.allowed) throw new KvsError(plane.deniedError, decision.message);
      // The authorizer may have waited: settle the transitions that came due meanwhile.
      this.kvs.settle();
      plane.validator.check(op, input, { region: this.region });
      return await plane.execute();
    } catch (err) {
      // A bug in the server itself surfaces as a logged 500 with its stack, not as a hung test.
      return this.errorReply(err instanceof KvsError ? err : new KvsError('InternalFailure', `KVS test server failure: ${(err as Error).stack}`), plane.model);
    }
  }

  private async dispatchQuery(req: http.IncomingMessage, res: http.ServerResponse, params: URLSearchParams, at: number, accessKeyId: string) {
    const action = params.get('Action') ?? '';
    const entry = { action, body: Object.fromEntries(params), at };
    if (action !== DESCRIBE_STACKS) {
      return this.finish(res, entry, this.xmlReply(queryError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)));
    }
    const fault = this.faults.take(action);
    if (fault && fault.kind !== 'delay') {
      return this.applyFault(req, res, entry, fault, (f) => this.xmlReply(f.kind === 'throttle'
        ? queryError(400, 'Throttling', 'Rate exceeded')
        : queryError(f.status ?? 400, f.errorType, f.message ?? `Injected fault: ${f.errorType}`)));
    }
    if (fault?.kind === 'delay') {
      await this.sleep(fault.ms);
      if (this.stopped) return req.socket.destroy();
    }
    const decision = await this.authorizer?.authorize({ accessKeyId, action: `cloudformation:${action}`, resource: this.stacks.arnOf(params.get('StackName')) });
    const reply = decision && !decision.allowed ? queryError(403, 'AccessDenied', decision.message) : this.stacks.describeStacks(params);
    return this.finish(res, { ...entry, fault: fault?.kind }, this.xmlReply(reply));
  }

  /** Answers a call that a non-delay fault decides, without touching state. */
  private applyFault(req: http.IncomingMessage, res: http.ServerResponse, entry: Omit<RequestLogEntry, 'status'>, fault: Fault,
    errorReply: (f: Extract<Fault, { kind: 'error' | 'throttle' }>) => Reply) {
    const logged = { ...entry, fault: fault.kind };
    switch (fault.kind) {
      case 'drop':
        this.log.push({ ...logged, status: 0 });
        req.socket.destroy();
        return;
      case 'http':
        return this.finish(res, logged, { status: fault.status, headers: {}, body: '' });
      case 'error':
      case 'throttle':
        return this.finish(res, logged, errorReply(fault));
      default:
        throw new Error(`Unexpected fault kind ${fault.kind}`);
    }
  }

  /** The per-resource rate-limit key: the ARN when the call names an existing stream or channel, else what it named. */
  private resourceKey(input: Record<string, any>): string | undefined {
    const arn = input.StreamARN ?? input.ChannelARN ?? input.ResourceARN;
    if (arn !== undefined) return String(arn);
    if (input.StreamName !== undefined) return this.kvs.findStream({ StreamName: input.StreamName })?.arn ?? `stream/${input.StreamName}`;
    if (input.ChannelName !== undefined) return this.kvs.findChannel({ ChannelName: input.ChannelName })?.arn ?? `channel/${input.ChannelName}`;
    return undefined;
  }

  private errorReply(err: KvsError, model: ServiceModel = this.model): Reply {
    const status = err.status ?? model.errorStatus(err.errorType) ?? 400;
    return {
      status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.errorType },
      body: JSON.stringify({ __type: err.errorType, message: err.message }),
      errorType: err.errorType,
    };
  }

  private xmlReply(r: QueryResponse): Reply {
    return { status: r.status, headers: { 'content-type': 'text/xml' }, body: r.body, errorType: r.errorType };
  }

  private finish(res: http.ServerResponse, entry: Omit<RequestLogEntry, 'status'>, reply: Reply) {
    this.log.push({ ...entry, status: reply.status, errorType: reply.errorType });
    this.send(res, reply);
  }

  private send(res: http.ServerResponse, reply: Reply) {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(reply.status, {
      ...reply.headers,
      'content-length': String(Buffer.byteLength(reply.body)),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(reply.body);
  }

  /** A delay that `stop()` cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.sleeping.set(timer, resolve);
    });
  }
}
