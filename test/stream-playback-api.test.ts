import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlaybackAuthorization, Stream, StreamPlaybackApi, StreamPlaybackApiProps } from '../src';
import { cfnLintErrors } from './support/cfn-lint';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function stackWith(props: (stack: Stack) => StreamPlaybackApiProps) {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: ENV });
  const api = new StreamPlaybackApi(stack, 'Playback', props(stack));
  return { app, stack, api, template: () => Template.fromStack(stack) };
}

function cameraStack(props: Partial<StreamPlaybackApiProps> = {}) {
  let camera!: Stream;
  const built = stackWith((stack) => {
    camera = new Stream(stack, 'Camera', { streamName: 'cam-1' });
    return { streams: [camera], ...props };
  });
  return { ...built, camera };
}

/** `arn:<partition>:execute-api:eu-west-1:123456789012:<api>/$default/GET<path>`, as Stack.formatArn writes it. */
function routeArn(path: string) {
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:eu-west-1:123456789012:', { Ref: API }, `/$default/GET${path}`]],
  };
}

/** The policy statements of the IAM policy attached to `roleLogicalId`. */
function statementsOf(template: Template, roleLogicalId: string): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } }));
  expect(policies).toHaveLength(1);
  return (policies[0] as any).Properties.PolicyDocument.Statement;
}

/** The one logical id of `type` that starts with `prefix` (the construct path; the hash that follows is CDK's). */
function logicalIdOf(template: Template, type: string, prefix = ''): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

const API = 'Playback57CF2ABA';

/** The function's one statement on CloudWatch Logs: writing to the construct's log group. */
function logWrite(template: Template) {
  return { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::Logs::LogGroup', 'PlaybackLogs'), 'Arn'] } };
}

describe('StreamPlaybackApi: the HTTP API', () => {
  test('five GET routes under /streams/{streamName}/, IAM-authorized, on one Lambda proxy integration (payload 2.0)', () => {
    const t = cameraStack().template();
    const integration = logicalIdOf(t, 'AWS::ApiGatewayV2::Integration');
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', Name: 'StackPlayback3C07AE2D' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      ApiId: { Ref: API },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::Lambda::Function', 'PlaybackHandler'), 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r: any) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'GET /streams/{streamName}/clip',
      'GET /streams/{streamName}/dash',
      'GET /streams/{streamName}/fragments',
      'GET /streams/{streamName}/hls',
      'GET /streams/{streamName}/images',
    ]);
    for (const route of routes) {
      expect(route).toEqual({
        ApiId: { Ref: API },
        AuthorizationType: 'AWS_IAM',
        RouteKey: route.RouteKey,
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: integration }]] },
      });
    }
    t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  test('the $default stage deploys itself, throttles at 50/100 and writes access logs', () => {
    const t = cameraStack().template();
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: API },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      AccessLogSettings: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::Logs::LogGroup', 'PlaybackLogs'), 'Arn'] } }),
    });
  });

  test('CORS for the given origins, GET only', () => {
    const t = cameraStack({ allowedOrigins: ['https://viewer.example.com'] }).template();
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://viewer.example.com'],
        AllowMethods: ['GET'],
        AllowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
        MaxAge: 3600,
      },
    });
  });
});

describe('StreamPlaybackApi: authorization', () => {
  test('jwt(): a JWT authorizer with the issuer and audience on every route, and the claim in the function\'s environment', () => {
    const t = cameraStack({
      authorization: PlaybackAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['viewer'], streamsClaim: 'streams' }),
    }).template();
    const authorizer = logicalIdOf(t, 'AWS::ApiGatewayV2::Authorizer');
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: API },
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: ['viewer'], Issuer: 'https://issuer.example.com' },
      Name: 'JwtAuthorizer',
    });
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r: any) => r.Properties);
    expect(routes).toHaveLength(5);
    for (const route of routes) {
      expect(route.AuthorizationType).toBe('JWT');
      expect(route.AuthorizerId).toEqual({ Ref: authorizer });
    }
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KVS_PLAYBACK_AUTHORIZATION: 'JWT', KVS_PLAYBACK_STREAMS_CLAIM: 'streams' }) },
    });
  });

  test('cognito(): the user pool\'s issuer and clients, claim custom:kvs_streams by default', () => {
    const t = stackWith((stack) => {
      const pool = new cognito.UserPool(stack, 'Pool');
      const client = pool.addClient('Viewer');
      return { streamNamePrefix: 'cam-', authorization: PlaybackAuthorization.cognito(pool, [client]) };
    }).template();
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('^PoolViewer') }],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.eu-west-1.amazonaws.com/', { Ref: Match.stringLikeRegexp('^Pool') }]] },
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KVS_PLAYBACK_AUTHORIZATION: 'JWT', KVS_PLAYBACK_STREAMS_CLAIM: 'custom:kvs_streams' }) },
    });
  });

  test('grantInvoke: execute-api:Invoke on the routes of the given streams only', () => {
    const { stack, api, template } = cameraStack({ streamNamePrefix: 'lobby-' });
    const viewer = new iam.Role(stack, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() });
    const other = Stream.fromStreamName(stack, 'Lobby', 'lobby-door');
    api.grantInvoke(viewer, { streams: [other] });
    expect(statementsOf(template(), logicalIdOf(template(), 'AWS::IAM::Role', 'Viewer'))).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: routeArn('/streams/lobby-door/*') },
    ]);
  });

  test('grantInvoke with no streams: every stream and the prefix of the API', () => {
    const { stack, api, template } = cameraStack({ streamNamePrefix: 'lobby-' });
    const viewer = new iam.Role(stack, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(viewer);
    expect(statementsOf(template(), logicalIdOf(template(), 'AWS::IAM::Role', 'Viewer'))).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [routeArn('/streams/cam-1/*'), routeArn('/streams/lobby-*')] },
    ]);
  });

  test('grantInvoke with a narrower prefix', () => {
    const { stack, api, template } = cameraStack({ streamNamePrefix: 'lobby-' });
    const viewer = new iam.Role(stack, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(viewer, { streamNamePrefix: 'lobby-east-' });
    expect(statementsOf(template(), logicalIdOf(template(), 'AWS::IAM::Role', 'Viewer'))).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: routeArn('/streams/lobby-east-*') },
    ]);
  });

  test('fails to grantInvoke a stream the API does not serve', () => {
    const { stack, api } = cameraStack();
    const viewer = new iam.Role(stack, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => api.grantInvoke(viewer, { streams: [Stream.fromStreamName(stack, 'Other', 'cam-2')] }))
      .toThrow('Invalid streams "cam-2": must be streams the API serves: cam-1');
    expect(() => api.grantInvoke(viewer, { streamNamePrefix: 'cam-' }))
      .toThrow('Invalid streamNamePrefix "cam-": must be a prefix within the API\'s streamNamePrefix "(none)"');
  });

  test('fails to grantInvoke under JWT authorization', () => {
    const { stack, api } = cameraStack({ authorization: PlaybackAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['a'] }) });
    const viewer = new iam.Role(stack, 'Viewer', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => api.grantInvoke(viewer)).toThrow(
      'Invalid grantInvoke "Stack/Playback": must be called on an API with PlaybackAuthorization.iam(): under JWT authorization the token\'s streams claim decides');
  });

  test('fails on a JWT issuer that is not https, an empty audience or a bad claim name', () => {
    expect(() => PlaybackAuthorization.jwt({ issuer: 'http://issuer.example.com', audience: ['a'] }))
      .toThrow('Invalid issuer "http://issuer.example.com": must be an https:// URL (API Gateway\'s JWT authorizer accepts no other issuer)');
    expect(() => PlaybackAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: [] }))
      .toThrow('Invalid audience "[]": must be a list of at least one audience (client id)');
    expect(() => PlaybackAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['a'], streamsClaim: 'my streams' }))
      .toThrow('Invalid streamsClaim "my streams": must be 1-128 printable ASCII characters without spaces');
    const stack = new Stack();
    const pool = new cognito.UserPool(stack, 'Pool');
    expect(() => PlaybackAuthorization.cognito(pool, [])).toThrow('Invalid clients "[]": must be a list of at least one user pool client');
  });
});

describe('StreamPlaybackApi: the function', () => {
  test('nodejs24.x on arm64 from the bundled asset, 1 GB for clips, 29 s under API Gateway\'s 30, configured by environment', () => {
    const t = cameraStack().template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 29,
      Environment: {
        Variables: {
          KVS_PLAYBACK_STREAM_NAMES: '["cam-1"]',
          KVS_PLAYBACK_STREAM_NAME_PREFIXES: '[]',
          KVS_PLAYBACK_AUTHORIZATION: 'IAM',
          KVS_PLAYBACK_CLIP_BUCKET: { Ref: Match.stringLikeRegexp('^PlaybackClips') },
          KVS_PLAYBACK_CLIP_KEY_PREFIX: 'clips/',
          KVS_PLAYBACK_CLIP_URL_EXPIRES: '900',
          KVS_PLAYBACK_SESSION_EXPIRES: '3600',
        },
      },
    });
  });

  test('the role: archived-media actions on exactly the API\'s stream ARNs and prefix, clips under their prefix', () => {
    const { template } = cameraStack({ streamNamePrefix: 'lobby-', clipKeyPrefix: 'playback/' });
    const t = template();
    const bucket = logicalIdOf(t, 'AWS::S3::Bucket');
    const camera = logicalIdOf(t, 'AWS::KinesisVideo::Stream');
    expect(statementsOf(t, logicalIdOf(t, 'AWS::IAM::Role', 'PlaybackHandler'))).toEqual([
      logWrite(t),
      {
        Action: ['kinesisvideo:GetHLSStreamingSessionURL', 'kinesisvideo:GetDASHStreamingSessionURL', 'kinesisvideo:GetClip', 'kinesisvideo:GetDataEndpoint'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [camera, 'Arn'] },
      },
      { Action: ['kinesisvideo:GetImages', 'kinesisvideo:ListFragments'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [camera, 'Arn'] } },
      {
        Action: ['kinesisvideo:GetDataEndpoint', 'kinesisvideo:GetHLSStreamingSessionURL', 'kinesisvideo:GetDASHStreamingSessionURL',
          'kinesisvideo:GetClip', 'kinesisvideo:GetImages', 'kinesisvideo:ListFragments'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:eu-west-1:123456789012:stream/lobby-*']] },
      },
      {
        Action: ['s3:PutObject', 's3:GetObject'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/playback/*']] },
      },
    ]);
  });

  test('a stream with a customer managed key: kms:Decrypt on it (playback decrypts with the caller\'s credentials)', () => {
    const { template } = stackWith((stack) => {
      const key = new kms.Key(stack, 'Key');
      return { streams: [new Stream(stack, 'Camera', { streamName: 'cam-1', encryptionKey: key })] };
    });
    const t = template();
    const camera = { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::KinesisVideo::Stream'), 'Arn'] };
    expect(statementsOf(t, logicalIdOf(t, 'AWS::IAM::Role', 'PlaybackHandler')).slice(0, 4)).toEqual([
      logWrite(t),
      { Action: ['kinesisvideo:GetHLSStreamingSessionURL', 'kinesisvideo:GetDASHStreamingSessionURL', 'kinesisvideo:GetClip', 'kinesisvideo:GetDataEndpoint'], Effect: 'Allow', Resource: camera },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::KMS::Key'), 'Arn'] } },
      { Action: ['kinesisvideo:GetImages', 'kinesisvideo:ListFragments'], Effect: 'Allow', Resource: camera },
    ]);
  });
});

describe('StreamPlaybackApi: the clip bucket', () => {
  test('owned: S3-managed encryption, public access blocked, TLS only, clips expire after a day', () => {
    const t = cameraStack().template();
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: { Rules: [{ Prefix: 'clips/', ExpirationInDays: 1, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }] },
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny' })] },
    });
  });

  test('given: no bucket of the construct, the given bucket and its key in the role', () => {
    const { template } = stackWith((stack) => {
      const key = new kms.Key(stack, 'ClipKey');
      return { streamNamePrefix: 'cam-', clipBucket: new s3.Bucket(stack, 'Mine', { encryptionKey: key }), clipKeyPrefix: '' };
    });
    const t = template();
    t.resourceCountIs('AWS::S3::Bucket', 1);
    const statements = statementsOf(t, logicalIdOf(t, 'AWS::IAM::Role', 'PlaybackHandler'));
    expect(statements.slice(2)).toEqual([
      { Action: ['s3:PutObject', 's3:GetObject'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(t, 'AWS::S3::Bucket', 'Mine'), 'Arn'] }, '/*']] } },
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(t, 'AWS::KMS::Key', 'ClipKey'), 'Arn'] } },
    ]);
  });
});

describe('StreamPlaybackApi: synth-time validation', () => {
  const build = (props: Partial<StreamPlaybackApiProps>) => () => stackWith(() => ({ streamNamePrefix: 'cam-', ...props }));

  test('fails without streams or prefix', () => {
    expect(() => stackWith(() => ({ streams: [] })))
      .toThrow('Invalid streams "[]": must be at least one stream, or a streamNamePrefix: the API must serve some stream');
  });

  test('fails on a prefix outside the stream name rule', () => {
    expect(build({ streamNamePrefix: 'cam/' })).toThrow('Invalid streamNamePrefix "cam/": must be 1-255 characters of [a-zA-Z0-9_.-]');
    expect(build({ streamNamePrefix: '' })).toThrow('Invalid streamNamePrefix "": must be 1-255 characters');
  });

  test('fails on session and clip expiries outside their ranges', () => {
    expect(build({ defaultSessionExpiry: Duration.seconds(299) }))
      .toThrow('Invalid defaultSessionExpiry "4 minutes 59 seconds": must be a whole number of seconds from 300 to 43200');
    expect(build({ defaultSessionExpiry: Duration.hours(13) }))
      .toThrow('Invalid defaultSessionExpiry "13 hours": must be a whole number of seconds from 300 to 43200');
    expect(build({ clipUrlExpiry: Duration.hours(2) })).toThrow('Invalid clipUrlExpiry "2 hours": must be a whole number of seconds from 1 to 3600');
  });

  test('fails on a clip retention of part of a day, or with a bucket of the user\'s', () => {
    expect(build({ clipRetention: Duration.hours(12) })).toThrow('Invalid clipRetention "12 hours": must be a whole number of days, at least 1');
    expect(() => stackWith((stack) => ({ streamNamePrefix: 'cam-', clipBucket: new s3.Bucket(stack, 'B'), clipRetention: Duration.days(2) })))
      .toThrow('Invalid clipRetention "2 days": must be unset when clipBucket is given (set the lifecycle of your own bucket)');
  });

  test('fails on a clip key prefix with characters S3 keys should not carry', () => {
    expect(build({ clipKeyPrefix: 'clips ' })).toThrow('Invalid clipKeyPrefix "clips ": must be 0-512 characters of S3\'s safe key characters [a-zA-Z0-9!_.*\'()/-]');
  });
});

describe('StreamPlaybackApi: compliance', () => {
  test('cfn-lint finds nothing in IAM, JWT and Cognito stacks', () => {
    const app = new App();
    const iamStack = new Stack(app, 'PlaybackIam', { env: ENV });
    new StreamPlaybackApi(iamStack, 'Api', { streams: [new Stream(iamStack, 'Camera')], streamNamePrefix: 'lobby-', allowedOrigins: ['https://viewer.example.com'] });
    const jwtStack = new Stack(app, 'PlaybackJwt', { env: ENV });
    new StreamPlaybackApi(jwtStack, 'Api', { streamNamePrefix: 'cam-', authorization: PlaybackAuthorization.jwt({ issuer: 'https://issuer.example.com', audience: ['viewer'] }) });
    const cognitoStack = new Stack(app, 'PlaybackCognito');
    const pool = new cognito.UserPool(cognitoStack, 'Pool');
    new StreamPlaybackApi(cognitoStack, 'Api', { streamNamePrefix: 'cam-', authorization: PlaybackAuthorization.cognito(pool, [pool.addClient('Viewer')]) });
    expect(cfnLintErrors(app)).toBe('');
  });

  test('cdk-nag AwsSolutions: no unsuppressed finding on the construct\'s resources', () => {
    const app = new App();
    const stack = new Stack(app, 'Nag', { env: ENV });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const api = new StreamPlaybackApi(stack, 'Api', {
      streams: [new Stream(stack, 'Camera', { encryptionKey: key }), Stream.fromStreamName(stack, 'Imported', 'door')],
      streamNamePrefix: 'lobby-',
    });
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    const nag = Match.stringLikeRegexp('^AwsSolutions-');
    const annotations = Annotations.fromStack(stack);
    const findings = [...annotations.findError('*', nag), ...annotations.findWarning('*', nag)]
      .filter((m) => m.id.startsWith(`/${api.node.path}/`))
      .map((m) => `${m.id} ${String(m.entry.data).split(':')[0]}`);
    expect(findings).toEqual([]);
  });
});
