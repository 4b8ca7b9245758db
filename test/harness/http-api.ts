/**
 * API Gateway HTTP APIs of a stack deployed by the harness, served on loopback: the routes of its
 * `AWS::ApiGatewayV2::Route`s, authorized as API Gateway does (`AWS_IAM`: the SigV4 signature verified by signing the
 * request again, then `execute-api:Invoke` on the route's ARN evaluated against the caller's role policies; `JWT`: the
 * token's signature, issuer, audience and lifetime checked against a test issuer's keys), then the Lambda proxy
 * integration invoked with the HTTP API payload 2.0, as `AWS::Lambda::Permission` allows it. See README.md.
 */
import { createHash, createHmac, generateKeyPairSync, KeyObject, randomUUID, verify as verifySignature, sign as signData } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DeployHarness } from '.';

/** The API's resources, resolved, as the harness deployed them. */
interface ApiModel {
  readonly apiId: string;
  readonly stageName: string;
  readonly routes: readonly RouteModel[];
  readonly cors?: CorsModel;
}

/** The API's `CorsConfiguration`, as API Gateway applies it to preflights and answers. */
interface CorsModel {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly maxAge?: number;
}

interface RouteModel {
  readonly routeKey: string;
  readonly method: string;
  /** Matches the path and captures its parameters. */
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly authorizationType: string;
  readonly jwt?: { readonly issuer: string; readonly audience: readonly string[] };
  readonly functionArn?: string;
  readonly payloadFormatVersion: string;
}

/** A JWT issuer for tests: an RSA key pair, its JWKS, and tokens signed with it (RS256). */
export class TestJwtIssuer {
  public readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  public readonly publicKey: KeyObject;

  /** `issuer`: the `iss` of its tokens, the `Issuer` of the JWT authorizer that accepts them. */
  constructor(public readonly issuer: string) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A token with `iss`, `iat`, `exp` (`lifetimeSeconds` from now) and the given claims. */
  public sign(claims: Record<string, unknown>, lifetimeSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const payload = base64url(JSON.stringify({ iss: this.issuer, iat: now, exp: now + lifetimeSeconds, ...claims }));
    const signature = signData('RSA-SHA256', Buffer.from(`${head}.${payload}`), this.privateKey);
    return `${head}.${payload}.${signature.toString('base64url')}`;
  }
}

export interface LocalHttpApiOptions {
  readonly harness: DeployHarness;
  readonly stackName: string;
  /** The API's logical id, when the stack has several. @default the stack's only AWS::ApiGatewayV2::Api */
  readonly apiLogicalId?: string;
  readonly region: string;
  readonly accountId: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** What one request got: for tests and for `deploy:local`'s report. */
export interface HttpApiRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Why API Gateway answered without invoking the integration, when it did. */
  readonly rejected?: string;
}

export class LocalHttpApi {
  /** Serves the API of the deployed stack on 127.0.0.1 and an ephemeral port. */
  public static async start(options: LocalHttpApiOptions): Promise<LocalHttpApi> {
    const api = new LocalHttpApi(options, readApi(options));
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(0, '127.0.0.1', () => resolve());
    });
    return api;
  }

  /** Every request, in order. */
  public readonly requests: HttpApiRequestRecord[] = [];
  /** One test issuer per JWT authorizer's `Issuer`: sign tokens for the API with `issuer(url).sign(...)`. */
  private readonly issuers = new Map<string, TestJwtIssuer>();
  private readonly server = http.createServer((req, res) => {
    this.handle(req).then(
      (answer) => this.reply(req, res, answer),
      (e) => this.reply(req, res, { status: 500, headers: {}, body: JSON.stringify({ message: `Internal Server Error (${(e as Error).message})` }) }),
    );
  });

  private constructor(private readonly options: LocalHttpApiOptions, private readonly api: ApiModel) {
    for (const route of api.routes) {
      if (route.jwt && !this.issuers.has(route.jwt.issuer)) this.issuers.set(route.jwt.issuer, new TestJwtIssuer(route.jwt.issuer));
    }
  }

  /** The API's URL on loopback, ending in `/` (the `$default` stage has no path of its own). */
  public get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/${this.api.stageName === '$default' ? '' : `${this.api.stageName}/`}`;
  }

  public get apiId(): string {
    return this.api.apiId;
  }

  /** The test issuer whose tokens the JWT authorizer with this `Issuer` accepts. */
  public issuer(url: string): TestJwtIssuer {
    const issuer = this.issuers.get(url);
    if (!issuer) throw new Error(`The API has no JWT authorizer with issuer ${url} (it has: ${[...this.issuers.keys()].join(', ') || 'none'})`);
    return issuer;
  }

  /** The issuers of the API's JWT authorizers. */
  public get issuerUrls(): string[] {
    return [...this.issuers.keys()];
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let path = decodeURIComponent(url.pathname);
    if (this.api.stageName !== '$default') {
      if (!path.startsWith(`/${this.api.stageName}/`)) return apiGatewayAnswer(404, 'Not Found', 'no such stage');
      path = path.slice(this.api.stageName.length + 1);
    }
    const preflight = this.preflight(req, method);
    if (preflight) return preflight;
    const found = this.route(method, path);
    if (!found) return apiGatewayAnswer(404, 'Not Found', 'no route matches');
    const { route, pathParameters } = found;

    let authorizer: Record<string, unknown> | undefined;
    if (route.authorizationType === 'AWS_IAM') {
      const checked = await this.authorizeIam(req, url, method, path);
      if (isAnswer(checked)) return checked;
      authorizer = { iam: checked };
    } else if (route.authorizationType === 'JWT') {
      const checked = this.authorizeJwt(req, route.jwt!);
      if (isAnswer(checked)) return checked;
      authorizer = { jwt: checked };
    }
    if (!route.functionArn) return apiGatewayAnswer(500, 'Internal Server Error', 'the route has no Lambda proxy integration');
    const sourceArn = this.executeApiArn(`${this.api.stageName}/${route.method}${route.routeKey.slice(route.routeKey.indexOf(' ') + 1)}`);
    if (!this.permits(route.functionArn, sourceArn)) {
      return apiGatewayAnswer(500, 'Internal Server Error', `no AWS::Lambda::Permission lets apigateway.amazonaws.com invoke ${route.functionArn} from ${sourceArn}`);
    }
    const event = this.event(req, url, method, path, route, pathParameters, authorizer);
    const result = await this.options.harness.invokeFunction(route.functionArn, event);
    if (!result.ok) return apiGatewayAnswer(500, 'Internal Server Error', `the function failed: ${result.error.errorType}: ${result.error.errorMessage}`);
    return fromLambdaResult(result.payload);
  }

  /**
   * With a CorsConfiguration, API Gateway answers an OPTIONS preflight from an allowed origin itself (204 with the
   * allowed methods and headers), before routes and authorizers; from another origin, without CORS headers.
   */
  private preflight(req: http.IncomingMessage, method: string): Answer | undefined {
    const cors = this.api.cors;
    if (!cors || method !== 'OPTIONS' || header(req, 'access-control-request-method') === undefined) return undefined;
    const headers: Record<string, string> = this.corsHeaders(req);
    if (headers['access-control-allow-origin']) {
      headers['access-control-allow-methods'] = cors.allowMethods.join(',');
      headers['access-control-allow-headers'] = cors.allowHeaders.join(',');
      if (cors.maxAge !== undefined) headers['access-control-max-age'] = String(cors.maxAge);
    }
    return { status: 204, headers, body: '' };
  }

  /** `access-control-allow-origin` for a request from an allowed origin. */
  private corsHeaders(req: http.IncomingMessage): Record<string, string> {
    const origin = header(req, 'origin');
    const cors = this.api.cors;
    if (!cors || origin === undefined) return {};
    return cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin) ? { 'access-control-allow-origin': cors.allowOrigins.includes('*') ? '*' : origin } : {};
  }

  private route(method: string, path: string): { route: RouteModel; pathParameters: Record<string, string> } | undefined {
    for (const route of this.api.routes) {
      if (route.method !== method && route.method !== 'ANY') continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      return { route, pathParameters: Object.fromEntries(route.parameterNames.map((name, i) => [name, match[i + 1]])) };
    }
    return undefined;
  }

  /** SigV4 as API Gateway checks it, then IAM's decision on `execute-api:Invoke`; the caller's identity, or the answer. */
  private async authorizeIam(req: http.IncomingMessage, url: URL, method: string, path: string): Promise<Answer | Record<string, unknown>> {
    const authorization = header(req, 'authorization');
    const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization ?? '');
    if (!parsed) return apiGatewayAnswer(403, 'Forbidden', 'no SigV4 Authorization header');
    const [, accessKeyId, , region, service, signedHeaders, signature] = parsed;
    const secret = this.options.harness.secretOf(accessKeyId);
    if (!secret) return apiGatewayAnswer(403, 'The security token included in the request is invalid.', `access key ${accessKeyId} was not issued by the harness`);
    if (service !== 'execute-api' || region !== this.options.region) {
      return apiGatewayAnswer(403, `Credential should be scoped to correct service: 'execute-api' and region '${this.options.region}'.`, 'wrong credential scope');
    }
    const amzDate = header(req, 'x-amz-date') ?? '';
    const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (Number.isNaN(signedAt) || Math.abs(Date.now() - signedAt) > 5 * 60_000) return apiGatewayAnswer(403, 'Signature expired', `X-Amz-Date ${amzDate}`);
    const names = signedHeaders.split(';');
    const headers = Object.fromEntries(names.filter((n) => n !== 'authorization').map((n) => [n, header(req, n) ?? '']));
    const signer = new SignatureV4({
      service,
      region,
      credentials: { accessKeyId, secretAccessKey: secret, sessionToken: header(req, 'x-amz-security-token') },
      sha256: NodeSha256,
      // API Gateway signs the path as sent: each segment URI-encoded once (not twice as S3's rule excepted).
      uriEscapePath: true,
    });
    const expected = await signer.sign({
      method,
      protocol: 'http:',
      hostname: (headers.host ?? '').split(':')[0],
      port: Number((headers.host ?? '').split(':')[1]) || undefined,
      path: url.pathname,
      query: queryOf(url),
      headers,
      body: undefined,
    }, { signingDate: new Date(signedAt), signableHeaders: new Set(names) });
    const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization ?? expected.headers.Authorization))?.[1];
    if (expectedSignature !== signature) {
      return apiGatewayAnswer(403, 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 'signature mismatch');
    }
    const resource = this.executeApiArn(`${this.api.stageName}/${method}${path}`);
    const decision = await this.options.harness.authorize({ accessKeyId, action: 'execute-api:Invoke', resource });
    if (!decision.allowed) return apiGatewayAnswer(403, decision.message, 'IAM denied execute-api:Invoke');
    return {
      accessKey: accessKeyId, accountId: this.options.accountId, callerId: accessKeyId, principalOrgId: null, userArn: null, userId: accessKeyId,
    };
  }

  /** A JWT as API Gateway's JWT authorizer checks it; the claims (as strings) and scopes, or the answer. */
  private authorizeJwt(req: http.IncomingMessage, config: { issuer: string; audience: readonly string[] }): Answer | Record<string, unknown> {
    const token = (header(req, 'authorization') ?? '').replace(/^Bearer /i, '');
    const parts = token.split('.');
    const unauthorized = (why: string) => ({
      ...apiGatewayAnswer(401, 'Unauthorized', why),
      headers: { 'www-authenticate': `Bearer error="invalid_token" error_description="${why}"` },
    });
    if (parts.length !== 3) return unauthorized('the token is not a JWT');
    let head: { alg?: string; kid?: string };
    let claims: Record<string, unknown>;
    try {
      head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return unauthorized('the token is not a JWT');
    }
    const issuer = this.issuers.get(config.issuer)!;
    if (head.alg !== 'RS256' || head.kid !== issuer.kid) return unauthorized('the token is not signed by a key of the issuer\'s JWKS');
    if (!verifySignature('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), issuer.publicKey, Buffer.from(parts[2], 'base64url'))) {
      return unauthorized('the token\'s signature is invalid');
    }
    if (claims.iss !== config.issuer) return unauthorized(`the token's iss is not ${config.issuer}`);
    const audiences = [claims.aud, claims.client_id].flat().filter((a): a is string => typeof a === 'string');
    if (!audiences.some((a) => config.audience.includes(a))) return unauthorized('the token\'s aud or client_id is not an audience of the authorizer');
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= now) return unauthorized('the token has expired');
    if (typeof claims.nbf === 'number' && claims.nbf > now) return unauthorized('the token is not valid yet');
    // API Gateway passes every claim on as a string, an array as "[a b]".
    const asString = (v: unknown) => (Array.isArray(v) ? `[${v.join(' ')}]` : typeof v === 'string' ? v : JSON.stringify(v));
    return {
      claims: Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, asString(v)])),
      scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : null,
    };
  }

  /** Whether an `AWS::Lambda::Permission` of the stack lets API Gateway invoke the function from `sourceArn`. */
  private permits(functionArn: string, sourceArn: string): boolean {
    const { harness, stackName } = this.options;
    return (harness.resources(stackName) ?? []).filter((r) => r.type === 'AWS::Lambda::Permission').some((r) => {
      const p = harness.resourceProperties(stackName, r.logicalId) ?? {};
      return p.Action === 'lambda:InvokeFunction' && p.Principal === 'apigateway.amazonaws.com' && p.FunctionName === functionArn
        && (p.SourceArn === undefined || glob(String(p.SourceArn)).test(sourceArn));
    });
  }

  private executeApiArn(resource: string): string {
    const { partition = 'aws', region, accountId } = this.options;
    return `arn:${partition}:execute-api:${region}:${accountId}:${this.api.apiId}/${resource}`;
  }

  /** The HTTP API payload 2.0 event. */
  private event(req: http.IncomingMessage, url: URL, method: string, path: string, route: RouteModel,
    pathParameters: Record<string, string>, authorizer: Record<string, unknown> | undefined): unknown {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
    const now = new Date();
    return {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      ...(route.parameterNames.length > 0 ? { pathParameters } : {}),
      isBase64Encoded: false,
      requestContext: {
        accountId: this.options.accountId,
        apiId: this.api.apiId,
        ...(authorizer ? { authorizer } : {}),
        domainName: headers.host ?? '127.0.0.1',
        domainPrefix: (headers.host ?? '127').split('.')[0],
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: route.routeKey,
        stage: this.api.stageName,
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
    };
  }

  private reply(req: http.IncomingMessage, res: http.ServerResponse, answer: Answer): void {
    this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', status: answer.status, ...(answer.rejected ? { rejected: answer.rejected } : {}) });
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers, ...this.corsHeaders(req), 'apigw-requestid': randomUUID() });
    res.end(answer.body);
  }
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
  readonly rejected?: string;
}

function isAnswer(value: Answer | Record<string, unknown>): value is Answer {
  return typeof value.status === 'number' && 'body' in value;
}

/** API Gateway's own answer: `{"message": ...}`. */
function apiGatewayAnswer(status: number, message: string, why: string): Answer {
  return { status, headers: {}, body: JSON.stringify({ message }), rejected: why };
}

/** Payload 2.0's response: a structured result, or any other value as a 200 JSON body. */
function fromLambdaResult(payload: unknown): Answer {
  const result = payload as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | null;
  if (result === null || typeof result !== 'object' || typeof result.statusCode !== 'number') {
    return { status: 200, headers: {}, body: JSON.stringify(payload) };
  }
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  return { status: result.statusCode, headers: result.headers ?? {}, body };
}

/** The API, its `$default` (or only) stage and its routes, from the deployed resources. */
function readApi(options: LocalHttpApiOptions): ApiModel {
  const { harness, stackName } = options;
  const resources = harness.resources(stackName);
  if (!resources) throw new Error(`No stack ${stackName} is deployed`);
  const ofType = (type: string) => resources.filter((r) => r.type === type)
    .map((r) => ({ ...r, props: harness.resourceProperties(stackName, r.logicalId) ?? {} }));
  const apis = ofType('AWS::ApiGatewayV2::Api').filter((a) => options.apiLogicalId === undefined || a.logicalId === options.apiLogicalId);
  if (apis.length !== 1) throw new Error(`Stack ${stackName} has ${apis.length} matching AWS::ApiGatewayV2::Api; give apiLogicalId`);
  const apiId = apis[0].physicalId!;
  if (apis[0].props.ProtocolType !== 'HTTP') throw new Error(`API ${apis[0].logicalId} is not an HTTP API (ProtocolType ${String(apis[0].props.ProtocolType)})`);
  const mine = <T extends { props: Record<string, unknown> }>(list: T[]) => list.filter((r) => r.props.ApiId === apiId);
  const stages = mine(ofType('AWS::ApiGatewayV2::Stage'));
  if (stages.length === 0) throw new Error(`API ${apis[0].logicalId} has no stage`);
  const stageName = String((stages.find((s) => s.props.StageName === '$default') ?? stages[0]).props.StageName);
  const integrations = new Map(mine(ofType('AWS::ApiGatewayV2::Integration')).map((i) => [i.physicalId!, i.props]));
  const authorizers = new Map(mine(ofType('AWS::ApiGatewayV2::Authorizer')).map((a) => [a.physicalId!, a.props]));
  const routes = mine(ofType('AWS::ApiGatewayV2::Route')).map((r): RouteModel => {
    const routeKey = String(r.props.RouteKey);
    const [method, routePath] = routeKey.split(' ');
    const parameterNames: string[] = [];
    const pattern = new RegExp(`^${routePath.split('/').map((segment) => {
      const param = /^\{([^}+]+)(\+?)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(param[1]);
      return param[2] ? '(.+)' : '([^/]+)';
    }).join('/')}$`);
    const integration = integrations.get(String(r.props.Target ?? '').replace(/^integrations\//, ''));
    const authorizer = r.props.AuthorizerId !== undefined ? authorizers.get(String(r.props.AuthorizerId)) : undefined;
    const jwtConfig = authorizer?.JwtConfiguration as { Issuer?: string; Audience?: string[] } | undefined;
    return {
      routeKey,
      method,
      pattern,
      parameterNames,
      authorizationType: String(r.props.AuthorizationType ?? 'NONE'),
      jwt: jwtConfig ? { issuer: String(jwtConfig.Issuer), audience: (jwtConfig.Audience ?? []).map(String) } : undefined,
      functionArn: integration?.IntegrationType === 'AWS_PROXY' ? String(integration.IntegrationUri) : undefined,
      payloadFormatVersion: String(integration?.PayloadFormatVersion ?? '2.0'),
    };
  });
  for (const route of routes) {
    if (route.payloadFormatVersion !== '2.0') throw new Error(`Route ${route.routeKey}: only payload format 2.0 is emulated`);
  }
  type CorsConfiguration = { AllowOrigins?: string[]; AllowMethods?: string[]; AllowHeaders?: string[]; MaxAge?: number };
  const cors = apis[0].props.CorsConfiguration as CorsConfiguration | undefined;
  return {
    apiId,
    stageName,
    routes,
    cors: cors ? {
      allowOrigins: (cors.AllowOrigins ?? []).map(String),
      allowMethods: (cors.AllowMethods ?? []).map(String),
      allowHeaders: (cors.AllowHeaders ?? []).map((h) => String(h).toLowerCase()),
      maxAge: cors.MaxAge,
    } : undefined,
  };
}

/** An IAM-style ARN pattern (`*` any characters) as a regular expression. */
function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : [...[existing].flat(), value];
  }
  return query;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** SHA-256 and HMAC-SHA256 for the signer, from Node's crypto. */
class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  private readonly secret?: Buffer;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }

  public update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }

  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  public reset(): void {
    this.hash = this.fresh();
  }

  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * The headers of a SigV4-signed GET of `url` for `execute-api`, as an SDK or `aws-sigv4-fetch` would send them: for
 * tests and for `deploy:local`'s example request.
 */
export async function signedGetHeaders(url: string, region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<Record<string, string>> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: NodeSha256, uriEscapePath: true });
  const signed = await signer.sign({
    method: 'GET',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port) || undefined,
    path: target.pathname,
    query: queryOf(target),
    headers: { host: target.host },
  });
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
}

/** Every HTTP API of the deployed stacks, served on loopback, with a line for each that says how to call it. */
export async function serveHttpApis(harness: DeployHarness, stackNames: readonly string[], region: string, accountId: string):
Promise<{ apis: LocalHttpApi[]; report: string[] }> {
  const apis: LocalHttpApi[] = [];
  const report: string[] = [];
  for (const stackName of stackNames) {
    for (const api of (harness.resources(stackName) ?? []).filter((r) => r.type === 'AWS::ApiGatewayV2::Api')) {
      const served = await LocalHttpApi.start({ harness, stackName, apiLogicalId: api.logicalId, region, accountId });
      apis.push(served);
      const how = served.issuerUrls.length > 0
        ? `JWT from the test issuer of ${served.issuerUrls.join(', ')}`
        : 'SigV4 with the credentials of a role of the stack (DeployHarness.roleCredentials), IAM-evaluated';
      report.push(`HTTP API ${api.logicalId} of ${stackName}: ${served.url} (${how})`);
    }
  }
  return { apis, report };
}
