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

/** Clients live for one invocation (no module-level state); their sockets are released when it ends. */
async function withHandler<T>(event: IsCompleteRequest, run: (handler: ResourceHandler) => Promise<T>): Promise<T> {
  const ctx = createContext();
  try {
    return await run(handlerFor(event, ctx));
  } finally {
    ctx.kinesisVideo.destroy();
    ctx.cloudFormation.destroy();
  }
}
