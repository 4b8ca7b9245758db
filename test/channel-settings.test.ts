import { App, CfnParameter, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChannelSettings, SignalingChannel, Stream, StreamSettings } from '../src';
import { handlerPolicy, handlerPolicyId } from './support/handler-policy';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const TYPE = 'Custom::KinesisVideoChannelSettings';
const SERVICE_TOKEN = { 'Fn::GetAtt': ['CdkKinesisVideoProviderframeworkonEventF852243F', 'Arn'] };
const DOORBELL_ARN = 'arn:aws:kinesisvideo:eu-west-1:111122223333:channel/front-doorbell/1700000000000';
const ACTIONS = [
  'kinesisvideo:DescribeSignalingChannel',
  'kinesisvideo:ListTagsForResource',
  'kinesisvideo:TagResource',
  'kinesisvideo:UntagResource',
  'kinesisvideo:UpdateSignalingChannel',
];

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: ENV });
}

function settingsResources(stack: Stack): Array<{ Properties: any; DependsOn?: string[] }> {
  return Object.values(Template.fromStack(stack).findResources(TYPE)) as any;
}

describe('template', () => {
  test('a channel imported by name: TTL in seconds and tags', () => {
    const stack = newStack();
    new ChannelSettings(stack, 'Doorbell', {
      channel: SignalingChannel.fromChannelName(stack, 'DoorbellChannel', 'front-doorbell'),
      messageTtl: Duration.seconds(30),
      tags: { site: 'hq' },
    });

    expect(settingsResources(stack)[0].Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      ChannelName: 'front-doorbell',
      MessageTtlSeconds: '30',
      Tags: { site: 'hq' },
      RestoreOnDelete: 'false',
    });
  });

  test('a channel imported by ARN, restored on delete', () => {
    const stack = newStack();
    new ChannelSettings(stack, 'Doorbell', {
      channel: SignalingChannel.fromChannelArn(stack, 'DoorbellChannel', DOORBELL_ARN),
      messageTtl: Duration.minutes(2),
      restoreOnDelete: true,
    });

    expect(settingsResources(stack)[0].Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      ChannelArn: DOORBELL_ARN,
      ChannelName: 'front-doorbell',
      MessageTtlSeconds: '120',
      RestoreOnDelete: 'true',
    });
  });

  test('a wait for a channel that does not exist yet', () => {
    const stack = newStack();
    new ChannelSettings(stack, 'Doorbell', {
      channel: SignalingChannel.fromChannelName(stack, 'DoorbellChannel', 'front-doorbell'),
      tags: { site: 'hq' },
      waitForChannel: Duration.minutes(50),
    });

    expect(settingsResources(stack)[0].Properties.WaitForChannelSeconds).toBe('3000');
  });

  test('stack-wide tags do not reach a channel the stack does not own', () => {
    const stack = newStack();
    new ChannelSettings(stack, 'Doorbell', { channel: SignalingChannel.fromChannelName(stack, 'C', 'front-doorbell'), tags: { site: 'hq' } });
    Tags.of(stack).add('cost-center', 'cc-1');

    expect(settingsResources(stack)[0].Properties.Tags).toEqual({ site: 'hq' });
  });
});

describe('permissions', () => {
  test('the handler may call exactly the channel settings APIs on the channel, and no DescribeStacks', () => {
    const stack = newStack();
    new ChannelSettings(stack, 'Doorbell', { channel: SignalingChannel.fromChannelName(stack, 'C', 'front-doorbell'), tags: { site: 'hq' } });

    const statements = handlerPolicy(stack).Statement;
    expect(statements[0]).toEqual({
      Action: ACTIONS,
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:eu-west-1:111122223333:channel/front-doorbell/*']] },
    });
    expect(JSON.stringify(statements)).not.toContain('cloudformation:DescribeStacks');
    const policyId = handlerPolicyId(stack);
    expect(settingsResources(stack)[0].DependsOn).toContain(policyId);
  });

  test('stream and channel settings share the stack\'s one provider', () => {
    const stack = newStack();
    new ChannelSettings(stack, 'Doorbell', { channel: SignalingChannel.fromChannelName(stack, 'C', 'front-doorbell'), tags: { site: 'hq' } });
    new StreamSettings(stack, 'Lobby', { stream: Stream.fromStreamName(stack, 'S', 'front-doorbell'), tags: { site: 'hq' } });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs(TYPE, 1);
    template.resourceCountIs('Custom::KinesisVideoStreamSettings', 1);
  });
});

describe('validation', () => {
  test('fails on a channel this app owns', () => {
    const stack = newStack();
    const owned = new SignalingChannel(stack, 'Owned');
    expect(() => new ChannelSettings(stack, 'Settings', { channel: owned, tags: { site: 'hq' } })).toThrow(
      'Invalid channel "TestStack/Owned": must be a channel this app does not own (imported with SignalingChannel.fromChannelName, '
      + 'SignalingChannel.fromChannelArn or SignalingChannel.fromChannelAttributes); set the settings of a new SignalingChannel through its props');
  });

  test('fails on a channel in another account', () => {
    const stack = newStack();
    const elsewhere = 'arn:aws:kinesisvideo:eu-west-1:444455556666:channel/front-doorbell/1700000000000';
    expect(() => new ChannelSettings(stack, 'Settings', { channel: SignalingChannel.fromChannelArn(stack, 'C', elsewhere), tags: { site: 'hq' } })).toThrow(
      `Invalid channel "${elsewhere}": must be in the stack's account and region (111122223333, eu-west-1): the stack's handler applies `
      + 'the settings there (the channel is in 444455556666, eu-west-1)');
  });

  test('fails when a second ChannelSettings manages the same channel', () => {
    const stack = newStack();
    new ChannelSettings(stack, 'First', { channel: SignalingChannel.fromChannelName(stack, 'A', 'front-doorbell'), tags: { site: 'hq' } });
    expect(() => new ChannelSettings(stack, 'Second', { channel: SignalingChannel.fromChannelArn(stack, 'B', DOORBELL_ARN), messageTtl: Duration.seconds(5) }))
      .toThrow('Invalid channel "front-doorbell": must be managed by one ChannelSettings only (TestStack/First already manages it)');
  });

  test('fails when nothing is declared', () => {
    const stack = newStack();
    expect(() => new ChannelSettings(stack, 'Settings', { channel: SignalingChannel.fromChannelName(stack, 'A', 'front-doorbell') })).toThrow(
      'ChannelSettings TestStack/Settings declares nothing to manage: set at least one of messageTtl or tags');
  });

  test.each([
    [{ messageTtl: Duration.seconds(4) }, 'Invalid messageTtl "4 seconds": must be a whole number of seconds from 5 to 120'],
    [{ messageTtl: Duration.minutes(3) }, 'Invalid messageTtl "3 minutes": must be a whole number of seconds from 5 to 120'],
    [{ tags: { '': 'x' } }, 'Invalid tag key "": must be 1-128 characters of Unicode letters, digits, white space and _.:/=+-@'],
    [{ tags: { site: 'hq' }, waitForChannel: Duration.hours(1) }, 'Invalid waitForChannel "1 hour": must be a whole number of seconds from 1 to 3000'],
  ])('fails on %o', (props, message) => {
    const stack = newStack();
    expect(() => new ChannelSettings(stack, 'Settings', { channel: SignalingChannel.fromChannelName(stack, 'A', 'front-doorbell'), ...props }))
      .toThrow(message);
  });

  test('fails on a wait for a channel imported by ARN', () => {
    const stack = newStack();
    expect(() => new ChannelSettings(stack, 'Settings', {
      channel: SignalingChannel.fromChannelArn(stack, 'A', DOORBELL_ARN), tags: { site: 'hq' }, waitForChannel: Duration.minutes(5),
    })).toThrow('Invalid waitForChannel "5 minutes": must be unset for a channel imported by ARN: one that does not exist yet has no ARN; '
      + 'import it by name (SignalingChannel.fromChannelName)');
  });

  test('skips a TTL known at deploy time only', () => {
    const stack = newStack();
    const ttl = new CfnParameter(stack, 'Ttl', { type: 'Number' }).valueAsNumber;
    new ChannelSettings(stack, 'Settings', { channel: SignalingChannel.fromChannelName(stack, 'A', 'front-doorbell'), messageTtl: Duration.seconds(ttl) });
    expect(settingsResources(stack)[0].Properties.MessageTtlSeconds).toEqual({ Ref: 'Ttl' });
  });
});
