import { KvsState } from './state';

/** One signed call as IAM sees it: who signed it, the IAM action and the resource it acts on. */
export interface AuthorizationRequest {
  /** The access key id of the SigV4 signature (`Credential=<id>/...`); '' for an unsigned call. */
  readonly accessKeyId: string;
  /** `kinesisvideo:DescribeStream`, `cloudformation:DescribeStacks`, ... */
  readonly action: string;
  /** The ARN the call acts on, or `*` for calls without a resource (ListStreams). */
  readonly resource: string;
}

export type AuthorizationDecision =
  | { readonly allowed: true }
  /** `message`: the service's AccessDenied message, naming the principal, the action and the resource. */
  | { readonly allowed: false; readonly message: string };

/** Decides every call the server receives; the deploy harness evaluates the calling role's policies with it. */
export interface Authorizer {
  authorize(request: AuthorizationRequest): Promise<AuthorizationDecision>;
}

/** The access key id of a SigV4 `Authorization` header, or '' when the call is unsigned. */
export function accessKeyIdOf(authorization: string | undefined): string {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1] ?? '';
}

/**
 * The creation-time part of the ARN a call by name is evaluated against when no such resource exists: IAM matches
 * `stream/<name>/*` patterns against it as it would against the real ARN, and the call then fails as not found.
 */
const UNKNOWN_CREATION_TIME = '0000000000000';

/**
 * The resource of a KVS call, as the Service Authorization Reference lists it: the signaling channel for channel
 * calls (UpdateMediaStorageConfiguration names a stream too, inside its configuration, but is authorized on the
 * channel), the stream for stream calls, `ResourceARN` for the generic tag calls, and `*` for the List calls. A call by
 * name resolves the name to the live resource's ARN.
 */
export function kvsResourceOf(kvs: KvsState, input: Record<string, unknown>): string {
  const byName = (type: 'stream' | 'channel', name: string) =>
    `arn:${kvs.partition}:kinesisvideo:${kvs.region}:${kvs.accountId}:${type}/${name}/${UNKNOWN_CREATION_TIME}`;
  if (typeof input.ChannelARN === 'string') return input.ChannelARN;
  if (typeof input.ChannelName === 'string') {
    return kvs.findChannel({ ChannelName: input.ChannelName })?.arn ?? byName('channel', input.ChannelName);
  }
  if (typeof input.StreamARN === 'string') return input.StreamARN;
  if (typeof input.StreamName === 'string') {
    return kvs.findStream({ StreamName: input.StreamName })?.arn ?? byName('stream', input.StreamName);
  }
  if (typeof input.ResourceARN === 'string') return input.ResourceARN;
  return '*';
}
