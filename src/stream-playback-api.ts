import * as path from 'path';
import { CfnResource, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { addNagSuppressions } from './private/nag';
import {
  DEFAULT_CLIP_KEY_PREFIX,
  DEFAULT_CLIP_URL_EXPIRES_SECONDS,
  DEFAULT_COGNITO_STREAMS_CLAIM,
  DEFAULT_JWT_STREAMS_CLAIM,
  DEFAULT_SESSION_EXPIRES_SECONDS,
  MAX_CLIP_URL_EXPIRES_SECONDS,
  PLAYBACK_ROUTES,
  PlaybackAuthorizationKind,
  PlaybackEnv,
  playbackRoutePath,
  SESSION_EXPIRES_RANGE,
} from './private/playback-contract';
import { HANDLER_RUNTIME } from './private/provider';
import { assertLength, assertPattern, invalid, validateStreamName, validateWholeSeconds } from './private/validation';
import { IStream } from './stream';

/** The bundled playback function, built by `projen bundle:handlers` and shipped in the npm package. */
const PLAYBACK_BUNDLE_DIR = path.join(__dirname, '..', 'assets', 'kvs-playback');

/** What the function calls for each route; `grantPlayback` covers HLS, DASH, GetClip and GetDataEndpoint. */
const EXTRA_READ_ACTIONS = ['kinesisvideo:GetImages', 'kinesisvideo:ListFragments'];

/** The archived-media actions the function calls, for streams matched by name prefix. */
const PLAYBACK_API_ACTIONS = [
  'kinesisvideo:GetDataEndpoint',
  'kinesisvideo:GetHLSStreamingSessionURL',
  'kinesisvideo:GetDASHStreamingSessionURL',
  'kinesisvideo:GetClip',
  ...EXTRA_READ_ACTIONS,
];

/** A stream name prefix: 1-255 characters of `[a-zA-Z0-9_.-]` (a stream name of at least one more character). */
const PREFIX_PATTERN = /^[a-zA-Z0-9_.-]+$/;

/** API Gateway's JWT authorizer takes an `https://` issuer only. */
const ISSUER_PATTERN = /^https:\/\/[^\s/]+(\/\S*)?$/;

/** A JWT claim name: what API Gateway passes on under `requestContext.authorizer.jwt.claims`. */
const CLAIM_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * Options of `PlaybackAuthorization.jwt`.
 */
export interface JwtPlaybackAuthorizationOptions {
  /**
   * The issuer of the tokens (`iss`): an `https://` URL whose `/.well-known/openid-configuration` gives the JWKS.
   */
  readonly issuer: string;

  /**
   * The audiences accepted: a token's `aud` or `client_id` must be one of them.
   */
  readonly audience: string[];

  /**
   * The claim that lists the streams the caller may see: stream names, prefixes ending in `*` (`cam-*`), or `*` for
   * every stream of the API, as a JSON array, a space- or comma-separated string, or API Gateway's `[a b]` rendering
   * of an array claim.
   *
   * @default 'kvs:streams'
   */
  readonly streamsClaim?: string;
}

/**
 * Options of `PlaybackAuthorization.cognito`.
 */
export interface CognitoPlaybackAuthorizationOptions {
  /**
   * The claim that lists the streams the caller may see (see `JwtPlaybackAuthorizationOptions.streamsClaim`). A
   * Cognito custom attribute `kvs_streams` appears as `custom:kvs_streams` in ID tokens.
   *
   * @default 'custom:kvs_streams'
   */
  readonly streamsClaim?: string;
}

/**
 * How the playback API authorizes its callers.
 *
 * - `iam()`: SigV4-signed requests, authorized by API Gateway against the caller's `execute-api:Invoke` permissions.
 *   Routes carry the stream name, so `StreamPlaybackApi.grantInvoke(grantee, { streams })` limits a caller to streams.
 * - `jwt(...)` and `cognito(...)`: a bearer token validated by API Gateway; the function then reads the token's
 *   streams claim and answers 403 for any other stream.
 */
export class PlaybackAuthorization {
  /** SigV4 and IAM (the default). */
  public static iam(): PlaybackAuthorization {
    return new PlaybackAuthorization('IAM', undefined, () => new authorizers.HttpIamAuthorizer());
  }

  /** Bearer JWTs from any OpenID Connect issuer, with the caller's streams in a claim. */
  public static jwt(options: JwtPlaybackAuthorizationOptions): PlaybackAuthorization {
    assertPattern('issuer', options.issuer, ISSUER_PATTERN, 'an https:// URL (API Gateway\'s JWT authorizer accepts no other issuer)');
    if (!Array.isArray(options.audience) || options.audience.length === 0) {
      throw invalid('audience', JSON.stringify(options.audience), 'a list of at least one audience (client id)');
    }
    for (const audience of options.audience) assertLength('audience', audience, 1, 2048);
    const claim = validateClaim(options.streamsClaim ?? DEFAULT_JWT_STREAMS_CLAIM);
    return new PlaybackAuthorization('JWT', claim, () => new authorizers.HttpJwtAuthorizer('JwtAuthorizer', options.issuer, {
      jwtAudience: options.audience,
    }));
  }

  /** Cognito user pool tokens (ID tokens carry custom attributes), with the caller's streams in a claim. */
  public static cognito(
    userPool: cognito.IUserPool,
    clients: cognito.IUserPoolClient[],
    options: CognitoPlaybackAuthorizationOptions = {},
  ): PlaybackAuthorization {
    if (!Array.isArray(clients) || clients.length === 0) throw invalid('clients', JSON.stringify(clients), 'a list of at least one user pool client');
    const claim = validateClaim(options.streamsClaim ?? DEFAULT_COGNITO_STREAMS_CLAIM);
    return new PlaybackAuthorization('JWT', claim, () => new authorizers.HttpUserPoolAuthorizer('UserPoolAuthorizer', userPool, {
      userPoolClients: clients,
    }));
  }

  private constructor(
    /** @internal */ public readonly _kind: PlaybackAuthorizationKind,
    /** @internal */ public readonly _streamsClaim: string | undefined,
    /** @internal */ public readonly _authorizer: () => apigwv2.IHttpRouteAuthorizer,
  ) {}
}

function validateClaim(claim: string): string {
  assertPattern('streamsClaim', claim, CLAIM_PATTERN, '1-128 printable ASCII characters without spaces');
  return claim;
}

/**
 * Which streams `StreamPlaybackApi.grantInvoke` opens to a caller.
 */
export interface PlaybackGrantOptions {
  /**
   * The streams, each among those the API serves.
   *
   * @default - every stream of the API (its `streams` and its `streamNamePrefix`), unless `streamNamePrefix` is set
   */
  readonly streams?: IStream[];

  /**
   * Streams whose names start with this prefix, within those the API serves.
   *
   * @default - no prefix
   */
  readonly streamNamePrefix?: string;
}

/**
 * Properties of a StreamPlaybackApi.
 */
export interface StreamPlaybackApiProps {
  /**
   * The streams the API serves. Give `streams`, `streamNamePrefix` or both.
   *
   * @default - none
   */
  readonly streams?: IStream[];

  /**
   * Also serve every stream of the stack's account and region whose name starts with this prefix (1-255 characters of
   * `[a-zA-Z0-9_.-]`). The function's role gets the archived-media actions on `stream/<prefix>*`; for streams encrypted
   * with a customer managed key, grant `kms:Decrypt` on it to `grantPrincipal`.
   *
   * @default - none
   */
  readonly streamNamePrefix?: string;

  /**
   * How callers are authorized.
   *
   * @default PlaybackAuthorization.iam()
   */
  readonly authorization?: PlaybackAuthorization;

  /**
   * The bucket clips are written to. Give your own to keep clips longer, or to log access to them.
   *
   * @default - a bucket of this construct: S3-managed encryption, public access blocked, TLS only, clips expired after
   * `clipRetention`
   */
  readonly clipBucket?: s3.IBucket;

  /**
   * The key prefix of clips in the bucket: `<prefix><stream name>/<start>-<end>-<request id>.mp4`.
   *
   * @default 'clips/'
   */
  readonly clipKeyPrefix?: string;

  /**
   * How long the construct's bucket keeps a clip: a whole number of days, at least 1. Not used with `clipBucket`.
   *
   * @default Duration.days(1)
   */
  readonly clipRetention?: Duration;

  /**
   * How long a clip's presigned URL is valid: 1 second to 1 hour (the URL is signed with the function's temporary
   * credentials and cannot outlive them).
   *
   * @default Duration.minutes(15)
   */
  readonly clipUrlExpiry?: Duration;

  /**
   * The `Expires` of HLS and DASH sessions when the caller gives none: a whole number of seconds from 300 to 43,200.
   *
   * @default Duration.hours(1)
   */
  readonly defaultSessionExpiry?: Duration;

  /**
   * Origins that browsers may call the API from (CORS), for example a viewer page's `https://viewer.example.com`.
   *
   * @default - no CORS: only same-origin and non-browser callers
   */
  readonly allowedOrigins?: string[];

  /**
   * Requests per second across the API, and the burst above it, for every route.
   *
   * @default - 50 requests per second, bursts of 100
   */
  readonly throttle?: apigwv2.ThrottleSettings;

  /**
   * The API's name.
   *
   * @default - the construct's id
   */
  readonly apiName?: string;
}

/**
 * An HTTPS API that vends HLS and DASH session URLs, MP4 clips, images and fragment lists of a set of Kinesis video
 * streams, to callers authorized per stream.
 *
 * Routes: `GET /streams/{streamName}/hls`, `/dash`, `/clip`, `/images` and `/fragments` (docs/playback.md gives each
 * request and response). One function serves them, with a role scoped to the API's streams.
 *
 * @example
 * declare const camera: Stream;
 * declare const viewerRole: iam.IRole;
 * const api = new StreamPlaybackApi(this, 'Playback', { streams: [camera] });
 * api.grantInvoke(viewerRole, { streams: [camera] });
 */
export class StreamPlaybackApi extends Construct implements iam.IGrantable {
  /** The HTTP API. */
  public readonly httpApi: apigwv2.HttpApi;

  /** The API's URL, ending in `/`: `https://<api id>.execute-api.<region>.amazonaws.com/`. */
  public readonly url: string;

  /** The function behind every route. */
  public readonly handler: lambda.IFunction;

  /** The bucket clips are written to. */
  public readonly clipBucket: s3.IBucket;

  /** The function's role: grant it `kms:Decrypt` on the keys of streams matched by prefix. */
  public readonly grantPrincipal: iam.IPrincipal;

  private readonly authorization: PlaybackAuthorization;
  private readonly streams: IStream[];
  private readonly streamNamePrefix?: string;

  constructor(scope: Construct, id: string, props: StreamPlaybackApiProps) {
    super(scope, id);
    this.streams = props.streams ?? [];
    if (!Array.isArray(this.streams)) throw invalid('streams', props.streams, 'a list of IStream');
    for (const stream of this.streams) validateStreamName(stream.streamName, 'streams[].streamName');
    validatePrefix(props.streamNamePrefix, 'streamNamePrefix');
    this.streamNamePrefix = props.streamNamePrefix;
    if (this.streams.length === 0 && props.streamNamePrefix === undefined) {
      throw invalid('streams', '[]', 'at least one stream, or a streamNamePrefix: the API must serve some stream');
    }
    const clipKeyPrefix = props.clipKeyPrefix ?? DEFAULT_CLIP_KEY_PREFIX;
    assertPattern('clipKeyPrefix', clipKeyPrefix, /^[a-zA-Z0-9!_.*'()/-]{0,512}$/,
      '0-512 characters of S3\'s safe key characters [a-zA-Z0-9!_.*\'()/-]');
    validateWholeSeconds(props.clipUrlExpiry, 'clipUrlExpiry', 1, MAX_CLIP_URL_EXPIRES_SECONDS);
    validateWholeSeconds(props.defaultSessionExpiry, 'defaultSessionExpiry', SESSION_EXPIRES_RANGE.min, SESSION_EXPIRES_RANGE.max);
    if (props.clipRetention !== undefined && props.clipBucket !== undefined) {
      throw invalid('clipRetention', props.clipRetention.toHumanString(), 'unset when clipBucket is given (set the lifecycle of your own bucket)');
    }
    validateClipRetention(props.clipRetention);
    this.authorization = props.authorization ?? PlaybackAuthorization.iam();

    this.clipBucket = props.clipBucket ?? this.createClipBucket(props.clipRetention ?? Duration.days(1), clipKeyPrefix);

    // One log group for the function's logs and the API's access logs; the function's would otherwise outlive the stack.
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    // Its own role, writing to the one log group only (AWSLambdaBasicExecutionRole would allow every log group).
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Kinesis Video Streams playback API function (cdk-kinesis-video)',
    });
    logGroup.grantWrite(role);
    const fn = new lambda.Function(this, 'Handler', {
      role,
      code: lambda.Code.fromAsset(PLAYBACK_BUNDLE_DIR),
      handler: 'index.handler',
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      // A clip of up to 100 MB is held in memory between GetClip and its upload to S3.
      memorySize: 1024,
      // API Gateway's HTTP APIs answer 503 after 30 seconds: the function stops before.
      timeout: Duration.seconds(29),
      description: 'Kinesis Video Streams playback API (cdk-kinesis-video)',
      logGroup,
      environment: {
        [PlaybackEnv.STREAM_NAMES]: Stack.of(this).toJsonString(this.streams.map((s) => s.streamName)),
        [PlaybackEnv.STREAM_NAME_PREFIXES]: JSON.stringify(props.streamNamePrefix !== undefined ? [props.streamNamePrefix] : []),
        [PlaybackEnv.AUTHORIZATION]: this.authorization._kind,
        ...(this.authorization._streamsClaim !== undefined ? { [PlaybackEnv.STREAMS_CLAIM]: this.authorization._streamsClaim } : {}),
        [PlaybackEnv.CLIP_BUCKET]: this.clipBucket.bucketName,
        [PlaybackEnv.CLIP_KEY_PREFIX]: clipKeyPrefix,
        [PlaybackEnv.CLIP_URL_EXPIRES]: String((props.clipUrlExpiry ?? Duration.seconds(DEFAULT_CLIP_URL_EXPIRES_SECONDS)).toSeconds()),
        [PlaybackEnv.SESSION_EXPIRES]: String((props.defaultSessionExpiry ?? Duration.seconds(DEFAULT_SESSION_EXPIRES_SECONDS)).toSeconds()),
      },
    });
    this.handler = fn;
    this.grantPrincipal = fn.grantPrincipal;
    this.grantStreams(fn);
    this.grantClips(fn, clipKeyPrefix);

    this.httpApi = new apigwv2.HttpApi(this, 'Resource', {
      apiName: props.apiName ?? Names.uniqueResourceName(this, { maxLength: 128 }),
      description: 'Kinesis Video Streams playback: HLS and DASH session URLs, clips, images and fragment lists',
      createDefaultStage: false,
      corsPreflight: props.allowedOrigins ? {
        allowOrigins: props.allowedOrigins,
        allowMethods: [apigwv2.CorsHttpMethod.GET],
        allowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
        maxAge: Duration.hours(1),
      } : undefined,
    });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(logGroup) },
    });
    const integration = new HttpLambdaIntegration('Integration', fn, { payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0 });
    const authorizer = this.authorization._authorizer();
    for (const route of PLAYBACK_ROUTES) {
      this.httpApi.addRoutes({ path: playbackRoutePath(route), methods: [apigwv2.HttpMethod.GET], integration, authorizer });
    }
    this.url = stage.url;
    this.suppressNagFindings(fn, props.clipBucket === undefined);
  }

  /**
   * Grants `execute-api:Invoke` on the routes of the given streams (by default, every stream of the API). For
   * `PlaybackAuthorization.iam()` only: under JWT authorization, the token's streams claim decides.
   *
   * @param grantee the caller, for example a viewer backend's role or an identity pool's authenticated role
   * @param options the streams
   */
  public grantInvoke(grantee: iam.IGrantable, options: PlaybackGrantOptions = {}): iam.Grant {
    if (this.authorization._kind !== 'IAM') {
      throw invalid('grantInvoke', this.node.path, 'called on an API with PlaybackAuthorization.iam(): under JWT authorization the token\'s streams claim decides');
    }
    validatePrefix(options.streamNamePrefix, 'streamNamePrefix');
    const selected = options.streams ?? [];
    for (const stream of selected) this.assertServed(stream);
    if (options.streamNamePrefix !== undefined && !this.servesPrefix(options.streamNamePrefix)) {
      throw invalid('streamNamePrefix', options.streamNamePrefix, `a prefix within the API's streamNamePrefix "${this.streamNamePrefix ?? '(none)'}"`);
    }
    const everything = options.streams === undefined && options.streamNamePrefix === undefined;
    const paths = everything
      ? [...this.streams.map((s) => s.streamName), ...(this.streamNamePrefix !== undefined ? [`${this.streamNamePrefix}*`] : [])]
      : [...selected.map((s) => s.streamName), ...(options.streamNamePrefix !== undefined ? [`${options.streamNamePrefix}*`] : [])];
    // `/streams/<name>/*` matches the routes of that stream only; `/streams/<prefix>*` those of every matching name.
    const resourceArns = [...new Set(paths)].map((p) => this.httpApi.arnForExecuteApi('GET', p.endsWith('*') ? `/streams/${p}` : `/streams/${p}/*`, '$default'));
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns });
  }

  private createClipBucket(retention: Duration, keyPrefix: string): s3.Bucket {
    return new s3.Bucket(this, 'Clips', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ prefix: keyPrefix, expiration: retention, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Clips are copies of video the streams keep: nothing is lost when the stack's bucket goes with the stack,
      // but a bucket that still holds clips is kept (CloudFormation cannot delete a non-empty bucket).
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The function's archived-media actions: each given stream by ARN (with its key), the prefix by pattern. */
  private grantStreams(fn: lambda.Function): void {
    for (const stream of this.streams) {
      stream.grantPlayback(fn);
      stream.grant(fn, ...EXTRA_READ_ACTIONS);
    }
    if (this.streamNamePrefix !== undefined) {
      const arn = Stack.of(this).formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName: `${this.streamNamePrefix}*` });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: PLAYBACK_API_ACTIONS, resources: [arn] }));
    }
  }

  /**
   * Writing a clip and reading it back through the presigned URL (signed with the function's credentials): the two
   * object actions under the key prefix, and the bucket's key if it has one.
   */
  private grantClips(fn: lambda.Function, keyPrefix: string): void {
    const objects = this.clipBucket.arnForObjects(`${keyPrefix}*`);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }));
    this.clipBucket.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  private assertServed(stream: IStream): void {
    const name = stream.streamName;
    if (Token.isUnresolved(name)) {
      if (this.streams.includes(stream)) return;
      throw invalid('streams', stream.node.path, 'streams the API serves (a stream whose name is a token must be one of the API\'s streams)');
    }
    const served = this.streams.some((s) => s.streamName === name)
      || (this.streamNamePrefix !== undefined && name.startsWith(this.streamNamePrefix));
    if (!served) throw invalid('streams', name, `streams the API serves: ${this.describeServed()}`);
  }

  private servesPrefix(prefix: string): boolean {
    return this.streamNamePrefix !== undefined && prefix.startsWith(this.streamNamePrefix);
  }

  private describeServed(): string {
    const names = this.streams.map((s) => (Token.isUnresolved(s.streamName) ? s.node.path : s.streamName));
    return [...names, ...(this.streamNamePrefix !== undefined ? [`${this.streamNamePrefix}*`] : [])].join(', ');
  }

  /** What cdk-nag (AwsSolutions) reports on these resources, with the reason each is safe (docs/playback.md). */
  private suppressNagFindings(fn: lambda.Function, ownsBucket: boolean): void {
    const policy = fn.role!.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    addNagSuppressions(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The function reads and writes clips under its key prefix only, and a stream ARN ends in its creation time (or the API serves streams by name prefix): both need a trailing wildcard.',
      appliesTo: [
        { regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>\\/.*\\*$/' },
        { regex: '/^Resource::arn:<AWS::Partition>:kinesisvideo:[^:]+:[^:]+:stream\\/.*\\*$/' },
      ],
    }]);
    addNagSuppressions(fn.node.defaultChild as CfnResource, [{
      id: 'AwsSolutions-L1',
      reason: `Pinned to ${HANDLER_RUNTIME.name}, the runtime the bundled function is tested on; a newer runtime known to a later aws-cdk-lib is adopted by a release of this library.`,
    }]);
    if (ownsBucket) {
      addNagSuppressions(this.clipBucket.node.defaultChild as CfnResource, [{
        id: 'AwsSolutions-S1',
        reason: 'The bucket holds short-lived copies of clips that the API hands out as presigned URLs; the access log of the API names every request. Give clipBucket for a bucket with server access logs.',
      }]);
    }
  }
}

function validatePrefix(prefix: string | undefined, propName: string): void {
  if (prefix === undefined) return;
  assertLength(propName, prefix, 1, 255);
  assertPattern(propName, prefix, PREFIX_PATTERN, '1-255 characters of [a-zA-Z0-9_.-]');
}

function validateClipRetention(retention: Duration | undefined): void {
  if (retention === undefined || retention.isUnresolved()) return;
  const days = retention.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1) throw invalid('clipRetention', retention.toHumanString(), 'a whole number of days, at least 1');
}
