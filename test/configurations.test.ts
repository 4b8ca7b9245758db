import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ImageFormat, ImageSelector, SignalingChannel, Stream } from '../src';
import { handlerPolicy, handlerPolicyId } from './support/handler-policy';
import { KinesisVideoProvider } from '../src/private/provider';
import { resolvedPolicySize } from '../src/private/scoped-policy';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const SERVICE_TOKEN = { 'Fn::GetAtt': ['CdkKinesisVideoProviderframeworkonEventF852243F', 'Arn'] };
const IMPORTED_ARN = 'arn:aws:kinesisvideo:eu-west-1:111122223333:stream/lobby/1700000000000';

function newStack(env = ENV): Stack {
  return new Stack(new App(), 'TestStack', { env });
}

function resourcesOfType(stack: Stack, type: string): Array<{ Properties: any; DependsOn?: string[] }> {
  return Object.values(Template.fromStack(stack).findResources(type)) as any;
}

describe('notifications', () => {
  test('a topic becomes the stream configuration resource, with sns:Publish for producers granted before and after', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera', { streamName: 'front-door' });
    const early = new iam.Role(stack, 'Early', { assumedBy: new iam.AccountRootPrincipal() });
    stream.grantWrite(early);
    const topic = new sns.Topic(stack, 'Topic');
    stream.configureNotifications({ topic });
    const late = new iam.Role(stack, 'Late', { assumedBy: new iam.AccountRootPrincipal() });
    stream.grantWrite(late);

    const [configuration] = resourcesOfType(stack, 'Custom::KinesisVideoStreamConfiguration');
    expect(configuration.Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      StreamArn: { 'Fn::GetAtt': ['CameraA68A97AE', 'Arn'] },
      NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: { Ref: 'TopicBFC7AF6E' } } },
    });
    for (const role of ['Early', 'Late']) {
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }],
        PolicyDocument: { Statement: Match.arrayWith([{ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^Topic') } }]) },
      });
    }
  });

  test('disabled notifications keep the configuration with status DISABLED', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    stream.configureNotifications({ topic: new sns.Topic(stack, 'Topic'), enabled: false });
    const [configuration] = resourcesOfType(stack, 'Custom::KinesisVideoStreamConfiguration');
    expect(configuration.Properties.NotificationConfiguration.Status).toBe('DISABLED');
  });

  test('fails with a FIFO topic', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    const topic = sns.Topic.fromTopicArn(stack, 'Fifo', 'arn:aws:sns:eu-west-1:111122223333:alerts.fifo');
    expect(() => stream.configureNotifications({ topic })).toThrow(
      'Invalid topic "arn:aws:sns:eu-west-1:111122223333:alerts.fifo": must be a standard SNS topic: Kinesis Video Streams does not notify FIFO topics',
    );
  });

  test('fails on a stream without retention', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera', { dataRetention: Duration.hours(0) });
    expect(() => stream.configureNotifications({ topic: new sns.Topic(stack, 'Topic') })).toThrow(
      'Cannot configure notifications on stream TestStack/Camera: its dataRetention is 0 hours, and Kinesis Video Streams configures notifications only on streams that retain data. Set dataRetention to at least 1 hour.',
    );
  });

  test('fails on a stream imported by name only', () => {
    const stack = newStack();
    const stream = Stream.fromStreamName(stack, 'Lobby', 'lobby');
    expect(() => stream.configureNotifications({ topic: new sns.Topic(stack, 'Topic') })).toThrow(
      'Invalid stream "TestStack/Lobby": must be a stream whose ARN is known (a Stream of this app, or one imported with Stream.fromStreamArn): '
      + 'the handler addresses the stream by ARN, and a stream imported by name has only the pattern .../stream/<name>/*',
    );
  });

  test('fails when configured twice', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    stream.configureNotifications({ topic: new sns.Topic(stack, 'Topic') });
    expect(() => stream.configureNotifications({ topic: new sns.Topic(stack, 'Other') })).toThrow(
      'Stream TestStack/Camera already has a notification configuration',
    );
  });
});

describe('image generation', () => {
  test('every option, in the same custom resource as the notifications', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    const bucket = new s3.Bucket(stack, 'Images');
    stream.configureNotifications({ topic: new sns.Topic(stack, 'Topic') });
    stream.configureImageGeneration({
      bucket,
      keyPrefix: 'cameras/front',
      samplingInterval: Duration.millis(500),
      format: ImageFormat.JPEG,
      jpegQuality: 90,
      imageSelector: ImageSelector.PRODUCER_TIMESTAMP,
      widthPixels: 1280,
      heightPixels: 720,
    });
    const configurations = resourcesOfType(stack, 'Custom::KinesisVideoStreamConfiguration');
    expect(configurations).toHaveLength(1);
    expect(stack.resolve(configurations[0].Properties.ImageGenerationConfiguration)).toEqual({
      Status: 'ENABLED',
      ImageSelectorType: 'PRODUCER_TIMESTAMP',
      DestinationConfig: {
        Uri: { 'Fn::Join': ['', ['s3://', { Ref: 'Images2D38C313' }, '/cameras/front']] },
        DestinationRegion: 'eu-west-1',
      },
      SamplingInterval: '500',
      Format: 'JPEG',
      FormatConfig: { JPEGQuality: '90' },
      WidthPixels: '1280',
      HeightPixels: '720',
    });
  });

  test('defaults: JPEG, server timestamps, bucket root, the region of an imported stream\'s ARN', () => {
    const stack = newStack({ account: '111122223333', region: 'eu-west-1' });
    const stream = Stream.fromStreamArn(stack, 'Lobby', IMPORTED_ARN);
    const bucket = s3.Bucket.fromBucketName(stack, 'Images', 'lobby-images');
    stream.configureImageGeneration({ bucket, samplingInterval: Duration.seconds(2), enabled: false });
    const [configuration] = resourcesOfType(stack, 'Custom::KinesisVideoStreamConfiguration');
    expect(configuration.Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      StreamArn: IMPORTED_ARN,
      ImageGenerationConfiguration: {
        Status: 'DISABLED',
        ImageSelectorType: 'SERVER_TIMESTAMP',
        DestinationConfig: { Uri: 's3://lobby-images', DestinationRegion: 'eu-west-1' },
        SamplingInterval: '2000',
        Format: 'JPEG',
      },
    });
  });

  test('producers get s3:PutObject under the prefix', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    stream.grantWrite(producer);
    stream.configureImageGeneration({ bucket: s3.Bucket.fromBucketName(stack, 'B', 'images'), keyPrefix: 'front', samplingInterval: Duration.seconds(1) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Producer') }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::images/front*']] },
        })]),
      },
    });
  });

  test('producers get exactly the KMS actions of the destinations\' customer managed keys', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    stream.grantWrite(producer);
    const bucketKey = new kms.Key(stack, 'BucketKey');
    const topicKey = new kms.Key(stack, 'TopicKey');
    stream.configureImageGeneration({ bucket: new s3.Bucket(stack, 'B', { encryptionKey: bucketKey }), samplingInterval: Duration.seconds(1) });
    stream.configureNotifications({ topic: new sns.Topic(stack, 'T', { masterKey: topicKey }) });
    const [policy] = resourcesOfType(stack, 'AWS::IAM::Policy').filter((p) => JSON.stringify(p.Properties.Roles).includes('Producer'));
    const kmsStatements = policy.Properties.PolicyDocument.Statement.filter((st: any) => JSON.stringify(st.Action).includes('kms:'));
    expect(kmsStatements).toEqual([
      { Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: { 'Fn::GetAtt': ['BucketKey7092080A', 'Arn'] } },
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: { 'Fn::GetAtt': ['TopicKeyB2E0C9CB', 'Arn'] } },
    ]);
  });

  test.each([
    [{ samplingInterval: Duration.millis(199) }, 'Invalid samplingInterval "199": must be a whole number of milliseconds, at least 200'],
    [{ samplingInterval: Duration.seconds(1), jpegQuality: 0 }, 'Invalid jpegQuality "0": must be a whole number from 1 to 100'],
    [{ samplingInterval: Duration.seconds(1), jpegQuality: 101 }, 'Invalid jpegQuality "101": must be a whole number from 1 to 100'],
    [{ samplingInterval: Duration.seconds(1), format: ImageFormat.PNG, jpegQuality: 80 }, 'Invalid jpegQuality "80": must be unset unless format is JPEG (format is PNG)'],
    [{ samplingInterval: Duration.seconds(1), widthPixels: 3841 }, 'Invalid widthPixels "3841": must be a whole number from 1 to 3840'],
    [{ samplingInterval: Duration.seconds(1), heightPixels: 0 }, 'Invalid heightPixels "0": must be a whole number from 1 to 2160'],
    [{ samplingInterval: Duration.seconds(1), keyPrefix: 'a*b' }, 'Invalid keyPrefix "s3://images/a*b": must be free of "*" in the URI s3://<bucket>/<keyPrefix>'],
    [{ samplingInterval: Duration.seconds(1), keyPrefix: 'p'.repeat(250) }, `Invalid keyPrefix "s3://images/${'p'.repeat(250)}": must be 1-255 characters in the URI s3://<bucket>/<keyPrefix>`],
  ])('fails with invalid options %#', (options, message) => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'images');
    expect(() => stream.configureImageGeneration({ bucket, ...options })).toThrow(message);
  });

  test('fails with a bucket in another region', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera');
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'B', { bucketName: 'images', region: 'us-east-1' });
    expect(() => stream.configureImageGeneration({ bucket, samplingInterval: Duration.seconds(1) })).toThrow(
      'Invalid bucket "images": must be a bucket in the stream\'s region eu-west-1 (the bucket is in us-east-1)',
    );
  });
});

describe('media storage', () => {
  test('maps the channel to the stream, and storage-session peers get the stream\'s producer actions', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera', { streamName: 'webrtc-camera' });
    const channel = new SignalingChannel(stack, 'Channel', { channelName: 'webrtc-channel' });
    const peer = new iam.Role(stack, 'Peer', { assumedBy: new iam.AccountRootPrincipal() });
    channel.grantJoinStorageSession(peer);
    channel.enableMediaStorage(stream);

    const [storage] = resourcesOfType(stack, 'Custom::KinesisVideoMediaStorage');
    expect(storage.Properties).toEqual({
      ServiceToken: SERVICE_TOKEN,
      ChannelArn: { 'Fn::GetAtt': ['Channel4048F119', 'Arn'] },
      StreamArn: { 'Fn::GetAtt': ['CameraA68A97AE', 'Arn'] },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Peer') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['kinesisvideo:PutMedia', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:DescribeStream'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Camera'), 'Arn'] },
        }]),
      },
    });
  });

  test('fails with a stream imported by name only', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    expect(() => channel.enableMediaStorage(Stream.fromStreamName(stack, 'Lobby', 'lobby'))).toThrow(
      'Invalid stream "TestStack/Lobby": must be a stream whose ARN is known (a Stream of this app, or one imported with Stream.fromStreamArn): '
      + 'the handler addresses the stream by ARN, and a stream imported by name has only the pattern .../stream/<name>/*',
    );
  });

  test('fails when a channel is mapped twice', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    channel.enableMediaStorage(new Stream(stack, 'A'));
    expect(() => channel.enableMediaStorage(new Stream(stack, 'B'))).toThrow(
      'Signaling channel TestStack/Channel already stores its media in stream TestStack/A: a channel maps to one stream',
    );
  });

  test('fails on a stream without retention', () => {
    const stack = newStack();
    const channel = new SignalingChannel(stack, 'Channel');
    expect(() => channel.enableMediaStorage(new Stream(stack, 'A', { dataRetention: Duration.hours(0) }))).toThrow(
      'Cannot store the media of signaling channel TestStack/Channel in stream TestStack/A: its dataRetention is 0 hours, and media storage needs a stream that retains data. Set dataRetention to at least 1 hour.',
    );
  });
});

describe('retention guard', () => {
  test('one guard per stack carries every guarded stream, and each guarded stream depends on it', () => {
    const stack = newStack();
    new Stream(stack, 'A', { streamName: 'a', dataRetention: Duration.days(2) });
    new Stream(stack, 'B', { streamName: 'b' });
    new Stream(stack, 'C', { streamName: 'c', allowRetentionDecrease: true });

    const guards = Template.fromStack(stack).findResources('Custom::KinesisVideoRetentionGuard');
    expect(Object.keys(guards)).toEqual(['CdkKinesisVideoRetentionGuard3F04D306']);
    expect(Object.values(guards)[0].Properties.Streams).toEqual([
      { StreamName: 'a', DataRetentionInHours: '48' },
      { StreamName: 'b', DataRetentionInHours: '24' },
    ]);
    const streams = Template.fromStack(stack).findResources('AWS::KinesisVideo::Stream');
    const dependsOn = Object.fromEntries(Object.values(streams).map((s: any) => [s.Properties.Name, s.DependsOn]));
    expect(dependsOn).toEqual({ a: ['CdkKinesisVideoRetentionGuard3F04D306'], b: ['CdkKinesisVideoRetentionGuard3F04D306'], c: undefined });
  });

  test('a stack whose streams all allow decreases has no guard and no provider', () => {
    const stack = newStack();
    new Stream(stack, 'A', { allowRetentionDecrease: true });
    expect(Template.fromStack(stack).toJSON().Resources).toEqual({ ACCC8ACD5: expect.objectContaining({ Type: 'AWS::KinesisVideo::Stream' }) });
  });

  test('the guard may describe the guarded streams and read its own stack', () => {
    const stack = newStack();
    new Stream(stack, 'A', { streamName: 'a' });
    expect(handlerPolicy(stack).Statement.slice(0, 2)).toEqual([
      { Action: 'kinesisvideo:DescribeStream', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:eu-west-1:111122223333:stream/a/*']] } },
      { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
    ]);
  });
});

describe('provider', () => {
  test('one provider per stack, shared by every custom resource, with a fixed footprint of 15 resources', () => {
    const stack = newStack();
    const bare = Object.keys(Template.fromStack(newStack()).toJSON().Resources ?? {}).length;
    expect(bare).toBe(0);
    for (let i = 0; i < 3; i++) {
      const stream = new Stream(stack, `Camera${i}`, { streamName: `camera-${i}` });
      stream.configureNotifications({ topic: sns.Topic.fromTopicArn(stack, `T${i}`, `arn:aws:sns:eu-west-1:111122223333:t${i}`) });
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', 5);
    const resources = Object.values(template.toJSON().Resources) as Array<{ Type: string }>;
    const own = resources.filter((r) => !r.Type.startsWith('AWS::KinesisVideo::') && !r.Type.startsWith('Custom::'));
    expect(own).toHaveLength(15);
    const serviceTokens = new Set(resources.filter((r: any) => r.Type.startsWith('Custom::')).map((r: any) => JSON.stringify(r.Properties.ServiceToken)));
    expect(serviceTokens.size).toBe(1);
  });

  test('a stream with notification and image generation adds exactly one resource besides itself', () => {
    const count = (configure: boolean) => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Topic');
      const bucket = new s3.Bucket(stack, 'Bucket');
      for (let i = 0; i < 10; i++) {
        const stream = new Stream(stack, `Camera${i}`);
        if (configure) {
          stream.configureNotifications({ topic });
          stream.configureImageGeneration({ bucket, samplingInterval: Duration.seconds(1) });
        }
      }
      return Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    };
    expect(count(true) - count(false)).toBe(10);
  });

  test('the handler policy names each configured stream and channel while it fits', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Camera', { streamName: 'camera-1' });
    stream.configureNotifications({ topic: new sns.Topic(stack, 'Topic') });
    new SignalingChannel(stack, 'Channel').enableMediaStorage(stream);
    const resources = handlerPolicy(stack).Statement.map((s: any) => s.Resource);
    const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kinesisvideo:eu-west-1:111122223333:${resource}`]] });
    expect(resources).toEqual(expect.arrayContaining([
      arn('stream/camera-1/*'),
      // An owned channel without a channelName is named at synth time, from its construct path.
      arn('channel/TestStack-Channel-4A2C4B0C/*'),
    ]));
    // One statement per resource: the guard's, the configuration's and the media storage's stream actions are merged.
    expect(resources.filter((r: unknown) => JSON.stringify(r).includes('stream/camera-1'))).toHaveLength(1);
    expect(JSON.stringify(handlerPolicy(stack))).not.toContain('"*"');
  });

  test('each stream gets exactly the actions its resources need, one statement per set of actions', () => {
    const stack = newStack();
    new Stream(stack, 'Configured', { streamName: 'configured' }).configureNotifications({ topic: new sns.Topic(stack, 'Topic') });
    new Stream(stack, 'Guarded', { streamName: 'guarded' });
    new Stream(stack, 'AlsoGuarded', { streamName: 'also-guarded' });
    const arn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kinesisvideo:eu-west-1:111122223333:stream/${name}/*`]] });
    const [configured, guarded] = handlerPolicy(stack).Statement;
    expect(configured).toEqual({
      Effect: 'Allow',
      Action: [
        'kinesisvideo:DescribeImageGenerationConfiguration',
        'kinesisvideo:DescribeNotificationConfiguration',
        'kinesisvideo:DescribeStream',
        'kinesisvideo:UpdateImageGenerationConfiguration',
        'kinesisvideo:UpdateNotificationConfiguration',
      ],
      Resource: arn('configured'),
    });
    expect(guarded).toEqual({ Effect: 'Allow', Action: 'kinesisvideo:DescribeStream', Resource: [arn('guarded'), arn('also-guarded')] });
  });

  test('measures a stream named by a token at 256 characters, and loosens token names to the kind scope when they do not fit', () => {
    const measure = (streams: number) => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Topic');
      for (let i = 0; i < streams; i++) {
        const arn = new CfnParameter(stack, `Camera${i}Arn`).valueAsString;
        Stream.fromStreamArn(stack, `Camera${i}`, arn).configureNotifications({ topic });
      }
      const size = KinesisVideoProvider.getOrCreate(stack).policy.resolvedSize();
      return { size, resources: JSON.stringify(handlerPolicy(stack).Statement[0].Resource) };
    };
    const one = measure(1);
    expect(one.resources).toContain('"Fn::Select"');
    // Each token name adds its ARN with a 256-character name and the longest partition: "arn:aws-us-gov:...:stream/<name>/*",
    expect(measure(3).size - measure(2).size).toBe('"arn:aws-us-gov:kinesisvideo:eu-west-1:111122223333:stream//*",'.length + 256);
    const many = measure(30);
    expect(many.resources).toBe(JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:eu-west-1:111122223333:stream/*']] }));
    expect(many.size).toBeLessThanOrEqual(6_144);
  });

  test.each([
    ['by name, one statement per set of actions', 3, 0],
    ['by the names\' prefix, a token name kept exact', 100, 1],
    ['by kind, token names included', 0, 30],
  ])('measures its document on plain strings exactly as the synthesized one measures: %s', (_scope, named, tokens) => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    for (let i = 0; i < named; i++) {
      const s = new Stream(stack, `Named${i}`, { streamName: `site-camera-${String(i).padStart(3, '0')}` });
      if (i % 2 === 0) s.configureNotifications({ topic });
    }
    for (let i = 0; i < tokens; i++) {
      Stream.fromStreamArn(stack, `Token${i}`, new CfnParameter(stack, `Token${i}Arn`).valueAsString).configureNotifications({ topic });
    }
    new SignalingChannel(stack, 'Door').enableMediaStorage(new Stream(stack, 'DoorRecording'));
    const template = Template.fromStack(stack).toJSON();
    expect(KinesisVideoProvider.getOrCreate(stack).policy.resolvedSize())
      .toBe(resolvedPolicySize(template.Resources[handlerPolicyId(stack)].Properties.PolicyDocument));
  });

  test('fails at synth when even the kind scope does not fit the managed policy limit, naming the limit, the size and what to do', () => {
    const stack = newStack();
    new Stream(stack, 'Camera', { streamName: 'camera' }).configureNotifications({ topic: new sns.Topic(stack, 'Topic') });
    const policy = KinesisVideoProvider.getOrCreate(stack).policy;
    for (let i = 0; i < 80; i++) {
      policy.allowStatement(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [`arn:aws:sns:eu-west-1:111122223333:${'t'.repeat(60)}-${i}`] }));
    }
    const size = policy.resolvedSize();
    expect(size).toBeGreaterThan(6_144);
    expect(() => Template.fromStack(stack)).toThrow(
      `[TestStack/CdkKinesisVideoProvider/HandlerPolicy] The Kinesis Video handlers' policy needs ${size} characters with every stream and channel of the kind `
      + 'scope (stream/*, channel/*), over IAM\'s limit of 6144 for a managed policy. Split the stack\'s resources across stacks.');
  });

  test('the handler policy\'s logical id changes with its document, so that the old policy outlives the Deletes of an update', () => {
    const idOf = (streams: number) => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Topic');
      for (let i = 0; i < streams; i++) new Stream(stack, `Camera${i}`, { streamName: `camera-${i}` }).configureNotifications({ topic });
      const id = handlerPolicyId(stack);
      const configurations = Object.values(Template.fromStack(stack).findResources('Custom::KinesisVideoStreamConfiguration'));
      expect(configurations.map((c) => c.DependsOn)).toEqual(configurations.map(() => expect.arrayContaining([id])));
      return id;
    };
    expect(idOf(2)).toBe(idOf(2));
    expect(idOf(2)).not.toBe(idOf(1));
    expect(idOf(1)).toMatch(/^CdkKinesisVideoProviderHandlerPolicy[0-9A-F]{8}[0-9A-F]{8}$/);
  });

  test('at 240 streams the handler policy falls back to the names\' common prefix and fits IAM\'s managed policy limit', () => {
    const stack = new Stack(new App(), 'TestStack');
    const topic = new sns.Topic(stack, 'Topic');
    for (let i = 0; i < 240; i++) {
      new Stream(stack, `Camera${i}`, { streamName: `site-a-camera-${String(i).padStart(4, '0')}` }).configureNotifications({ topic });
    }
    const policy = JSON.stringify(handlerPolicy(stack));
    expect(policy).toContain(':stream/site-a-camera-0*');
    expect(policy).not.toContain('site-a-camera-0001');
  });
});
