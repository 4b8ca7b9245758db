/**
 * Custom resources served by aws-cdk-lib's `custom-resources` Provider framework, emulated under its contract
 * (`provider-framework/runtime/framework.ts`, `cfn-response.ts`, `waiter-state-machine.ts`):
 *
 * - the ServiceToken is the framework's onEvent function; its environment names the user's onEvent and isComplete
 *   functions (`USER_ON_EVENT_FUNCTION_ARN`, `USER_IS_COMPLETE_FUNCTION_ARN`) and the waiter state machine;
 * - the user's functions run from their bundled code in the assembly (see `LambdaRuntime`);
 * - physical ids: Create defaults to the RequestId, Update/Delete to the current id; Delete may not change it;
 *   a failed Create answers a marker id whose later Delete the framework ignores;
 * - isComplete runs at once, then is retried at the state machine's interval and backoff rate until `MaxAttempts`
 *   retries are used up, then fails with "Operation timed out"; `Data` with `IsComplete: false` is an error.
 */
import { randomUUID } from 'crypto';
import { InvokeResult, LambdaFunctionSpec, LambdaRuntime } from './lambda-runtime';

/** The framework's marker for the physical id of a failed Create (`cfn-response.ts`). */
export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** CloudFormation rejects a custom resource response bigger than this. */
const MAX_RESPONSE_BYTES = 4096;

export interface CustomResourceRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly stackId: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly serviceToken: string;
  /** As CloudFormation sends them: scalars as strings, `ServiceToken` included. */
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly physicalId?: string;
}

export type CustomResourceOutcome =
  | { readonly ok: true; readonly physicalId: string; readonly data: Record<string, unknown>; readonly requestId: string }
  | { readonly ok: false; readonly physicalId?: string; readonly reason: string; readonly requestId: string };

/** What the runner needs to know about the deployed stack(s). */
export interface DeployedFunctions {
  /** The Lambda function deployed with this ARN, if any. */
  lambdaByArn(arn: string): LambdaFunctionSpec | undefined;
  /** The resolved `DefinitionString` of the state machine deployed with this ARN, if any. */
  stateMachineDefinition(arn: string): string | undefined;
}

export interface ProviderRunnerOptions {
  readonly region: string;
  readonly urlSuffix: string;
  /** Multiplies the waiter's query interval. */
  readonly timeScale: number;
}

interface Waiter {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
}

class Failure extends Error {
  constructor(message: string, public readonly physicalId: string | undefined) {
    super(message);
  }
}

export class ProviderRunner {
  constructor(
    private readonly functions: DeployedFunctions,
    private readonly runtime: LambdaRuntime,
    private readonly options: ProviderRunnerOptions,
  ) {}

  /** Sends one lifecycle request to the custom resource and waits for its response, as CloudFormation would. */
  public async run(req: CustomResourceRequest): Promise<CustomResourceOutcome> {
    const requestId = randomUUID();
    try {
      const { physicalId, data } = await this.handle(req, requestId);
      if (physicalId.length > 1024) throw new Failure('Invalid PhysicalResourceId: longer than 1024 characters', req.physicalId);
      const response = JSON.stringify({ Status: 'SUCCESS', Reason: 'SUCCESS', StackId: req.stackId, RequestId: requestId, PhysicalResourceId: physicalId, LogicalResourceId: req.logicalId, Data: data });
      if (Buffer.byteLength(response) > MAX_RESPONSE_BYTES) throw new Failure('Response object is too long.', req.physicalId);
      return { ok: true, physicalId, data, requestId };
    } catch (e) {
      const failure = e instanceof Failure ? e : new Failure(String((e as Error).message ?? e), req.physicalId);
      return {
        ok: false,
        physicalId: failure.physicalId,
        reason: `Received response status [FAILED] from custom resource. Message returned: ${failure.message} (RequestId: ${requestId})`,
        requestId,
      };
    }
  }

  private async handle(req: CustomResourceRequest, requestId: string): Promise<{ physicalId: string; data: Record<string, unknown> }> {
    const framework = this.functions.lambdaByArn(req.serviceToken);
    if (!framework) {
      throw new Failure(`ServiceToken ${req.serviceToken} is not a Lambda function deployed by the harness`, req.physicalId);
    }
    const userOnEventArn = framework.environment.USER_ON_EVENT_FUNCTION_ARN;
    if (!userOnEventArn) {
      throw new Failure(`ServiceToken ${req.serviceToken} (${framework.logicalId}) is not an aws-cdk-lib custom-resources Provider framework function: it has no USER_ON_EVENT_FUNCTION_ARN; the harness runs only Provider-framework custom resources`, req.physicalId);
    }

    const cfnRequest: Record<string, unknown> = {
      RequestType: req.requestType,
      ServiceToken: req.serviceToken,
      ResponseURL: `https://cloudformation-custom-resource-response-${this.options.region.replace(/-/g, '')}.s3.${this.options.urlSuffix}/${encodeURIComponent(`${req.stackId}|${req.logicalId}|${requestId}`)}`,
      StackId: req.stackId,
      RequestId: requestId,
      LogicalResourceId: req.logicalId,
      ResourceType: req.resourceType,
      ResourceProperties: req.properties,
      ...(req.requestType === 'Update' ? { OldResourceProperties: req.oldProperties } : {}),
      ...(req.requestType === 'Create' ? {} : { PhysicalResourceId: req.physicalId }),
    };

    // cfn-response.safeHandler: the Delete that follows a failed Create is acknowledged without calling the user.
    if (req.requestType === 'Delete' && req.physicalId === CREATE_FAILED_PHYSICAL_ID_MARKER) {
      return { physicalId: CREATE_FAILED_PHYSICAL_ID_MARKER, data: {} };
    }
    // On failure the framework answers the request's physical id, or the marker when a Create has none yet.
    const failedId = (event: Record<string, unknown>) =>
      (event.PhysicalResourceId as string | undefined) ?? (req.requestType === 'Create' ? CREATE_FAILED_PHYSICAL_ID_MARKER : undefined);

    const onEventResult = await this.invokeUser(userOnEventArn, cfnRequest, failedId(cfnRequest));
    const resourceEvent = this.responseEvent(cfnRequest, onEventResult);

    const userIsCompleteArn = framework.environment.USER_IS_COMPLETE_FUNCTION_ARN;
    if (!userIsCompleteArn) {
      return { physicalId: resourceEvent.PhysicalResourceId as string, data: (resourceEvent.Data as Record<string, unknown> | undefined) ?? {} };
    }
    const waiter = this.waiter(framework, failedId(resourceEvent));

    for (let attempt = 0; ; attempt++) {
      const result = (await this.invokeUser(userIsCompleteArn, resourceEvent, failedId(resourceEvent))) as Record<string, unknown> | null;
      if (result === null || typeof result !== 'object') {
        throw new Failure(`Cannot read properties of ${result === null ? 'null' : typeof result} (reading 'IsComplete')`, failedId(resourceEvent));
      }
      if (result.IsComplete) {
        const merged: Record<string, unknown> = { ...resourceEvent, ...result };
        const data = { ...(resourceEvent.Data as object), ...(result.Data as object) } as Record<string, unknown>;
        return { physicalId: (merged.PhysicalResourceId as string | undefined) ?? (resourceEvent.PhysicalResourceId as string), data };
      }
      if (result.Data && Object.keys(result.Data).length > 0) {
        throw new Failure('"Data" is not allowed if "IsComplete" is "False"', failedId(resourceEvent));
      }
      if (attempt >= waiter.maxAttempts) throw new Failure('Operation timed out', failedId(resourceEvent));
      const delaySeconds = waiter.intervalSeconds * waiter.backoffRate ** attempt;
      await new Promise((resolve) => setTimeout(resolve, delaySeconds * 1000 * this.options.timeScale));
    }
  }

  /** framework.createResponseEvent: the physical id rules. */
  private responseEvent(cfnRequest: Record<string, unknown>, onEventResult: unknown): Record<string, unknown> {
    const result = (onEventResult ?? {}) as Record<string, unknown>;
    const defaultId = cfnRequest.RequestType === 'Create' ? cfnRequest.RequestId : cfnRequest.PhysicalResourceId;
    const physicalId = (result.PhysicalResourceId as string | undefined) || (defaultId as string);
    if (cfnRequest.RequestType === 'Delete' && physicalId !== cfnRequest.PhysicalResourceId) {
      throw new Failure(`DELETE: cannot change the physical resource ID from "${cfnRequest.PhysicalResourceId}" to "${result.PhysicalResourceId}" during deletion`,
        cfnRequest.PhysicalResourceId as string);
    }
    return { ...cfnRequest, ...result, PhysicalResourceId: physicalId };
  }

  /** The retry policy of the waiter state machine named by the framework function's environment. */
  private waiter(framework: LambdaFunctionSpec, physicalId: string | undefined): Waiter {
    const machineArn = framework.environment.WAITER_STATE_MACHINE_ARN;
    if (!machineArn) throw new Failure('The environment variable "WAITER_STATE_MACHINE_ARN" is not defined', physicalId);
    const definition = this.functions.stateMachineDefinition(machineArn);
    if (definition === undefined) throw new Failure(`Waiter state machine ${machineArn} is not deployed by the harness`, physicalId);
    type Retrier = { IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number };
    const parsed = JSON.parse(definition) as { StartAt: string; States: Record<string, { Retry?: Retrier[] }> };
    const retry = parsed.States[parsed.StartAt]?.Retry?.[0];
    if (!retry) throw new Failure(`Waiter state machine ${machineArn} has no Retry policy on ${parsed.StartAt}`, physicalId);
    // Step Functions' defaults for an omitted field.
    return { intervalSeconds: retry.IntervalSeconds ?? 1, maxAttempts: retry.MaxAttempts ?? 3, backoffRate: retry.BackoffRate ?? 2 };
  }

  /** framework.invokeUserFunction: a function error becomes the failure's message. */
  private async invokeUser(functionArn: string, payload: Record<string, unknown>, physicalId: string | undefined): Promise<unknown> {
    const spec = this.functions.lambdaByArn(functionArn);
    if (!spec) throw new Failure(`Function not found: ${functionArn}`, physicalId);
    const result: InvokeResult = await this.runtime.invoke(spec, payload);
    if (!result.ok) throw new Failure(result.error.errorMessage || 'error', physicalId);
    return result.payload;
  }
}
