import { SDK_MAX_ATTEMPTS, THROTTLE_RETRY } from './budgets';
import { Subject } from './subject';

/** One API call, as failure messages name it. */
export interface ApiCall {
  /** The IAM service prefix: `kinesisvideo` or `cloudformation`. */
  readonly service: string;
  /** The API action, e.g. `UpdateNotificationConfiguration`. */
  readonly api: string;
  readonly subject: Subject;
}

/**
 * A failed call, translated for the person reading the CloudFormation event: the API, the stream/channel/stack, the
 * service's error and message, and what to do. Handlers inspect `errorName` to treat some errors as progress.
 */
export class ApiError extends Error {
  constructor(
    public readonly call: ApiCall,
    public readonly errorName: string,
    public readonly serviceMessage: string,
    advice: string | undefined,
  ) {
    super(`${call.api} failed for ${call.subject.label}: ${errorName}: ${sentence(serviceMessage)}${advice ? ` ${advice}` : ''}`);
    this.name = 'ApiError';
  }

  /** The same failure with handler-specific advice instead of the generic one. */
  public withAdvice(advice: string): ApiError {
    return new ApiError(this.call, this.errorName, this.serviceMessage, advice);
  }
}

export const THROTTLING_ERROR = 'ClientLimitExceededException';
export const NOT_FOUND_ERROR = 'ResourceNotFoundException';
export const IN_USE_ERROR = 'ResourceInUseException';

/** The error's name as the service reported it (SDK service exceptions), or the network error code. */
export function errorNameOf(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  if (typeof e?.code === 'string' && (e?.name === 'Error' || e?.name === undefined)) return e.code;
  return typeof e?.name === 'string' ? e.name : 'UnknownError';
}

export function isThrottling(err: unknown): boolean {
  return errorNameOf(err) === THROTTLING_ERROR;
}

/** Translates any error thrown by an SDK call into an {@link ApiError}. */
export function toApiError(call: ApiCall, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const name = errorNameOf(err);
  const message = String((err as { message?: unknown } | undefined)?.message ?? err).trim();
  return new ApiError(call, name, message || '(no message)', adviceFor(call, name, err));
}

/** Ends the service's message with a full stop, so that the advice reads as the next sentence. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function adviceFor(call: ApiCall, name: string, err: unknown): string | undefined {
  switch (name) {
    case THROTTLING_ERROR:
      return `Still throttled after ${THROTTLE_RETRY.maxAttempts} attempts with backoff: deploy fewer Kinesis Video resources at once, or retry the deployment.`;
    case 'AccessDeniedException':
    case 'NotAuthorizedException':
    case 'AccessDenied':
      return `The handler's role needs ${call.service}:${call.api} on ${call.subject.resource}.`;
    case 'NoDataRetentionException':
      return `Set dataRetention above 0 on stream "${call.subject.streamName ?? call.subject.resource}".`;
    case NOT_FOUND_ERROR:
      return 'It does not exist (or was deleted): check the ARN, and that it is in the same account and region as the stack.';
    case 'InvalidArgumentException':
      return 'Correct the value the service rejected.';
    default:
      return isTransient(err) ? `The request failed ${SDK_MAX_ATTEMPTS} times: retry the deployment.` : undefined;
  }
}

/** 5xx answers and dropped connections: what the SDK itself retries. */
function isTransient(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number }; code?: unknown } | undefined;
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return status >= 500 || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED'].includes(String(e?.code));
}
