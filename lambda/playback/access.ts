import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError, invalidParameter } from './http';
import { PlaybackAuthorizationKind, STREAM_GRANT_PATTERN, STREAM_NAME_PATTERN } from '../../src/private/playback-contract';

/** The streams the API serves, as the construct configured them. */
export interface ServedStreams {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
}

export interface AccessConfig {
  readonly served: ServedStreams;
  readonly authorization: PlaybackAuthorizationKind;
  /** Under JWT: the claim listing the caller's streams. */
  readonly streamsClaim?: string;
}

/** The stream of the request's path, once it is known to be served and visible to the caller. */
export function authorizedStream(event: APIGatewayProxyEventV2, config: AccessConfig): string {
  const name = event.pathParameters?.streamName;
  if (name === undefined || !STREAM_NAME_PATTERN.test(name)) {
    throw invalidParameter('streamName', name, '1-256 characters of [a-zA-Z0-9_.-]');
  }
  const { served } = config;
  if (!served.names.includes(name) && !served.prefixes.some((p) => name.startsWith(p))) {
    throw new HttpError(404, 'StreamNotServed', `This API does not serve stream ${name}: it serves ${describeServed(served)}.`);
  }
  // Under IAM, API Gateway has already evaluated execute-api:Invoke on this stream's route.
  if (config.authorization === 'JWT') checkClaim(event, name, config.streamsClaim!);
  return name;
}

function checkClaim(event: APIGatewayProxyEventV2, name: string, claimName: string): void {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }).authorizer?.jwt?.claims ?? {};
  const grants = streamGrants(claims[claimName]);
  if (grants.some((grant) => grantCovers(grant, name))) return;
  const held = grants.length > 0 ? `grants ${grants.join(', ')}` : 'is missing or lists no stream';
  throw new HttpError(403, 'StreamNotAuthorized', `The token's ${claimName} claim ${held}: it does not cover stream ${name}. Ask the token's issuer to add the stream (or a prefix such as cam-*) to the claim.`);
}

/**
 * The entries of a streams claim. API Gateway passes claims on as strings, rendering an array claim `["a","b"]` as
 * `[a b]`; a Cognito custom attribute is one string. So an array, a JSON array, `[a b]`, and space- or
 * comma-separated strings are all read; entries that are not a name, a `prefix*` or `*` grant nothing.
 */
export function streamGrants(claim: unknown): string[] {
  let entries: unknown[] = [];
  if (Array.isArray(claim)) {
    entries = claim;
  } else if (typeof claim === 'string') {
    const text = claim.trim();
    const parsed = text.startsWith('[') ? tryJson(text) : undefined;
    entries = Array.isArray(parsed) ? parsed : text.replace(/^\[|\]$/g, '').split(/[\s,]+/);
  }
  return entries.filter((e): e is string => typeof e === 'string' && STREAM_GRANT_PATTERN.test(e));
}

function grantCovers(grant: string, name: string): boolean {
  return grant.endsWith('*') ? name.startsWith(grant.slice(0, -1)) : grant === name;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeServed(served: ServedStreams): string {
  return [...served.names, ...served.prefixes.map((p) => `${p}*`)].join(', ');
}
