import { App, CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MediaType, StorageTier, Stream, StreamSettings } from '../src';
import { handlerPolicy, handlerPolicyId } from './support/handler-policy';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const TYPE = 'Custom::KinesisVideoStreamSettings';
const SERVICE_TOKEN = { 'Fn::GetAtt': ['CdkKinesisVideoProviderframeworkonEventF852243F', 'Arn'] };
const LOBBY_ARN = 'arn:aws:kinesisvideo:eu-west-1:111122223333:stream/lobby-cam/1700000000000';
const ACTIONS = [
  'kinesisvideo:DescribeStream',
  'kinesisvideo:DescribeStreamStorageConfiguration',
  'kinesisvideo:ListTagsForStream',
  'kinesisvideo:TagStream',
  'kinesisvideo:UntagStream',
  'kinesisvideo:UpdateDataRetention',
  'kinesisvideo:UpdateStream',
  'kinesisvideo:UpdateStreamStorageConfiguration',
];

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: ENV });
}

function settingsResources(stack: Stack): Array<{ Properties: any; DependsOn?: string[] }> {
  return Object.values(Template.fromStack(stack).findResources(TYPE)) as any;
}

const streamArnPattern = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kinesisvideo:eu-west-1:111122223333:stream/${name}/*`]],
});

describe('template', () => {
  test('a stream imported by name: every declared setting, found by name, with the options as strings', () => {
    const stack = newStack();
    new StreamSettings(stack, 'Lobby', {
      stream: Stream.fromStreamName(stack, 'LobbyCam', 'lobby-cam'),
      dataRetention: Duration.days(7),
      mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
      deviceName: 'lobby-cam-01',
      storageTier: StorageTier.WARM,
      tags: { site: 'hq', team: 'video' },
    });

    const [settings] = settingsResources(stack);
    expect(settings.Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      StreamName: 'lobby-cam',
      DataRetentionInHours: '168',
      MediaType: 'video/h264,audio/aac',
      DeviceName: 'lobby-cam-01',
      DefaultStorageTier: 'WARM',
      Tags: { site: 'hq', team: 'video' },
      AllowRetentionDecrease: 'false',
      RestoreOnDelete: 'false',
    });
  });

  test('only what is declared is in the properties', () => {
    const stack = newStack();
    new StreamSettings(stack, 'Lobby', { stream: Stream.fromStreamName(stack, 'LobbyCam', 'lobby-cam'), tags: { site: 'hq' } });

    expect(settingsResources(stack)[0].Properties).toEqual({
      ServiceToken: SERVICE_TOKEN, StreamName: 'lobby-cam', Tags: { site: 'hq' }, AllowRetentionDecrease: 'false', RestoreOnDelete: 'false',
    });
  });

  test('the options: a retention decrease allowed, restore on delete, and a wait for the stream', () => {
    const stack = newStack();
    new StreamSettings(stack, 'Lobby', {
      stream: Stream.fromStreamName(stack, 'LobbyCam', 'lobby-cam'),
      dataRetention: Duration.hours(0),
      allowRetentionDecrease: true,
      restoreOnDelete: true,
      waitForStream: Duration.minutes(30),
    });

    expect(settingsResources(stack)[0].Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      StreamName: 'lobby-cam',
      DataRetentionInHours: '0',
      AllowRetentionDecrease: 'true',
      RestoreOnDelete: 'true',
      WaitForStreamSeconds: '1800',
    });
  });

  test('a stream imported by ARN is addressed by its ARN', () => {
    const stack = newStack();
    new StreamSettings(stack, 'Lobby', { stream: Stream.fromStreamArn(stack, 'LobbyCam', LOBBY_ARN), deviceName: 'lobby-cam-01' });

    expect(settingsResources(stack)[0].Properties).toMatchObject({ StreamArn: LOBBY_ARN, StreamName: 'lobby-cam', DeviceName: 'lobby-cam-01' });
  });

  test('an ARN and a retention known at deploy time only', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'LobbyArn').valueAsString;
    const hours = new CfnParameter(stack, 'Hours', { type: 'Number' }).valueAsNumber;
    new StreamSettings(stack, 'Lobby', { stream: Stream.fromStreamArn(stack, 'LobbyCam', arn), dataRetention: Duration.hours(hours) });

    expect(settingsResources(stack)[0].Properties).toMatchObject({
      StreamArn: { Ref: 'LobbyArn' },
      StreamName: { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'LobbyArn' }] }] },
      DataRetentionInHours: { Ref: 'Hours' },
    });
    expect(Token.isUnresolved(hours)).toBe(true);
  });
});

describe('permissions and provider', () => {
  test('the handler may call exactly the settings APIs on the stream, and DescribeStacks on its own stack', () => {
    const stack = newStack();
    new StreamSettings(stack, 'Lobby', { stream: Stream.fromStreamName(stack, 'LobbyCam', 'lobby-cam'), tags: { site: 'hq' } });

    const statements = handlerPolicy(stack).Statement;
    expect(statements).toContainEqual({ Action: ACTIONS, Effect: 'Allow', Resource: streamArnPattern('lobby-cam') });
    expect(statements).toContainEqual({ Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } });
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  test('the custom resource waits for the policy, and every settings resource shares the stack\'s one provider', () => {
    const stack = newStack();
    for (const name of ['lobby-cam', 'hall-cam', 'gate-cam']) {
      new StreamSettings(stack, `${name}-settings`, { stream: Stream.fromStreamName(stack, name, name), tags: { site: 'hq' } });
    }
    Stream.fromStreamName(stack, 'Unmanaged', 'unmanaged-cam');

    const template = Template.fromStack(stack);
    template.resourceCountIs(TYPE, 3);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const policyId = handlerPolicyId(stack);
    for (const settings of settingsResources(stack)) {
      expect(settings.Properties.ServiceToken).toEqual(SERVICE_TOKEN);
      expect(settings.DependsOn).toContain(policyId);
    }
    // One DescribeStacks statement, whatever the number of settings resources.
    expect(handlerPolicy(stack).Statement.filter((s: any) => s.Action === 'cloudformation:DescribeStacks')).toHaveLength(1);
    expect(handlerPolicy(stack).Statement[0]).toEqual({
      Action: ACTIONS, Effect: 'Allow', Resource: ['lobby-cam', 'hall-cam', 'gate-cam'].map(streamArnPattern),
    });
  });
});

describe('validation', () => {
  test('fails on a stream this app owns', () => {
    const stack = newStack();
    const owned = new Stream(stack, 'Owned', { streamName: 'owned' });
    expect(() => new StreamSettings(stack, 'Settings', { stream: owned, tags: { site: 'hq' } })).toThrow(
      'Invalid stream "TestStack/Owned": must be a stream this app does not own (imported with Stream.fromStreamName, Stream.fromStreamArn '
      + 'or Stream.fromStreamAttributes); set the settings of a new Stream through its props');
  });

  test('fails on a stream in another region', () => {
    const stack = newStack();
    const elsewhere = 'arn:aws:kinesisvideo:us-east-1:111122223333:stream/lobby-cam/1700000000000';
    expect(() => new StreamSettings(stack, 'Settings', { stream: Stream.fromStreamArn(stack, 'Lobby', elsewhere), tags: { site: 'hq' } })).toThrow(
      `Invalid stream "${elsewhere}": must be in the stack's account and region (111122223333, eu-west-1): the stack's handler applies `
      + 'the settings there (the stream is in 111122223333, us-east-1)');
  });

  test('fails when a second StreamSettings manages the same stream', () => {
    const stack = newStack();
    new StreamSettings(stack, 'First', { stream: Stream.fromStreamName(stack, 'A', 'lobby-cam'), tags: { site: 'hq' } });
    expect(() => new StreamSettings(stack, 'Second', { stream: Stream.fromStreamArn(stack, 'B', LOBBY_ARN), deviceName: 'cam' })).toThrow(
      'Invalid stream "lobby-cam": must be managed by one StreamSettings only (TestStack/First already manages it)');
  });

  test('the same stream may be managed from two stacks of different regions', () => {
    const app = new App();
    const stacks = ['eu-west-1', 'us-east-1'].map((region) => {
      const stack = new Stack(app, `Stack-${region}`, { env: { account: ENV.account, region } });
      new StreamSettings(stack, 'Lobby', { stream: Stream.fromStreamName(stack, 'Cam', 'lobby-cam'), tags: { region } });
      return stack;
    });
    expect(stacks.map((stack) => settingsResources(stack)[0].Properties.Tags)).toEqual([{ region: 'eu-west-1' }, { region: 'us-east-1' }]);
  });

  test('fails when nothing is declared', () => {
    const stack = newStack();
    expect(() => new StreamSettings(stack, 'Settings', { stream: Stream.fromStreamName(stack, 'A', 'lobby-cam'), restoreOnDelete: true })).toThrow(
      'StreamSettings TestStack/Settings declares nothing to manage: set at least one of dataRetention, mediaType, deviceName, storageTier or tags');
  });

  test.each([
    [{ dataRetention: Duration.minutes(90) }, 'Invalid dataRetention "1 hour 30 minutes": must be a whole number of hours from 0 to 87600'],
    [{ dataRetention: Duration.hours(87601) }, 'Invalid dataRetention "3650 days 1 hour": must be a whole number of hours from 0 to 87600'],
    [{ deviceName: 'lobby cam' }, 'Invalid deviceName "lobby cam": must be 1-128 characters of [a-zA-Z0-9_.-]'],
    [{ tags: { 'aws:site': 'hq' } }, 'Invalid tag key "aws:site": must be a key that does not start with "aws:" (reserved by AWS)'],
    [{ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, 'Invalid tags "51 tags": must be at most 50 tags'],
    [{ tags: { site: 'h*q' } }, 'Invalid tag value of key "site" "h*q": must be 0-256 characters of Unicode letters, digits, white space and _.:/=+-@'],
    [{ tags: { site: 'hq' }, waitForStream: Duration.minutes(51) }, 'Invalid waitForStream "51 minutes": must be a whole number of seconds from 1 to 3000'],
    [{ tags: { site: 'hq' }, waitForStream: Duration.millis(1500) }, 'Invalid waitForStream "1 second 500 millis": must be a whole number of seconds from 1 to 3000'],
  ])('fails on %o', (props, message) => {
    const stack = newStack();
    expect(() => new StreamSettings(stack, 'Settings', { stream: Stream.fromStreamName(stack, 'A', 'lobby-cam'), ...props })).toThrow(message);
  });

  test('fails on a wait for a stream imported by ARN', () => {
    const stack = newStack();
    expect(() => new StreamSettings(stack, 'Settings', {
      stream: Stream.fromStreamArn(stack, 'A', LOBBY_ARN), tags: { site: 'hq' }, waitForStream: Duration.minutes(30),
    })).toThrow('Invalid waitForStream "30 minutes": must be unset for a stream imported by ARN: one that does not exist yet has no ARN; '
      + 'import it by name (Stream.fromStreamName)');
  });

  test('fails on an invalid media type, through MediaType', () => {
    const stack = newStack();
    expect(() => new StreamSettings(stack, 'Settings', { stream: Stream.fromStreamName(stack, 'A', 'lobby-cam'), mediaType: MediaType.custom('h264') }))
      .toThrow('Invalid mediaType "h264": must be 1-128 characters of comma-separated type/subtype pairs of [\\w-.+] (for example "video/h264,audio/aac")');
  });

  test('skips values known at deploy time only', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const device = new CfnParameter(stack, 'Device').valueAsString;
    new StreamSettings(stack, 'Settings', { stream: Stream.fromStreamName(stack, 'A', name), deviceName: device, tags: { site: device } });
    expect(settingsResources(stack)[0].Properties).toMatchObject({ StreamName: { Ref: 'Name' }, DeviceName: { Ref: 'Device' }, Tags: { site: { Ref: 'Device' } } });
  });
});
