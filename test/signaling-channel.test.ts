import { App, CfnParameter, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SignalingChannel, SignalingChannelType, Stream } from '../src';

const CHANNEL_ARN = 'arn:aws:kinesisvideo:eu-west-1:111122223333:channel/front-door/1700000000000';
const CHANNEL_ARN_ATTR = { 'Fn::GetAtt': ['Channel4048F119', 'Arn'] };

const PEER = [
  'kinesisvideo:GetSignalingChannelEndpoint',
  'kinesisvideo:GetIceServerConfig',
  'kinesisvideo:DescribeSignalingChannel',
];
const STORAGE_SESSION = [
  'kinesisvideo:JoinStorageSession',
  'kinesisvideo:JoinStorageSessionAsViewer',
  'kinesisvideo:DescribeMediaStorageConfiguration',
];

function newStack(): Stack {
  return new Stack(new App(), 'TestStack');
}

function newRole(stack: Stack, id = 'Role'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

/** The one channel resource of the stack, whole (properties and policies). */
function channelResource(stack: Stack): Record<string, unknown> {
  const resources = Object.values(Template.fromStack(stack).findResources('AWS::KinesisVideo::SignalingChannel'));
  expect(resources).toHaveLength(1);
  return resources[0];
}

/** The statements of the role's default policy, resolved. */
function roleStatements(stack: Stack, roleId = 'Role'): unknown[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(stack.node.findChild(roleId).node.defaultChild as any) }] },
  });
  const list = Object.values(policies);
  expect(list).toHaveLength(1);
  return (list[0] as any).Properties.PolicyDocument.Statement;
}

describe('SignalingChannel resource', () => {
  test('defaults: a name from the construct path, SINGLE_MASTER with a 60-second message TTL written explicitly, deleted with the stack', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel');
    expect(channelResource(stack)).toEqual({
      Type: 'AWS::KinesisVideo::SignalingChannel',
      Properties: { Name: 'TestStack-Channel-4A2C4B0C', Type: 'SINGLE_MASTER', MessageTtlSeconds: 60 },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('every property', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel', {
      channelName: 'front-door_1.webrtc',
      type: SignalingChannelType.SINGLE_MASTER,
      messageTtl: Duration.minutes(2),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    expect(channelResource(stack)).toEqual({
      Type: 'AWS::KinesisVideo::SignalingChannel',
      Properties: { Name: 'front-door_1.webrtc', Type: 'SINGLE_MASTER', MessageTtlSeconds: 120 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the shortest message TTL, 5 seconds', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel', { messageTtl: Duration.seconds(5) });
    expect((channelResource(stack) as any).Properties.MessageTtlSeconds).toBe(5);
  });

  test('attributes: ARN, name and a channel reference', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    expect(stack.resolve(channel.channelArn)).toEqual(CHANNEL_ARN_ATTR);
    expect(stack.resolve(channel.channelName)).toBe('TestStack-Channel-4A2C4B0C');
    expect(stack.resolve(channel.signalingChannelRef)).toEqual({
      signalingChannelArn: CHANNEL_ARN_ATTR,
      signalingChannelName: 'TestStack-Channel-4A2C4B0C',
    });
    expect(channel.node.defaultChild?.node.id).toBe('Resource');
  });
});

describe('SignalingChannel grants', () => {
  test('grantConnectAsMaster', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel').grantConnectAsMaster(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: ['kinesisvideo:ConnectAsMaster', ...PEER], Effect: 'Allow', Resource: CHANNEL_ARN_ATTR },
    ]);
  });

  test('grantConnectAsViewer', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel').grantConnectAsViewer(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: ['kinesisvideo:ConnectAsViewer', ...PEER], Effect: 'Allow', Resource: CHANNEL_ARN_ATTR },
    ]);
  });

  test('grantJoinStorageSession without media storage grants only the channel actions', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel').grantJoinStorageSession(newRole(stack));
    expect(roleStatements(stack)).toEqual([{ Action: STORAGE_SESSION, Effect: 'Allow', Resource: CHANNEL_ARN_ATTR }]);
  });

  test('grant names exactly the given actions', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel').grant(newRole(stack), 'kinesisvideo:UpdateSignalingChannel');
    expect(roleStatements(stack)).toEqual([
      { Action: 'kinesisvideo:UpdateSignalingChannel', Effect: 'Allow', Resource: CHANNEL_ARN_ATTR },
    ]);
  });
});

describe('SignalingChannel storage session requirements', () => {
  const STREAM_ACTIONS = ['kinesisvideo:DescribeStream', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:PutMedia'];
  const STREAM_ARN_ATTR = { 'Fn::GetAtt': ['Stream790BDEE4', 'Arn'] };

  /** A requirement as media storage registers it: the mapped stream's ingestion calls. */
  function mapTo(stream: Stream) {
    return (grantee: iam.IGrantable) => {
      stream.grant(grantee, ...STREAM_ACTIONS);
    };
  }

  test('a requirement registered before the grant reaches the peer', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    channel._addStorageSessionRequirement(mapTo(new Stream(stack, 'Stream')));
    channel.grantJoinStorageSession(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: STORAGE_SESSION, Effect: 'Allow', Resource: CHANNEL_ARN_ATTR },
      { Action: STREAM_ACTIONS, Effect: 'Allow', Resource: STREAM_ARN_ATTR },
    ]);
  });

  test('a requirement registered after the grant reaches every earlier peer', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    channel.grantJoinStorageSession(newRole(stack, 'Master'));
    channel.grantJoinStorageSession(newRole(stack, 'Viewer'));
    channel._addStorageSessionRequirement(mapTo(new Stream(stack, 'Stream')));
    for (const roleId of ['Master', 'Viewer']) {
      expect(roleStatements(stack, roleId)).toEqual([
        { Action: STORAGE_SESSION, Effect: 'Allow', Resource: CHANNEL_ARN_ATTR },
        { Action: STREAM_ACTIONS, Effect: 'Allow', Resource: STREAM_ARN_ATTR },
      ]);
    }
  });

  test('peers connected without storage sessions get no requirement', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    channel.grantConnectAsMaster(newRole(stack));
    channel._addStorageSessionRequirement(mapTo(new Stream(stack, 'Stream')));
    expect(roleStatements(stack)).toEqual([
      { Action: ['kinesisvideo:ConnectAsMaster', ...PEER], Effect: 'Allow', Resource: CHANNEL_ARN_ATTR },
    ]);
  });
});

describe('SignalingChannel imports', () => {
  test('fromChannelArn with a concrete ARN parses the name and the environment', () => {
    const stack = newStack();
    const channel = SignalingChannel.fromChannelArn(stack, 'Imported', CHANNEL_ARN);
    expect(channel.channelArn).toBe(CHANNEL_ARN);
    expect(channel.channelName).toBe('front-door');
    expect(channel.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
  });

  test('fromChannelArn with a token derives the name with Fn::Split', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'ChannelArn').valueAsString;
    const channel = SignalingChannel.fromChannelArn(stack, 'Imported', arn);
    expect(stack.resolve(channel.channelName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'ChannelArn' }] }] });
    expect(stack.resolve(channel.env.region)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': [':', { Ref: 'ChannelArn' }] }] });
  });

  test('fromChannelArn grants on the exact ARN', () => {
    const stack = newStack();
    SignalingChannel.fromChannelArn(stack, 'Imported', CHANNEL_ARN).grantConnectAsViewer(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: ['kinesisvideo:ConnectAsViewer', ...PEER], Effect: 'Allow', Resource: CHANNEL_ARN },
    ]);
  });

  test('fromChannelName grants on channel/<name>/*', () => {
    const stack = newStack();
    const channel = SignalingChannel.fromChannelName(stack, 'Imported', 'front-door');
    channel.grantConnectAsMaster(newRole(stack));
    const pattern = {
      'Fn::Join': ['', [
        'arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
        ':channel/front-door/*',
      ]],
    };
    expect(stack.resolve(channel.channelArn)).toEqual(pattern);
    expect(channel.channelName).toBe('front-door');
    expect(roleStatements(stack)).toEqual([
      { Action: ['kinesisvideo:ConnectAsMaster', ...PEER], Effect: 'Allow', Resource: pattern },
    ]);
  });

  test('fromChannelAttributes with a matching ARN and name', () => {
    const stack = newStack();
    const channel = SignalingChannel.fromChannelAttributes(stack, 'Imported', { channelArn: CHANNEL_ARN, channelName: 'front-door' });
    expect(channel.channelName).toBe('front-door');
  });

  test('an imported channel applies storage session requirements to its peers', () => {
    const stack = newStack();
    const channel = SignalingChannel.fromChannelArn(stack, 'Imported', CHANNEL_ARN);
    channel.grantJoinStorageSession(newRole(stack));
    channel._addStorageSessionRequirement((grantee) => {
      iam.Grant.addToPrincipal({ grantee, actions: ['kinesisvideo:PutMedia'], resourceArns: ['arn:aws:kinesisvideo:eu-west-1:111122223333:stream/s/1'] });
    });
    expect(roleStatements(stack)).toEqual([
      { Action: STORAGE_SESSION, Effect: 'Allow', Resource: CHANNEL_ARN },
      { Action: 'kinesisvideo:PutMedia', Effect: 'Allow', Resource: 'arn:aws:kinesisvideo:eu-west-1:111122223333:stream/s/1' },
    ]);
  });

  test('fails fromChannelAttributes without ARN and name', () => {
    expect(() => SignalingChannel.fromChannelAttributes(newStack(), 'Imported', {})).toThrow(
      'Invalid attributes "without channelArn and channelName": must be given channelArn, channelName or both',
    );
  });

  test('fails fromChannelArn with a stream ARN', () => {
    const streamArn = 'arn:aws:kinesisvideo:eu-west-1:111122223333:stream/front-door/1700000000000';
    expect(() => SignalingChannel.fromChannelArn(newStack(), 'Imported', streamArn)).toThrow(
      `Invalid channelArn "${streamArn}": must be an ARN arn:<partition>:kinesisvideo:<region>:<account>:channel/<name>/<creation time>`,
    );
  });

  test('fails fromChannelAttributes when the name differs from the ARN\'s', () => {
    expect(() => SignalingChannel.fromChannelAttributes(newStack(), 'Imported', { channelArn: CHANNEL_ARN, channelName: 'back-door' })).toThrow(
      `Invalid channelName "back-door": must be the name in channelArn "${CHANNEL_ARN}" ("front-door")`,
    );
  });

  test('fails fromChannelName with an invalid name', () => {
    expect(() => SignalingChannel.fromChannelName(newStack(), 'Imported', 'front:door')).toThrow(
      'Invalid channelName "front:door": must be 1-256 characters of [a-zA-Z0-9_.-]',
    );
  });
});

describe('SignalingChannel tags', () => {
  test('Tags.of tags the channel', () => {
    const stack = newStack();
    Tags.of(new SignalingChannel(stack, 'Channel')).add('site', 'lisbon');
    expect((channelResource(stack) as any).Properties.Tags).toEqual([{ Key: 'site', Value: 'lisbon' }]);
  });

  test('a channel without tags has no Tags property', () => {
    const stack = newStack();
    new SignalingChannel(stack, 'Channel');
    expect((channelResource(stack) as any).Properties).not.toHaveProperty('Tags');
  });

  test('fails with 51 tags', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    for (let i = 0; i < 51; i++) Tags.of(channel).add(`key${i}`, `value${i}`);
    expect(() => Template.fromStack(stack)).toThrow('Invalid tags "51 tags": must be at most 50 tags');
  });

  test('fails with a tag key in the reserved aws: prefix', () => {
    const stack = newStack();
    Tags.of(new SignalingChannel(stack, 'Channel')).add('aws:owner', 'me');
    expect(() => Template.fromStack(stack)).toThrow(
      'Invalid tag key "aws:owner": must be a key that does not start with "aws:" (reserved by AWS)',
    );
  });
});

describe('SignalingChannel validation', () => {
  test('fails with a channel name outside [a-zA-Z0-9_.-]', () => {
    expect(() => new SignalingChannel(newStack(), 'Channel', { channelName: 'bad name' })).toThrow(
      'Invalid channelName "bad name": must be 1-256 characters of [a-zA-Z0-9_.-]',
    );
  });

  test('fails with a channel name of 257 characters', () => {
    const name = 'c'.repeat(257);
    expect(() => new SignalingChannel(newStack(), 'Channel', { channelName: name })).toThrow(
      `Invalid channelName "${name}": must be 1-256 characters of [a-zA-Z0-9_.-]`,
    );
  });

  test('fails with a message TTL below 5 seconds', () => {
    expect(() => new SignalingChannel(newStack(), 'Channel', { messageTtl: Duration.seconds(4) })).toThrow(
      'Invalid messageTtl "4 seconds": must be a whole number of seconds from 5 to 120',
    );
  });

  test('fails with a message TTL above 120 seconds', () => {
    expect(() => new SignalingChannel(newStack(), 'Channel', { messageTtl: Duration.seconds(121) })).toThrow(
      'Invalid messageTtl "2 minutes 1 second": must be a whole number of seconds from 5 to 120',
    );
  });

  test('fails with a message TTL that is not whole seconds', () => {
    expect(() => new SignalingChannel(newStack(), 'Channel', { messageTtl: Duration.millis(5500) })).toThrow(
      'Invalid messageTtl "5 seconds 500 millis": must be a whole number of seconds from 5 to 120',
    );
  });

  test('token names and TTLs are left to the service', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const ttl = new CfnParameter(stack, 'Ttl', { type: 'Number' }).valueAsNumber;
    new SignalingChannel(stack, 'Channel', { channelName: name, messageTtl: Duration.seconds(ttl) });
    expect((channelResource(stack) as any).Properties).toEqual({
      Name: { Ref: 'Name' },
      Type: 'SINGLE_MASTER',
      MessageTtlSeconds: { Ref: 'Ttl' },
    });
  });
});
