import * as sdk from '@aws-sdk/client-kinesis-video';
import { tpsLimitFor } from './index';
import { ServiceModel } from './model';
import { activeChannel, activeStream, EPOCH, Harness, rejection, startHarness } from './testing';

/**
 * Every error each operation declares (the model's `errors`, plus the API Reference's for the two Stream-storage
 * operations) comes back through the real SDK as its own exception class. Where the server can produce the error
 * from state or input it does so ("natural"); the rest (AccessDenied, NotAuthorized, account limits, "Not implemented"
 * device errors) come from fault injection ("injected"). ClientLimitExceededException comes from the documented rate
 * limits, scaled to 1 TPS, wherever the operation has one.
 */

type Input = Record<string, any>;

interface Fixture {
  /** ACTIVE, 24 h retention, an IN_SYNC edge configuration. */
  cam: string;
  camVersion: string;
  /** ACTIVE, no retention. */
  live: string;
  /** ACTIVE signaling channel, and its version. */
  door: string;
  doorVersion: string;
  /** A stream and a channel still CREATING. */
  freshStream: string;
  freshChannel: string;
}

const HUB = 'arn:aws:iot:us-east-1:123456789012:thing/hub-1';
const MISSING_STREAM = `arn:aws:kinesisvideo:us-east-1:123456789012:stream/missing/${EPOCH}`;
const MISSING_CHANNEL = `arn:aws:kinesisvideo:us-east-1:123456789012:channel/missing/${EPOCH}`;
const EDGE_CONFIG = {
  HubDeviceArn: HUB,
  RecorderConfig: { MediaSourceConfig: { MediaUriSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cam', MediaUriType: 'RTSP_URI' } },
};
const NOTIFICATION = { Status: 'ENABLED', DestinationConfig: { Uri: 'arn:aws:sns:us-east-1:123456789012:topic' } };
const IMAGE = {
  Status: 'ENABLED',
  ImageSelectorType: 'SERVER_TIMESTAMP',
  SamplingInterval: 1000,
  Format: 'PNG',
  DestinationConfig: { Uri: 's3://bucket', DestinationRegion: 'us-east-1' },
};
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
const tagList = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));

type Natural = (f: Fixture) => Input;
interface OperationCase {
  /** A request that succeeds against the fixture. */
  valid: (f: Fixture) => Input;
  /** Requests that fail with the error without any fault injected. */
  natural: Record<string, Natural>;
}

const byStream = (extra: Natural = () => ({})): OperationCase['natural'] => ({
  InvalidArgumentException: (f) => ({ ...extra(f), StreamName: 'bad name' }),
  ResourceNotFoundException: (f) => ({ ...extra(f), StreamARN: MISSING_STREAM }),
});
const byChannel = (extra: Natural = () => ({})): OperationCase['natural'] => ({
  InvalidArgumentException: (f) => ({ ...extra(f), ChannelARN: 'bad' }),
  ResourceNotFoundException: (f) => ({ ...extra(f), ChannelARN: MISSING_CHANNEL }),
});

const CASES: Record<string, OperationCase> = {
  CreateStream: {
    valid: () => ({ StreamName: 'new' }),
    natural: {
      InvalidArgumentException: () => ({ StreamName: 'bad name' }),
      ResourceInUseException: () => ({ StreamName: 'cam' }),
      TagsPerResourceExceededLimitException: () => ({ StreamName: 'new', Tags: tags(51) }),
    },
  },
  DescribeStream: { valid: (f) => ({ StreamARN: f.cam }), natural: byStream() },
  ListStreams: { valid: () => ({}), natural: { InvalidArgumentException: () => ({ MaxResults: 0 }) } },
  DeleteStream: {
    valid: (f) => ({ StreamARN: f.live }),
    natural: {
      InvalidArgumentException: () => ({ StreamARN: 'bad' }),
      ResourceNotFoundException: () => ({ StreamARN: MISSING_STREAM }),
      ResourceInUseException: (f) => ({ StreamARN: f.freshStream }),
      VersionMismatchException: (f) => ({ StreamARN: f.live, CurrentVersion: 'stale' }),
    },
  },
  UpdateStream: {
    valid: (f) => ({ StreamARN: f.cam, CurrentVersion: f.camVersion, DeviceName: 'd' }),
    natural: {
      ...byStream((f) => ({ CurrentVersion: f.camVersion })),
      ResourceInUseException: (f) => ({ StreamARN: f.freshStream, CurrentVersion: 'any' }),
      VersionMismatchException: (f) => ({ StreamARN: f.cam, CurrentVersion: 'stale' }),
    },
  },
  UpdateDataRetention: {
    valid: (f) => ({ StreamARN: f.cam, CurrentVersion: f.camVersion, Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 }),
    natural: {
      InvalidArgumentException: (f) => ({ StreamARN: f.cam, CurrentVersion: f.camVersion, Operation: 'DECREASE_DATA_RETENTION', DataRetentionChangeInHours: 25 }),
      ResourceNotFoundException: () => ({ StreamARN: MISSING_STREAM, CurrentVersion: 'v', Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 }),
      ResourceInUseException: (f) => ({ StreamARN: f.freshStream, CurrentVersion: 'v', Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 }),
      VersionMismatchException: (f) => ({ StreamARN: f.cam, CurrentVersion: 'stale', Operation: 'INCREASE_DATA_RETENTION', DataRetentionChangeInHours: 1 }),
    },
  },
  UpdateStreamStorageConfiguration: {
    valid: (f) => ({ StreamARN: f.cam, CurrentVersion: f.camVersion, StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } }),
    natural: {
      ...byStream((f) => ({ CurrentVersion: f.camVersion, StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } })),
      ResourceInUseException: (f) => ({ StreamARN: f.freshStream, CurrentVersion: 'v', StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } }),
      VersionMismatchException: (f) => ({ StreamARN: f.cam, CurrentVersion: 'stale', StreamStorageConfiguration: { DefaultStorageTier: 'WARM' } }),
    },
  },
  DescribeStreamStorageConfiguration: { valid: (f) => ({ StreamARN: f.cam }), natural: byStream() },
  GetDataEndpoint: { valid: (f) => ({ StreamARN: f.cam, APIName: 'PUT_MEDIA' }), natural: byStream(() => ({ APIName: 'GET_MEDIA' })) },
  TagStream: {
    valid: (f) => ({ StreamARN: f.cam, Tags: { a: 'b' } }),
    natural: {
      ...byStream(() => ({ Tags: { a: 'b' } })),
      InvalidResourceFormatException: (f) => ({ StreamARN: f.door, Tags: { a: 'b' } }),
      TagsPerResourceExceededLimitException: (f) => ({ StreamARN: f.cam, Tags: tags(51) }),
    },
  },
  UntagStream: {
    valid: (f) => ({ StreamARN: f.cam, TagKeyList: ['a'] }),
    natural: { ...byStream(() => ({ TagKeyList: ['a'] })), InvalidResourceFormatException: () => ({ StreamARN: 'bad', TagKeyList: ['a'] }) },
  },
  ListTagsForStream: {
    valid: (f) => ({ StreamARN: f.cam }),
    natural: { ...byStream(), InvalidResourceFormatException: (f) => ({ StreamARN: f.door }) },
  },
  CreateSignalingChannel: {
    valid: () => ({ ChannelName: 'new' }),
    natural: {
      InvalidArgumentException: () => ({ ChannelName: 'bad name' }),
      ResourceInUseException: () => ({ ChannelName: 'door' }),
      TagsPerResourceExceededLimitException: () => ({ ChannelName: 'new', Tags: tagList(51) }),
    },
  },
  DescribeSignalingChannel: { valid: (f) => ({ ChannelARN: f.door }), natural: byChannel() },
  ListSignalingChannels: { valid: () => ({}), natural: { InvalidArgumentException: () => ({ MaxResults: 0 }) } },
  UpdateSignalingChannel: {
    valid: (f) => ({ ChannelARN: f.door, CurrentVersion: f.doorVersion, SingleMasterConfiguration: { MessageTtlSeconds: 30 } }),
    natural: {
      ...byChannel((f) => ({ CurrentVersion: f.doorVersion, SingleMasterConfiguration: { MessageTtlSeconds: 30 } })),
      ResourceInUseException: (f) => ({ ChannelARN: f.freshChannel, CurrentVersion: 'v', SingleMasterConfiguration: { MessageTtlSeconds: 30 } }),
      VersionMismatchException: (f) => ({ ChannelARN: f.door, CurrentVersion: 'stale', SingleMasterConfiguration: { MessageTtlSeconds: 30 } }),
    },
  },
  DeleteSignalingChannel: {
    valid: (f) => ({ ChannelARN: f.door }),
    natural: {
      ...byChannel(),
      ResourceInUseException: (f) => ({ ChannelARN: f.freshChannel }),
      VersionMismatchException: (f) => ({ ChannelARN: f.door, CurrentVersion: 'stale' }),
    },
  },
  GetSignalingChannelEndpoint: {
    valid: (f) => ({ ChannelARN: f.door }),
    natural: {
      ...byChannel(),
      InvalidArgumentException: (f) => ({ ChannelARN: f.door, SingleMasterChannelEndpointConfiguration: { Protocols: ['WEBRTC'] } }),
      ResourceInUseException: (f) => ({ ChannelARN: f.freshChannel }),
    },
  },
  TagResource: {
    valid: (f) => ({ ResourceARN: f.door, Tags: tagList(1) }),
    natural: {
      InvalidArgumentException: (f) => ({ ResourceARN: f.cam, Tags: tagList(1) }),
      ResourceNotFoundException: () => ({ ResourceARN: MISSING_CHANNEL, Tags: tagList(1) }),
      TagsPerResourceExceededLimitException: (f) => ({ ResourceARN: f.door, Tags: tagList(51) }),
    },
  },
  UntagResource: {
    valid: (f) => ({ ResourceARN: f.door, TagKeyList: ['k0'] }),
    natural: {
      InvalidArgumentException: (f) => ({ ResourceARN: f.cam, TagKeyList: ['k0'] }),
      ResourceNotFoundException: () => ({ ResourceARN: MISSING_CHANNEL, TagKeyList: ['k0'] }),
    },
  },
  ListTagsForResource: {
    valid: (f) => ({ ResourceARN: f.door }),
    natural: {
      InvalidArgumentException: (f) => ({ ResourceARN: f.cam }),
      ResourceNotFoundException: () => ({ ResourceARN: MISSING_CHANNEL }),
    },
  },
  UpdateNotificationConfiguration: {
    valid: (f) => ({ StreamARN: f.cam, NotificationConfiguration: NOTIFICATION }),
    natural: {
      ...byStream(() => ({ NotificationConfiguration: NOTIFICATION })),
      NoDataRetentionException: (f) => ({ StreamARN: f.live, NotificationConfiguration: NOTIFICATION }),
      ResourceInUseException: (f) => ({ StreamARN: f.freshStream, NotificationConfiguration: NOTIFICATION }),
    },
  },
  DescribeNotificationConfiguration: { valid: (f) => ({ StreamARN: f.cam }), natural: byStream() },
  UpdateImageGenerationConfiguration: {
    valid: (f) => ({ StreamARN: f.cam, ImageGenerationConfiguration: IMAGE }),
    natural: {
      ...byStream(() => ({ ImageGenerationConfiguration: IMAGE })),
      NoDataRetentionException: (f) => ({ StreamARN: f.live, ImageGenerationConfiguration: IMAGE }),
      ResourceInUseException: (f) => ({ StreamARN: f.freshStream, ImageGenerationConfiguration: IMAGE }),
    },
  },
  DescribeImageGenerationConfiguration: { valid: (f) => ({ StreamARN: f.cam }), natural: byStream() },
  UpdateMediaStorageConfiguration: {
    valid: (f) => ({ ChannelARN: f.door, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: f.cam } }),
    natural: {
      ...byChannel((f) => ({ MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: f.cam } })),
      NoDataRetentionException: (f) => ({ ChannelARN: f.door, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: f.live } }),
      ResourceInUseException: (f) => ({ ChannelARN: f.freshChannel, MediaStorageConfiguration: { Status: 'ENABLED', StreamARN: f.cam } }),
    },
  },
  DescribeMediaStorageConfiguration: { valid: (f) => ({ ChannelARN: f.door }), natural: byChannel() },
  DescribeMappedResourceConfiguration: { valid: (f) => ({ StreamARN: f.cam }), natural: byStream() },
  StartEdgeConfigurationUpdate: {
    valid: (f) => ({ StreamARN: f.cam, EdgeConfig: EDGE_CONFIG }),
    natural: {
      ...byStream(() => ({ EdgeConfig: EDGE_CONFIG })),
      NoDataRetentionException: (f) => ({ StreamARN: f.live, EdgeConfig: EDGE_CONFIG }),
      ResourceInUseException: (f) => ({ StreamARN: f.freshStream, EdgeConfig: EDGE_CONFIG }),
    },
  },
  DescribeEdgeConfiguration: {
    valid: (f) => ({ StreamARN: f.cam }),
    natural: { ...byStream(), StreamEdgeConfigurationNotFoundException: (f) => ({ StreamARN: f.live }) },
  },
  DeleteEdgeConfiguration: {
    valid: (f) => ({ StreamARN: f.cam }),
    natural: { ...byStream(), StreamEdgeConfigurationNotFoundException: (f) => ({ StreamARN: f.live }) },
  },
  ListEdgeAgentConfigurations: {
    valid: () => ({ HubDeviceArn: HUB }),
    natural: { InvalidArgumentException: () => ({ HubDeviceArn: 'arn:aws:iot:us-east-1:123456789012:policy/hub' }) },
  },
};

const model = ServiceModel.load();
const send = (h: Harness, op: string, input: Input): Promise<any> => {
  const Command = (sdk as any)[`${op}Command`];
  return h.kvs.send(new Command(input));
};

async function fixture(h: Harness): Promise<Fixture> {
  const cam = await activeStream(h, { StreamName: 'cam', DataRetentionInHours: 24 });
  await send(h, 'StartEdgeConfigurationUpdate', { StreamARN: cam, EdgeConfig: EDGE_CONFIG });
  const live = await activeStream(h, { StreamName: 'live' });
  const door = await activeChannel(h, { ChannelName: 'door' });
  const { StreamARN: freshStream } = await send(h, 'CreateStream', { StreamName: 'fresh', DataRetentionInHours: 1 });
  const { ChannelARN: freshChannel } = await send(h, 'CreateSignalingChannel', { ChannelName: 'fresh' });
  const state = h.server.state();
  return { cam, camVersion: state.streams[0].version, live, door, doorVersion: state.channels[0].version, freshStream, freshChannel };
}

const pairs = [...model.operations.values()].flatMap((op) => op.errors.map((error) => {
  const how = CASES[op.name]?.natural[error] ? 'natural'
    : error === 'ClientLimitExceededException' && tpsLimitFor(op.name) ? 'rate limit' : 'injected';
  return [op.name, error, how] as const;
}));

test('the cases cover every operation, and natural cases name only declared errors', () => {
  expect(Object.keys(CASES).sort()).toEqual([...model.operations.keys()].sort());
  for (const op of model.operations.values()) {
    const undeclared = Object.keys(CASES[op.name].natural).filter((e) => !op.errors.includes(e));
    expect({ op: op.name, undeclared }).toEqual({ op: op.name, undeclared: [] });
  }
  const tally = (how: string) => pairs.filter((p) => p[2] === how).length;
  expect({ all: pairs.length, natural: tally('natural'), rateLimit: tally('rate limit'), injected: tally('injected') })
    .toEqual({ all: 157, natural: 91, rateLimit: 19, injected: 47 });
});

describe.each(pairs)('%s fails with %s (%s)', (op, error, how) => {
  let h: Harness;
  let f: Fixture;
  beforeEach(async () => {
    h = await startHarness();
    f = await fixture(h);
  });
  afterEach(() => h.server.stop());

  test('surfaced by the SDK as its exception class, with the documented status', async () => {
    const valid = CASES[op].valid(f);
    let input = valid;
    if (how === 'natural') {
      input = CASES[op].natural[error](f);
    } else if (how === 'rate limit') {
      const limit = tpsLimitFor(op)!;
      h.server.setRateLimits({ scale: 1 / (limit.resource ?? limit.account)! });
      await send(h, op, valid);
    } else {
      h.server.injectFault(op, { kind: 'error', errorType: error });
    }
    const err = await rejection(send(h, op, input));
    expect(err).toBeInstanceOf((sdk as any)[error]);
    expect(err.name).toBe(error);
    expect(err.$metadata?.httpStatusCode).toBe(model.errorStatus(error));
    expect(h.server.requests().slice(-1)[0].fault).toBe(how === 'injected' ? 'error' : undefined);
    if (how !== 'rate limit') await send(h, op, valid); // the same call without the cause succeeds
  });
});
