import { App, Duration, Stack } from 'aws-cdk-lib';
import { IStream, Stream, StreamMetric } from '../src';
import { GUIDE_METRICS } from './support/kvs-metrics-guide';

function newStream(): IStream {
  return new Stream(new Stack(new App(), 'Stack'), 'Stream', { streamName: 'front-door' });
}

describe('StreamMetric', () => {
  test('lists exactly the metrics of the guide, in its order', () => {
    expect(StreamMetric.ALL.map((metric) => metric.metricName)).toEqual(GUIDE_METRICS.map(([name]) => name));
  });

  test.each(GUIDE_METRICS)('%s: unit %s, statistic %s', (name, unit, statistic) => {
    const metric = StreamMetric.find(name)!;
    expect({ name: metric.metricName, unit: metric.unit, statistic: metric.statistic }).toEqual({ name, unit, statistic });
  });

  test.each(GUIDE_METRICS)('IStream.metric("%s") reads the stream with the metric\'s statistic over 5 minutes', (name, _unit, statistic) => {
    const metric = newStream().metric(name);
    expect({
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions,
      statistic: metric.statistic,
      period: metric.period.toSeconds(),
      unit: metric.unit,
    }).toEqual({
      namespace: 'AWS/KinesisVideo',
      metricName: name,
      dimensions: { StreamName: 'front-door' },
      statistic,
      period: 300,
      unit: undefined,
    });
  });

  test('find gives undefined for a name the guide does not list, and IStream.metric averages it', () => {
    expect(StreamMetric.find('GetImages.Latency')).toBeUndefined();
    expect(newStream().metric('GetImages.Latency').statistic).toBe('Average');
  });

  test('props override the statistic and the period', () => {
    const metric = newStream().metric(StreamMetric.TS_FRAGMENT_LATENCY.metricName, { statistic: 'p99', period: Duration.minutes(1) });
    expect([metric.statistic, metric.period.toSeconds()]).toEqual(['p99', 60]);
  });

  test.each<[string, (s: IStream) => { metricName: string; statistic: string }, string]>([
    ['metricPutMediaRequests', (s) => s.metricPutMediaRequests(), 'PutMedia.Requests'],
    ['metricPutMediaErrorAckCount', (s) => s.metricPutMediaErrorAckCount(), 'PutMedia.ErrorAckCount'],
    ['metricArchivedFragmentsConsumedMedia', (s) => s.metricArchivedFragmentsConsumedMedia(), 'ArchivedFragmentsConsumed.Media'],
    ['metricArchivedFragmentsConsumedMetadata', (s) => s.metricArchivedFragmentsConsumedMetadata(), 'ArchivedFragmentsConsumed.Metadata'],
  ])('%s reads %s with the sum', (_helper, helper, metricName) => {
    const metric = helper(newStream());
    expect([metric.metricName, metric.statistic]).toEqual([metricName, 'Sum']);
  });
});
