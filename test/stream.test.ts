import { App, CfnParameter, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IStream, MediaType, StorageTier, Stream } from '../src';

const STREAM_ARN = 'arn:aws:kinesisvideo:eu-west-1:111122223333:stream/front-door/1700000000000';
const KEY_WARNING =
  'The encryption key of a Kinesis video stream is fixed when the stream is created: CloudFormation cannot apply a later change of encryptionKey (Kinesis Video Streams has no API for it). To change keys, create a new stream. [ack: cdk-kinesis-video:Stream.encryptionKeyIsImmutable]';

const WRITE = ['kinesisvideo:PutMedia', 'kinesisvideo:GetDataEndpoint', 'kinesisvideo:DescribeStream'];
const READ = [
  'kinesisvideo:GetMedia',
  'kinesisvideo:GetDataEndpoint',
  'kinesisvideo:DescribeStream',
  'kinesisvideo:ListFragments',
  'kinesisvideo:GetMediaForFragmentList',
  'kinesisvideo:GetClip',
  'kinesisvideo:GetHLSStreamingSessionURL',
  'kinesisvideo:GetDASHStreamingSessionURL',
  'kinesisvideo:GetImages',
];
const PLAYBACK = [
  'kinesisvideo:GetHLSStreamingSessionURL',
  'kinesisvideo:GetDASHStreamingSessionURL',
  'kinesisvideo:GetClip',
  'kinesisvideo:GetDataEndpoint',
];

function newStack(): Stack {
  return new Stack(new App(), 'TestStack');
}

function newRole(stack: Stack, id = 'Role'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

/** The one stream resource of the stack, whole (properties and policies). */
function streamResource(stack: Stack): Record<string, unknown> {
  const resources = Object.values(Template.fromStack(stack).findResources('AWS::KinesisVideo::Stream'));
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

const STREAM_ARN_ATTR = { 'Fn::GetAtt': ['Stream790BDEE4', 'Arn'] };
/** The name a stream gets without `streamName`: derived from its path, so that it is known at synth time. */
const GENERATED_NAME = 'TestStack-Stream-3605FEC0';
const GUARD = 'CdkKinesisVideoRetentionGuard3F04D306';
const KEY_ARN_ATTR = { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] };

describe('Stream resource', () => {
  test('defaults: a generated name, 24 hours of retention written explicitly, guarded, retained on delete and replacement', () => {
    const stack = newStack();
    new Stream(stack, 'Stream');
    expect(streamResource(stack)).toEqual({
      Type: 'AWS::KinesisVideo::Stream',
      Properties: { Name: GENERATED_NAME, DataRetentionInHours: 24 },
      DependsOn: [GUARD],
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('every property', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new Stream(stack, 'Stream', {
      streamName: 'front-door_1.cam',
      dataRetention: Duration.days(7),
      deviceName: 'doorbell-01',
      mediaType: MediaType.of(MediaType.H264, MediaType.AAC),
      encryptionKey: key,
      storageTier: StorageTier.WARM,
      removalPolicy: RemovalPolicy.DESTROY,
      allowRetentionDecrease: true,
    });
    expect(streamResource(stack)).toEqual({
      Type: 'AWS::KinesisVideo::Stream',
      Properties: {
        Name: 'front-door_1.cam',
        DataRetentionInHours: 168,
        DeviceName: 'doorbell-01',
        MediaType: 'video/h264,audio/aac',
        KmsKeyId: KEY_ARN_ATTR,
        StreamStorageConfiguration: { DefaultStorageTier: 'WARM' },
      },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('zero retention is written as 0', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream', { dataRetention: Duration.hours(0) });
    expect((streamResource(stack) as any).Properties).toEqual({ Name: GENERATED_NAME, DataRetentionInHours: 0 });
    expect(stream.dataRetention?.toHours()).toBe(0);
  });

  test('the HOT storage tier is written when set', () => {
    const stack = newStack();
    new Stream(stack, 'Stream', { storageTier: StorageTier.HOT });
    expect((streamResource(stack) as any).Properties.StreamStorageConfiguration).toEqual({ DefaultStorageTier: 'HOT' });
  });

  test('the maximum retention of 87600 hours is accepted', () => {
    const stack = newStack();
    new Stream(stack, 'Stream', { dataRetention: Duration.hours(87600) });
    expect((streamResource(stack) as any).Properties.DataRetentionInHours).toBe(87600);
  });

  test('attributes: ARN, name, retention with the default filled in, and a stream reference', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    expect(stack.resolve(stream.streamArn)).toEqual(STREAM_ARN_ATTR);
    expect(stack.resolve(stream.streamName)).toEqual(GENERATED_NAME);
    expect(stack.resolve(stream.streamRef)).toEqual({ streamArn: STREAM_ARN_ATTR, streamName: GENERATED_NAME });
    expect(stream.dataRetention?.toHours()).toBe(24);
    expect(stream.encryptionKey).toBeUndefined();
    expect(stream.node.defaultChild?.node.id).toBe('Resource');
  });
});

describe('Stream encryption key', () => {
  test('a customer managed key is passed by ARN and warns that it cannot change later', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const stream = new Stream(stack, 'Stream', { encryptionKey: key });
    expect((streamResource(stack) as any).Properties.KmsKeyId).toEqual(KEY_ARN_ATTR);
    expect(stream.encryptionKey).toBe(key);
    Annotations.fromStack(stack).hasWarning('/TestStack/Stream', KEY_WARNING);
  });

  test('without a key there is no KmsKeyId and no warning', () => {
    const stack = newStack();
    new Stream(stack, 'Stream');
    expect((streamResource(stack) as any).Properties.KmsKeyId).toBeUndefined();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('Stream grants', () => {
  test('grantWrite names the producer actions on the stream', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    stream.grantWrite(newRole(stack));
    expect(roleStatements(stack)).toEqual([{ Action: WRITE, Effect: 'Allow', Resource: STREAM_ARN_ATTR }]);
  });

  test('grantWrite adds kms:GenerateDataKey on the customer managed key', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream', { encryptionKey: new kms.Key(stack, 'Key') });
    stream.grantWrite(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: WRITE, Effect: 'Allow', Resource: STREAM_ARN_ATTR },
      { Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: KEY_ARN_ATTR },
    ]);
  });

  test('grantRead names the consumer actions on the stream', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    stream.grantRead(newRole(stack));
    expect(roleStatements(stack)).toEqual([{ Action: READ, Effect: 'Allow', Resource: STREAM_ARN_ATTR }]);
  });

  test('grantRead adds kms:Decrypt on the customer managed key', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream', { encryptionKey: new kms.Key(stack, 'Key') });
    stream.grantRead(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: READ, Effect: 'Allow', Resource: STREAM_ARN_ATTR },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KEY_ARN_ATTR },
    ]);
  });

  test('grantPlayback names the playback actions and kms:Decrypt on the key', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream', { encryptionKey: new kms.Key(stack, 'Key') });
    stream.grantPlayback(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: PLAYBACK, Effect: 'Allow', Resource: STREAM_ARN_ATTR },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: KEY_ARN_ATTR },
    ]);
  });

  test('grantPlayback without a key grants only the stream actions', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    const grant = stream.grantPlayback(newRole(stack));
    expect(grant.success).toBe(true);
    expect(roleStatements(stack)).toEqual([{ Action: PLAYBACK, Effect: 'Allow', Resource: STREAM_ARN_ATTR }]);
  });

  test('grant names exactly the given actions', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream', { encryptionKey: new kms.Key(stack, 'Key') });
    stream.grant(newRole(stack), 'kinesisvideo:UpdateDataRetention', 'kinesisvideo:TagStream');
    expect(roleStatements(stack)).toEqual([
      { Action: ['kinesisvideo:UpdateDataRetention', 'kinesisvideo:TagStream'], Effect: 'Allow', Resource: STREAM_ARN_ATTR },
    ]);
  });
});

describe('Stream ingestion requirements', () => {
  /** A requirement as a configuration registers it: publish to a topic. */
  function publishTo(topicArn: string) {
    return (grantee: iam.IGrantable) => {
      iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topicArn] });
    };
  }
  const TOPIC_A = 'arn:aws:sns:eu-west-1:111122223333:a';
  const TOPIC_B = 'arn:aws:sns:eu-west-1:111122223333:b';

  test('a requirement registered before grantWrite reaches the producer', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    stream._addIngestionRequirement(publishTo(TOPIC_A));
    stream.grantWrite(newRole(stack));
    expect(roleStatements(stack)).toEqual([
      { Action: WRITE, Effect: 'Allow', Resource: STREAM_ARN_ATTR },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: TOPIC_A },
    ]);
  });

  test('a requirement registered after grantWrite reaches every earlier producer', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    stream.grantWrite(newRole(stack, 'Role'));
    stream.grantWrite(newRole(stack, 'Other'));
    stream._addIngestionRequirement(publishTo(TOPIC_B));
    for (const roleId of ['Role', 'Other']) {
      expect(roleStatements(stack, roleId)).toEqual([
        { Action: WRITE, Effect: 'Allow', Resource: STREAM_ARN_ATTR },
        { Action: 'sns:Publish', Effect: 'Allow', Resource: TOPIC_B },
      ]);
    }
  });

  test('a producer granted twice gets each requirement once', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    const role = newRole(stack);
    const calls: iam.IGrantable[] = [];
    stream._addIngestionRequirement((grantee) => calls.push(grantee));
    stream.grantWrite(role);
    stream.grantWrite(role);
    expect(calls).toEqual([role]);
  });

  test('readers and players get no ingestion requirement', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    stream.grantRead(newRole(stack, 'Role'));
    stream.grantPlayback(newRole(stack, 'Other'));
    stream._addIngestionRequirement(publishTo(TOPIC_A));
    expect(roleStatements(stack, 'Role')).toEqual([{ Action: READ, Effect: 'Allow', Resource: STREAM_ARN_ATTR }]);
    expect(roleStatements(stack, 'Other')).toEqual([{ Action: PLAYBACK, Effect: 'Allow', Resource: STREAM_ARN_ATTR }]);
  });

  test('an imported stream applies requirements to its producers too', () => {
    const stack = newStack();
    const stream = Stream.fromStreamArn(stack, 'Imported', STREAM_ARN);
    stream.grantWrite(newRole(stack));
    stream._addIngestionRequirement(publishTo(TOPIC_A));
    expect(roleStatements(stack)).toEqual([
      { Action: WRITE, Effect: 'Allow', Resource: STREAM_ARN },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: TOPIC_A },
    ]);
  });
});

describe('Stream metrics', () => {
  const helpers: Array<[string, (s: IStream) => cloudwatch.Metric, string, string]> = [
    ['metricPutMediaIncomingBytes', (s) => s.metricPutMediaIncomingBytes(), 'PutMedia.IncomingBytes', 'Sum'],
    ['metricPutMediaIncomingFragments', (s) => s.metricPutMediaIncomingFragments(), 'PutMedia.IncomingFragments', 'Sum'],
    ['metricPutMediaIncomingFrames', (s) => s.metricPutMediaIncomingFrames(), 'PutMedia.IncomingFrames', 'Sum'],
    ['metricPutMediaFragmentIngestionLatency', (s) => s.metricPutMediaFragmentIngestionLatency(), 'PutMedia.FragmentIngestionLatency', 'Average'],
    ['metricPutMediaFragmentPersistLatency', (s) => s.metricPutMediaFragmentPersistLatency(), 'PutMedia.FragmentPersistLatency', 'Average'],
    ['metricPutMediaConnectionErrors', (s) => s.metricPutMediaConnectionErrors(), 'PutMedia.ConnectionErrors', 'Sum'],
    ['metricPutMediaSuccess', (s) => s.metricPutMediaSuccess(), 'PutMedia.Success', 'Average'],
    ['metricGetMediaOutgoingBytes', (s) => s.metricGetMediaOutgoingBytes(), 'GetMedia.OutgoingBytes', 'Sum'],
    ['metricGetMediaMillisBehindNow', (s) => s.metricGetMediaMillisBehindNow(), 'GetMedia.MillisBehindNow', 'Average'],
    ['metricGetHlsStreamingSessionUrlSuccess', (s) => s.metricGetHlsStreamingSessionUrlSuccess(), 'GetHLSStreamingSessionURL.Success', 'Average'],
    ['metricGetClipOutgoingBytes', (s) => s.metricGetClipOutgoingBytes(), 'GetClip.OutgoingBytes', 'Sum'],
  ];

  test.each(helpers)('%s', (_name, helper, metricName, statistic) => {
    const stack = newStack();
    const metric = helper(new Stream(stack, 'Stream'));
    expect(stack.resolve({
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      statistic: metric.statistic,
      period: metric.period.toSeconds(),
    })).toEqual({
      namespace: 'AWS/KinesisVideo',
      metricName,
      dimensions: { StreamName: GENERATED_NAME },
      statistic,
      period: 300,
    });
  });

  test('a helper takes the caller\'s statistic and period over its defaults', () => {
    const stack = newStack();
    const metric = new Stream(stack, 'Stream').metricPutMediaFragmentPersistLatency({
      statistic: cloudwatch.Stats.p(99),
      period: Duration.minutes(1),
    });
    expect(metric.statistic).toBe('p99');
    expect(metric.period.toSeconds()).toBe(60);
  });

  test('metric: any metric of the stream, average over 5 minutes by default', () => {
    const stack = newStack();
    const metric = new Stream(stack, 'Stream').metric('ListFragments.Latency');
    expect(stack.resolve({
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      statistic: metric.statistic,
      period: metric.period.toSeconds(),
    })).toEqual({
      namespace: 'AWS/KinesisVideo',
      metricName: 'ListFragments.Latency',
      dimensions: { StreamName: GENERATED_NAME },
      statistic: 'Average',
      period: 300,
    });
  });

  test('an imported stream\'s metrics use its name', () => {
    const stack = newStack();
    const metric = Stream.fromStreamArn(stack, 'Imported', STREAM_ARN).metricPutMediaIncomingBytes();
    expect(metric.dimensions).toEqual({ StreamName: 'front-door' });
  });
});

describe('Stream imports', () => {
  test('fromStreamArn with a concrete ARN parses the name and the environment', () => {
    const stack = newStack();
    const stream = Stream.fromStreamArn(stack, 'Imported', STREAM_ARN);
    expect(stream.streamArn).toBe(STREAM_ARN);
    expect(stream.streamName).toBe('front-door');
    expect(stream.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
    expect(stream.encryptionKey).toBeUndefined();
    expect(stream.dataRetention).toBeUndefined();
  });

  test('fromStreamArn with a token derives the name and environment with Fn::Split', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'StreamArn').valueAsString;
    const stream = Stream.fromStreamArn(stack, 'Imported', arn);
    expect(stack.resolve(stream.streamArn)).toEqual({ Ref: 'StreamArn' });
    expect(stack.resolve(stream.streamName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'StreamArn' }] }] });
    expect(stack.resolve(stream.env)).toEqual({
      account: { 'Fn::Select': [4, { 'Fn::Split': [':', { Ref: 'StreamArn' }] }] },
      region: { 'Fn::Select': [3, { 'Fn::Split': [':', { Ref: 'StreamArn' }] }] },
    });
  });

  test('fromStreamArn grants on the exact ARN', () => {
    const stack = newStack();
    Stream.fromStreamArn(stack, 'Imported', STREAM_ARN).grantWrite(newRole(stack));
    expect(roleStatements(stack)).toEqual([{ Action: WRITE, Effect: 'Allow', Resource: STREAM_ARN }]);
  });

  test('fromStreamName grants on stream/<name>/* in the stack\'s partition, region and account', () => {
    const stack = newStack();
    const stream = Stream.fromStreamName(stack, 'Imported', 'front-door');
    stream.grantRead(newRole(stack));
    const pattern = {
      'Fn::Join': ['', [
        'arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
        ':stream/front-door/*',
      ]],
    };
    expect(stack.resolve(stream.streamArn)).toEqual(pattern);
    expect(stream.streamName).toBe('front-door');
    expect(roleStatements(stack)).toEqual([{ Action: READ, Effect: 'Allow', Resource: pattern }]);
  });

  test('fromStreamName in a stack with an explicit environment uses that environment', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: '444455556666', region: 'us-west-2' } });
    const stream = Stream.fromStreamName(stack, 'Imported', 'front-door');
    expect(stack.resolve(stream.streamArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisvideo:us-west-2:444455556666:stream/front-door/*']],
    });
    expect(stream.env).toEqual({ account: '444455556666', region: 'us-west-2' });
  });

  test('fromStreamAttributes with a key grants on the key', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const stream = Stream.fromStreamAttributes(stack, 'Imported', { streamArn: STREAM_ARN, encryptionKey: key });
    stream.grantWrite(newRole(stack));
    expect(stream.encryptionKey).toBe(key);
    expect(roleStatements(stack)).toEqual([
      { Action: WRITE, Effect: 'Allow', Resource: STREAM_ARN },
      { Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
    ]);
  });

  test('fromStreamAttributes with a matching ARN and name', () => {
    const stack = newStack();
    const stream = Stream.fromStreamAttributes(stack, 'Imported', { streamArn: STREAM_ARN, streamName: 'front-door' });
    expect(stream.streamArn).toBe(STREAM_ARN);
    expect(stream.streamName).toBe('front-door');
  });

  test('fromStreamAttributes with a token ARN keeps the given name', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'StreamArn').valueAsString;
    const stream = Stream.fromStreamAttributes(stack, 'Imported', { streamArn: arn, streamName: 'front-door' });
    expect(stream.streamName).toBe('front-door');
  });

  test('fails fromStreamAttributes without ARN and name', () => {
    const stack = newStack();
    expect(() => Stream.fromStreamAttributes(stack, 'Imported', {})).toThrow(
      'Invalid attributes "without streamArn and streamName": must be given streamArn, streamName or both',
    );
  });

  test('fails fromStreamArn with a malformed ARN', () => {
    const stack = newStack();
    expect(() => Stream.fromStreamArn(stack, 'Imported', 'arn:aws:kinesisvideo:eu-west-1:111122223333:stream/front-door')).toThrow(
      'Invalid streamArn "arn:aws:kinesisvideo:eu-west-1:111122223333:stream/front-door": must be an ARN arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation time>',
    );
  });

  test('fails fromStreamArn with a signaling channel ARN', () => {
    const stack = newStack();
    const channelArn = 'arn:aws:kinesisvideo:eu-west-1:111122223333:channel/front-door/1700000000000';
    expect(() => Stream.fromStreamArn(stack, 'Imported', channelArn)).toThrow(
      `Invalid streamArn "${channelArn}": must be an ARN arn:<partition>:kinesisvideo:<region>:<account>:stream/<name>/<creation time>`,
    );
  });

  test('fails fromStreamAttributes when the name differs from the ARN\'s', () => {
    const stack = newStack();
    expect(() => Stream.fromStreamAttributes(stack, 'Imported', { streamArn: STREAM_ARN, streamName: 'back-door' })).toThrow(
      `Invalid streamName "back-door": must be the name in streamArn "${STREAM_ARN}" ("front-door")`,
    );
  });

  test('fails fromStreamName with an invalid name', () => {
    const stack = newStack();
    expect(() => Stream.fromStreamName(stack, 'Imported', 'front door')).toThrow(
      'Invalid streamName "front door": must be 1-256 characters of [a-zA-Z0-9_.-]',
    );
  });
});

describe('Stream tags', () => {
  test('Tags.of tags the stream, sorted by key', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    Tags.of(stream).add('site', 'lisbon');
    Tags.of(stack).add('env', 'prod');
    expect((streamResource(stack) as any).Properties.Tags).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'site', Value: 'lisbon' },
    ]);
  });

  test('a stream without tags has no Tags property', () => {
    const stack = newStack();
    new Stream(stack, 'Stream');
    expect((streamResource(stack) as any).Properties).not.toHaveProperty('Tags');
  });

  test('50 tags are accepted', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    for (let i = 0; i < 50; i++) Tags.of(stream).add(`key${i}`, `value${i}`);
    expect((streamResource(stack) as any).Properties.Tags).toHaveLength(50);
  });

  test('fails with 51 tags', () => {
    const stack = newStack();
    const stream = new Stream(stack, 'Stream');
    for (let i = 0; i < 51; i++) Tags.of(stream).add(`key${i}`, `value${i}`);
    expect(() => Template.fromStack(stack)).toThrow('Invalid tags "51 tags": must be at most 50 tags');
  });

  test('fails with a tag key outside the allowed characters', () => {
    const stack = newStack();
    Tags.of(new Stream(stack, 'Stream')).add('cost#center', 'a');
    expect(() => Template.fromStack(stack)).toThrow(
      'Invalid tag key "cost#center": must be 1-128 characters of Unicode letters, digits, white space and _.:/=+-@',
    );
  });
});

describe('Stream validation', () => {
  test('fails with a stream name outside [a-zA-Z0-9_.-]', () => {
    expect(() => new Stream(newStack(), 'Stream', { streamName: 'bad name' })).toThrow(
      'Invalid streamName "bad name": must be 1-256 characters of [a-zA-Z0-9_.-]',
    );
  });

  test('fails with a stream name of 257 characters', () => {
    const name = 'a'.repeat(257);
    expect(() => new Stream(newStack(), 'Stream', { streamName: name })).toThrow(
      `Invalid streamName "${name}": must be 1-256 characters of [a-zA-Z0-9_.-]`,
    );
  });

  test('fails with an empty stream name', () => {
    expect(() => new Stream(newStack(), 'Stream', { streamName: '' })).toThrow(
      'Invalid streamName "": must be 1-256 characters of [a-zA-Z0-9_.-]',
    );
  });

  test('fails with a device name of 129 characters', () => {
    const name = 'd'.repeat(129);
    expect(() => new Stream(newStack(), 'Stream', { deviceName: name })).toThrow(
      `Invalid deviceName "${name}": must be 1-128 characters of [a-zA-Z0-9_.-]`,
    );
  });

  test('fails with a device name outside [a-zA-Z0-9_.-]', () => {
    expect(() => new Stream(newStack(), 'Stream', { deviceName: 'door/bell' })).toThrow(
      'Invalid deviceName "door/bell": must be 1-128 characters of [a-zA-Z0-9_.-]',
    );
  });

  test('fails with a retention that is not whole hours', () => {
    expect(() => new Stream(newStack(), 'Stream', { dataRetention: Duration.minutes(90) })).toThrow(
      'Invalid dataRetention "1 hour 30 minutes": must be a whole number of hours from 0 to 87600',
    );
  });

  test('fails with a retention above 87600 hours', () => {
    expect(() => new Stream(newStack(), 'Stream', { dataRetention: Duration.hours(87601) })).toThrow(
      'Invalid dataRetention "3650 days 1 hour": must be a whole number of hours from 0 to 87600',
    );
  });

  test('token names and retention are left to the service', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const hours = new CfnParameter(stack, 'Hours', { type: 'Number' }).valueAsNumber;
    new Stream(stack, 'Stream', { streamName: name, deviceName: name, dataRetention: Duration.hours(hours) });
    expect((streamResource(stack) as any).Properties).toEqual({
      Name: { Ref: 'Name' },
      DeviceName: { Ref: 'Name' },
      DataRetentionInHours: { Ref: 'Hours' },
    });
  });
});
