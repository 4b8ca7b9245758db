import { App, CfnElement, CfnParameter, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  EdgeConfiguration,
  EdgeConfigurationProps,
  EdgeSyncWait,
  HubDevice,
  MediaUriType,
  StrategyOnFullSize,
  Stream,
} from '../src';
import { handlerPolicy, handlerPolicyId } from './support/handler-policy';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const TYPE = 'Custom::KinesisVideoEdgeConfiguration';
const SERVICE_TOKEN = { 'Fn::GetAtt': ['CdkKinesisVideoProviderframeworkonEventF852243F', 'Arn'] };
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:lobby-camera-AbCdEf';
const THING_ARN = 'arn:aws:iot:eu-west-1:111122223333:thing/site1-hub';
const STREAM_ARN = 'arn:aws:kinesisvideo:eu-west-1:111122223333:stream/lobby/1700000000000';
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

function newStack(env: { account?: string; region?: string } | undefined = ENV): Stack {
  return new Stack(new App(), 'TestStack', { env });
}

/** A stack with an owned stream "lobby" and an imported camera secret. */
function fixture(env?: { account?: string; region?: string }) {
  const stack = newStack(env);
  const stream = new Stream(stack, 'Camera', { streamName: 'lobby' });
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'CameraUri', SECRET_ARN);
  const base: EdgeConfigurationProps = {
    stream,
    hubDevice: HubDevice.fromThingArn(THING_ARN),
    mediaSource: { secret, uriType: MediaUriType.RTSP_URI },
  };
  return { stack, stream, secret, base };
}

interface CfnResourceJson {
  Properties: any;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

function resourcesOfType(stack: Stack, type: string): CfnResourceJson[] {
  return Object.values(Template.fromStack(stack).findResources(type)) as any;
}

function rolePolicy(stack: Stack, rolePrefix: string): any[] {
  const [policy] = resourcesOfType(stack, 'AWS::IAM::Policy').filter((p) => p.Properties.Roles?.[0]?.Ref?.startsWith(rolePrefix));
  return policy.Properties.PolicyDocument.Statement;
}

describe('template', () => {
  test('every prop becomes the custom resource\'s properties, numbers and booleans as strings', () => {
    const { stack, base } = fixture();
    new EdgeConfiguration(stack, 'Edge', {
      ...base,
      mediaSource: { ...base.mediaSource, uriType: MediaUriType.FILE_URI },
      recorderSchedule: { expression: '0 0 8 ? * MON-FRI *', duration: Duration.hours(1) },
      uploaderSchedule: { expression: '0 30 * * * ?', duration: Duration.minutes(15) },
      edgeRetention: Duration.days(7),
      maxLocalMediaSize: Size.gibibytes(4),
      strategyOnFullSize: StrategyOnFullSize.DENY_NEW_MEDIA,
      deleteAfterUpload: false,
      waitFor: EdgeSyncWait.IN_SYNC,
      allowHubDeviceChange: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const [resource] = resourcesOfType(stack, TYPE);
    expect(resource.Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      StreamArn: { 'Fn::GetAtt': ['CameraA68A97AE', 'Arn'] },
      EdgeConfig: {
        HubDeviceArn: THING_ARN,
        RecorderConfig: {
          MediaSourceConfig: { MediaUriSecretArn: SECRET_ARN, MediaUriType: 'FILE_URI' },
          ScheduleConfig: { ScheduleExpression: '0 0 8 ? * MON-FRI *', DurationInSeconds: '3600' },
        },
        UploaderConfig: { ScheduleConfig: { ScheduleExpression: '0 30 * * * ?', DurationInSeconds: '900' } },
        DeletionConfig: {
          EdgeRetentionInHours: '168',
          DeleteAfterUpload: 'false',
          LocalSizeConfig: { MaxLocalMediaSizeInMB: '4096', StrategyOnFullSize: 'DENY_NEW_MEDIA' },
        },
      },
      WaitFor: 'IN_SYNC',
      AllowHubDeviceChange: 'true',
    });
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(resource.UpdateReplacePolicy).toBe('Delete');
    expect(resource.DependsOn).toEqual([handlerPolicyId(stack)]);
  });

  test('defaults: no schedules, the service\'s documented deletion defaults, ACCEPTED, no hub change, retained', () => {
    const { stack, base } = fixture();
    new EdgeConfiguration(stack, 'Edge', base);

    const [resource] = resourcesOfType(stack, TYPE);
    expect(resource.Properties.EdgeConfig).toEqual({
      HubDeviceArn: THING_ARN,
      RecorderConfig: { MediaSourceConfig: { MediaUriSecretArn: SECRET_ARN, MediaUriType: 'RTSP_URI' } },
      DeletionConfig: { EdgeRetentionInHours: '720', DeleteAfterUpload: 'true' },
    });
    expect(resource.Properties.WaitFor).toBe('ACCEPTED');
    expect(resource.Properties.AllowHubDeviceChange).toBe('false');
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  test('a strategy without a size limit sends only the strategy', () => {
    const { stack, base } = fixture();
    new EdgeConfiguration(stack, 'Edge', { ...base, strategyOnFullSize: StrategyOnFullSize.DELETE_OLDEST_MEDIA });
    expect(resourcesOfType(stack, TYPE)[0].Properties.EdgeConfig.DeletionConfig.LocalSizeConfig).toEqual({ StrategyOnFullSize: 'DELETE_OLDEST_MEDIA' });
  });

  test('RETAIN_ON_UPDATE_OR_DELETE retains except when a create rolls back', () => {
    const { stack, base } = fixture();
    new EdgeConfiguration(stack, 'Edge', { ...base, removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    const [resource] = resourcesOfType(stack, TYPE);
    expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  test('an owned secret is referenced, and its ARN is what the service gets', () => {
    const { stack, base } = fixture();
    const secret = new secretsmanager.Secret(stack, 'Owned', { secretName: 'lobby-camera' });
    new EdgeConfiguration(stack, 'Edge', { ...base, mediaSource: { secret, uriType: MediaUriType.RTSP_URI } });
    const secretRef = { Ref: stack.getLogicalId(secret.node.defaultChild as CfnElement) };
    expect(resourcesOfType(stack, TYPE)[0].Properties.EdgeConfig.RecorderConfig.MediaSourceConfig.MediaUriSecretArn).toEqual(secretRef);
  });

  test('an imported stream is addressed by its ARN', () => {
    const stack = newStack();
    const stream = Stream.fromStreamArn(stack, 'Imported', STREAM_ARN);
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'CameraUri', SECRET_ARN);
    new EdgeConfiguration(stack, 'Edge', { stream, hubDevice: HubDevice.fromThingArn(THING_ARN), mediaSource: { secret, uriType: MediaUriType.RTSP_URI } });
    expect(resourcesOfType(stack, TYPE)[0].Properties.StreamArn).toBe(STREAM_ARN);
  });

  test('one custom resource per edge configuration, all served by the stack\'s one provider', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'CameraUri', SECRET_ARN);
    for (const name of ['a', 'b', 'c']) {
      const stream = new Stream(stack, `Camera-${name}`, { streamName: `cam-${name}` });
      new EdgeConfiguration(stack, `Edge-${name}`, { stream, hubDevice: HubDevice.fromThingArn(THING_ARN), mediaSource: { secret, uriType: MediaUriType.RTSP_URI } });
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 3);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(resourcesOfType(stack, TYPE).every((r) => JSON.stringify(r.Properties.ServiceToken) === JSON.stringify(SERVICE_TOKEN))).toBe(true);
  });
});

describe('hub device', () => {
  test('fromThingName builds the ARN in the stack\'s partition, region and account', () => {
    const { stack, base } = fixture();
    const edge = new EdgeConfiguration(stack, 'Edge', { ...base, hubDevice: HubDevice.fromThingName('site1-hub') });
    expect(stack.resolve(edge.hubDeviceArn)).toEqual(partitionArn(':iot:eu-west-1:111122223333:thing/site1-hub'));
    expect(resourcesOfType(stack, TYPE)[0].Properties.EdgeConfig.HubDeviceArn).toEqual(partitionArn(':iot:eu-west-1:111122223333:thing/site1-hub'));
  });

  test('fromCfnThing references the thing\'s ARN', () => {
    const { stack, base } = fixture();
    const thing = new iot.CfnThing(stack, 'Hub', { thingName: 'site1-hub' });
    new EdgeConfiguration(stack, 'Edge', { ...base, hubDevice: HubDevice.fromCfnThing(thing) });
    expect(resourcesOfType(stack, TYPE)[0].Properties.EdgeConfig.HubDeviceArn).toEqual({ 'Fn::GetAtt': ['Hub', 'Arn'] });
  });

  test('fromThingArn and fromThingName accept tokens', () => {
    const { stack, base } = fixture();
    const arn = new CfnParameter(stack, 'HubArn').valueAsString;
    const edge = new EdgeConfiguration(stack, 'Edge', { ...base, hubDevice: HubDevice.fromThingArn(arn) });
    expect(stack.resolve(edge.hubDeviceArn)).toEqual({ Ref: 'HubArn' });
    expect(() => HubDevice.fromThingName(new CfnParameter(stack, 'HubName').valueAsString)).not.toThrow();
  });

  test('fails fromThingName with a name the HubDeviceArn pattern does not allow', () => {
    expect(() => HubDevice.fromThingName('site1:hub')).toThrow(
      'Invalid thingName "site1:hub": must be 1-128 characters of [a-zA-Z0-9_.-] (the thing names that HubDeviceArn allows)');
    expect(() => HubDevice.fromThingName('h'.repeat(129))).toThrow(`Invalid thingName "${'h'.repeat(129)}": must be 1-128 characters`);
  });

  test('fails fromThingArn with something other than an IoT thing ARN', () => {
    const policyArn = 'arn:aws:iot:eu-west-1:111122223333:policy/site1';
    expect(() => HubDevice.fromThingArn(policyArn)).toThrow(
      `Invalid thingArn "${policyArn}": must be an IoT thing ARN arn:<partition>:iot:<region>:<account>:thing/<name> with a name of [a-zA-Z0-9_.-]`);
  });

  test('fails fromThingArn beyond 1024 characters', () => {
    const long = `arn:aws:iot:eu-west-1:111122223333:thing/${'h'.repeat(1000)}`;
    expect(() => HubDevice.fromThingArn(long)).toThrow(`Invalid thingArn "${long}": must be 1-1024 characters`);
  });

  test('fails fromCfnThing with a thing name the HubDeviceArn pattern does not allow', () => {
    const stack = newStack();
    const thing = new iot.CfnThing(stack, 'Hub', { thingName: 'site1:hub' });
    expect(() => HubDevice.fromCfnThing(thing)).toThrow(
      'Invalid thing.thingName "site1:hub": must be 1-128 characters of [a-zA-Z0-9_.-] (the thing names that HubDeviceArn allows)');
  });
});

describe('handler permissions', () => {
  test('the provider may call exactly the edge APIs on the stream, and DescribeStacks on the stack once', () => {
    const { stack, base } = fixture();
    new EdgeConfiguration(stack, 'Edge', base);
    const other = new Stream(stack, 'Other', { streamName: 'lobby-2' });
    new EdgeConfiguration(stack, 'Edge2', { ...base, stream: other });

    const statements = handlerPolicy(stack).Statement;
    expect(statements).toContainEqual({
      Action: [
        'kinesisvideo:DeleteEdgeConfiguration',
        'kinesisvideo:DescribeEdgeConfiguration',
        'kinesisvideo:DescribeStream',
        'kinesisvideo:StartEdgeConfigurationUpdate',
      ],
      Effect: 'Allow',
      Resource: [
        partitionArn(':kinesisvideo:eu-west-1:111122223333:stream/lobby/*'),
        partitionArn(':kinesisvideo:eu-west-1:111122223333:stream/lobby-2/*'),
      ],
    });
    expect(statements).toContainEqual({ Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } });
    expect(JSON.stringify(statements)).not.toContain('secretsmanager');
  });

  test('adds one DescribeStacks statement however many edge configurations the stack has', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'CameraUri', SECRET_ARN);
    for (const name of ['a', 'b', 'c']) {
      const stream = Stream.fromStreamArn(stack, `Camera-${name}`, STREAM_ARN.replace('lobby', `cam-${name}`));
      new EdgeConfiguration(stack, `Edge-${name}`, { stream, hubDevice: HubDevice.fromThingArn(THING_ARN), mediaSource: { secret, uriType: MediaUriType.RTSP_URI } });
    }
    // Imported streams have no retention guard: the statement is the edge configurations' alone.
    expect(handlerPolicy(stack).Statement.filter((s: any) => s.Action === 'cloudformation:DescribeStacks')).toHaveLength(1);
  });
});

describe('grantEdgeAgent', () => {
  test('grants the Edge Agent role the stream, ListStreams, PutMetricData and the media secret', () => {
    const { stack, base } = fixture();
    const edge = new EdgeConfiguration(stack, 'Edge', base);
    const role = new iam.Role(stack, 'EdgeAgent', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });

    edge.grantEdgeAgent(role);

    const streamArn = { 'Fn::GetAtt': ['CameraA68A97AE', 'Arn'] };
    expect(rolePolicy(stack, 'EdgeAgent')).toEqual([
      { Action: ['kinesisvideo:PutMedia', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:DescribeStream'], Effect: 'Allow', Resource: streamArn },
      { Action: 'kinesisvideo:TagStream', Effect: 'Allow', Resource: streamArn },
      { Action: ['kinesisvideo:ListStreams', 'cloudwatch:PutMetricData'], Effect: 'Allow', Resource: '*' },
      { Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: SECRET_ARN },
    ]);
  });

  test('includes the stream\'s and the secret\'s keys, and the SNS topic of notifications configured after the grant', () => {
    const stack = newStack();
    const streamKey = new kms.Key(stack, 'StreamKey');
    const secretKey = new kms.Key(stack, 'SecretKey');
    const stream = new Stream(stack, 'Camera', { streamName: 'lobby', encryptionKey: streamKey });
    const secret = new secretsmanager.Secret(stack, 'CameraUri', { secretName: 'lobby-camera', encryptionKey: secretKey });
    const edge = new EdgeConfiguration(stack, 'Edge', { stream, hubDevice: HubDevice.fromThingArn(THING_ARN), mediaSource: { secret, uriType: MediaUriType.RTSP_URI } });
    const role = new iam.Role(stack, 'EdgeAgent', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });

    edge.grantEdgeAgent(role);
    const topic = new sns.Topic(stack, 'Events');
    stream.configureNotifications({ topic });

    const statements = rolePolicy(stack, 'EdgeAgent');
    const arnOf = (key: kms.Key) => ({ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as CfnElement), 'Arn'] });
    expect(statements).toContainEqual({ Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: arnOf(streamKey) });
    // CDK grants a key of the same stack in its key policy.
    const secretKeyResource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(secretKey.node.defaultChild as CfnElement)];
    expect(secretKeyResource.Properties.KeyPolicy.Statement).toContainEqual({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as CfnElement), 'Arn'] } },
      Resource: '*',
    });
    expect(statements).toContainEqual({ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as CfnElement) } });
  });
});

describe('validation', () => {
  test.each([
    ['recorderSchedule', 'expression', '0 0 * * *', 'Invalid recorderSchedule.expression "0 0 * * *": must be 11-100 characters'],
    ['uploaderSchedule', 'expression', `0 0 * * * ? ${'*'.repeat(90)}`, `Invalid uploaderSchedule.expression "0 0 * * * ? ${'*'.repeat(90)}": must be 11-100 characters`],
    ['recorderSchedule', 'expression', '0 0 8 ? *\nMON-FRI *', 'Invalid recorderSchedule.expression "0 0 8 ? *\nMON-FRI *": must be a Quartz cron expression on one line'],
  ])('fails %s with %s %j', (prop, _member, expression, message) => {
    const { stack, base } = fixture();
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, [prop]: { expression, duration: Duration.minutes(5) } })).toThrow(message);
  });

  test.each([
    ['recorderSchedule', Duration.seconds(59), 'Invalid recorderSchedule.duration "59 seconds": must be a whole number of seconds from 60 to 3600'],
    ['uploaderSchedule', Duration.seconds(3601), 'Invalid uploaderSchedule.duration "1 hour 1 second": must be a whole number of seconds from 60 to 3600'],
    // The shared validator shows the value with Duration.toHumanString, which drops the half second.
    ['uploaderSchedule', Duration.millis(90_500), 'Invalid uploaderSchedule.duration "1 minute 30 seconds": must be a whole number of seconds from 60 to 3600'],
  ])('fails %s with duration %s', (prop, duration, message) => {
    const { stack, base } = fixture();
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, [prop]: { expression: '0 0 * * * ?', duration } })).toThrow(message);
  });

  test.each([
    [Duration.hours(0), 'Invalid edgeRetention "0 hours": must be a whole number of hours from 1 to 720'],
    [Duration.hours(721), 'Invalid edgeRetention "30 days 1 hour": must be a whole number of hours from 1 to 720'],
    [Duration.minutes(90), 'Invalid edgeRetention "1 hour 30 minutes": must be a whole number of hours from 1 to 720'],
  ])('fails edgeRetention %s', (edgeRetention, message) => {
    const { stack, base } = fixture();
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, edgeRetention })).toThrow(message);
  });

  test.each([
    [Size.mebibytes(63), 'Invalid maxLocalMediaSize "63": must be a whole number of MiB from 64 to 2000000'],
    [Size.mebibytes(2_000_001), 'Invalid maxLocalMediaSize "2000001": must be a whole number of MiB from 64 to 2000000'],
    [Size.kibibytes(65_537), 'Invalid maxLocalMediaSize "64.0009765625": must be a whole number of MiB from 64 to 2000000'],
  ])('fails maxLocalMediaSize %s', (maxLocalMediaSize, message) => {
    const { stack, base } = fixture();
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, maxLocalMediaSize })).toThrow(message);
  });

  test('accepts the bounds of every range', () => {
    const { stack, base } = fixture();
    expect(() => new EdgeConfiguration(stack, 'Edge', {
      ...base,
      recorderSchedule: { expression: '0 0 * * * ?', duration: Duration.seconds(60) },
      uploaderSchedule: { expression: `0 0 * * * ? ${'*'.repeat(88)}`, duration: Duration.seconds(3600) },
      edgeRetention: Duration.hours(1),
      maxLocalMediaSize: Size.mebibytes(64),
    })).not.toThrow();
    const other = new Stream(stack, 'Other');
    expect(() => new EdgeConfiguration(stack, 'Edge2', { ...base, stream: other, edgeRetention: Duration.hours(720), maxLocalMediaSize: Size.mebibytes(2_000_000) })).not.toThrow();
  });

  test('fails with a secret whose name has a "/" (the MediaUriSecretArn pattern forbids it), wherever the name is known', () => {
    const allowed = 'must be a secret whose name has only [a-zA-Z0-9_.-] (the MediaUriSecretArn pattern of Kinesis Video Streams forbids "/")';
    const cases: Array<[(stack: Stack) => secretsmanager.ISecret, string]> = [
      [(stack) => new secretsmanager.Secret(stack, 'S', { secretName: 'cameras/lobby' }), `Invalid mediaSource.secret "cameras/lobby": ${allowed}`],
      [(stack) => secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'cameras/lobby'), `Invalid mediaSource.secret "cameras/lobby": ${allowed}`],
      [(stack) => secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:cameras/lobby-AbCdEf'),
        `Invalid mediaSource.secret "arn:aws:secretsmanager:eu-west-1:111122223333:secret:cameras/lobby-AbCdEf": ${allowed}`],
    ];
    for (const [secretOf, message] of cases) {
      const { stack, base } = fixture();
      const secret = secretOf(stack);
      expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, mediaSource: { secret, uriType: MediaUriType.RTSP_URI } })).toThrow(message);
    }
  });

  test('accepts a secret whose name is known only at deploy time', () => {
    const { stack, base } = fixture();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', new CfnParameter(stack, 'SecretArn').valueAsString);
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, mediaSource: { secret, uriType: MediaUriType.RTSP_URI } })).not.toThrow();
  });

  test('fails on a stream without retention', () => {
    const { stack, base } = fixture();
    const stream = new Stream(stack, 'LiveOnly', { dataRetention: Duration.hours(0) });
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, stream })).toThrow(
      'Invalid stream "TestStack/LiveOnly": must be a stream that retains data: its dataRetention is 0 hours, and Kinesis Video Streams '
      + 'configures the Edge Agent only on streams that retain data. Set dataRetention to at least 1 hour');
  });

  test('fails on a stream imported by name only', () => {
    const { stack, base } = fixture();
    const stream = Stream.fromStreamName(stack, 'ByName', 'lobby');
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, stream })).toThrow(
      'Invalid stream "TestStack/ByName": must be a stream whose ARN is known (a Stream of this app, or one imported with Stream.fromStreamArn): '
      + 'the handler addresses the stream by ARN, and a stream imported by name has only the pattern .../stream/<name>/*');
  });

  test('fails on a stream in another region than the stack', () => {
    const { stack, base } = fixture();
    const stream = Stream.fromStreamArn(stack, 'Far', STREAM_ARN.replace('eu-west-1', 'us-east-1'));
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, stream })).toThrow(
      'Invalid stream "TestStack/Far": must be a stream in the stack\'s region eu-west-1 (the stream is in us-east-1): the handler calls the stack\'s region');
  });

  test('fails in af-south-1, where the edge APIs do not exist', () => {
    const { stack, base } = fixture({ account: '111122223333', region: 'af-south-1' });
    expect(() => new EdgeConfiguration(stack, 'Edge', base)).toThrow(
      'Invalid region "af-south-1": must be a region with edge configurations: StartEdgeConfigurationUpdate is not available in af-south-1');
  });

  test('fails on a stream known to be in af-south-1 in a region-agnostic stack', () => {
    const { stack, base } = fixture(undefined);
    const stream = Stream.fromStreamArn(stack, 'Cape', STREAM_ARN.replace('eu-west-1', 'af-south-1'));
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, stream })).toThrow(
      'Invalid region "af-south-1": must be a region with edge configurations: StartEdgeConfigurationUpdate is not available in af-south-1');
  });

  test('a region-agnostic stack skips the region checks', () => {
    const { stack, base } = fixture(undefined);
    expect(() => new EdgeConfiguration(stack, 'Edge', base)).not.toThrow();
  });

  test('fails on a second edge configuration for the same stream', () => {
    const { stack, base } = fixture();
    new EdgeConfiguration(stack, 'Edge', base);
    expect(() => new EdgeConfiguration(stack, 'Again', base)).toThrow(
      'Stream TestStack/Camera already has an edge configuration (TestStack/Edge): a stream has one');
  });

  test('fails with the SNAPSHOT removal policy', () => {
    const { stack, base } = fixture();
    expect(() => new EdgeConfiguration(stack, 'Edge', { ...base, removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
      'Invalid removalPolicy "snapshot": must be RETAIN, RETAIN_ON_UPDATE_OR_DELETE or DESTROY: an edge configuration has no snapshot');
  });

  test('the stream\'s own template is unchanged by the marker', () => {
    const { stack, base } = fixture();
    new EdgeConfiguration(stack, 'Edge', base);
    Template.fromStack(stack).hasResourceProperties('AWS::KinesisVideo::Stream', Match.objectEquals({ Name: 'lobby', DataRetentionInHours: 24 }));
  });
});
