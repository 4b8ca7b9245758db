import { GetDataEndpointCommand, KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { GetImagesCommand, KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { DataEndpoints } from '../../lambda/playback/endpoints';
import { createPlaybackHandler } from '../../lambda/playback/handler';

/*
 * A narrow unit case that the test server cannot produce cheaply: a page of images larger than a Lambda function may
 * answer (6 MB). The clients are mocked; every route's behaviour against the real wire protocol is in playback.test.ts.
 */
const kvs = mockClient(KinesisVideoClient);
const media = mockClient(KinesisVideoArchivedMediaClient);

afterAll(() => {
  kvs.restore();
  media.restore();
});

test('fails with 400 AnswerTooLarge when the images of a page exceed what Lambda can answer', async () => {
  kvs.on(GetDataEndpointCommand).resolves({ DataEndpoint: 'https://b-1234.kinesisvideo.us-east-1.amazonaws.com' });
  const start = Date.parse('2026-01-01T00:00:00Z');
  media.on(GetImagesCommand).resolves({
    Images: Array.from({ length: 25 }, (_, i) => ({ TimeStamp: new Date(start + i * 1000), ImageContent: 'A'.repeat(250_000) })),
  });
  const handler = createPlaybackHandler({
    endpoints: new DataEndpoints(new KinesisVideoClient({ region: 'us-east-1' }), () => new KinesisVideoArchivedMediaClient({ region: 'us-east-1' })),
    s3: new S3Client({ region: 'us-east-1' }),
    presign: async () => 'unused',
    now: () => start + 3_600_000,
    config: {
      served: { names: ['cam-1'], prefixes: [] },
      authorization: 'IAM',
      clipBucket: 'b',
      clipKeyPrefix: 'clips/',
      clipUrlExpiresSeconds: 900,
      sessionExpiresSeconds: 3600,
    },
  });
  const answer = await handler({
    routeKey: 'GET /streams/{streamName}/images',
    pathParameters: { streamName: 'cam-1' },
    queryStringParameters: { startTimestamp: '2026-01-01T00:00:00Z', endTimestamp: '2026-01-01T00:00:30Z', widthPixels: '3840', heightPixels: '2160' },
    requestContext: { requestId: 'r' },
  } as any);
  expect(answer.statusCode).toBe(400);
  const body = JSON.parse(answer.body!);
  expect(body.error).toBe('AnswerTooLarge');
  expect(body.message).toMatch(/^The answer has \d+ bytes, over the 6000000 a Lambda function can answer: ask for fewer results \(maxResults\) or smaller images \(widthPixels, heightPixels\)\.$/);
  expect(Number(/has (\d+) bytes/.exec(body.message)![1])).toBeGreaterThan(25 * 250_000);
});
