import {
  CreateSignalingChannelCommand,
  CreateStreamCommand,
  DescribeStreamCommand,
  GetDataEndpointCommand,
  InvalidArgumentException,
  InvalidResourceFormatException,
  StartEdgeConfigurationUpdateCommand,
  TagStreamCommand,
  TagsPerResourceExceededLimitException,
  UntagStreamCommand,
  UpdateDataRetentionCommand,
  UpdateImageGenerationConfigurationCommand,
  UpdateStreamStorageConfigurationCommand,
} from '@aws-sdk/client-kinesis-video';
import { activeStream, Harness, rawRequest, rejection, startHarness } from './testing';

const HUB = 'arn:aws:iot:us-east-1:123456789012:thing/hub-1';
const fiftyOneTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.server.stop());

async function expectInvalid(promise: Promise<unknown>, message: string) {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(InvalidArgumentException);
  expect(err.message).toBe(message);
  expect(err.$metadata?.httpStatusCode).toBe(400);
}

describe('model-driven validation', () => {
  test('fails missing required members', async () => {
    await expectInvalid(h.kvs.send(new CreateStreamCommand({} as any)),
      "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
  });

  test('fails lengths, patterns and ranges, listing every violation', async () => {
    await expectInvalid(h.kvs.send(new CreateStreamCommand({ StreamName: '', DataRetentionInHours: -1 })),
      "3 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; "
      + "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.-]+$; "
      + "Value -1 at 'dataRetentionInHours' failed to satisfy constraint: Member must have value greater than or equal to 0");
    await expectInvalid(h.kvs.send(new CreateStreamCommand({ StreamName: 'x'.repeat(257) })),
      `1 validation error detected: Value '${'x'.repeat(257)}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 256`);
  });

  test('fails values outside an enum', async () => {
    await expectInvalid(h.kvs.send(new GetDataEndpointCommand({ StreamName: 's', APIName: 'PLAY' as any })),
      "1 validation error detected: Value 'PLAY' at 'aPIName' failed to satisfy constraint: Member must satisfy enum value set: "
      + '[PUT_MEDIA, GET_MEDIA, LIST_FRAGMENTS, GET_MEDIA_FOR_FRAGMENT_LIST, GET_HLS_STREAMING_SESSION_URL, GET_DASH_STREAMING_SESSION_URL, GET_CLIP, GET_IMAGES]');
  });

  test('walks nested structures', async () => {
    await expectInvalid(h.kvs.send(new StartEdgeConfigurationUpdateCommand({
      StreamName: 's',
      EdgeConfig: {
        HubDeviceArn: HUB,
        RecorderConfig: { MediaSourceConfig: { MediaUriSecretArn: 'arn:aws:s3:::bucket/secret', MediaUriType: 'RTSP_URI' } },
        DeletionConfig: { EdgeRetentionInHours: 721, LocalSizeConfig: { MaxLocalMediaSizeInMB: 63, StrategyOnFullSize: 'DELETE_OLDEST_MEDIA' } },
        UploaderConfig: { ScheduleConfig: { ScheduleExpression: '0 0 * * * ?', DurationInSeconds: 59 } },
      },
    })),
    '4 validation errors detected: '
      + "Value 'arn:aws:s3:::bucket/secret' at 'edgeConfig.recorderConfig.mediaSourceConfig.mediaUriSecretArn' failed to satisfy constraint: "
      + 'Member must satisfy regular expression pattern: ^arn:[a-z\\d-]+:secretsmanager:[a-z0-9-]+:[0-9]+:secret:[a-zA-Z0-9_.-]+$; '
      + "Value 59 at 'edgeConfig.uploaderConfig.scheduleConfig.durationInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60; "
      + "Value 721 at 'edgeConfig.deletionConfig.edgeRetentionInHours' failed to satisfy constraint: Member must have value less than or equal to 720; "
      + "Value 63 at 'edgeConfig.deletionConfig.localSizeConfig.maxLocalMediaSizeInMB' failed to satisfy constraint: Member must have value greater than or equal to 64");
    await expectInvalid(h.kvs.send(new StartEdgeConfigurationUpdateCommand({ StreamName: 's', EdgeConfig: { HubDeviceArn: HUB } as any })),
      "1 validation error detected: Value null at 'edgeConfig.recorderConfig' failed to satisfy constraint: Member must not be null");
  });

  test('walks list members and map keys and values', async () => {
    await expectInvalid(h.kvs.send(new UntagStreamCommand({ StreamName: 's', TagKeyList: ['ok', ''] })),
      "1 validation error detected: Value '' at 'tagKeyList.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1");
    await expectInvalid(h.kvs.send(new TagStreamCommand({ StreamName: 's', Tags: { 'bad*key': 'v' } })),
      "1 validation error detected: Value 'bad*key' at 'tags.key(bad*key)' failed to satisfy constraint: "
      + 'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
  });

  test('compiles \\p{..} patterns with the u flag, so Unicode letters pass', async () => {
    await h.kvs.send(new CreateStreamCommand({ StreamName: 'unicode', Tags: { Größe: 'süß 大きい' } }));
    expect(h.server.state().streams[0].tags).toEqual({ Größe: 'süß 大きい' });
  });

  test('fails JSON values of the wrong type, and treats null as absent', async () => {
    const wrong = await rawRequest(h.server.endpoint, 'POST', '/createStream', '{"StreamName":"typed","DataRetentionInHours":"24"}');
    expect(JSON.parse(wrong.body)).toEqual({
      __type: 'InvalidArgumentException',
      message: "1 validation error detected: Value '24' at 'dataRetentionInHours' failed to satisfy constraint: Member must be of type integer",
    });
    const nulls = await rawRequest(h.server.endpoint, 'POST', '/createStream', '{"StreamName":"typed","DataRetentionInHours":null,"Tags":null}');
    expect(nulls.status).toBe(200);
    expect(h.server.state().streams.map((s) => [s.name, s.dataRetentionInHours, s.tags])).toEqual([['typed', 0, {}]]);
  });

  test('validates the hand-written Stream-storage shapes the model lacks', async () => {
    await expectInvalid(h.kvs.send(new CreateStreamCommand({ StreamName: 's', StreamStorageConfiguration: { DefaultStorageTier: 'COLD' as any } })),
      "1 validation error detected: Value 'COLD' at 'streamStorageConfiguration.defaultStorageTier' failed to satisfy constraint: Member must satisfy enum value set: [HOT, WARM]");
    await expectInvalid(h.kvs.send(new UpdateStreamStorageConfigurationCommand({ StreamName: 's' } as any)),
      "2 validation errors detected: Value null at 'currentVersion' failed to satisfy constraint: Member must not be null; "
      + "Value null at 'streamStorageConfiguration' failed to satisfy constraint: Member must not be null");
  });
});

describe('documented rules beyond the model', () => {
  test('fails a call that names neither the stream nor its ARN', async () => {
    await expectInvalid(h.kvs.send(new DescribeStreamCommand({})), 'Specify either the StreamName or the StreamARN.');
  });

  test('fails a retention above 87600 hours at creation', async () => {
    await expectInvalid(h.kvs.send(new CreateStreamCommand({ StreamName: 's', DataRetentionInHours: 87601 })),
      'DataRetentionInHours must be between 0 and 87600; received 87601.');
  });

  test('fails FULL_MESH channels: SINGLE_MASTER is the only supported type', async () => {
    await expectInvalid(h.kvs.send(new CreateSignalingChannelCommand({ ChannelName: 'c', ChannelType: 'FULL_MESH' })),
      'ChannelType FULL_MESH is not supported; SINGLE_MASTER is the only supported channel type.');
  });

  test('fails more than 50 tags on a new stream with TagsPerResourceExceededLimitException', async () => {
    const err = await rejection(h.kvs.send(new CreateStreamCommand({ StreamName: 's', Tags: fiftyOneTags })));
    expect(err).toBeInstanceOf(TagsPerResourceExceededLimitException);
    expect(err.message).toBe('You have exceeded the limit of tags that you can associate with the resource. A Kinesis video stream can support up to 50 tags.');
  });

  test('fails a malformed or non-stream StreamARN on the *Stream tag calls with InvalidResourceFormatException', async () => {
    for (const StreamARN of ['not-an-arn', 'arn:aws:kinesisvideo:us-east-1:123456789012:channel/c/1767225600000']) {
      const err = await rejection(h.kvs.send(new TagStreamCommand({ StreamARN, Tags: { a: 'b' } })));
      expect(err).toBeInstanceOf(InvalidResourceFormatException);
      expect(err.message).toBe('The format of the StreamARN is invalid.');
    }
  });
});

test('a bad request never changes state', async () => {
  const arn = await activeStream(h, { StreamName: 'kept', DataRetentionInHours: 24, Tags: { a: 'b' } });
  const before = h.server.state();
  const version = before.streams[0].version;
  const bad = [
    new UpdateDataRetentionCommand({ StreamARN: arn, CurrentVersion: version, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 0 }),
    new TagStreamCommand({ StreamARN: arn, Tags: fiftyOneTags }),
    new UpdateImageGenerationConfigurationCommand({
      StreamARN: arn,
      ImageGenerationConfiguration: {
        Status: 'ENABLED',
        ImageSelectorType: 'SERVER_TIMESTAMP',
        DestinationConfig: { Uri: 's3://bucket', DestinationRegion: 'us-east-1' },
        SamplingInterval: 100,
        Format: 'JPEG',
      },
    }),
    new CreateStreamCommand({ StreamName: 'new stream' }),
  ];
  for (const command of bad) await rejection(h.kvs.send(command as any));
  expect(h.server.requests().slice(-4).map((r) => r.errorType)).toEqual([
    'InvalidArgumentException', 'TagsPerResourceExceededLimitException', 'InvalidArgumentException', 'InvalidArgumentException',
  ]);
  expect(h.server.state()).toEqual(before);
});
