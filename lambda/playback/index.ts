/**
 * The playback API's function: `index.handler`, bundled into assets/kvs-playback (scripts/bundle-handlers.mjs) with
 * its pinned SDK clients. See docs/playback.md for the routes.
 */
import { KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { KinesisVideoArchivedMediaClient } from '@aws-sdk/client-kinesis-video-archived-media';
import { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DataEndpoints } from './endpoints';
import { configFromEnvironment, createPlaybackHandler } from './handler';

/*
 * The clients and the endpoint cache live as long as the container, on purpose: GetDataEndpoint has a quota of its
 * own, and a warm container reuses connections. They hold no request's data.
 */
export const handler = createPlaybackHandler({
  endpoints: new DataEndpoints(new KinesisVideoClient({}), (endpoint) => new KinesisVideoArchivedMediaClient({ endpoint })),
  s3: new S3Client({}),
  presign: (s3, command, expiresIn) => getSignedUrl(s3, command, { expiresIn }),
  now: () => Date.now(),
  config: configFromEnvironment(process.env),
});
