/**
 * The KVS control-plane test server: a loopback double of Amazon Kinesis Video Streams (and CloudFormation
 * DescribeStacks) for the real AWS SDK clients. Usage, assumptions and deviations: README.md in this folder.
 */
export { KvsTestServer } from './server';
export type { KvsTestServerOptions, RecordedFragment, RequestLogEntry } from './server';
export type { CodecPrivateData, FragmentCodec, RecordFragmentsOptions } from './fragments';
export { CODEC_IDS } from './fragments';
export { FRAGMENT_QUOTAS, SESSION_TPS } from './rate-limit';
export type { Fault, FaultWhen } from './faults';
export type {
  ChannelState,
  EdgeState,
  EdgeStateAssumptions,
  ResourceStatus,
  ServerState,
  StreamState,
  SyncStatus,
  TransitionTimes,
} from './state';
export { DEFAULT_EDGE_ASSUMPTIONS, DEFAULT_TRANSITIONS } from './state';
export { DOCUMENTED_TPS, tpsLimitFor } from './rate-limit';
export type { RateLimitSetting, TpsLimit } from './rate-limit';
export { accessKeyIdOf, kvsResourceOf } from './authorization';
export type { AuthorizationDecision, AuthorizationRequest, Authorizer } from './authorization';
