/**
 * Entry points of the custom-resource handler bundle: `index.onEvent` and `index.isComplete`, two Lambda functions
 * behind one aws-cdk-lib `custom-resources` Provider. Both dispatch on `event.ResourceType`.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import { SDK_MAX_ATTEMPTS } from './budgets';
import { scaledClock, TIME_SCALE_ENV } from './clock';
import { handlerFor } from './dispatch';
import { HandlerContext, ResourceHandler } from './handler';
import { readPositiveNumber } from './parse';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './types';

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  return withHandler(event, (handler) => handler.onEvent());
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  return withHandler(event, (handler) => handler.isComplete());
}

/**
 * The real context: SDK clients (region, credentials and endpoints from the environment, e.g.
 * `AWS_ENDPOINT_URL_KINESIS_VIDEO` / `AWS_ENDPOINT_URL_CLOUDFORMATION` for local testing) and a clock scaled by
 * `KVS_HANDLER_TIME_SCALE`.
 */
export function createContext(env: NodeJS.ProcessEnv = process.env): HandlerContext {
  const scale = env[TIME_SCALE_ENV] === undefined ? 1 : readPositiveNumber(env[TIME_SCALE_ENV], TIME_SCALE_ENV);
  return {
    kinesisVideo: new KinesisVideoClient({ maxAttempts: SDK_MAX_ATTEMPTS }),
    cloudFormation: new CloudFormationClient({ maxAttempts: SDK_MAX_ATTEMPTS }),
    clock: scaledClock(scale),
    random: Math.random,
    // eslint-disable-next-line no-console
    log: (message, detail) => console.log(JSON.stringify({ message, ...detail })),
  };
}

/**
 * The context lives as long as the container, as AWS recommends for SDK clients: warm invocations reuse its clients'
 * resolved configuration and their kept-alive connections instead of building both again (a new client per
 * invocation was most of an invocation's CPU in the harness's fleet benchmark). It is rebuilt when the environment
 * it was built from changes, which in Lambda happens only in tests that call the entry points in one process.
 */
let container: { readonly key: string; readonly ctx: HandlerContext } | undefined;

function containerContext(env: NodeJS.ProcessEnv = process.env): HandlerContext {
  const key = JSON.stringify(Object.keys(env).filter((name) => /^(AWS_|KVS_)/.test(name)).sort().map((name) => [name, env[name]]));
  if (container?.key !== key) {
    container?.ctx.kinesisVideo.destroy();
    container?.ctx.cloudFormation.destroy();
    container = { key, ctx: createContext(env) };
  }
  return container.ctx;
}

async function withHandler<T>(event: IsCompleteRequest, run: (handler: ResourceHandler) => Promise<T>): Promise<T> {
  return run(handlerFor(event, containerContext()));
}
