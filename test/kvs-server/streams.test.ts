import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamStorageConfigurationCommand,
  GetDataEndpointCommand,
  InvalidArgumentException,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  StreamInfo,
  TagsPerResourceExceededLimitException,
  TagStreamCommand,
  UntagStreamCommand,
  UpdateDataRetentionCommand,
  UpdateStreamCommand,
  UpdateStreamStorageConfigurationCommand,
  VersionMismatchException,
} from '@aws-sdk/client-kinesis-video';
import { KvsTestServer } from './index';
import { activeStream, EPOCH, Harness, rejection, startHarness } from './testing';

const ARN_PREFIX = 'arn:aws:kinesisvideo:us-east-1:123456789012:stream';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.server.stop());

const describeStream = async (StreamName: string): Promise<StreamInfo> => (await h.kvs.send(new DescribeStreamCommand({ StreamName }))).StreamInfo!;
const status = async (StreamName: string) => (await describeStream(StreamName)).Status;

describe('stream lifecycle', () => {
  test('CreateStream stores every property and goes CREATING → ACTIVE after streamCreate ms', async () => {
    const { StreamARN } = await h.kvs.send(new CreateStreamCommand({
      StreamName: 'cam-1',
      DeviceName: 'camera',
      MediaType: 'video/h264',
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234',
      DataRetentionInHours: 24,
      StreamStorageConfiguration: { DefaultStorageTier: 'WARM' },
    }));
    expect(StreamARN).toBe(`${ARN_PREFIX}/cam-1/${EPOCH}`);
    const info = await describeStream('cam-1');
    expect(info).toEqual({
      StreamName: 'cam-1',
      StreamARN,
      DeviceName: 'camera',
      MediaType: 'video/h264',
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234',
      DataRetentionInHours: 24,
      Status: 'CREATING',
      Version: expect.stringMatching(/^[a-z0-9]{20}$/),
      CreationTime: new Date(EPOCH),
    });
    h.clock.advance(49);
    expect(await status('cam-1')).toBe('CREATING');
    h.clock.advance(1);
    expect(await status('cam-1')).toBe('ACTIVE');
    const storage = await h.kvs.send(new DescribeStreamStorageConfigurationCommand({ StreamARN }));
    expect([storage.StreamName, storage.StreamARN, storage.StreamStorageConfiguration]).toEqual(['cam-1', StreamARN, { DefaultStorageTier: 'WARM' }]);
  });

  test('defaults: no retention, the AWS-managed key, the HOT tier, no device name or media type', async () => {
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'plain' }));
    const info = await describeStream('plain');
    expect([info.DataRetentionInHours, info.KmsKeyId, info.DeviceName, info.MediaType])
      .toEqual([0, 'arn:aws:kms:us-east-1:123456789012:alias/aws/kinesisvideo', undefined, undefined]);
    expect(h.server.state().streams[0].streamStorageConfiguration).toEqual({ DefaultStorageTier: 'HOT' });
  });

  test('ARNs end in a 13-digit creation time and stay unique within one millisecond', async () => {
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'a' }));
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'b' }));
    expect(h.server.state().streams.map((s) => s.arn)).toEqual([`${ARN_PREFIX}/a/${EPOCH}`, `${ARN_PREFIX}/b/${EPOCH + 1}`]);
  });

  test('UpdateStream goes UPDATING → ACTIVE with the new metadata and a new version', async () => {
    await activeStream(h, { StreamName: 'cam', DeviceName: 'old', MediaType: 'video/h264' });
    const before = await describeStream('cam');
    await h.kvs.send(new UpdateStreamCommand({ StreamName: 'cam', CurrentVersion: before.Version, MediaType: 'video/h265' }));
    const during = await describeStream('cam');
    expect(during).toEqual({ ...before, Status: 'UPDATING', MediaType: 'video/h265', Version: expect.not.stringMatching(before.Version!) });
    h.clock.advance(50);
    expect(await describeStream('cam')).toEqual({ ...during, Status: 'ACTIVE' });
  });

  test('DeleteStream goes DELETING and then the stream is gone and its name free', async () => {
    const arn = await activeStream(h, { StreamName: 'gone' });
    await h.kvs.send(new DeleteStreamCommand({ StreamARN: arn }));
    expect(await status('gone')).toBe('DELETING');
    const reuse = await rejection(h.kvs.send(new CreateStreamCommand({ StreamName: 'gone' })));
    expect(reuse).toBeInstanceOf(ResourceInUseException);
    expect(reuse.message).toBe('The stream gone already exists.');
    h.clock.advance(50);
    expect(await rejection(describeStream('gone'))).toBeInstanceOf(ResourceNotFoundException);
    expect((await h.kvs.send(new ListStreamsCommand({}))).StreamInfoList).toEqual([]);
    const { StreamARN } = await h.kvs.send(new CreateStreamCommand({ StreamName: 'gone' }));
    expect(StreamARN).not.toBe(arn);
  });

  test('fails calls that change a stream with ResourceInUseException while it is not ACTIVE', async () => {
    const { StreamARN } = await h.kvs.send(new CreateStreamCommand({ StreamName: 'busy', DataRetentionInHours: 1 }));
    const { Version } = await describeStream('busy');
    const calls = [
      new UpdateStreamCommand({ StreamName: 'busy', CurrentVersion: Version, DeviceName: 'd' }),
      new UpdateDataRetentionCommand({ StreamName: 'busy', CurrentVersion: Version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 }),
      new UpdateStreamStorageConfigurationCommand({ StreamName: 'busy', CurrentVersion: Version, StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } }),
      new DeleteStreamCommand({ StreamARN }),
    ];
    for (const command of calls) {
      const err = await rejection(h.kvs.send(command as any));
      expect(err).toBeInstanceOf(ResourceInUseException);
      expect(err.message).toBe(`The stream ${StreamARN} is CREATING; the operation requires it to be ACTIVE.`);
    }
    expect(h.server.state().streams[0]).toMatchObject({ status: 'CREATING', version: Version, dataRetentionInHours: 1, tags: {} });
  });

  test('fails a stale CurrentVersion with VersionMismatchException', async () => {
    const arn = await activeStream(h, { StreamName: 'versioned' });
    const { Version: v1 } = await describeStream('versioned');
    await h.kvs.send(new UpdateStreamCommand({ StreamName: 'versioned', CurrentVersion: v1, DeviceName: 'a' }));
    h.clock.advance(50);
    for (const command of [
      new UpdateStreamCommand({ StreamName: 'versioned', CurrentVersion: v1, DeviceName: 'b' }),
      new DeleteStreamCommand({ StreamARN: arn, CurrentVersion: v1 }),
    ]) {
      const err = await rejection(h.kvs.send(command as any));
      expect(err).toBeInstanceOf(VersionMismatchException);
      expect(err.message).toBe('The stream version that you specified is not the latest version. To get the latest version, use the DescribeStream API.');
    }
    expect((await describeStream('versioned')).DeviceName).toBe('a');
    await h.kvs.send(new DeleteStreamCommand({ StreamARN: arn }));
    expect(await status('versioned')).toBe('DELETING');
  });
});

describe('transition times', () => {
  test('can be set at start and changed in flight', async () => {
    const server = await KvsTestServer.start({ clock: h.clock.read, transitions: { streamCreate: 500 } });
    try {
      const kvs = server.client();
      await kvs.send(new CreateStreamCommand({ StreamName: 'slow' }));
      h.clock.advance(100);
      server.setTransitionTimes({ streamCreate: 200 });
      h.clock.advance(99);
      expect(server.state().streams[0].status).toBe('CREATING');
      h.clock.advance(1);
      expect(server.state().streams[0].status).toBe('ACTIVE');
    } finally {
      await server.stop();
    }
  });

  test('run on the real clock when no clock is given', async () => {
    const server = await KvsTestServer.start({ transitions: { streamCreate: 500 } });
    try {
      await server.client().send(new CreateStreamCommand({ StreamName: 'real-time' }));
      expect(server.state().streams[0].status).toBe('CREATING');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(server.state().streams[0].status).toBe('ACTIVE');
    } finally {
      await server.stop();
    }
  });

  test('fails negative or unknown transition names', () => {
    expect(() => h.server.setTransitionTimes({ streamCreate: -1 })).toThrow("Transition 'streamCreate' must be a non-negative number of milliseconds; received -1");
    expect(() => h.server.setTransitionTimes({ streamCreat: 1 } as any)).toThrow(/^Unknown transition 'streamCreat'; expected one of streamCreate, /);
  });
});

describe('data retention', () => {
  const change = (CurrentVersion: string, Operation: 'INCREASE_DATA_RETENTION' | 'DECREASE_DATA_RETENTION', hours: number) =>
    h.kvs.send(new UpdateDataRetentionCommand({ StreamName: 'kept', CurrentVersion, Operation, DataRetentionChangeInHours: hours }));

  test('changes by a delta, at once, with a new version and an UPDATING period', async () => {
    await activeStream(h, { StreamName: 'kept', DataRetentionInHours: 24 });
    const { Version: v1 } = await describeStream('kept');
    await change(v1!, 'DECREASE_DATA_RETENTION', 20);
    const during = await describeStream('kept');
    expect([during.DataRetentionInHours, during.Status]).toEqual([4, 'UPDATING']);
    expect(during.Version).not.toBe(v1);
    h.clock.advance(50);
    await change(during.Version!, 'INCREASE_DATA_RETENTION', 100);
    expect((await describeStream('kept')).DataRetentionInHours).toBe(104);
  });

  test('fails a result outside 0–87600 hours and keeps the stream as it was', async () => {
    await activeStream(h, { StreamName: 'kept', DataRetentionInHours: 10 });
    const { Version } = await describeStream('kept');
    const below = await rejection(change(Version!, 'DECREASE_DATA_RETENTION', 11));
    expect(below).toBeInstanceOf(InvalidArgumentException);
    expect(below.message).toBe('DECREASE_DATA_RETENTION by 11 hours would make DataRetentionInHours -1; it must stay between 0 and 87600.');
    const above = await rejection(change(Version!, 'INCREASE_DATA_RETENTION', 87591));
    expect(above.message).toBe('INCREASE_DATA_RETENTION by 87591 hours would make DataRetentionInHours 87601; it must stay between 0 and 87600.');
    await change(Version!, 'INCREASE_DATA_RETENTION', 87590);
    expect((await describeStream('kept')).DataRetentionInHours).toBe(87600);
  });
});

test('UpdateStreamStorageConfiguration changes the tier with a new version and an UPDATING period', async () => {
  const arn = await activeStream(h, { StreamName: 'tiered' });
  const { Version } = await describeStream('tiered');
  await h.kvs.send(new UpdateStreamStorageConfigurationCommand({ StreamARN: arn, CurrentVersion: Version, StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } }));
  expect(h.server.state().streams[0]).toMatchObject({ status: 'UPDATING', streamStorageConfiguration: { DefaultStorageTier: 'WARM' } });
  expect(h.server.state().streams[0].version).not.toBe(Version);
  const stale = await rejection(h.kvs.send(new UpdateStreamStorageConfigurationCommand({
    StreamARN: arn, CurrentVersion: Version, StreamStorageConfiguration: { DefaultStorageTier: 'HOT' },
  })));
  expect(stale).toBeInstanceOf(ResourceInUseException);
  h.clock.advance(50);
  expect(await rejection(h.kvs.send(new UpdateStreamStorageConfigurationCommand({
    StreamARN: arn, CurrentVersion: Version, StreamStorageConfiguration: { DefaultStorageTier: 'HOT' },
  })))).toBeInstanceOf(VersionMismatchException);
});

describe('ListStreams', () => {
  test('filters by name prefix and pages with NextToken', async () => {
    for (const name of ['cam-1', 'cam-2', 'door', 'cam-3']) await h.kvs.send(new CreateStreamCommand({ StreamName: name }));
    const first = await h.kvs.send(new ListStreamsCommand({ MaxResults: 2, StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'cam' } }));
    expect(first.StreamInfoList!.map((s) => s.StreamName)).toEqual(['cam-1', 'cam-2']);
    const second = await h.kvs.send(new ListStreamsCommand({
      MaxResults: 2, NextToken: first.NextToken, StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'cam' },
    }));
    expect(second.StreamInfoList!.map((s) => s.StreamName)).toEqual(['cam-3']);
    expect(second.NextToken).toBeUndefined();
  });

  test('fails a NextToken it never issued', async () => {
    const err = await rejection(h.kvs.send(new ListStreamsCommand({ NextToken: 'Zm9v' })));
    expect(err).toBeInstanceOf(InvalidArgumentException);
    expect(err.message).toBe('NextToken Zm9v is not a token this API returned.');
  });
});

describe('GetDataEndpoint', () => {
  test('answers s- endpoints for PUT_MEDIA and GET_MEDIA and b- endpoints for the archived-media APIs, on the server itself', async () => {
    await activeStream(h, { StreamName: 'media' });
    const endpoint = async (APIName: any) => (await h.kvs.send(new GetDataEndpointCommand({ StreamName: 'media', APIName }))).DataEndpoint!;
    const put = await endpoint('PUT_MEDIA');
    expect(put).toBe(`${h.server.endpoint}/s-${/s-([0-9a-f]{8})$/.exec(put)![1]}`);
    expect(await endpoint('GET_MEDIA')).toBe(put);
    for (const api of ['GET_HLS_STREAMING_SESSION_URL', 'GET_DASH_STREAMING_SESSION_URL', 'GET_CLIP', 'GET_IMAGES', 'LIST_FRAGMENTS', 'GET_MEDIA_FOR_FRAGMENT_LIST']) {
      expect(await endpoint(api)).toBe(put.replace('/s-', '/b-'));
    }
  });

  test('fails with ResourceNotFoundException while the stream is not active', async () => {
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'media' }));
    const err = await rejection(h.kvs.send(new GetDataEndpointCommand({ StreamName: 'media', APIName: 'PUT_MEDIA' })));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('The requested stream is not found or not active.');
  });
});

describe('stream tags', () => {
  test('TagStream, UntagStream and ListTagsForStream work by name or ARN', async () => {
    const arn = await activeStream(h, { StreamName: 'tagged', Tags: { a: '1', b: '2' } });
    await h.kvs.send(new TagStreamCommand({ StreamName: 'tagged', Tags: { b: 'two', c: '3' } }));
    await h.kvs.send(new UntagStreamCommand({ StreamARN: arn, TagKeyList: ['a', 'not-there'] }));
    expect((await h.kvs.send(new ListTagsForStreamCommand({ StreamARN: arn }))).Tags).toEqual({ b: 'two', c: '3' });
    expect((await h.kvs.send(new ListTagsForStreamCommand({ StreamName: 'tagged' }))).Tags).toEqual({ b: 'two', c: '3' });
  });

  test('fails tags beyond 50 per stream with TagsPerResourceExceededLimitException and keeps the old tags', async () => {
    const tags = (from: number, count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${from + i}`, 'v']));
    await activeStream(h, { StreamName: 'full', Tags: tags(0, 45) });
    const err = await rejection(h.kvs.send(new TagStreamCommand({ StreamName: 'full', Tags: tags(45, 6) })));
    expect(err).toBeInstanceOf(TagsPerResourceExceededLimitException);
    expect(Object.keys(h.server.state().streams[0].tags)).toHaveLength(45);
    await h.kvs.send(new TagStreamCommand({ StreamName: 'full', Tags: { ...tags(40, 5), ...tags(45, 5) } }));
    expect(Object.keys(h.server.state().streams[0].tags)).toHaveLength(50);
  });
});
