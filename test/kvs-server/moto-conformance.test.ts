import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  GetDataEndpointCommand,
  KinesisVideoClient,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis-video';
import { Harness, rawRequest, startHarness } from './testing';
import { MotoServer, startMoto } from '../support/moto';

/**
 * Conformance against something no one here wrote: moto's kinesisvideo backend (moto/kinesisvideo: urls.py routes
 * /createStream, /describeStream, /deleteStream, /listStreams, /getDataEndpoint; exceptions.py raises
 * ResourceNotFoundException "The requested stream is not found or not active." and ResourceInUseException "The stream
 * X already exists."). The same SDK call sequences run against both servers and must give the same status codes,
 * error names and response shapes. Where moto contradicts the API Reference, the test pins moto's behaviour and shows
 * this server following the API Reference instead.
 */

const STREAM_ARN = /^arn:aws:kinesisvideo:us-east-1:123456789012:stream\/cam\/\d{13}$/;
const DATA_ENDPOINT = /^https:\/\/([sb])-[0-9a-f]{8}\.kinesisvideo\.us-east-1\.amazonaws\.com$/;
const OUR_DATA_ENDPOINT = /^http:\/\/127\.0\.0\.1:\d+\/([sb])-[0-9a-f]{8}$/;
const CREDENTIALS = { accessKeyId: 'AKIAMOTOCONFORMANCE0', secretAccessKey: 'secret' };

let moto: MotoServer;
let motoEndpoint: string;
let h: Harness;
let targets: { ours: KinesisVideoClient; moto: KinesisVideoClient };

beforeAll(async () => {
  moto = await startMoto();
  motoEndpoint = moto.endpoint;
}, 60_000);

afterAll(() => moto.stop());

beforeEach(async () => {
  await rawRequest(motoEndpoint, 'POST', '/moto-api/reset');
  h = await startHarness();
  targets = {
    ours: h.kvs,
    moto: new KinesisVideoClient({ endpoint: motoEndpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 }),
  };
});

afterEach(async () => {
  targets.moto.destroy();
  await h.server.stop();
});

type Outcome = { ok: true; status?: number; output: Record<string, any> } | { ok: false; status?: number; name: string; message: string };

/** Sends the same command to both servers; success keeps the output without `$metadata`. */
async function both(command: () => any): Promise<{ ours: Outcome; moto: Outcome }> {
  const run = async (client: KinesisVideoClient): Promise<Outcome> => {
    try {
      const { $metadata, ...output } = await client.send(command());
      return { ok: true, status: $metadata.httpStatusCode, output };
    } catch (err: any) {
      return { ok: false, status: err.$metadata?.httpStatusCode, name: err.name, message: err.message };
    }
  };
  return { ours: await run(targets.ours), moto: await run(targets.moto) };
}

/** The shape of a value: member names and JSON types, recursively. */
function shape(value: unknown): unknown {
  if (value instanceof Date) return 'timestamp';
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(members.map(([k, v]) => [k, shape(v)]));
  }
  return typeof value;
}

/** Lets this server's CREATING/DELETING transitions finish; moto's are immediate. */
const settle = () => h.clock.advance(1_000);

const FULL_STREAM = { StreamName: 'cam', DeviceName: 'camera', MediaType: 'video/h264', KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1', DataRetentionInHours: 24 };

describe('the same calls give the same answers', () => {
  test('CreateStream: 200 and a stream ARN of the documented form', async () => {
    const { ours, moto: theirs } = await both(() => new CreateStreamCommand(FULL_STREAM));
    expect(ours).toEqual({ ok: true, status: 200, output: { StreamARN: expect.stringMatching(STREAM_ARN) } });
    expect(theirs).toEqual({ ok: true, status: 200, output: { StreamARN: expect.stringMatching(STREAM_ARN) } });
  });

  test('DescribeStream after the transition: the same StreamInfo shape and values', async () => {
    await both(() => new CreateStreamCommand(FULL_STREAM));
    settle();
    const { ours, moto: theirs } = await both(() => new DescribeStreamCommand({ StreamName: 'cam' }));
    if (!ours.ok || !theirs.ok) throw new Error(`DescribeStream failed: ${JSON.stringify({ ours, theirs })}`);
    expect(shape(ours.output)).toEqual(shape(theirs.output));
    const { Version: v1, CreationTime: t1, StreamARN: a1, ...rest1 } = ours.output.StreamInfo;
    const { Version: v2, CreationTime: t2, StreamARN: a2, ...rest2 } = theirs.output.StreamInfo;
    expect(rest1).toEqual(rest2);
    expect(rest2).toEqual({ StreamName: 'cam', DeviceName: 'camera', MediaType: 'video/h264', KmsKeyId: FULL_STREAM.KmsKeyId, DataRetentionInHours: 24, Status: 'ACTIVE' });
    for (const [version, created, arn] of [[v1, t1, a1], [v2, t2, a2]]) {
      expect(version).toMatch(/^[a-zA-Z0-9]{1,64}$/);
      expect(created).toBeInstanceOf(Date);
      expect(arn).toMatch(STREAM_ARN);
    }
  });

  test('ListStreams: the same list shape', async () => {
    await both(() => new CreateStreamCommand(FULL_STREAM));
    await both(() => new CreateStreamCommand({ ...FULL_STREAM, StreamName: 'door' }));
    settle();
    const { ours, moto: theirs } = await both(() => new ListStreamsCommand({}));
    if (!ours.ok || !theirs.ok) throw new Error(`ListStreams failed: ${JSON.stringify({ ours, theirs })}`);
    expect(shape(ours.output)).toEqual(shape(theirs.output));
    expect(ours.output.StreamInfoList.map((s: any) => s.StreamName)).toEqual(theirs.output.StreamInfoList.map((s: any) => s.StreamName));
  });

  test('GetDataEndpoint: s- hosts for PUT_MEDIA and GET_MEDIA, b- hosts for the others', async () => {
    await both(() => new CreateStreamCommand(FULL_STREAM));
    settle();
    for (const [APIName, prefix] of [['PUT_MEDIA', 's'], ['GET_MEDIA', 's'], ['GET_HLS_STREAMING_SESSION_URL', 'b'], ['GET_CLIP', 'b']] as const) {
      const { ours, moto: theirs } = await both(() => new GetDataEndpointCommand({ StreamName: 'cam', APIName }));
      // moto answers the service's host names; this server answers paths on itself, where its data plane listens.
      for (const [outcome, pattern] of [[ours, OUR_DATA_ENDPOINT], [theirs, DATA_ENDPOINT]] as const) {
        expect(outcome).toEqual({ ok: true, status: 200, output: { DataEndpoint: expect.stringMatching(pattern) } });
        expect(pattern.exec((outcome as any).output.DataEndpoint)![1]).toBe(prefix);
      }
    }
  });

  test('DeleteStream: 200 with no output, then the stream is not found', async () => {
    const created = await both(() => new CreateStreamCommand(FULL_STREAM));
    settle();
    const arns = { ours: (created.ours as any).output.StreamARN, moto: (created.moto as any).output.StreamARN };
    const deleted = {
      ours: await targets.ours.send(new DeleteStreamCommand({ StreamARN: arns.ours })),
      moto: await targets.moto.send(new DeleteStreamCommand({ StreamARN: arns.moto })),
    };
    expect([deleted.ours.$metadata.httpStatusCode, deleted.moto.$metadata.httpStatusCode]).toEqual([200, 200]);
    settle();
    const { ours, moto: theirs } = await both(() => new DescribeStreamCommand({ StreamName: 'cam' }));
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ ok: false, status: 404, name: 'ResourceNotFoundException', message: 'The requested stream is not found or not active.' });
  });

  test('errors: the same names, statuses and messages', async () => {
    const missingArn = 'arn:aws:kinesisvideo:us-east-1:123456789012:stream/missing/1598784211076';
    const notFound = { ok: false, status: 404, name: 'ResourceNotFoundException', message: 'The requested stream is not found or not active.' };
    for (const command of [
      () => new DescribeStreamCommand({ StreamName: 'missing' }),
      () => new DescribeStreamCommand({ StreamARN: missingArn }),
      () => new GetDataEndpointCommand({ StreamName: 'missing', APIName: 'PUT_MEDIA' }),
      () => new DeleteStreamCommand({ StreamARN: missingArn }),
    ]) {
      const { ours, moto: theirs } = await both(command);
      expect(ours).toEqual(notFound);
      expect(theirs).toEqual(notFound);
    }
    await both(() => new CreateStreamCommand(FULL_STREAM));
    const { ours, moto: theirs } = await both(() => new CreateStreamCommand(FULL_STREAM));
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ ok: false, status: 400, name: 'ResourceInUseException', message: 'The stream cam already exists.' });
  });
});

describe('where moto contradicts the API Reference, this server follows the API Reference', () => {
  test('a new stream is CREATING first (CreateStream "is an asynchronous operation"); moto reports ACTIVE at once', async () => {
    await both(() => new CreateStreamCommand(FULL_STREAM));
    const { ours, moto: theirs } = await both(() => new DescribeStreamCommand({ StreamName: 'cam' }));
    expect([(ours as any).output.StreamInfo.Status, (theirs as any).output.StreamInfo.Status]).toEqual(['CREATING', 'ACTIVE']);
  });

  test('the ARN ends in the creation time; moto always uses 1598784211076', async () => {
    const { ours, moto: theirs } = await both(() => new CreateStreamCommand(FULL_STREAM));
    expect((theirs as any).output.StreamARN).toBe('arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1598784211076');
    expect((ours as any).output.StreamARN).toBe(`arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/${h.clock.now}`);
  });

  test('defaults: retention 0 and the aws/kinesisvideo key are reported; moto omits both', async () => {
    await both(() => new CreateStreamCommand({ StreamName: 'cam' }));
    settle();
    const { ours, moto: theirs } = await both(() => new DescribeStreamCommand({ StreamName: 'cam' }));
    const pick = (o: Outcome) => {
      const info = (o as any).output.StreamInfo;
      return [info.DataRetentionInHours, info.KmsKeyId];
    };
    expect(pick(theirs)).toEqual([undefined, undefined]);
    expect(pick(ours)).toEqual([0, 'arn:aws:kms:us-east-1:123456789012:alias/aws/kinesisvideo']);
  });

  test('fails names outside the documented pattern [a-zA-Z0-9_.-]+; moto accepts them', async () => {
    const { ours, moto: theirs } = await both(() => new CreateStreamCommand({ StreamName: 'bad name' }));
    expect(theirs).toEqual({ ok: true, status: 200, output: { StreamARN: 'arn:aws:kinesisvideo:us-east-1:123456789012:stream/bad name/1598784211076' } });
    expect(ours).toMatchObject({ ok: false, status: 400, name: 'InvalidArgumentException' });
  });

  test('fails an APIName outside the documented enum; moto answers an endpoint', async () => {
    await both(() => new CreateStreamCommand(FULL_STREAM));
    settle();
    const { ours, moto: theirs } = await both(() => new GetDataEndpointCommand({ StreamName: 'cam', APIName: 'PLAY' as any }));
    expect(theirs).toEqual({ ok: true, status: 200, output: { DataEndpoint: expect.stringMatching(DATA_ENDPOINT) } });
    expect(ours).toMatchObject({ ok: false, status: 400, name: 'InvalidArgumentException' });
  });

  test('fails DeleteStream with a stale CurrentVersion (VersionMismatchException); moto ignores the version and deletes', async () => {
    const created = await both(() => new CreateStreamCommand(FULL_STREAM));
    settle();
    const arn = (o: Outcome) => (o as any).output.StreamARN;
    const ours = await targets.ours.send(new DeleteStreamCommand({ StreamARN: arn(created.ours), CurrentVersion: 'stale' })).catch((e: Error) => e.name);
    const theirs = await targets.moto.send(new DeleteStreamCommand({ StreamARN: arn(created.moto), CurrentVersion: 'stale' })).then((r) => r.$metadata.httpStatusCode);
    expect([ours, theirs]).toEqual(['VersionMismatchException', 200]);
    expect((await both(() => new DescribeStreamCommand({ StreamName: 'cam' }))).moto).toMatchObject({ ok: false, name: 'ResourceNotFoundException' });
  });

  test('filters ListStreams by StreamNameCondition; moto ignores the condition', async () => {
    await both(() => new CreateStreamCommand(FULL_STREAM));
    await both(() => new CreateStreamCommand({ StreamName: 'door' }));
    const { ours, moto: theirs } = await both(() => new ListStreamsCommand({ StreamNameCondition: { ComparisonOperator: 'BEGINS_WITH', ComparisonValue: 'do' } }));
    const names = (o: Outcome) => (o as any).output.StreamInfoList.map((s: any) => s.StreamName);
    expect([names(ours), names(theirs)]).toEqual([['door'], ['cam', 'door']]);
  });

  test('fails a call naming neither StreamName nor StreamARN with InvalidArgumentException; moto answers ResourceNotFoundException', async () => {
    const { ours, moto: theirs } = await both(() => new DescribeStreamCommand({}));
    expect(theirs).toMatchObject({ ok: false, status: 404, name: 'ResourceNotFoundException' });
    expect(ours).toEqual({ ok: false, status: 400, name: 'InvalidArgumentException', message: 'Specify either the StreamName or the StreamARN.' });
  });
});
