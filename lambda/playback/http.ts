import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The JSON body of every error answer: a code, a message that says what to do, and the parameter at fault. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly parameter?: string;
}

/** An answer other than 200, thrown from anywhere in a route and rendered once by the handler. */
export class HttpError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
    public readonly parameter?: string,
    public readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  public get body(): ErrorBody {
    return { error: this.code, message: this.message, ...(this.parameter !== undefined ? { parameter: this.parameter } : {}) };
  }
}

/** 400 for a parameter, in the library's one message format: `Invalid <name> "<value>": must be <allowed>`. */
export function invalidParameter(name: string, value: string | undefined, allowed: string): HttpError {
  const shown = value === undefined ? 'is missing' : `"${value}"`;
  const message = value === undefined ? `Parameter ${name} is missing: must be ${allowed}` : `Invalid ${name} ${shown}: must be ${allowed}`;
  return new HttpError(400, 'InvalidParameter', message, name);
}

/** A JSON answer; never cached, since session URLs and presigned URLs are credentials. */
export function json(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Lambda answers at most 6 MB (6,291,456 bytes) to a synchronous invocation; API Gateway's payload v2 wraps the
 * body, so the function keeps its own body under this.
 */
export const MAX_BODY_BYTES = 6_000_000;
