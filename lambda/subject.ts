/** What an API call acts on, named the way failure messages and logs show it. */
export interface Subject {
  /** For example `stream "cam" (arn:aws:kinesisvideo:…:stream/cam/1700000000000)`. */
  readonly label: string;
  /** The ARN (or, for a stream addressed by name, the name) that permissions and advice refer to. */
  readonly resource: string;
  /** The stream's name, when the subject is a stream: advice such as "set dataRetention above 0" names it. */
  readonly streamName?: string;
}

/** The resource name inside a Kinesis Video ARN (`arn:…:stream/<name>/<creation time>`), or the input if it is not one. */
export function nameFromArn(arn: string): string {
  const match = /^arn:[^:]+:kinesisvideo:[^:]*:[^:]*:[a-z]+\/([^/]+)\/[^/]+$/.exec(arn);
  return match ? match[1] : arn;
}

export function streamByArn(arn: string): Subject {
  const name = nameFromArn(arn);
  return { label: `stream "${name}" (${arn})`, resource: arn, streamName: name };
}

export function streamByName(name: string): Subject {
  return { label: `stream "${name}"`, resource: name, streamName: name };
}

export function channelByArn(arn: string): Subject {
  return { label: `signaling channel "${nameFromArn(arn)}" (${arn})`, resource: arn };
}

export function channelByName(name: string): Subject {
  return { label: `signaling channel "${name}"`, resource: name };
}

export function stack(stackId: string): Subject {
  return { label: `stack ${stackId}`, resource: stackId };
}
