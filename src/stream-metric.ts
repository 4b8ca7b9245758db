import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * A metric that Kinesis Video Streams publishes for each stream in the `AWS/KinesisVideo` namespace, with the
 * `StreamName` dimension, as the KVS Developer Guide lists them ("Monitor Amazon Kinesis Video Streams metrics with
 * CloudWatch").
 *
 * Pass `metricName` to `IStream.metric` for any of them: the stream applies `statistic` by default.
 *
 * The constants of the `Get*` APIs drop the `Get`: `MEDIA_MILLIS_BEHIND_NOW` is `GetMedia.MillisBehindNow` and
 * `CLIP_LATENCY` is `GetClip.Latency` (jsii reserves names that start with `get` for Java getters).
 *
 * @example
 * declare const stream: IStream;
 * const tsLatency = stream.metric(StreamMetric.TS_FRAGMENT_LATENCY.metricName);
 */
export class StreamMetric {
  /** Fragment-media quota points consumed by all the archived-media APIs (quota: 500 points per second per stream). */
  public static readonly ARCHIVED_FRAGMENTS_CONSUMED_MEDIA = StreamMetric.count('ArchivedFragmentsConsumed.Media');
  /** Fragment-metadata quota points consumed by all the archived-media APIs (quota: 10,000 points per second per stream). */
  public static readonly ARCHIVED_FRAGMENTS_CONSUMED_METADATA = StreamMetric.count('ArchivedFragmentsConsumed.Metadata');

  /** `PutMedia` requests. */
  public static readonly PUT_MEDIA_REQUESTS = StreamMetric.count('PutMedia.Requests');
  /** Bytes received by `PutMedia`. */
  public static readonly PUT_MEDIA_INCOMING_BYTES = StreamMetric.bytes('PutMedia.IncomingBytes');
  /** Complete fragments received by `PutMedia`. */
  public static readonly PUT_MEDIA_INCOMING_FRAGMENTS = StreamMetric.count('PutMedia.IncomingFragments');
  /** Complete frames received by `PutMedia`. */
  public static readonly PUT_MEDIA_INCOMING_FRAMES = StreamMetric.count('PutMedia.IncomingFrames');
  /** Connections to the service host. */
  public static readonly PUT_MEDIA_ACTIVE_CONNECTIONS = StreamMetric.count('PutMedia.ActiveConnections');
  /** Errors while establishing a `PutMedia` connection. */
  public static readonly PUT_MEDIA_CONNECTION_ERRORS = StreamMetric.count('PutMedia.ConnectionErrors');
  /** Milliseconds between the first and the last byte of a fragment arriving. */
  public static readonly PUT_MEDIA_FRAGMENT_INGESTION_LATENCY = StreamMetric.latency('PutMedia.FragmentIngestionLatency', cloudwatch.Unit.MILLISECONDS);
  /** Time from a fragment received in full to its archiving (the guide gives its unit as Count). */
  public static readonly PUT_MEDIA_FRAGMENT_PERSIST_LATENCY = StreamMetric.latency('PutMedia.FragmentPersistLatency', cloudwatch.Unit.COUNT);
  /** Time between a `PutMedia` request and the HTTP response while connecting (the guide gives its unit as Count). */
  public static readonly PUT_MEDIA_LATENCY = StreamMetric.latency('PutMedia.Latency', cloudwatch.Unit.COUNT);
  /** Milliseconds from the first byte of a new fragment to its Buffering ACK. */
  public static readonly PUT_MEDIA_BUFFERING_ACK_LATENCY = StreamMetric.latency('PutMedia.BufferingAckLatency', cloudwatch.Unit.MILLISECONDS);
  /** Milliseconds from the last byte of a new fragment to its Received ACK. */
  public static readonly PUT_MEDIA_RECEIVED_ACK_LATENCY = StreamMetric.latency('PutMedia.ReceivedAckLatency', cloudwatch.Unit.MILLISECONDS);
  /** Milliseconds from the last byte of a new fragment to its Persisted ACK. */
  public static readonly PUT_MEDIA_PERSISTED_ACK_LATENCY = StreamMetric.latency('PutMedia.PersistedAckLatency', cloudwatch.Unit.MILLISECONDS);
  /** Error ACKs sent during `PutMedia`. */
  public static readonly PUT_MEDIA_ERROR_ACK_COUNT = StreamMetric.count('PutMedia.ErrorAckCount');
  /** 1 for each fragment written, 0 for each failed one: the average is the success rate. */
  public static readonly PUT_MEDIA_SUCCESS = StreamMetric.successRate('PutMedia.Success');

  /** `GetMedia` requests. */
  public static readonly MEDIA_REQUESTS = StreamMetric.count('GetMedia.Requests');
  /** Bytes sent by `GetMedia`. */
  public static readonly MEDIA_OUTGOING_BYTES = StreamMetric.bytes('GetMedia.OutgoingBytes');
  /** Fragments sent by `GetMedia`. */
  public static readonly MEDIA_OUTGOING_FRAGMENTS = StreamMetric.count('GetMedia.OutgoingFragments');
  /** Frames sent by `GetMedia`. */
  public static readonly MEDIA_OUTGOING_FRAMES = StreamMetric.count('GetMedia.OutgoingFrames');
  /** Milliseconds between the current server timestamp and that of the last fragment sent. */
  public static readonly MEDIA_MILLIS_BEHIND_NOW = StreamMetric.latency('GetMedia.MillisBehindNow', cloudwatch.Unit.MILLISECONDS);
  /** `GetMedia` connections that failed to establish. */
  public static readonly MEDIA_CONNECTION_ERRORS = StreamMetric.count('GetMedia.ConnectionErrors');
  /** 1 for each fragment sent, 0 for each failure: the average is the success rate. */
  public static readonly MEDIA_SUCCESS = StreamMetric.successRate('GetMedia.Success');

  /** Bytes sent by `GetMediaForFragmentList`. */
  public static readonly MEDIA_FOR_FRAGMENT_LIST_OUTGOING_BYTES = StreamMetric.bytes('GetMediaForFragmentList.OutgoingBytes');
  /** Fragments sent by `GetMediaForFragmentList`. */
  public static readonly MEDIA_FOR_FRAGMENT_LIST_OUTGOING_FRAGMENTS = StreamMetric.count('GetMediaForFragmentList.OutgoingFragments');
  /** Frames sent by `GetMediaForFragmentList`. */
  public static readonly MEDIA_FOR_FRAGMENT_LIST_OUTGOING_FRAMES = StreamMetric.count('GetMediaForFragmentList.OutgoingFrames');
  /** `GetMediaForFragmentList` requests. */
  public static readonly MEDIA_FOR_FRAGMENT_LIST_REQUESTS = StreamMetric.count('GetMediaForFragmentList.Requests');
  /** 1 for each fragment sent, 0 for each failure: the average is the success rate. */
  public static readonly MEDIA_FOR_FRAGMENT_LIST_SUCCESS = StreamMetric.successRate('GetMediaForFragmentList.Success');

  /** Milliseconds a `ListFragments` call takes. */
  public static readonly LIST_FRAGMENTS_LATENCY = StreamMetric.latency('ListFragments.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `ListFragments` requests. */
  public static readonly LIST_FRAGMENTS_REQUESTS = StreamMetric.count('ListFragments.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly LIST_FRAGMENTS_SUCCESS = StreamMetric.successRate('ListFragments.Success');

  /** Milliseconds a `GetHLSStreamingSessionURL` call takes. */
  public static readonly HLS_STREAMING_SESSION_URL_LATENCY = StreamMetric.latency('GetHLSStreamingSessionURL.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetHLSStreamingSessionURL` requests. */
  public static readonly HLS_STREAMING_SESSION_URL_REQUESTS = StreamMetric.count('GetHLSStreamingSessionURL.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly HLS_STREAMING_SESSION_URL_SUCCESS = StreamMetric.successRate('GetHLSStreamingSessionURL.Success');

  /** Milliseconds a `GetHLSMasterPlaylist` call takes. */
  public static readonly HLS_MASTER_PLAYLIST_LATENCY = StreamMetric.latency('GetHLSMasterPlaylist.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetHLSMasterPlaylist` requests. */
  public static readonly HLS_MASTER_PLAYLIST_REQUESTS = StreamMetric.count('GetHLSMasterPlaylist.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly HLS_MASTER_PLAYLIST_SUCCESS = StreamMetric.successRate('GetHLSMasterPlaylist.Success');

  /** Milliseconds a `GetHLSMediaPlaylist` call takes. */
  public static readonly HLS_MEDIA_PLAYLIST_LATENCY = StreamMetric.latency('GetHLSMediaPlaylist.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetHLSMediaPlaylist` requests. */
  public static readonly HLS_MEDIA_PLAYLIST_REQUESTS = StreamMetric.count('GetHLSMediaPlaylist.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly HLS_MEDIA_PLAYLIST_SUCCESS = StreamMetric.successRate('GetHLSMediaPlaylist.Success');

  /** Milliseconds a `GetMP4InitFragment` call takes. */
  public static readonly MP4_INIT_FRAGMENT_LATENCY = StreamMetric.latency('GetMP4InitFragment.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetMP4InitFragment` requests. */
  public static readonly MP4_INIT_FRAGMENT_REQUESTS = StreamMetric.count('GetMP4InitFragment.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly MP4_INIT_FRAGMENT_SUCCESS = StreamMetric.successRate('GetMP4InitFragment.Success');

  /** Milliseconds a `GetMP4MediaFragment` call takes. */
  public static readonly MP4_MEDIA_FRAGMENT_LATENCY = StreamMetric.latency('GetMP4MediaFragment.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetMP4MediaFragment` requests. */
  public static readonly MP4_MEDIA_FRAGMENT_REQUESTS = StreamMetric.count('GetMP4MediaFragment.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly MP4_MEDIA_FRAGMENT_SUCCESS = StreamMetric.successRate('GetMP4MediaFragment.Success');
  /** Bytes sent by `GetMP4MediaFragment`. */
  public static readonly MP4_MEDIA_FRAGMENT_OUTGOING_BYTES = StreamMetric.bytes('GetMP4MediaFragment.OutgoingBytes');

  /** Milliseconds a `GetTSFragment` call takes. */
  public static readonly TS_FRAGMENT_LATENCY = StreamMetric.latency('GetTSFragment.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetTSFragment` requests. */
  public static readonly TS_FRAGMENT_REQUESTS = StreamMetric.count('GetTSFragment.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly TS_FRAGMENT_SUCCESS = StreamMetric.successRate('GetTSFragment.Success');
  /** Bytes sent by `GetTSFragment`. */
  public static readonly TS_FRAGMENT_OUTGOING_BYTES = StreamMetric.bytes('GetTSFragment.OutgoingBytes');

  /** Milliseconds a `GetDASHStreamingSessionURL` call takes. */
  public static readonly DASH_STREAMING_SESSION_URL_LATENCY = StreamMetric.latency('GetDASHStreamingSessionURL.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetDASHStreamingSessionURL` requests. */
  public static readonly DASH_STREAMING_SESSION_URL_REQUESTS = StreamMetric.count('GetDASHStreamingSessionURL.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly DASH_STREAMING_SESSION_URL_SUCCESS = StreamMetric.successRate('GetDASHStreamingSessionURL.Success');

  /** Milliseconds a `GetDASHManifest` call takes. */
  public static readonly DASH_MANIFEST_LATENCY = StreamMetric.latency('GetDASHManifest.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetDASHManifest` requests. */
  public static readonly DASH_MANIFEST_REQUESTS = StreamMetric.count('GetDASHManifest.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly DASH_MANIFEST_SUCCESS = StreamMetric.successRate('GetDASHManifest.Success');

  /** Milliseconds a `GetClip` call takes. */
  public static readonly CLIP_LATENCY = StreamMetric.latency('GetClip.Latency', cloudwatch.Unit.MILLISECONDS);
  /** `GetClip` requests. */
  public static readonly CLIP_REQUESTS = StreamMetric.count('GetClip.Requests');
  /** 1 for each successful request, 0 for each failure: the average is the success rate. */
  public static readonly CLIP_SUCCESS = StreamMetric.successRate('GetClip.Success');
  /** Bytes sent by `GetClip`. */
  public static readonly CLIP_OUTGOING_BYTES = StreamMetric.bytes('GetClip.OutgoingBytes');

  /**
   * Every metric the KVS Developer Guide documents, in the guide's order.
   */
  public static readonly ALL: StreamMetric[] = Object.values(StreamMetric).filter((value): value is StreamMetric => value instanceof StreamMetric);

  /**
   * The documented metric of that name, or `undefined` for a name the guide does not list.
   *
   * @param metricName for example `GetTSFragment.Latency`
   */
  public static find(metricName: string): StreamMetric | undefined {
    return StreamMetric.ALL.find((metric) => metric.metricName === metricName);
  }

  /** Counts of events or quota points add up over a period. */
  private static count(metricName: string): StreamMetric {
    return new StreamMetric(metricName, cloudwatch.Unit.COUNT, cloudwatch.Stats.SUM);
  }

  /** Bytes add up over a period. */
  private static bytes(metricName: string): StreamMetric {
    return new StreamMetric(metricName, cloudwatch.Unit.BYTES, cloudwatch.Stats.SUM);
  }

  /** A latency reads best as its average; use `p99` or `Maximum` through the metric's props for the tail. */
  private static latency(metricName: string, unit: cloudwatch.Unit): StreamMetric {
    return new StreamMetric(metricName, unit, cloudwatch.Stats.AVERAGE);
  }

  /** 1 for success and 0 for failure: the guide says the average is the success rate. */
  private static successRate(metricName: string): StreamMetric {
    return new StreamMetric(metricName, cloudwatch.Unit.COUNT, cloudwatch.Stats.AVERAGE);
  }

  /** The metric's name in `AWS/KinesisVideo`, for example `PutMedia.IncomingFragments`. */
  public readonly metricName: string;

  /**
   * The unit that the KVS Developer Guide documents.
   *
   * The metrics of this library do not set it: CloudWatch would then return only datapoints published with that unit,
   * and the guide's units are not all those the service publishes (it lists `PutMedia.FragmentPersistLatency`, a time,
   * as Count).
   */
  public readonly unit: cloudwatch.Unit;

  /** The statistic that `IStream.metric` applies by default: Sum for counts and bytes, Average for latencies and success rates. */
  public readonly statistic: string;

  private constructor(metricName: string, unit: cloudwatch.Unit, statistic: string) {
    this.metricName = metricName;
    this.unit = unit;
    this.statistic = statistic;
  }
}
