import { CfnResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { assertRange, invalid, validateWholeMinutes } from './private/validation';
import { IStream } from './stream';
import { StreamMetric } from './stream-metric';

/** KVS Developer Guide, quotas: fragment-media quota points per second, per stream (hard). */
const MEDIA_QUOTA_POINTS_PER_SECOND = 500;
/** KVS Developer Guide, quotas: fragment-metadata quota points per second, per stream (hard). */
const METADATA_QUOTA_POINTS_PER_SECOND = 10_000;
/** CloudWatch: an alarm on a math expression references at most 10 metrics (hard). */
const MATH_ALARM_METRIC_LIMIT = 10;
/** CloudWatch: an alarm on a Metrics Insights query evaluates only the latest 3 hours of data. */
const METRICS_INSIGHTS_ALARM_WINDOW = Duration.hours(3);
/** CloudWatch: a Metrics Insights alarm evaluates at most 500 time series (beyond, its evaluation is PARTIAL_DATA). */
const METRICS_INSIGHTS_SERIES_LIMIT = 500;
/** CloudFormation: resources per stack. */
const STACK_RESOURCE_LIMIT = 500;
/** CloudWatch: the longest alarm description. */
const MAX_DESCRIPTION_LENGTH = 1024;
/** Cameras per dashboard graph: the worst ones, so that the dashboard needs no widget per camera. */
const DASHBOARD_TOP = 10;
/** CloudWatch: the most alarms an alarm status widget shows. */
const ALARM_STATUS_WIDGET_LIMIT = 100;

/**
 * How the alarms of a `StreamMonitoring` are laid out.
 */
export enum AlarmGranularity {
  /**
   * A handful of alarms for the whole fleet, whatever its size.
   *
   * The silent-camera alarm is a metric-math alarm per group of 10 streams (CloudWatch's limit of metrics in an alarm).
   * The other alarms are one Metrics Insights alarm each, grouped by `StreamName`: every stream of the account and
   * region is a contributor of the alarm, and the alarm names the streams in ALARM.
   */
  FLEET = 'FLEET',

  /**
   * One alarm of each kind per stream: 7 alarms per stream. Fits small fleets only: 240 streams would need 1,680
   * alarms, over CloudFormation's 500 resources per stack, which the construct refuses at synth.
   */
  PER_STREAM = 'PER_STREAM',
}

/**
 * Properties of a `StreamMonitoring`.
 */
export interface StreamMonitoringProps {
  /**
   * The streams to watch: one camera or a whole fleet.
   */
  readonly streams: IStream[];

  /**
   * How the alarms are laid out.
   *
   * @default AlarmGranularity.FLEET
   */
  readonly granularity?: AlarmGranularity;

  /**
   * The topic notified when an alarm goes to ALARM and back to OK.
   *
   * @default - the alarms have no actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * The period over which each alarm reads its metric: a whole number of minutes (Kinesis Video Streams publishes
   * one-minute metrics).
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * How many consecutive periods must breach before an alarm fires. `period` × `evaluationPeriods` is at most 3
   * hours: a Metrics Insights alarm evaluates only the latest 3 hours.
   *
   * @default 5
   */
  readonly evaluationPeriods?: number;

  /**
   * The silent-camera alarm fires when a stream receives fewer fragments than this in each period. Missing data
   * counts as silent: Kinesis Video Streams publishes nothing for a stream that receives nothing.
   *
   * @default 1
   */
  readonly silentCameraFragments?: number;

  /**
   * The connection-errors alarm fires when a stream has at least this many `PutMedia.ConnectionErrors` in each period.
   *
   * @default 1
   */
  readonly connectionErrorsThreshold?: number;

  /**
   * The error-ACK alarm fires when a stream sends at least this many `PutMedia.ErrorAckCount` in each period.
   *
   * @default 1
   */
  readonly errorAcksThreshold?: number;

  /**
   * The ingestion-latency alarm fires when a stream's average `PutMedia.FragmentIngestionLatency` (the time between
   * the first and the last byte of a fragment arriving) exceeds this. A live producer sends a fragment over about its
   * own duration, so set it a little above your fragment duration.
   *
   * @default Duration.seconds(10) - five times the 2-second fragments of the producer SDK's usual settings, half the
   * 20-second maximum fragment duration
   */
  readonly ingestionLatencyThreshold?: Duration;

  /**
   * The persist-latency alarm fires when a stream's average `PutMedia.FragmentPersistLatency` (from a fragment
   * received in full to its archiving) exceeds this. The guide reads a rise as a likely service issue.
   *
   * @default Duration.seconds(5)
   */
  readonly persistLatencyThreshold?: Duration;

  /**
   * The archived-media quota alarm fires when a stream's `ArchivedFragmentsConsumed.Media` averages more than this
   * percentage of the fragment-media quota (500 points per second per stream) over a period.
   *
   * @default 80
   */
  readonly mediaQuotaPercent?: number;

  /**
   * The archived-metadata quota alarm fires when a stream's `ArchivedFragmentsConsumed.Metadata` averages more than
   * this percentage of the fragment-metadata quota (10,000 points per second per stream) over a period.
   *
   * @default 80
   */
  readonly metadataQuotaPercent?: number;

  /**
   * Whether to create the fleet dashboard: for each alarm, a graph of the 10 worst streams of the account and region
   * (Metrics Insights queries, so no widget per camera), fleet totals, and the state of this construct's alarms when
   * they are at most 100 (the limit of an alarm status widget).
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * The name of the dashboard.
   *
   * @default - a name generated by CloudFormation
   */
  readonly dashboardName?: string;
}

/** One kind of alarm, read per stream or across the fleet. */
interface AlarmKind {
  /** The construct id of the alarm: public contract. */
  readonly id: string;
  readonly metric: StreamMetric;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly threshold: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /** What the alarm means and what to do, for the alarm's description. */
  readonly description: string;
}

/**
 * Alarms and a dashboard for a camera fleet, from the metrics Kinesis Video Streams publishes: a silent camera,
 * connection errors, error ACKs, ingestion and persist latency, and archived-media quota use.
 *
 * By default (`AlarmGranularity.FLEET`) the alarms cost a handful of resources whatever the size of the fleet: 240
 * cameras take 24 silent-camera alarms and 6 Metrics Insights alarms. The Metrics Insights alarms and the dashboard
 * read every stream of the account and region (a query cannot list 240 stream names), and count against the default
 * quota of 200 Metrics Insights alarms per account and region.
 *
 * @example
 * declare const cameras: Stream[];
 * declare const onCall: sns.ITopic;
 * new StreamMonitoring(this, 'Monitoring', { streams: cameras, alarmTopic: onCall });
 */
export class StreamMonitoring extends Construct {
  /** Every alarm of this construct. */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  /**
   * The fleet dashboard.
   *
   * @default - undefined when `dashboard` is false
   */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly period: Duration;
  private readonly evaluationPeriods: number;
  private readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: StreamMonitoringProps) {
    super(scope, id);

    validateStreams(props.streams);
    this.period = props.period ?? Duration.minutes(1);
    validateWholeMinutes(this.period, 'period', 1, METRICS_INSIGHTS_ALARM_WINDOW.toMinutes());
    this.evaluationPeriods = props.evaluationPeriods ?? 5;
    validateEvaluationPeriods(this.evaluationPeriods, this.period);
    this.alarmTopic = props.alarmTopic;

    const silentCameraFragments = props.silentCameraFragments ?? 1;
    assertRange('silentCameraFragments', silentCameraFragments, 1);
    const connectionErrors = props.connectionErrorsThreshold ?? 1;
    assertRange('connectionErrorsThreshold', connectionErrors, 1);
    const errorAcks = props.errorAcksThreshold ?? 1;
    assertRange('errorAcksThreshold', errorAcks, 1);
    const mediaQuotaPercent = props.mediaQuotaPercent ?? 80;
    assertRange('mediaQuotaPercent', mediaQuotaPercent, 1, 100, 'percent');
    const metadataQuotaPercent = props.metadataQuotaPercent ?? 80;
    assertRange('metadataQuotaPercent', metadataQuotaPercent, 1, 100, 'percent');
    const ingestionLatency = props.ingestionLatencyThreshold ?? Duration.seconds(10);
    const persistLatency = props.persistLatencyThreshold ?? Duration.seconds(5);

    const periodText = this.period.toHumanString();
    const silentCamera: AlarmKind = {
      id: 'SilentCamera',
      metric: StreamMetric.PUT_MEDIA_INCOMING_FRAGMENTS,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: silentCameraFragments,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      description: `Silent camera: PutMedia.IncomingFragments below ${silentCameraFragments} per ${periodText}, or no data. Check that the producer runs and has power, network and valid credentials.`,
    };
    const streamKinds: AlarmKind[] = [
      {
        id: 'ConnectionErrors',
        metric: StreamMetric.PUT_MEDIA_CONNECTION_ERRORS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: connectionErrors,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `PutMedia connection errors: at least ${connectionErrors} per ${periodText}. Read the HTTP status and error the producer receives when it connects.`,
      },
      {
        id: 'ErrorAcks',
        metric: StreamMetric.PUT_MEDIA_ERROR_ACK_COUNT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: errorAcks,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `PutMedia error ACKs: at least ${errorAcks} per ${periodText}. Read the ACK error codes in the producer's log (fragment duration, size, timestamps, stream state).`,
      },
      {
        id: 'IngestionLatency',
        metric: StreamMetric.PUT_MEDIA_FRAGMENT_INGESTION_LATENCY,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: ingestionLatency.toMilliseconds(),
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `Fragment ingestion latency above ${ingestionLatency.toHumanString()}. Check the camera's upload bandwidth and bitrate.`,
      },
      {
        id: 'PersistLatency',
        metric: StreamMetric.PUT_MEDIA_FRAGMENT_PERSIST_LATENCY,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: persistLatency.toMilliseconds(),
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `Fragment persist latency above ${persistLatency.toHumanString()}. Likely a service issue: check the AWS Health Dashboard, and contact AWS Support if it lasts.`,
      },
      {
        id: 'MediaQuota',
        metric: StreamMetric.ARCHIVED_FRAGMENTS_CONSUMED_MEDIA,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: quotaPoints(MEDIA_QUOTA_POINTS_PER_SECOND, mediaQuotaPercent, this.period),
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `Archived fragment-media quota use above ${mediaQuotaPercent}% of ${MEDIA_QUOTA_POINTS_PER_SECOND} points per second. Beyond it, GetClip, GetMediaForFragmentList, HLS/DASH fragments and GetImages are throttled: limit concurrent playback sessions and clip sizes.`,
      },
      {
        id: 'MetadataQuota',
        metric: StreamMetric.ARCHIVED_FRAGMENTS_CONSUMED_METADATA,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: quotaPoints(METADATA_QUOTA_POINTS_PER_SECOND, metadataQuotaPercent, this.period),
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `Archived fragment-metadata quota use above ${metadataQuotaPercent}% of ${METADATA_QUOTA_POINTS_PER_SECOND} points per second. Beyond it, ListFragments, GetClip, HLS/DASH playlists and GetImages are throttled: lower MaxResults, MaxMediaPlaylistFragmentResults and MaxManifestFragmentResults, or the number of sessions.`,
      },
    ];

    const granularity = props.granularity ?? AlarmGranularity.FLEET;
    if (granularity === AlarmGranularity.PER_STREAM) {
      for (const stream of props.streams) {
        const group = new Construct(this, streamConstructId(stream));
        for (const kind of [silentCamera, ...streamKinds]) {
          this.addAlarm(group, kind, stream.metric(kind.metric.metricName, { period: this.period }), `${stream.streamName}: ${kind.description}`);
        }
      }
      this.node.addValidation({ validate: () => this.validateResourceBudget(props.streams.length) });
    } else {
      this.addSilentCameraAlarms(props.streams, silentCamera);
      for (const kind of streamKinds) {
        const query = this.insightsQuery(kind.metric, { orderBy: 'DESC', limit: METRICS_INSIGHTS_SERIES_LIMIT });
        this.addAlarm(this, kind, query, `Each stream of the account and region: ${kind.description}`);
      }
    }

    if (props.dashboard ?? true) {
      this.dashboard = this.createDashboard(props.dashboardName, streamKinds);
    }
  }

  /** One metric-math alarm per 10 streams: the lowest fragment count among them, missing data as zero. */
  private addSilentCameraAlarms(streams: IStream[], kind: AlarmKind): void {
    for (let first = 0; first < streams.length; first += MATH_ALARM_METRIC_LIMIT) {
      const group = streams.slice(first, first + MATH_ALARM_METRIC_LIMIT);
      const usingMetrics: Record<string, cloudwatch.IMetric> = {};
      group.forEach((stream, i) => {
        usingMetrics[`m${i}`] = stream.metric(kind.metric.metricName, { period: this.period, label: stream.streamName });
      });
      const expression = new cloudwatch.MathExpression({
        expression: `MIN([${Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(', ')}])`,
        usingMetrics,
        period: this.period,
        label: 'Fewest incoming fragments',
      });
      const names = group.map((stream) => stream.streamName).join(', ');
      const id = `${kind.id}${first / MATH_ALARM_METRIC_LIMIT + 1}`;
      this.addAlarm(this, { ...kind, id }, expression, `${kind.description} Streams: ${names}`);
    }
  }

  private addAlarm(scope: Construct, kind: AlarmKind, metric: cloudwatch.IMetric, description: string): void {
    const alarm = new cloudwatch.Alarm(scope, kind.id, {
      metric,
      threshold: kind.threshold,
      comparisonOperator: kind.comparisonOperator,
      evaluationPeriods: this.evaluationPeriods,
      datapointsToAlarm: this.evaluationPeriods,
      treatMissingData: kind.treatMissingData,
      alarmDescription: truncate(description, MAX_DESCRIPTION_LENGTH),
    });
    if (this.alarmTopic) {
      const action = new actions.SnsAction(this.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push(alarm);
  }

  /**
   * A Metrics Insights query of `metric` for every stream of the account and region, one time series per stream.
   */
  private insightsQuery(metric: StreamMetric, options: { orderBy: 'ASC' | 'DESC'; limit: number; label?: string }): cloudwatch.MathExpression {
    const fn = metric.statistic === cloudwatch.Stats.SUM ? 'SUM' : 'AVG';
    return new cloudwatch.MathExpression({
      expression: `SELECT ${fn}("${metric.metricName}") FROM SCHEMA("AWS/KinesisVideo", StreamName) GROUP BY StreamName ORDER BY ${fn}() ${options.orderBy} LIMIT ${options.limit}`,
      period: this.period,
      label: options.label,
    });
  }

  /** A graph per alarm kind of the 10 worst streams, and fleet totals: no widget per camera. */
  private createDashboard(dashboardName: string | undefined, kinds: AlarmKind[]): cloudwatch.Dashboard {
    const graph = (title: string, metric: StreamMetric, orderBy: 'ASC' | 'DESC', threshold?: AlarmKind) => new cloudwatch.GraphWidget({
      title,
      width: 8,
      left: [this.insightsQuery(metric, { orderBy, limit: DASHBOARD_TOP, label: '' })],
      leftAnnotations: threshold ? [{ value: threshold.threshold, label: 'Alarm threshold' }] : undefined,
      legendPosition: cloudwatch.LegendPosition.RIGHT,
    });
    const worst = (kind: AlarmKind) => graph(`${kind.metric.metricName}: the ${DASHBOARD_TOP} highest streams`, kind.metric, 'DESC', kind);
    const fleetTotal = (metric: StreamMetric) => new cloudwatch.MathExpression({
      expression: `SELECT SUM("${metric.metricName}") FROM SCHEMA("AWS/KinesisVideo", StreamName)`,
      period: this.period,
      label: `${metric.metricName}, all streams`,
    });
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName,
      widgets: [
        [
          graph(`${StreamMetric.PUT_MEDIA_INCOMING_FRAGMENTS.metricName}: the ${DASHBOARD_TOP} quietest streams`, StreamMetric.PUT_MEDIA_INCOMING_FRAGMENTS, 'ASC'),
          new cloudwatch.GraphWidget({
            title: 'Fleet ingestion',
            width: 8,
            left: [fleetTotal(StreamMetric.PUT_MEDIA_INCOMING_FRAGMENTS)],
            right: [fleetTotal(StreamMetric.PUT_MEDIA_INCOMING_BYTES)],
          }),
          ...kinds.slice(0, 1).map(worst),
        ],
        kinds.slice(1, 4).map(worst),
        kinds.slice(4).map(worst),
        this.alarms.length <= ALARM_STATUS_WIDGET_LIMIT
          ? [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })]
          : [],
      ],
    });
  }

  /** Per-stream alarms must leave the stack within CloudFormation's resource limit. */
  private validateResourceBudget(streamCount: number): string[] {
    const stack = Stack.of(this);
    const resources = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack).length;
    if (resources <= STACK_RESOURCE_LIMIT) return [];
    return [invalid('granularity', AlarmGranularity.PER_STREAM,
      `AlarmGranularity.FLEET for ${streamCount} streams: with per-stream alarms the stack holds ${resources} resources, over CloudFormation's ${STACK_RESOURCE_LIMIT} per stack`).message];
  }
}

function validateStreams(streams: IStream[]): void {
  if (streams.length === 0) throw invalid('streams', '[]', 'at least one stream');
  const seen = new Set<string>();
  for (const stream of streams) {
    if (Token.isUnresolved(stream.streamName)) continue;
    if (seen.has(stream.streamName)) throw invalid('streams', stream.streamName, 'streams of distinct names (this one is listed twice)');
    seen.add(stream.streamName);
  }
}

function validateEvaluationPeriods(evaluationPeriods: number, period: Duration): void {
  const maxPeriods = Math.floor(METRICS_INSIGHTS_ALARM_WINDOW.toSeconds() / period.toSeconds());
  assertRange('evaluationPeriods', evaluationPeriods, 1, maxPeriods, `periods of ${period.toHumanString()} (at most 3 hours in all)`);
}

/** The quota points a period holds at `percent` of a per-second quota. */
function quotaPoints(pointsPerSecond: number, percent: number, period: Duration): number {
  return pointsPerSecond * period.toSeconds() * percent / 100;
}

/** The stream's name when known (construct ids are public contract: a name is stable), else its unique address. */
function streamConstructId(stream: IStream): string {
  return Token.isUnresolved(stream.streamName) ? stream.node.addr : stream.streamName;
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
