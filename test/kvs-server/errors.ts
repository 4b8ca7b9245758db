/**
 * A service error as the server answers it: the error name goes into `x-amzn-ErrorType` and the body's `__type`,
 * and the status defaults to the one the model documents for that error.
 */
export class KvsError extends Error {
  constructor(public readonly errorType: string, message: string, public readonly status?: number) {
    super(message);
    this.name = errorType;
  }
}

/** Messages the API Reference gives for errors, reused wherever the server raises them. */
export const MESSAGES = {
  streamNotFound: 'The requested stream is not found or not active.',
  channelNotFound: 'The requested channel is not found or not active.',
  throttled: 'Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls. Try making the call later.',
  noDataRetention: 'The Stream data retention in hours is equal to zero.',
  tooManyTags: 'You have exceeded the limit of tags that you can associate with the resource. A Kinesis video stream can support up to 50 tags.',
  streamVersionMismatch: 'The stream version that you specified is not the latest version. To get the latest version, use the DescribeStream API.',
  channelVersionMismatch: 'The signaling channel version that you specified is not the latest version. To get the latest version, use the DescribeSignalingChannel API.',
  invalidStreamArnFormat: 'The format of the StreamARN is invalid.',
} as const;

export const invalidArgument = (message: string) => new KvsError('InvalidArgumentException', message);
