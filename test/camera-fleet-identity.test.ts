import { App, Aspects, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CameraFleetIdentity, CameraFleetIdentityProps, CameraStreamNaming, SignalingChannel, Stream } from '../src';
import { decide, Decision, resolvedDefaultPolicy } from './support/iam-evaluator';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const OTHER_ACCOUNT = '444455556666';
const OTHER_REGION = 'us-east-1';

const PRODUCER_ACTIONS = ['kinesisvideo:PutMedia', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:DescribeStream'];
const MASTER_ACTIONS = [
  'kinesisvideo:ConnectAsMaster',
  'kinesisvideo:GetSignalingChannelEndpoint',
  'kinesisvideo:GetIceServerConfig',
  'kinesisvideo:DescribeSignalingChannel',
];

function newStack(): Stack {
  return new Stack(new App(), 'Site', { env: { account: ACCOUNT, region: REGION } });
}

function fleetIn(props: CameraFleetIdentityProps = {}): { stack: Stack; fleet: CameraFleetIdentity } {
  const stack = newStack();
  return { stack, fleet: new CameraFleetIdentity(stack, 'Cameras', props) };
}

/** The template's ARN of a Kinesis Video Streams resource whose name is a pattern, as `Stack.formatArn` gives it. */
function kvsArnPattern(resource: 'stream' | 'channel', pattern: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kinesisvideo:${REGION}:${ACCOUNT}:${resource}/${pattern}/*`]] };
}

function kvsArn(resource: 'stream' | 'channel', name: string, account = ACCOUNT, region = REGION): string {
  return `arn:aws:kinesisvideo:${region}:${account}:${resource}/${name}/1700000000000`;
}

function policyStatements(stack: Stack, fleet: CameraFleetIdentity): any[] {
  const template = Template.fromStack(stack);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(fleet.role.node.defaultChild as iam.CfnRole) }] },
  });
  expect(Object.keys(policies)).toHaveLength(1);
  return (Object.values(policies)[0] as any).Properties.PolicyDocument.Statement;
}

describe('CameraFleetIdentity resources', () => {
  test('a role that only the IoT credentials provider assumes, a role alias for it, and an IoT policy for the alias only', () => {
    const { stack, fleet } = fleetIn({ roleAliasName: 'site1-cameras' });
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(fleet.role.node.defaultChild as iam.CfnRole);
    const aliasId = stack.getLogicalId(fleet.node.defaultChild as any);

    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'credentials.iot.amazonaws.com' } }],
      },
    });
    expect(template.findResources('AWS::IAM::Role')[roleId].Properties.MaxSessionDuration).toBeUndefined();
    template.resourceCountIs('AWS::IoT::RoleAlias', 1);
    expect(template.findResources('AWS::IoT::RoleAlias')[aliasId].Properties).toEqual({
      RoleAlias: 'site1-cameras',
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      CredentialDurationSeconds: 3600,
    });
    template.resourceCountIs('AWS::IoT::Policy', 1);
    expect(Object.values(template.findResources('AWS::IoT::Policy'))[0].Properties).toEqual({
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: { 'Fn::GetAtt': [aliasId, 'RoleAliasArn'] } }],
      },
    });
    expect(stack.resolve(fleet.roleAliasName)).toBe('site1-cameras');
    expect(stack.resolve(fleet.roleAliasArn)).toEqual({ 'Fn::GetAtt': [aliasId, 'RoleAliasArn'] });
    expect(stack.resolve(fleet.iotPolicyName)).toEqual({ Ref: stack.getLogicalId(fleet.node.findChild('Policy') as any) });
  });

  test('the role alias name defaults to a name unique in the app, known at synth', () => {
    const { fleet } = fleetIn();
    expect(fleet.roleAliasName).toBe('Site-Cameras-CCB8370D');
  });

  test('a credential duration over an hour raises the role\'s maximum session duration to it', () => {
    const { stack } = fleetIn({ credentialDuration: Duration.hours(12) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::RoleAlias', { CredentialDurationSeconds: 43200 });
    template.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 43200 });
  });

  test('the role\'s policy, single stream per thing: exactly the producer actions on the stream named as the thing', () => {
    const { stack, fleet } = fleetIn();
    expect(policyStatements(stack, fleet)).toEqual([
      { Effect: 'Allow', Action: PRODUCER_ACTIONS, Resource: kvsArnPattern('stream', '${credentials-iot:ThingName}') },
    ]);
  });

  test('the role\'s policy, streams named <thing>.<suffix>, WebRTC master of the channel named as the thing', () => {
    const { stack, fleet } = fleetIn({ streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX, webRtcMaster: true });
    expect(policyStatements(stack, fleet)).toEqual([
      { Effect: 'Allow', Action: PRODUCER_ACTIONS, Resource: kvsArnPattern('stream', '${credentials-iot:ThingName}.*') },
      { Effect: 'Allow', Action: MASTER_ACTIONS, Resource: kvsArnPattern('channel', '${credentials-iot:ThingName}') },
    ]);
  });

  test('the role\'s policy with stream creation: CreateStream joins the producer actions', () => {
    const { stack, fleet } = fleetIn({ allowStreamCreation: true });
    expect(policyStatements(stack, fleet)).toEqual([
      { Effect: 'Allow', Action: [...PRODUCER_ACTIONS, 'kinesisvideo:CreateStream'], Resource: kvsArnPattern('stream', '${credentials-iot:ThingName}') },
    ]);
  });

  test('the cameras get the same actions as grantWrite and grantConnectAsMaster', () => {
    const stack = newStack();
    const fleet = new CameraFleetIdentity(stack, 'Cameras', { webRtcMaster: true });
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    Stream.fromStreamName(stack, 'Camera', 'cam').grantWrite(producer);
    SignalingChannel.fromChannelName(stack, 'Channel', 'cam').grantConnectAsMaster(producer);
    const actionsOf = (role: iam.IRole) => resolvedDefaultPolicy(stack, role).Statement.map((s: any) => s.Action);
    expect(actionsOf(fleet.role)).toEqual(actionsOf(producer));
  });
});

describe('CameraFleetIdentity scoping, evaluated by IAM', () => {
  const THING = { 'credentials-iot:ThingName': 'cam' };

  async function table(props: CameraFleetIdentityProps, rows: Array<[string, string, Decision]>): Promise<void> {
    const { stack, fleet } = fleetIn(props);
    const policy = resolvedDefaultPolicy(stack, fleet.role);
    const decisions = [];
    for (const [action, arn] of rows) decisions.push([action, arn, await decide(policy, action, arn, THING)]);
    expect(decisions).toEqual(rows);
  }

  test('one stream per thing: thing cam reaches stream cam and nothing else', async () => {
    await table({}, [
      ...PRODUCER_ACTIONS.map((action): [string, string, Decision] => [action, kvsArn('stream', 'cam'), 'Allowed']),
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam.front'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam-1'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam-1.front'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'camx'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'ca'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam', OTHER_ACCOUNT), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam', ACCOUNT, OTHER_REGION), 'ImplicitlyDenied'],
      // A producer's grant only: no reading, not even of its own stream, and no signaling unless asked.
      ['kinesisvideo:GetMedia', kvsArn('stream', 'cam'), 'ImplicitlyDenied'],
      ['kinesisvideo:DeleteStream', kvsArn('stream', 'cam'), 'ImplicitlyDenied'],
      ['kinesisvideo:ConnectAsMaster', kvsArn('channel', 'cam'), 'ImplicitlyDenied'],
    ]);
  });

  test('several streams per thing: thing cam reaches cam.front and cam.rear, never cam-1.front, camx.front or cam', async () => {
    await table({ streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX }, [
      ...PRODUCER_ACTIONS.map((action): [string, string, Decision] => [action, kvsArn('stream', 'cam.front'), 'Allowed']),
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam.rear'), 'Allowed'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam.rear.2'), 'Allowed'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam-1'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam-1.front'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'camx.front'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'camx'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'x.cam.front'), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam.front', OTHER_ACCOUNT), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam.front', ACCOUNT, OTHER_REGION), 'ImplicitlyDenied'],
    ]);
  });

  test('stream creation: thing cam may create stream cam only, and only when allowed', async () => {
    await table({ allowStreamCreation: true }, [
      ['kinesisvideo:CreateStream', kvsArn('stream', 'cam'), 'Allowed'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam'), 'Allowed'],
      ['kinesisvideo:CreateStream', kvsArn('stream', 'cam-1'), 'ImplicitlyDenied'],
      ['kinesisvideo:CreateStream', kvsArn('stream', 'cam.front'), 'ImplicitlyDenied'],
      ['kinesisvideo:CreateStream', kvsArn('stream', 'cam', ACCOUNT, OTHER_REGION), 'ImplicitlyDenied'],
    ]);
    await table({ allowStreamCreation: true, streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX }, [
      ['kinesisvideo:CreateStream', kvsArn('stream', 'cam.front'), 'Allowed'],
      ['kinesisvideo:CreateStream', kvsArn('stream', 'cam'), 'ImplicitlyDenied'],
      ['kinesisvideo:CreateStream', kvsArn('stream', 'cam-1.front'), 'ImplicitlyDenied'],
    ]);
    await table({}, [['kinesisvideo:CreateStream', kvsArn('stream', 'cam'), 'ImplicitlyDenied']]);
  });

  test('WebRTC master: thing cam is master of channel cam only, and never a viewer', async () => {
    await table({ webRtcMaster: true }, [
      ...MASTER_ACTIONS.map((action): [string, string, Decision] => [action, kvsArn('channel', 'cam'), 'Allowed']),
      ['kinesisvideo:ConnectAsViewer', kvsArn('channel', 'cam'), 'ImplicitlyDenied'],
      ['kinesisvideo:ConnectAsMaster', kvsArn('channel', 'cam-1'), 'ImplicitlyDenied'],
      ['kinesisvideo:ConnectAsMaster', kvsArn('channel', 'camx'), 'ImplicitlyDenied'],
      ['kinesisvideo:ConnectAsMaster', kvsArn('channel', 'cam.front'), 'ImplicitlyDenied'],
      ['kinesisvideo:ConnectAsMaster', kvsArn('channel', 'cam', OTHER_ACCOUNT), 'ImplicitlyDenied'],
      ['kinesisvideo:ConnectAsMaster', kvsArn('channel', 'cam', ACCOUNT, OTHER_REGION), 'ImplicitlyDenied'],
      ['kinesisvideo:PutMedia', kvsArn('stream', 'cam'), 'Allowed'],
    ]);
  });

  test('credentials without a thing name reach nothing: the variable matches no stream', async () => {
    const { stack, fleet } = fleetIn({ webRtcMaster: true });
    const policy = resolvedDefaultPolicy(stack, fleet.role);
    expect(await decide(policy, 'kinesisvideo:PutMedia', kvsArn('stream', 'cam'))).toBe('ImplicitlyDenied');
    expect(await decide(policy, 'kinesisvideo:ConnectAsMaster', kvsArn('channel', 'cam'))).toBe('ImplicitlyDenied');
  });

  test('the evaluator substitutes the thing name: thing cam-1 reaches cam-1, and not cam', async () => {
    const { stack, fleet } = fleetIn();
    const policy = resolvedDefaultPolicy(stack, fleet.role);
    const thing = { 'credentials-iot:ThingName': 'cam-1' };
    expect(await decide(policy, 'kinesisvideo:PutMedia', kvsArn('stream', 'cam-1'), thing)).toBe('Allowed');
    expect(await decide(policy, 'kinesisvideo:PutMedia', kvsArn('stream', 'cam'), thing)).toBe('ImplicitlyDenied');
  });
});

describe('CameraFleetIdentity streams', () => {
  function configuredStream(stack: Stack, name: string) {
    const key = new kms.Key(stack, 'VideoKey');
    const topic = new sns.Topic(stack, 'Events');
    const bucket = new s3.Bucket(stack, 'Images');
    const stream = new Stream(stack, 'Front', { streamName: name, encryptionKey: key });
    return { key, topic, bucket, stream };
  }

  test('the cameras get the key and the configurations\' needs of the fleet\'s streams, and no grant on the streams themselves', () => {
    const stack = newStack();
    const { key, topic, bucket, stream } = configuredStream(stack, 'cam-17.front');
    stream.configureNotifications({ topic });
    const fleet = new CameraFleetIdentity(stack, 'Cameras', { streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX, streams: [stream] });
    // A configuration added after the stream joined the fleet counts too.
    stream.configureImageGeneration({ bucket, keyPrefix: 'front', samplingInterval: Duration.seconds(10) });

    const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
    expect(policyStatements(stack, fleet)).toEqual([
      { Effect: 'Allow', Action: PRODUCER_ACTIONS, Resource: kvsArnPattern('stream', '${credentials-iot:ThingName}.*') },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [id(key), 'Arn'] } },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: id(topic) } },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(bucket), 'Arn'] }, '/front*']] } },
    ]);
  });

  test('addStream adds a stream after construction', () => {
    const stack = newStack();
    const fleet = new CameraFleetIdentity(stack, 'Cameras');
    const { key, stream } = configuredStream(stack, 'cam-17');
    fleet.addStream(stream);
    expect(policyStatements(stack, fleet)[1]).toEqual({
      Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
    });
  });

  test('streams whose names are tokens are not checked', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'StreamArn').valueAsString;
    expect(() => new CameraFleetIdentity(stack, 'Cameras', { streams: [Stream.fromStreamArn(stack, 'Imported', arn)] })).not.toThrow();
  });

  test('fails with a stream whose name no thing has, for one stream per thing', () => {
    const stack = newStack();
    const stream = Stream.fromStreamName(stack, 'Front', 'cam-17.front');
    expect(() => new CameraFleetIdentity(stack, 'Cameras', { streams: [stream] })).toThrow(
      'Invalid stream "cam-17.front": must be the name of a camera\'s thing, 1-128 characters of [a-zA-Z0-9_-] (streamNaming THING_NAME)');
  });

  test('fails with a stream whose name has no thing name before a ".", for several streams per thing', () => {
    const stack = newStack();
    const fleet = new CameraFleetIdentity(stack, 'Cameras', { streamNaming: CameraStreamNaming.THING_NAME_DOT_SUFFIX });
    expect(() => fleet.addStream(Stream.fromStreamName(stack, 'Front', 'cam-17'))).toThrow(
      'Invalid stream "cam-17": must be named <thing name>.<suffix>, the thing name being 1-128 characters of [a-zA-Z0-9_-] (streamNaming THING_NAME_DOT_SUFFIX)');
    expect(() => fleet.addStream(Stream.fromStreamName(stack, 'Hidden', '.front'))).toThrow('Invalid stream ".front"');
    expect(() => fleet.addStream(Stream.fromStreamName(stack, 'Long', `${'c'.repeat(129)}.front`))).toThrow(`Invalid stream "${'c'.repeat(129)}.front"`);
  });

  test('fails with a stream of another region or account', () => {
    const stack = newStack();
    const fleet = new CameraFleetIdentity(stack, 'Cameras');
    expect(() => fleet.addStream(Stream.fromStreamArn(stack, 'Virginia', kvsArn('stream', 'cam', ACCOUNT, OTHER_REGION)))).toThrow(
      'Invalid stream "cam": must be a stream in the region of the fleet\'s stack, eu-west-1 (the stream is in us-east-1): the cameras\' role reaches only streams there');
    expect(() => fleet.addStream(Stream.fromStreamArn(stack, 'Elsewhere', kvsArn('stream', 'cam', OTHER_ACCOUNT)))).toThrow(
      'Invalid stream "cam": must be a stream in the account of the fleet\'s stack, 111122223333 (the stream is in 444455556666): the cameras\' role reaches only streams there');
  });
});

describe('CameraFleetIdentity validation', () => {
  test.each([
    ['site1 cameras'],
    ['site1.cameras'],
    ['x'.repeat(129)],
    [''],
  ])('fails with roleAliasName "%s"', (roleAliasName) => {
    expect(() => fleetIn({ roleAliasName })).toThrow(`Invalid roleAliasName "${roleAliasName}": must be 1-128 characters of [a-zA-Z0-9_=,@-]`);
  });

  test('accepts every character of a role alias name and 128 of them', () => {
    expect(() => fleetIn({ roleAliasName: 'Site_1=cams,@-x' })).not.toThrow();
    expect(() => fleetIn({ roleAliasName: 'x'.repeat(128) })).not.toThrow();
  });

  test.each([
    [Duration.seconds(899), '14 minutes 59 seconds'],
    [Duration.seconds(43201), '12 hours 1 second'],
    [Duration.millis(900_500), '15 minutes 500 millis'],
  ])('fails with credentialDuration %s', (credentialDuration, shown) => {
    expect(() => fleetIn({ credentialDuration })).toThrow(`Invalid credentialDuration "${shown}": must be a whole number of seconds from 900 to 43200`);
  });

  test('accepts the bounds of credentialDuration', () => {
    expect(() => fleetIn({ credentialDuration: Duration.minutes(15) })).not.toThrow();
    expect(() => fleetIn({ credentialDuration: Duration.hours(12) })).not.toThrow();
  });

  test('skips a role alias name and a credential duration that are tokens', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'AliasName').valueAsString;
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
    new CameraFleetIdentity(stack, 'Cameras', { roleAliasName: name, credentialDuration: Duration.seconds(seconds) });
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::RoleAlias', { RoleAlias: { Ref: 'AliasName' }, CredentialDurationSeconds: { Ref: 'Seconds' } });
  });
});

describe('CameraFleetIdentity and cdk-nag', () => {
  test('the role\'s suppressions cover the thing-scoped ARNs only: another wildcard on the role is still reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Site', { env: { account: ACCOUNT, region: REGION } });
    const fleet = new CameraFleetIdentity(stack, 'Cameras', { webRtcMaster: true });
    fleet.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kinesisvideo:PutMedia'],
      resources: [stack.formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName: '*' })],
    }));
    fleet.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kinesisvideo:ListStreams'], resources: ['*'] }));
    Aspects.of(app).add(new AwsSolutionsChecks());
    const findings = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('^AwsSolutions-'))
      .map((m) => `${m.id} ${/^(AwsSolutions-\w+(?:\[.*?\])?): /.exec(String(m.entry.data))![1]}`);
    expect(findings).toEqual([
      `/Site/Cameras/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kinesisvideo:${REGION}:${ACCOUNT}:stream/*]`,
      '/Site/Cameras/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});

describe('CameraFleetIdentity things', () => {
  test('addThing declares a thing named as the camera, under an id of its name', () => {
    const { stack, fleet } = fleetIn();
    const thing = fleet.addThing('site1-entrance');
    fleet.addThing('Cam_2');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IoT::Thing', 2);
    expect(template.findResources('AWS::IoT::Thing')[stack.getLogicalId(thing)].Properties).toEqual({ ThingName: 'site1-entrance' });
    expect(thing.node.id).toBe('Thing-site1-entrance');
  });

  test('skips a thing name that is a token', () => {
    const { stack, fleet } = fleetIn();
    const thing = fleet.addThing(new CfnParameter(stack, 'ThingName').valueAsString);
    Template.fromStack(stack).hasResourceProperties('AWS::IoT::Thing', { ThingName: { Ref: 'ThingName' } });
    expect(thing.node.id).toBe('Thing-0');
  });

  test.each([
    ['cam.17'],
    ['cam:17'],
    ['cam 17'],
    [''],
    ['c'.repeat(129)],
  ])('fails with thingName "%s"', (thingName) => {
    const { fleet } = fleetIn();
    expect(() => fleet.addThing(thingName)).toThrow(
      `Invalid thingName "${thingName}": must be 1-128 characters of [a-zA-Z0-9_-], which a thing name shares with stream and channel names`);
  });

  test('accepts a thing name of 128 characters', () => {
    expect(() => fleetIn().fleet.addThing('c'.repeat(128))).not.toThrow();
  });
});
