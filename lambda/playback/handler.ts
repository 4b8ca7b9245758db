import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AccessConfig, authorizedStream } from './access';
import { HttpError, json, MAX_BODY_BYTES } from './http';
import { RouteConfig, RouteContext, ROUTES } from './routes';
import {
  DEFAULT_CLIP_KEY_PREFIX,
  DEFAULT_CLIP_URL_EXPIRES_SECONDS,
  DEFAULT_SESSION_EXPIRES_SECONDS,
  PLAYBACK_ROUTES,
  PlaybackAuthorizationKind,
  PlaybackEnv,
  PlaybackRoute,
} from '../../src/private/playback-contract';

export type PlaybackConfig = AccessConfig & RouteConfig;

/** The function's configuration, from the environment the construct sets; a missing variable fails at init. */
export function configFromEnvironment(env: NodeJS.ProcessEnv): PlaybackConfig {
  const required = (name: string) => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`The playback function needs the environment variable ${name} (set by StreamPlaybackApi)`);
    return value;
  };
  const authorization = required(PlaybackEnv.AUTHORIZATION) as PlaybackAuthorizationKind;
  if (authorization !== 'IAM' && authorization !== 'JWT') throw new Error(`${PlaybackEnv.AUTHORIZATION} must be IAM or JWT, got ${authorization}`);
  return {
    served: {
      names: JSON.parse(env[PlaybackEnv.STREAM_NAMES] ?? '[]'),
      prefixes: JSON.parse(env[PlaybackEnv.STREAM_NAME_PREFIXES] ?? '[]'),
    },
    authorization,
    streamsClaim: authorization === 'JWT' ? required(PlaybackEnv.STREAMS_CLAIM) : undefined,
    clipBucket: required(PlaybackEnv.CLIP_BUCKET),
    clipKeyPrefix: env[PlaybackEnv.CLIP_KEY_PREFIX] ?? DEFAULT_CLIP_KEY_PREFIX,
    clipUrlExpiresSeconds: Number(env[PlaybackEnv.CLIP_URL_EXPIRES] ?? DEFAULT_CLIP_URL_EXPIRES_SECONDS),
    sessionExpiresSeconds: Number(env[PlaybackEnv.SESSION_EXPIRES] ?? DEFAULT_SESSION_EXPIRES_SECONDS),
  };
}

/** `GET /streams/{streamName}/<route>` → the route; anything else is not one of the API's routes. */
function routeOf(event: APIGatewayProxyEventV2): PlaybackRoute | undefined {
  const match = /^GET \/streams\/\{streamName\}\/([a-z]+)$/.exec(event.routeKey);
  return match && (PLAYBACK_ROUTES as readonly string[]).includes(match[1]) ? match[1] as PlaybackRoute : undefined;
}

/**
 * The API Gateway (payload v2) handler. `ctx` lives as long as the function's container, so that data endpoints are
 * asked once per stream and API (see DataEndpoints).
 */
export function createPlaybackHandler(ctx: RouteContext & { readonly config: PlaybackConfig }) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    try {
      const route = routeOf(event);
      if (route === undefined) throw new HttpError(404, 'NoSuchRoute', `No route ${event.routeKey}: the API has GET /streams/{streamName}/${PLAYBACK_ROUTES.join('|')}`);
      const streamName = authorizedStream(event, ctx.config);
      const answer = json(200, await ROUTES[route](streamName, event.queryStringParameters ?? {}, ctx));
      if (Buffer.byteLength(answer.body!) > MAX_BODY_BYTES) {
        throw new HttpError(400, 'AnswerTooLarge', `The answer has ${Buffer.byteLength(answer.body!)} bytes, over the ${MAX_BODY_BYTES} a Lambda function can answer: ask for fewer results (maxResults) or smaller images (widthPixels, heightPixels).`);
      }
      return answer;
    } catch (e) {
      if (e instanceof HttpError) return json(e.statusCode, e.body, e.headers);
      // Not a documented failure: log it whole for the operator, answer without internals.
      console.error('Unexpected failure', e);
      return json(500, { error: 'InternalError', message: `The playback function failed unexpectedly (request ${event.requestContext?.requestId ?? 'unknown'}); its log has the details.` });
    }
  };
}
