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
/** The names IAM denials arrive under, depending on the service. */
export const ACCESS_DENIED_ERRORS: readonly string[] = ['AccessDeniedException', 'NotAuthorizedException', 'AccessDenied'];

/** What SDK v3 errors carry: service exceptions have a `name` and `$metadata`; transport failures often only a message. */
interface SdkError {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/**
 * The error's name as the service reported it; for answers without one, `HTTP <status>`; for failures without an
 * answer (dropped connections, timeouts), the network error code or `ConnectionError`.
 */
export function errorNameOf(err: unknown): string {
  const e = err as SdkError | undefined;
  const status = e?.$metadata?.httpStatusCode;
  const generic = e?.name === undefined || e.name === 'Error';
  if (generic && typeof e?.code === 'string') return e.code;
  if (generic && status === undefined) return 'ConnectionError';
  if (e?.name === 'Unknown' && status !== undefined) return `HTTP ${status}`;
  return typeof e?.name === 'string' ? e.name : 'UnknownError';
}

export function isThrottling(err: unknown): boolean {
  return errorNameOf(err) === THROTTLING_ERROR;
}

/** Translates any error thrown by an SDK call into an {@link ApiError}. */
export function toApiError(call: ApiCall, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as SdkError | undefined;
  const name = errorNameOf(err);
  const message = name.startsWith('HTTP ') ? 'The service answered without error details' : String(e?.message ?? err).trim();
  return new ApiError(call, name, message || '(no message)', adviceFor(call, name, e));
}

/** Ends the service's message with a full stop, so that the advice reads as the next sentence. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function adviceFor(call: ApiCall, name: string, err: SdkError | undefined): string | undefined {
  if (ACCESS_DENIED_ERRORS.includes(name)) return `The handler's role needs ${call.service}:${call.api} on ${call.subject.resource}.`;
  switch (name) {
    case THROTTLING_ERROR:
      return `Still throttled after ${THROTTLE_RETRY.maxAttempts} attempts with backoff.`;
    case 'NoDataRetentionException':
      return `Set dataRetention above 0 on stream "${call.subject.streamName ?? call.subject.resource}".`;
    case NOT_FOUND_ERROR:
      return 'It does not exist (or was deleted): check the ARN, and that it is in the same account and region as the stack.';
    case 'InvalidArgumentException':
      return 'Correct the value the service rejected.';
    default: {
      // 5xx answers and failures without an answer: what the SDK itself retries.
      const status = err?.$metadata?.httpStatusCode;
      const transient = status === undefined ? name === 'ConnectionError' || /^E[A-Z]+$/.test(name) : status >= 500;
      return transient ? `The request failed ${err?.$metadata?.attempts ?? SDK_MAX_ATTEMPTS} times: retry the deployment.` : undefined;
    }
  }
}
