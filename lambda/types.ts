/**
 * The Provider framework's contract with user handlers (aws-cdk-lib `custom-resources`, `provider-framework/types.d.ts`),
 * narrowed to what the handlers here read. CloudFormation delivers every scalar property as a string.
 */

export type RequestType = 'Create' | 'Update' | 'Delete';

/** Resource properties as CloudFormation delivers them: parse them with `./properties` before use. */
export type RawProperties = { readonly [key: string]: unknown };

/** The event `onEvent` receives. */
export interface OnEventRequest {
  readonly RequestType: RequestType;
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
  readonly StackId: string;
  /** Absent on Create; on Update and Delete, the id the last Create or Update returned. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: RawProperties;
  /** Update only: the properties before this update (on rollback, the properties of the failed update). */
  readonly OldResourceProperties?: RawProperties;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  /**
   * Only when the step finished inside `onEvent`: every attribute. The framework merges it into the `isComplete` event
   * (and into the resource's attributes), so `isComplete` completes with it instead of describing the service again:
   * the third read of each Describe*Configuration API per Create would otherwise cost a third of its 50 TPS quota.
   */
  readonly Data?: { readonly [attribute: string]: string };
}

/** The event `isComplete` receives: the `onEvent` request merged with its response. */
export type IsCompleteRequest = OnEventRequest & Partial<OnEventResponse>;

/** While in progress: `IsComplete: false` and no `Data` (the framework rejects Data then). Done: every attribute. */
export type IsCompleteResponse =
  | { readonly IsComplete: false }
  | { readonly IsComplete: true; readonly Data: { readonly [attribute: string]: string } };
