import { UpdateImageGenerationConfigurationCommand, UpdateNotificationConfigurationCommand } from '@aws-sdk/client-kinesis-video';
import { events, Harness, inContext } from './support/harness';
import { QUERY_INTERVAL_SECONDS as RECOMMENDED_QUERY_INTERVAL_SECONDS, ResourceType } from '../../src/private/custom-resource-contract';

/**
 * The polling budget: 240 stream configurations whose isComplete polls at the recommended queryInterval, spread over
 * the interval as the Provider's waiters are, stay under the documented 50 TPS account quota of each
 * Describe*Configuration API (the test server enforces the documented quotas on its own time line). Each poll reads
 * each of those APIs once: 240 / 10 s = 24 TPS per API.
 */
const RESOURCES = 240;
const NOTIFICATION = { Status: 'ENABLED' as const, DestinationConfig: { Uri: 'arn:aws:sns:us-east-1:123456789012:camera-events' } };
const IMAGES = {
  Status: 'ENABLED' as const,
  ImageSelectorType: 'SERVER_TIMESTAMP' as const,
  DestinationConfig: { Uri: 's3://camera-images/all', DestinationRegion: 'us-east-1' },
  SamplingInterval: 3000,
  Format: 'JPEG' as const,
};

let h: Harness;
let streams: string[];
beforeAll(async () => {
  h = await Harness.start();
  streams = [];
  // Set up in batches: the server's rate limits are off until each test turns them on.
  for (let batch = 0; batch < RESOURCES; batch += 40) {
    streams.push(...await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const arn = await h.createStream(`budget-${batch + i}`);
      await h.kvs.send(new UpdateNotificationConfigurationCommand({ StreamARN: arn, NotificationConfiguration: NOTIFICATION }));
      await h.kvs.send(new UpdateImageGenerationConfigurationCommand({ StreamARN: arn, ImageGenerationConfiguration: IMAGES }));
      return arn;
    })));
  }
});
afterAll(() => h.stop());
beforeEach(() => {
  h.reset();
  h.server.setRateLimits(true);
});
afterEach(() => h.server.setRateLimits(false));

/** One isComplete poll of every resource, spread evenly over `intervalMs`; returns the throttled answers. */
async function pollAll(intervalMs: number): Promise<number> {
  const handlers = inContext(h.context());
  for (const arn of streams) {
    h.time.advance(intervalMs / RESOURCES);
    const properties = { StreamArn: arn, NotificationConfiguration: NOTIFICATION, ImageGenerationConfiguration: { ...IMAGES, SamplingInterval: '3000' } };
    const result = await handlers.isComplete({ ...events.create(ResourceType.STREAM_CONFIGURATION, properties), PhysicalResourceId: `StreamConfiguration|${arn}` });
    expect(result.IsComplete).toBe(true);
  }
  return h.server.requests().filter((r) => r.errorType === 'ClientLimitExceededException').length;
}

test(`240 resources polling every ${RECOMMENDED_QUERY_INTERVAL_SECONDS} s stay under the Describe*Configuration quota`, async () => {
  expect(await pollAll(RECOMMENDED_QUERY_INTERVAL_SECONDS * 1_000)).toBe(0);
  expect(h.server.requests({ action: 'DescribeNotificationConfiguration' })).toHaveLength(RESOURCES);
  expect(h.server.requests({ action: 'DescribeImageGenerationConfiguration' })).toHaveLength(RESOURCES);
});

test('polling every 3 s (80 TPS per API) would exceed it, and be throttled', async () => {
  expect(await pollAll(3_000)).toBeGreaterThan(0);
});
