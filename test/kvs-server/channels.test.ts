import {
  ChannelInfo,
  CreateSignalingChannelCommand,
  CreateStreamCommand,
  DeleteSignalingChannelCommand,
  DescribeMappedResourceConfigurationCommand,
  DescribeMediaStorageConfigurationCommand,
  DescribeSignalingChannelCommand,
  GetSignalingChannelEndpointCommand,
  InvalidArgumentException,
  ListSignalingChannelsCommand,
  ListTagsForResourceCommand,
  NoDataRetentionException,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  TagsPerResourceExceededLimitException,
  UntagResourceCommand,
  UpdateMediaStorageConfigurationCommand,
  UpdateSignalingChannelCommand,
  VersionMismatchException,
} from '@aws-sdk/client-kinesis-video';
import { activeChannel, activeStream, EPOCH, Harness, rejection, startHarness } from './testing';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.server.stop());

const describeChannel = async (ChannelName: string): Promise<ChannelInfo> =>
  (await h.kvs.send(new DescribeSignalingChannelCommand({ ChannelName }))).ChannelInfo!;

describe('signaling channel lifecycle', () => {
  test('CreateSignalingChannel goes CREATING → ACTIVE with SINGLE_MASTER and a 60-second message TTL by default', async () => {
    const { ChannelARN } = await h.kvs.send(new CreateSignalingChannelCommand({ ChannelName: 'door' }));
    expect(ChannelARN).toBe(`arn:aws:kinesisvideo:us-east-1:123456789012:channel/door/${EPOCH}`);
    expect(await describeChannel('door')).toEqual({
      ChannelName: 'door',
      ChannelARN,
      ChannelType: 'SINGLE_MASTER',
      ChannelStatus: 'CREATING',
      CreationTime: new Date(EPOCH),
      SingleMasterConfiguration: { MessageTtlSeconds: 60 },
      Version: expect.stringMatching(/^[a-z0-9]{20}$/),
    });
    h.clock.advance(50);
    expect((await h.kvs.send(new DescribeSignalingChannelCommand({ ChannelARN }))).ChannelInfo!.ChannelStatus).toBe('ACTIVE');
  });

  test('fails a channel name already in use', async () => {
    await h.kvs.send(new CreateSignalingChannelCommand({ ChannelName: 'door' }));
    const err = await rejection(h.kvs.send(new CreateSignalingChannelCommand({ ChannelName: 'door' })));
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect(err.message).toBe('The signaling channel door already exists.');
  });

  test('UpdateSignalingChannel goes UPDATING → ACTIVE with the new TTL and a new version', async () => {
    const arn = await activeChannel(h, { ChannelName: 'door', SingleMasterConfiguration: { MessageTtlSeconds: 30 } });
    const before = await describeChannel('door');
    await h.kvs.send(new UpdateSignalingChannelCommand({
      ChannelARN: arn, CurrentVersion: before.Version, SingleMasterConfiguration: { MessageTtlSeconds: 90 },
    }));
    const during = await describeChannel('door');
    expect(during).toEqual({ ...before, ChannelStatus: 'UPDATING', SingleMasterConfiguration: { MessageTtlSeconds: 90 }, Version: expect.any(String) });
    expect(during.Version).not.toBe(before.Version);
    h.clock.advance(50);
    expect((await describeChannel('door')).ChannelStatus).toBe('ACTIVE');
  });

  test('fails updates while not ACTIVE, with a stale version, or without the message TTL', async () => {
    const { ChannelARN } = await h.kvs.send(new CreateSignalingChannelCommand({ ChannelName: 'door' }));
    const { Version } = await describeChannel('door');
    const update = (CurrentVersion: string, ttl?: number) => h.kvs.send(new UpdateSignalingChannelCommand({
      ChannelARN, CurrentVersion, SingleMasterConfiguration: ttl === undefined ? undefined : { MessageTtlSeconds: ttl },
    }));
    const busy = await rejection(update(Version!, 10));
    expect(busy).toBeInstanceOf(ResourceInUseException);
    expect(busy.message).toBe(`The signaling channel ${ChannelARN} is CREATING; the operation requires it to be ACTIVE.`);
    h.clock.advance(50);
    const stale = await rejection(update('stale', 10));
    expect(stale).toBeInstanceOf(VersionMismatchException);
    expect(stale.message).toBe('The signaling channel version that you specified is not the latest version. To get the latest version, use the DescribeSignalingChannel API.');
    const noTtl = await rejection(update(Version!));
    expect(noTtl).toBeInstanceOf(InvalidArgumentException);
    expect(noTtl.message).toBe('SingleMasterConfiguration.MessageTtlSeconds is required for channels of type SINGLE_MASTER.');
    expect(h.server.state().channels[0]).toMatchObject({ status: 'ACTIVE', version: Version, singleMasterConfiguration: { MessageTtlSeconds: 60 } });
  });

  test('DeleteSignalingChannel goes DELETING and then the channel is gone; a stale version fails', async () => {
    const arn = await activeChannel(h, { ChannelName: 'door' });
    expect(await rejection(h.kvs.send(new DeleteSignalingChannelCommand({ ChannelARN: arn, CurrentVersion: 'stale' })))).toBeInstanceOf(VersionMismatchException);
    await h.kvs.send(new DeleteSignalingChannelCommand({ ChannelARN: arn }));
    expect((await describeChannel('door')).ChannelStatus).toBe('DELETING');
    h.clock.advance(50);
    const err = await rejection(describeChannel('door'));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe('The requested channel is not found or not active.');
  });

  test('ListSignalingChannels filters by prefix and pages', async () => {
    for (const name of ['door-1', 'yard', 'door-2']) await h.kvs.send(new CreateSignalingChannelCommand({ ChannelName: name }));
    const condition = { ComparisonOperator: 'BEGINS_WITH' as const, ComparisonValue: 'door' };
    const first = await h.kvs.send(new ListSignalingChannelsCommand({ MaxResults: 1, ChannelNameCondition: condition }));
    const second = await h.kvs.send(new ListSignalingChannelsCommand({ MaxResults: 1, ChannelNameCondition: condition, NextToken: first.NextToken }));
    expect([...first.ChannelInfoList!, ...second.ChannelInfoList!].map((c) => c.ChannelName)).toEqual(['door-1', 'door-2']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('channel tags', () => {
  test('TagResource, UntagResource and ListTagsForResource apply to signaling channels', async () => {
    const arn = await activeChannel(h, { ChannelName: 'door', Tags: [{ Key: 'a', Value: '1' }] });
    await h.kvs.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: 'one' }] }));
    await h.kvs.send(new UntagResourceCommand({ ResourceARN: arn, TagKeyList: ['b', 'missing'] }));
    expect((await h.kvs.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual({ a: 'one' });
  });

  test('fails stream ARNs: the API Reference says these calls tag signaling channels only', async () => {
    const arn = await activeStream(h, { StreamName: 'cam' });
    const err = await rejection(h.kvs.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: '1' }] })));
    expect(err).toBeInstanceOf(InvalidArgumentException);
    expect(err.message).toBe(`${arn} is a stream; this operation applies to signaling channels only. Use TagStream for streams.`);
    expect((await rejection(h.kvs.send(new ListTagsForResourceCommand({ ResourceARN: arn })))).message)
      .toBe(`${arn} is a stream; this operation applies to signaling channels only. Use ListTagsForStream for streams.`);
  });

  test('fails tags beyond 50 per channel', async () => {
    const list = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));
    const arn = await activeChannel(h, { ChannelName: 'door', Tags: list(0, 50) });
    const err = await rejection(h.kvs.send(new TagResourceCommand({ ResourceARN: arn, Tags: list(50, 1) })));
    expect(err).toBeInstanceOf(TagsPerResourceExceededLimitException);
    expect(Object.keys(h.server.state().channels[0].tags)).toHaveLength(50);
  });
});

describe('GetSignalingChannelEndpoint', () => {
  test('answers one endpoint per requested protocol', async () => {
    const arn = await activeChannel(h, { ChannelName: 'door' });
    const { ResourceEndpointList } = await h.kvs.send(new GetSignalingChannelEndpointCommand({
      ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS', 'HTTPS'], Role: 'MASTER' },
    }));
    expect(ResourceEndpointList).toEqual([
      { Protocol: 'WSS', ResourceEndpoint: expect.stringMatching(/^wss:\/\/m-[0-9a-f]{8}\.kinesisvideo\.us-east-1\.amazonaws\.com$/) },
      { Protocol: 'HTTPS', ResourceEndpoint: expect.stringMatching(/^https:\/\/r-[0-9a-f]{8}\.kinesisvideo\.us-east-1\.amazonaws\.com$/) },
    ]);
  });

  test('fails WEBRTC unless the channel stores media in a stream', async () => {
    const arn = await activeChannel(h, { ChannelName: 'door' });
    const webrtc = { ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WEBRTC' as const] } };
    const err = await rejection(h.kvs.send(new GetSignalingChannelEndpointCommand(webrtc)));
    expect(err).toBeInstanceOf(InvalidArgumentException);
    expect(err.message).toBe(`The WEBRTC protocol needs the signaling channel ${arn} to be configured for ingestion (media storage ENABLED).`);
    const stream = await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 1 });
    await h.kvs.send(new UpdateMediaStorageConfigurationCommand({ ChannelARN: arn, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: stream } }));
    const { ResourceEndpointList } = await h.kvs.send(new GetSignalingChannelEndpointCommand(webrtc));
    expect(ResourceEndpointList![0].ResourceEndpoint).toMatch(/^https:\/\/w-[0-9a-f]{8}\.kinesisvideo\.us-east-1\.amazonaws\.com$/);
  });
});

describe('media storage', () => {
  const enable = (ChannelARN: string, StreamARN?: string) => h.kvs.send(new UpdateMediaStorageConfigurationCommand({
    ChannelARN, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN },
  }));
  const mapped = async (StreamName: string) =>
    (await h.kvs.send(new DescribeMappedResourceConfigurationCommand({ StreamName }))).MappedResourceConfigurationList;

  test('is DISABLED until enabled; ENABLED maps the channel to the stream; DISABLED frees it', async () => {
    const channel = await activeChannel(h, { ChannelName: 'door' });
    const stream = await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    const describe = async () => (await h.kvs.send(new DescribeMediaStorageConfigurationCommand({ ChannelName: 'door' }))).MediaStorageConfiguration;
    expect(await describe()).toEqual({ Status: 'DISABLED' });
    expect(await mapped('cam')).toEqual([]);
    await enable(channel, stream);
    expect(await describe()).toEqual({ Status: 'ENABLED', StreamARN: stream });
    expect(await mapped('cam')).toEqual([{ Type: 'SIGNALING_CHANNEL', ARN: channel }]);
    expect(h.server.state().streams[0].mappedChannelArn).toBe(channel);
    await h.kvs.send(new UpdateMediaStorageConfigurationCommand({ ChannelARN: channel, MediaStorageConfiguration: { Status: 'DISABLED' } }));
    expect(await describe()).toEqual({ Status: 'DISABLED' });
    expect(await mapped('cam')).toEqual([]);
  });

  test('fails a stream already mapped to another channel, naming that channel', async () => {
    const first = await activeChannel(h, { ChannelName: 'door' });
    const second = await activeChannel(h, { ChannelName: 'yard' });
    const stream = await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    await enable(first, stream);
    const err = await rejection(enable(second, stream));
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect(err.message).toBe(`The stream ${stream} is already mapped to signaling channel ${first}.`);
    expect(h.server.state().channels[1].mediaStorageConfiguration).toEqual({ Status: 'DISABLED' });
  });

  test('fails a channel already mapped to another stream, naming that stream', async () => {
    const channel = await activeChannel(h, { ChannelName: 'door' });
    const a = await activeStream(h, { StreamName: 'a', DataRetentionInHours: 24 });
    const b = await activeStream(h, { StreamName: 'b', DataRetentionInHours: 24 });
    await enable(channel, a);
    const err = await rejection(enable(channel, b));
    expect(err).toBeInstanceOf(ResourceInUseException);
    expect(err.message).toBe(`The signaling channel ${channel} is already mapped to stream ${a}.`);
  });

  test('fails a stream without retention, a stream or channel that is not ACTIVE, and ENABLED without a stream', async () => {
    const channel = await activeChannel(h, { ChannelName: 'door' });
    const noRetention = await activeStream(h, { StreamName: 'live' });
    const err = await rejection(enable(channel, noRetention));
    expect(err).toBeInstanceOf(NoDataRetentionException);
    expect(err.message).toBe('The Stream data retention in hours is equal to zero.');
    const { StreamARN: creating } = await h.kvs.send(new CreateStreamCommand({ StreamName: 'new', DataRetentionInHours: 1 }));
    expect((await rejection(enable(channel, creating))).message).toBe(`The stream ${creating} is CREATING; the operation requires it to be ACTIVE.`);
    const { ChannelARN: newChannel } = await h.kvs.send(new CreateSignalingChannelCommand({ ChannelName: 'new' }));
    expect((await rejection(enable(newChannel!, noRetention))).message)
      .toBe(`The signaling channel ${newChannel} is CREATING; the operation requires it to be ACTIVE.`);
    expect((await rejection(enable(channel))).message).toBe('MediaStorageConfiguration.StreamARN is required when Status is ENABLED.');
    expect(h.server.state().channels.map((c) => c.mediaStorageConfiguration)).toEqual([{ Status: 'DISABLED' }, { Status: 'DISABLED' }]);
  });

  test('a deleted channel frees its stream', async () => {
    const first = await activeChannel(h, { ChannelName: 'door' });
    const second = await activeChannel(h, { ChannelName: 'yard' });
    const stream = await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
    await enable(first, stream);
    await h.kvs.send(new DeleteSignalingChannelCommand({ ChannelARN: first }));
    expect(await rejection(enable(second, stream))).toBeInstanceOf(ResourceInUseException);
    h.clock.advance(50);
    await enable(second, stream);
    expect(await mapped('cam')).toEqual([{ Type: 'SIGNALING_CHANNEL', ARN: second }]);
  });
});
