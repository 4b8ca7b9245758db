import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { fleetStack as configuredFleetStack, limitViolations, PROMISED_STREAMS, templateShape } from '../bench/fleet-app';
import { AlarmGranularity, IStream, Stream, StreamMonitoring, StreamMonitoringProps } from '../src';

/** `count` streams imported by name, `cam-0` to `cam-<count - 1>`. */
function importedCameras(stack: Stack, count: number): IStream[] {
  return Array.from({ length: count }, (_, i) => Stream.fromStreamName(stack, `Camera${i}`, `cam-${i}`));
}

function monitoredStack(count: number, props: Partial<StreamMonitoringProps> = {}): Stack {
  const stack = new Stack(new App(), 'Stack');
  new StreamMonitoring(stack, 'Monitoring', { streams: importedCameras(stack, count), ...props });
  return stack;
}

/** The alarms of `stack` whose description starts with `prefix`. */
function alarmsDescribed(template: Template, prefix: string): any[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm', {
    Properties: { AlarmDescription: Match.stringLikeRegexp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) },
  })).map((resource) => resource.Properties);
}

/** The resources of `stack`, counted in the construct tree (a stack that fails validation cannot be synthesized). */
function resourceCount(stack: Stack): number {
  return stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
}

function silentCameraMetric(id: string, streamName: string, period = 60) {
  return {
    Id: id,
    Label: streamName,
    MetricStat: {
      Metric: { Dimensions: [{ Name: 'StreamName', Value: streamName }], MetricName: 'PutMedia.IncomingFragments', Namespace: 'AWS/KinesisVideo' },
      Period: period,
      Stat: 'Sum',
    },
    ReturnData: false,
  };
}

function insightsQuery(fn: 'SUM' | 'AVG', metricName: string, order: 'ASC' | 'DESC', limit: number): string {
  return `SELECT ${fn}("${metricName}") FROM SCHEMA("AWS/KinesisVideo", StreamName) GROUP BY StreamName ORDER BY ${fn}() ${order} LIMIT ${limit}`;
}

/** The Metrics Insights alarms of the fleet, with their defaults: [description prefix, query, operator, threshold]. */
const FLEET_ALARMS: Array<[string, string, string, number]> = [
  ['Each stream of the account and region: PutMedia connection errors', insightsQuery('SUM', 'PutMedia.ConnectionErrors', 'DESC', 500), 'GreaterThanOrEqualToThreshold', 1],
  ['Each stream of the account and region: PutMedia error ACKs', insightsQuery('SUM', 'PutMedia.ErrorAckCount', 'DESC', 500), 'GreaterThanOrEqualToThreshold', 1],
  ['Each stream of the account and region: Fragment ingestion latency', insightsQuery('AVG', 'PutMedia.FragmentIngestionLatency', 'DESC', 500), 'GreaterThanThreshold', 10_000],
  ['Each stream of the account and region: Fragment persist latency', insightsQuery('AVG', 'PutMedia.FragmentPersistLatency', 'DESC', 500), 'GreaterThanThreshold', 5_000],
  // 80% of 500 points per second, over 60 seconds.
  ['Each stream of the account and region: Archived fragment-media quota', insightsQuery('SUM', 'ArchivedFragmentsConsumed.Media', 'DESC', 500), 'GreaterThanThreshold', 24_000],
  // 80% of 10,000 points per second, over 60 seconds.
  ['Each stream of the account and region: Archived fragment-metadata quota', insightsQuery('SUM', 'ArchivedFragmentsConsumed.Metadata', 'DESC', 500), 'GreaterThanThreshold', 480_000],
];

describe('StreamMonitoring: fleet alarms', () => {
  test('one silent-camera alarm per 10 streams: the fewest fragments among them, a silent stream counting as 0, no data as breaching', () => {
    const template = Template.fromStack(monitoredStack(12));
    const alarms = alarmsDescribed(template, 'Silent camera');
    expect(alarms).toHaveLength(2);
    expect(alarms[1]).toEqual({
      AlarmDescription: 'Silent camera: PutMedia.IncomingFragments below 1 per 1 minute, or no data. Check that the producer runs and has power, network and valid credentials. Streams: cam-10, cam-11',
      ComparisonOperator: 'LessThanThreshold',
      DatapointsToAlarm: 5,
      EvaluationPeriods: 5,
      Metrics: [
        { Expression: 'MIN([FILL(m0, 0), FILL(m1, 0)])', Id: 'expr_1', Label: 'Fewest incoming fragments', ReturnData: true },
        silentCameraMetric('m0', 'cam-10'),
        silentCameraMetric('m1', 'cam-11'),
      ],
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(alarms[0].Metrics[0].Expression).toBe(`MIN([${Array.from({ length: 10 }, (_, i) => `FILL(m${i}, 0)`).join(', ')}])`);
    expect(alarms[0].Metrics.slice(1)).toEqual(Array.from({ length: 10 }, (_, i) => silentCameraMetric(`m${i}`, `cam-${i}`)));
  });

  test.each(FLEET_ALARMS)('%s: one Metrics Insights alarm, one time series per stream', (description, expression, operator, threshold) => {
    const alarms = alarmsDescribed(Template.fromStack(monitoredStack(3)), description);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toEqual({
      AlarmDescription: expect.stringMatching(/^Each stream of the account and region: /),
      ComparisonOperator: operator,
      DatapointsToAlarm: 5,
      EvaluationPeriods: 5,
      Metrics: [{ Expression: expression, Id: 'expr_1', Period: 60, ReturnData: true }],
      Threshold: threshold,
      TreatMissingData: 'notBreaching',
    });
  });

  test('7 alarms in all for 3 streams: 1 silent-camera alarm and 6 Metrics Insights alarms', () => {
    Template.fromStack(monitoredStack(3)).resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });

  test('the topic is notified on ALARM and on OK by every alarm', () => {
    const stack = new Stack(new App(), 'Stack');
    const topic = new sns.Topic(stack, 'OnCall');
    new StreamMonitoring(stack, 'Monitoring', { streams: importedCameras(stack, 3), alarmTopic: topic });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(7);
    const topicRef = [{ Ref: stack.getLogicalId(topic.node.defaultChild as CfnResource) }];
    for (const alarm of alarms) {
      expect([alarm.Properties.AlarmActions, alarm.Properties.OKActions]).toEqual([topicRef, topicRef]);
    }
  });

  test('without a topic the alarms have no actions', () => {
    const alarms = Object.values(Template.fromStack(monitoredStack(3)).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.filter((alarm) => alarm.Properties.AlarmActions || alarm.Properties.OKActions)).toEqual([]);
  });

  test('thresholds, period and evaluation periods are overridable; quota thresholds scale with the period', () => {
    const template = Template.fromStack(monitoredStack(3, {
      period: Duration.minutes(5),
      evaluationPeriods: 3,
      silentCameraFragments: 10,
      connectionErrorsThreshold: 4,
      errorAcksThreshold: 2,
      ingestionLatencyThreshold: Duration.seconds(3),
      persistLatencyThreshold: Duration.millis(1500),
      mediaQuotaPercent: 50,
      metadataQuotaPercent: 90,
    }));
    const summary = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[]).map(({ Properties: p }) => [
      p.Metrics[0].Expression.split(' FROM')[0], p.Threshold, p.EvaluationPeriods, p.DatapointsToAlarm, p.Metrics[0].Period ?? p.Metrics[1].MetricStat.Period,
    ]);
    expect(summary).toEqual([
      ['MIN([FILL(m0, 0), FILL(m1, 0), FILL(m2, 0)])', 10, 3, 3, 300],
      ['SELECT SUM("PutMedia.ConnectionErrors")', 4, 3, 3, 300],
      ['SELECT SUM("PutMedia.ErrorAckCount")', 2, 3, 3, 300],
      ['SELECT AVG("PutMedia.FragmentIngestionLatency")', 3000, 3, 3, 300],
      ['SELECT AVG("PutMedia.FragmentPersistLatency")', 1500, 3, 3, 300],
      // 50% of 500 points per second over 300 seconds, and 90% of 10,000.
      ['SELECT SUM("ArchivedFragmentsConsumed.Media")', 75_000, 3, 3, 300],
      ['SELECT SUM("ArchivedFragmentsConsumed.Metadata")', 2_700_000, 3, 3, 300],
    ]);
  });
});

describe('StreamMonitoring: per-stream alarms', () => {
  test('7 alarms per stream on the stream\'s own metrics, grouped under the stream\'s name', () => {
    const stack = new Stack(new App(), 'Stack');
    const monitoring = new StreamMonitoring(stack, 'Monitoring', {
      streams: [new Stream(stack, 'FrontDoor', { streamName: 'front-door' }), Stream.fromStreamName(stack, 'Garage', 'garage')],
      granularity: AlarmGranularity.PER_STREAM,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 14);
    expect(monitoring.alarms.map((alarm) => alarm.node.path).slice(0, 7)).toEqual(
      ['SilentCamera', 'ConnectionErrors', 'ErrorAcks', 'IngestionLatency', 'PersistLatency', 'MediaQuota', 'MetadataQuota'].map((id) => `Stack/Monitoring/front-door/${id}`),
    );
    const garage = (Object.values(template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Dimensions: [{ Name: 'StreamName', Value: 'garage' }] },
    })) as any[]).map(({ Properties: p }) => [p.MetricName, p.Statistic, p.Period, p.ComparisonOperator, p.Threshold, p.TreatMissingData]);
    expect(garage).toEqual([
      ['PutMedia.IncomingFragments', 'Sum', 60, 'LessThanThreshold', 1, 'breaching'],
      ['PutMedia.ConnectionErrors', 'Sum', 60, 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
      ['PutMedia.ErrorAckCount', 'Sum', 60, 'GreaterThanOrEqualToThreshold', 1, 'notBreaching'],
      ['PutMedia.FragmentIngestionLatency', 'Average', 60, 'GreaterThanThreshold', 10_000, 'notBreaching'],
      ['PutMedia.FragmentPersistLatency', 'Average', 60, 'GreaterThanThreshold', 5_000, 'notBreaching'],
      ['ArchivedFragmentsConsumed.Media', 'Sum', 60, 'GreaterThanThreshold', 24_000, 'notBreaching'],
      ['ArchivedFragmentsConsumed.Metadata', 'Sum', 60, 'GreaterThanThreshold', 480_000, 'notBreaching'],
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: 'garage: Silent camera: PutMedia.IncomingFragments below 1 per 1 minute, or no data. Check that the producer runs and has power, network and valid credentials.',
    });
  });

  test('fails at synth when the per-stream alarms overflow the stack\'s 500 resources', () => {
    const stack = monitoredStack(72, { granularity: AlarmGranularity.PER_STREAM, dashboard: false });
    expect(() => Template.fromStack(stack)).toThrow(
      'Invalid granularity "PER_STREAM": must be AlarmGranularity.FLEET for 72 streams: with per-stream alarms the stack holds 504 resources, over CloudFormation\'s 500 per stack',
    );
  });

  test('71 streams of per-stream alarms fit', () => {
    expect(Template.fromStack(monitoredStack(71, { granularity: AlarmGranularity.PER_STREAM, dashboard: false })).toJSON().Resources).toBeDefined();
  });
});

describe('StreamMonitoring: dashboard', () => {
  function widgetsOf(stack: Stack): any[] {
    const dashboards = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = stack.resolve(dashboards[0].Properties.DashboardBody)['Fn::Join'][1]
      .map((part: unknown) => (typeof part === 'string' ? part : 'REGION')).join('');
    return JSON.parse(body).widgets;
  }

  test('the same 9 widgets for 3 or 240 streams: graphs of the 10 worst streams, fleet totals and the alarms\' state', () => {
    const small = widgetsOf(monitoredStack(3));
    const large = widgetsOf(monitoredStack(240));
    expect(large.map((w) => w.properties.title)).toEqual([
      'PutMedia.IncomingFragments: the 10 quietest streams',
      'Fleet ingestion',
      'PutMedia.ConnectionErrors: the 10 highest streams',
      'PutMedia.ErrorAckCount: the 10 highest streams',
      'PutMedia.FragmentIngestionLatency: the 10 highest streams',
      'PutMedia.FragmentPersistLatency: the 10 highest streams',
      'ArchivedFragmentsConsumed.Media: the 10 highest streams',
      'ArchivedFragmentsConsumed.Metadata: the 10 highest streams',
      'Alarms',
    ]);
    expect(small.map((w) => w.properties.title)).toEqual(large.map((w) => w.properties.title));
    expect(large[0].properties.metrics).toEqual([[{ expression: insightsQuery('SUM', 'PutMedia.IncomingFragments', 'ASC', 10), period: 60 }]]);
    expect(large[2].properties.metrics).toEqual([[{ expression: insightsQuery('SUM', 'PutMedia.ConnectionErrors', 'DESC', 10), period: 60 }]]);
    expect(large[6].properties.annotations).toEqual({ horizontal: [{ value: 24_000, label: 'Alarm threshold', yAxis: 'left' }] });
    // 24 silent-camera alarms and 6 Metrics Insights alarms.
    expect(large[8].properties.alarms).toHaveLength(30);
  });

  test('no alarm status widget past the widget\'s 100 alarms', () => {
    const widgets = widgetsOf(monitoredStack(15, { granularity: AlarmGranularity.PER_STREAM }));
    expect(widgets.map((w) => w.type)).toEqual(Array(8).fill('metric'));
  });

  test('dashboardName names it; dashboard: false leaves it out', () => {
    Template.fromStack(monitoredStack(3, { dashboardName: 'cameras' })).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'cameras' });
    Template.fromStack(monitoredStack(3, { dashboard: false })).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});

describe('StreamMonitoring: validation', () => {
  test.each<[string, (stack: Stack) => StreamMonitoringProps, string]>([
    ['no streams', () => ({ streams: [] }), 'Invalid streams "[]": must be at least one stream'],
    ['a stream listed twice', (stack) => ({ streams: [...importedCameras(stack, 2), Stream.fromStreamName(stack, 'Again', 'cam-1')] }),
      'Invalid streams "cam-1": must be streams of distinct names (this one is listed twice)'],
    ['a period of 90 seconds', (stack) => ({ streams: importedCameras(stack, 1), period: Duration.seconds(90) }),
      'Invalid period "1 minute 30 seconds": must be a whole number of minutes from 1 to 180'],
    ['a period of 4 hours', (stack) => ({ streams: importedCameras(stack, 1), period: Duration.hours(4) }),
      'Invalid period "4 hours": must be a whole number of minutes from 1 to 180'],
    ['more than 3 hours of evaluation periods', (stack) => ({ streams: importedCameras(stack, 1), period: Duration.minutes(5), evaluationPeriods: 37 }),
      'Invalid evaluationPeriods "37": must be a whole number of periods of 5 minutes (at most 3 hours in all) from 1 to 36'],
    ['no evaluation period', (stack) => ({ streams: importedCameras(stack, 1), evaluationPeriods: 0 }),
      'Invalid evaluationPeriods "0": must be a whole number of periods of 1 minute (at most 3 hours in all) from 1 to 180'],
    ['a silent-camera threshold of 0', (stack) => ({ streams: importedCameras(stack, 1), silentCameraFragments: 0 }),
      'Invalid silentCameraFragments "0": must be a whole number, at least 1'],
    ['a fractional connection-error threshold', (stack) => ({ streams: importedCameras(stack, 1), connectionErrorsThreshold: 1.5 }),
      'Invalid connectionErrorsThreshold "1.5": must be a whole number, at least 1'],
    ['an error-ACK threshold of 0', (stack) => ({ streams: importedCameras(stack, 1), errorAcksThreshold: 0 }),
      'Invalid errorAcksThreshold "0": must be a whole number, at least 1'],
    ['a media quota of 101%', (stack) => ({ streams: importedCameras(stack, 1), mediaQuotaPercent: 101 }),
      'Invalid mediaQuotaPercent "101": must be a whole number of percent from 1 to 100'],
    ['a metadata quota of 0%', (stack) => ({ streams: importedCameras(stack, 1), metadataQuotaPercent: 0 }),
      'Invalid metadataQuotaPercent "0": must be a whole number of percent from 1 to 100'],
  ])('fails on %s', (_case, props, message) => {
    const stack = new Stack(new App(), 'Stack');
    expect(() => new StreamMonitoring(stack, 'Monitoring', props(stack))).toThrow(message);
  });
});

describe('StreamMonitoring: resource budget of 240 cameras in one stack', () => {
  const CAMERAS = 240;

  /** A stack of 240 owned streams (and the stack's retention guard), monitored or not. */
  function fleetStack(granularity?: AlarmGranularity): Stack {
    const stack = new Stack(new App(), 'Fleet');
    const streams = Array.from({ length: CAMERAS }, (_, i) => new Stream(stack, `Camera${i}`, { streamName: `site1-camera-${i}` }));
    if (granularity) new StreamMonitoring(stack, 'Monitoring', { streams, granularity });
    return stack;
  }

  const baseline = resourceCount(fleetStack());

  test('fleet alarms: 31 resources (24 silent-camera alarms, 6 Metrics Insights alarms, 1 dashboard), within the stack\'s 500', () => {
    const stack = fleetStack(AlarmGranularity.FLEET);
    expect(resourceCount(stack) - baseline).toBe(31);
    const resources = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    expect([resources, resources <= 500]).toEqual([baseline + 31, true]);
  });

  test('per-stream alarms: 1,681 resources (7 alarms per camera, 1 dashboard), which the construct refuses at synth', () => {
    const stack = fleetStack(AlarmGranularity.PER_STREAM);
    expect(resourceCount(stack) - baseline).toBe(CAMERAS * 7 + 1);
    expect(() => Template.fromStack(stack)).toThrow(
      `Invalid granularity "PER_STREAM": must be AlarmGranularity.FLEET for 240 streams: with per-stream alarms the stack holds ${baseline + 1681} resources, over CloudFormation's 500 per stack`,
    );
  });
});

describe('StreamMonitoring: the README\'s largest stack', () => {
  test('240 configured streams fill their stack (498 resources): their fleet alarms fit in a stack of their own, with no cross-stack reference', () => {
    const app = new App();
    const fleet = configuredFleetStack(app, PROMISED_STREAMS);
    const streams = fleet.node.findAll().filter((c): c is Stream => c instanceof Stream);
    const monitoringStack = new Stack(app, 'KvsFleetMonitoring');
    new StreamMonitoring(monitoringStack, 'Monitoring', { streams });

    const fleetTemplate = Template.fromStack(fleet).toJSON();
    const monitoringTemplate = Template.fromStack(monitoringStack).toJSON();
    expect(streams).toHaveLength(240);
    expect(limitViolations(templateShape(fleetTemplate))).toEqual([]);
    expect(Object.keys(fleetTemplate.Resources)).toHaveLength(498);
    expect(Object.keys(monitoringTemplate.Resources)).toHaveLength(31);
    // Stream names are known at synth: the alarms name the streams, so neither stack exports or imports a value.
    expect([fleetTemplate.Outputs, JSON.stringify(monitoringTemplate).includes('Fn::ImportValue')]).toEqual([undefined, false]);
  });
});
