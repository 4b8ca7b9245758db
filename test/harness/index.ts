/**
 * A local deploy harness: runs a synthesized cloud assembly through CloudFormation's stack lifecycle (create,
 * update with cleanup, rollback, delete) against an in-process KVS test server. Custom resources run through the
 * handler files bundled in the assembly's assets, exactly as shipped. See README.md in this folder.
 */
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { KinesisVideoClient } from '@aws-sdk/client-kinesis-video';
import type { AuthorizationDecision, AuthorizationRequest, Authorizer } from '../kvs-server';
import { AssemblyStack, readAssemblyStack } from './assembly';
import { dependencyGraph, restrictGraph, reverseGraph, runGraph } from './graph';
import { IAM_POLICY_TYPES, IamAccount, IamResourceView } from './iam';
import { InvocationRecord, InvokeResult, LambdaFunctionSpec, LambdaRuntime } from './lambda-runtime';
import { generatePhysicalName, HandlerError, nativeHandler, NATIVE_TYPES, NativeContext, NativeHandler, NativeResult, Props, requiresReplacement } from './native';
import { CustomResourceRequest, ProviderRunner } from './provider-runner';
import {
  assertSupportedIntrinsics,
  CfnTemplate,
  evaluateConditions,
  evaluateRules,
  NO_VALUE,
  PseudoParameters,
  ResolveContext,
  resolveParameters,
  resolveValue,
  subReferences,
  TemplateError,
  ValidationError,
  walkIntrinsics,
} from './template';

export { readAssembly, readAssemblyStack } from './assembly';
export type { AssemblyStack } from './assembly';
export { TemplateError, ValidationError } from './template';
export { CREATE_FAILED_PHYSICAL_ID_MARKER } from './provider-runner';
export type { InvocationRecord } from './lambda-runtime';

/** What the harness needs from the KVS test server (`test/kvs-server`), structurally. */
export interface KvsServerLike {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Tells the server's CloudFormation DescribeStacks what status a stack is in. */
  setStackStatus(stackId: string, status: string): void;
  /** The server's resulting state, reported with every operation. */
  state(): unknown;
  /** Has the server evaluate every call with the harness's IAM. */
  setAuthorizer?(authorizer: Authorizer | undefined): void;
}

export interface HarnessOptions {
  /** The KVS test server: native KVS resources are deployed through it, and handlers are pointed at it. */
  readonly server?: KvsServerLike;
  /** @default server.region, else 'us-east-1' */
  readonly region?: string;
  /** @default server.accountId, else '123456789012' */
  readonly accountId?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'amazonaws.com' */
  readonly urlSuffix?: string;
  /**
   * Multiplies every service-side duration: Lambda timeouts, the Provider waiter's query interval, and (through
   * `KVS_HANDLER_TIME_SCALE`) the handlers' own waits. 0.01 turns a 5-second query interval into 50 ms.
   * @default 1
   */
  readonly timeScale?: number;
  /**
   * SSM parameters that `AWS::SSM::Parameter::Value<...>` template parameters read.
   * @default { '/cdk-bootstrap/hnb659fds/version': '30' }
   */
  readonly ssmParameters?: Readonly<Record<string, string>>;
  /** How often native KVS resources are polled for a status transition, in milliseconds. @default 10 */
  readonly pollIntervalMs?: number;
  /** Extra environment variables for every Lambda function the harness runs. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Receives the functions' log lines. @default dropped (they are kept in `DeployHarness.logs`) */
  readonly onLog?: (functionName: string, line: string) => void;
  /** Receives every stack event as it happens. */
  readonly onEvent?: (event: StackEvent) => void;
  /**
   * Evaluates every call a function makes to the server against the policies its execution role has at that moment,
   * and IAM's size quotas whenever a policy changes (see `iam.ts`). Off only for tests of the harness itself.
   * @default true
   */
  readonly iam?: boolean;
  /** How many Lambda invocations run at once, across functions (see `LambdaRuntimeOptions`). @default 1000, Lambda's default */
  readonly accountConcurrency?: number;
}

export type StackStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED';

/** One entry of the stack's event log, as CloudFormation's DescribeStackEvents reports it. */
export interface StackEvent {
  /** Order of the event within the harness. */
  readonly seq: number;
  readonly timestamp: number;
  readonly stackName: string;
  /** The resource's logical id, or the stack name for the stack's own events. */
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly resourceType: string;
  readonly status: StackStatus | ResourceStatus;
  readonly reason?: string;
}

export interface ResourceSummary {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status: ResourceStatus;
  readonly reason?: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** The outcome of one stack operation. */
export interface OperationResult {
  readonly stackName: string;
  readonly stackId: string;
  /** NONE: the template and parameters did not change ("No updates are to be performed"). */
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'NONE';
  readonly status: StackStatus;
  /** This operation's events, in order. */
  readonly events: readonly StackEvent[];
  /** The stack's resources after the operation. */
  readonly resources: readonly ResourceSummary[];
  readonly outputs: Readonly<Record<string, string>>;
  /** The Lambda invocations made by this operation, in the order they ended. */
  readonly invocations: readonly InvocationRecord[];
  /** The KVS test server's state after the operation. */
  readonly serverState?: unknown;
  /** What each nested stack (`AWS::CloudFormation::Stack` resource) of this stack did in this operation. */
  readonly nestedStacks: readonly NestedStackResult[];
}

/** One nested stack's part in its parent's operation: its own events, status, resources and outputs. */
export interface NestedStackResult {
  /** The `AWS::CloudFormation::Stack` resource in the parent that holds this stack. */
  readonly logicalId: string;
  readonly parentStackName: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly status: StackStatus;
  /** The nested stack's own events in this operation, in order (its resources' and its own status changes). */
  readonly events: readonly StackEvent[];
  readonly resources: readonly ResourceSummary[];
  readonly outputs: Readonly<Record<string, string>>;
  readonly nestedStacks: readonly NestedStackResult[];
}

export interface DeployOptions {
  /** The stack to deploy from a multi-stack assembly, or the name to deploy the stack under. */
  readonly stackName?: string;
  /** Template parameter values. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** The deployable input: a cloud assembly directory, or one stack of one. */
export type DeploySource = string | AssemblyStack;

interface ResourceRecord {
  readonly logicalId: string;
  readonly type: string;
  physicalId?: string;
  /** The properties last sent to the handler (resolved; strings only for custom resources). */
  properties: Props;
  attributes: Record<string, unknown>;
  deletionPolicy: string;
  updateReplacePolicy: string;
  status: ResourceStatus;
  reason?: string;
  codeDir?: string;
  codeError?: string;
}

/** A template checked and evaluated for one stack: what every operation needs before touching a resource. */
interface Prepared {
  readonly template: CfnTemplate;
  readonly givenParameters: Readonly<Record<string, string>>;
  readonly parameters: Record<string, string | string[]>;
  readonly conditions: Record<string, boolean>;
  /** Resources whose Condition holds. */
  readonly included: ReadonlySet<string>;
  readonly graph: Map<string, Set<string>>;
  readonly assets: ReadonlyMap<string, string>;
}

interface StackRecord {
  readonly stackName: string;
  readonly stackId: string;
  status: StackStatus;
  prepared: Prepared;
  readonly resources: Map<string, ResourceRecord>;
  outputs: Record<string, string>;
  readonly events: StackEvent[];
  busy: boolean;
  /** A nested stack: the stack and the `AWS::CloudFormation::Stack` resource that hold it. */
  readonly parent?: { readonly stack: StackRecord; readonly logicalId: string };
  /** A nested stack whose update is done but not cleaned up: its root's cleanup (or rollback) finishes it. */
  pendingUpdate?: UpdateState;
  /** A nested stack rolling back on its own after a failure, while its parent goes on to fail. */
  settling?: Promise<void>;
}

interface Operation {
  readonly stack: StackRecord;
  readonly events: StackEvent[];
  readonly invocationsBefore: number;
  /** Assets of the assembly being deployed, for Lambda code. */
  readonly assets: ReadonlyMap<string, string>;
  /** Set once a resource fails: resources still in flight then end as "cancelled". */
  failed: boolean;
  /** A nested stack's create or update: it is cancelled when the parent's operation fails. */
  readonly parent?: Operation;
  /** The operations of nested stacks within this one, by stack id (one per nested stack, events accumulated). */
  readonly nested: Map<string, Operation>;
}

/** An update past its forward phase: what its cleanup or its rollback needs. */
interface UpdateState {
  readonly op: Operation;
  readonly previous: Prepared;
  readonly prepared: Prepared;
  /** The stack's resources before the update. */
  readonly before: ReadonlyMap<string, ResourceRecord>;
  /** Resources the update updated or tried to. */
  readonly touched: ReadonlySet<string>;
}

/** What a deletion does with a resource, by its policy. */
type DeleteAction = 'delete' | 'skip';

/** A physical resource the cleanup phase deletes; `removes`: its logical resource leaves the stack too. */
interface CleanupTarget {
  readonly record: ResourceRecord;
  readonly action: DeleteAction;
  readonly removes: boolean;
}

/** The secret and session token of every access key the harness issues (their ids tell the roles apart). */
const HARNESS_SECRET_ACCESS_KEY = 'harness-secret';
const HARNESS_SESSION_TOKEN = 'harness-session';
const DEFAULT_SSM = { '/cdk-bootstrap/hnb659fds/version': '30' };
const STACK_TYPE = 'AWS::CloudFormation::Stack';
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain'];

function isCustomType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** CloudFormation hands custom resources every scalar as a string. */
function toCfnStrings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCfnStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCfnStrings(v)]));
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
}

function cloneRecord(record: ResourceRecord): ResourceRecord {
  return { ...record, properties: structuredClone(record.properties), attributes: structuredClone(record.attributes) };
}

export class DeployHarness {
  /** Every line the functions logged, in order. */
  public readonly logs: { readonly functionName: string; readonly line: string }[] = [];
  private readonly stacks = new Map<string, StackRecord>();
  private readonly stacksById = new Map<string, StackRecord>();
  private readonly runtime: LambdaRuntime;
  private readonly runner: ProviderRunner;
  private readonly codeStore: string;
  private readonly region: string;
  private readonly accountId: string;
  private readonly partition: string;
  private readonly urlSuffix: string;
  private readonly timeScale: number;
  private seq = 0;
  private kvsClient?: KinesisVideoClient;
  /** The account's IAM: access keys for the functions' roles, policy evaluation and quotas. */
  private readonly iam: IamAccount;

  constructor(private readonly options: HarnessOptions = {}) {
    this.region = options.region ?? options.server?.region ?? 'us-east-1';
    this.accountId = options.accountId ?? options.server?.accountId ?? '123456789012';
    this.partition = options.partition ?? 'aws';
    this.urlSuffix = options.urlSuffix ?? 'amazonaws.com';
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new Error(`timeScale must be greater than 0, got ${this.timeScale}`);
    this.codeStore = fs.mkdtempSync(path.join(os.tmpdir(), 'kvs-harness-code-'));
    this.iam = new IamAccount(this.accountId, () => this.liveResources());
    if (options.iam !== false) options.server?.setAuthorizer?.(this.iam);
    const endpoint = options.server?.endpoint;
    this.runtime = new LambdaRuntime({
      timeScale: this.timeScale,
      accountConcurrency: options.accountConcurrency,
      baseEnvironment: {
        AWS_REGION: this.region,
        AWS_DEFAULT_REGION: this.region,
        AWS_ACCESS_KEY_ID: 'AKIDHARNESS',
        AWS_SECRET_ACCESS_KEY: HARNESS_SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN: HARNESS_SESSION_TOKEN,
        AWS_EC2_METADATA_DISABLED: 'true',
        // Every other service resolves to a closed local port: a handler never reaches a real AWS endpoint.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        ...(endpoint ? { AWS_ENDPOINT_URL_KINESIS_VIDEO: endpoint, AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint } : {}),
        KVS_HANDLER_TIME_SCALE: String(this.timeScale),
        ...options.environment,
      },
      onLog: (functionName, line) => {
        this.logs.push({ functionName, line });
        options.onLog?.(functionName, line);
      },
    });
    this.runner = new ProviderRunner(
      { lambdaByArn: (arn) => this.lambdaByArn(arn), stateMachineDefinition: (arn) => this.stateMachineDefinition(arn) },
      this.runtime,
      { region: this.region, urlSuffix: this.urlSuffix, timeScale: this.timeScale },
    );
  }

  /** The calls the functions made that IAM evaluated so far, how many it denied, and the real time it took. */
  public get iamDecisions(): { readonly evaluated: number; readonly denied: number; readonly simulated: number; readonly ms: number } {
    return { ...this.iam.decisions };
  }

  /** The Lambda containers started so far (cold starts), and the real time their init phases took, summed. */
  public get coldStarts(): { readonly count: number; readonly initMs: number } {
    return { ...this.runtime.coldStarts };
  }

  /** Every Lambda invocation so far. */
  public get invocations(): readonly InvocationRecord[] {
    return this.runtime.invocations;
  }

  /**
   * Creates the stack, or updates it from the template it was last deployed with. Template errors (unsupported
   * intrinsics or types, false `Rules` assertions, missing parameters) throw before any resource is touched.
   */
  public async deploy(source: DeploySource, options: DeployOptions = {}): Promise<OperationResult> {
    const asm = typeof source === 'string' ? readAssemblyStack(source, options.stackName) : source;
    const stackName = options.stackName ?? asm.stackName;
    let existing = this.stacks.get(stackName);
    if (existing?.parent) throw new ValidationError(`Stack ${stackName} is a nested stack of ${existing.parent.stack.stackName}: deploy its root stack`);
    if (existing?.status === 'ROLLBACK_COMPLETE') {
      // The CDK CLI deletes a stack that failed its creation before it creates it again.
      await this.destroy(stackName);
      existing = undefined;
    }
    if (existing && !['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'].includes(existing.status)) {
      throw new ValidationError(`Stack:${existing.stackId} is in ${existing.status} state and can not be updated.`);
    }
    const stackId = existing?.stackId ?? `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${stackName}/${randomUUID()}`;
    const prepared = this.prepare(asm, options.parameters ?? {}, stackName, stackId, existing);
    return existing ? this.updateStack(existing, prepared) : this.createStack(stackName, stackId, prepared);
  }

  /** Deletes the stack: every resource in reverse dependency order, honouring `DeletionPolicy`. */
  public async destroy(stackName: string): Promise<OperationResult> {
    const stack = this.stacks.get(stackName);
    if (!stack) throw new ValidationError(`Stack with id ${stackName} does not exist`);
    if (stack.parent) throw new ValidationError(`Stack ${stackName} is a nested stack of ${stack.parent.stack.stackName}: delete its root stack`);
    return this.exclusive(stack, async () => {
      const op = this.begin(stack);
      await this.deleteStack(op, 'User Initiated');
      return this.result(op, 'DELETE');
    });
  }

  /** The stack's current resources, or undefined when there is no such stack. */
  public resources(stackName: string): ResourceSummary[] | undefined {
    const stack = this.stacks.get(stackName);
    return stack ? [...stack.resources.values()].map(summarize) : undefined;
  }

  /** The stack's status, or undefined when there is no such stack (never created, or deleted). */
  public status(stackName: string): StackStatus | undefined {
    return this.stacks.get(stackName)?.status;
  }

  /** The stack's whole event history, across operations. */
  public events(stackName: string): readonly StackEvent[] | undefined {
    return this.stacks.get(stackName)?.events;
  }

  /** The resolved properties of a resource of the stack as last deployed (for `http-api.ts`), or undefined. */
  public resourceProperties(stackName: string, logicalId: string): Readonly<Props> | undefined {
    const record = this.stacks.get(stackName)?.resources.get(logicalId);
    return record?.physicalId === undefined ? undefined : structuredClone(record.properties);
  }

  /** Invokes a deployed function as Lambda's Invoke API does (`RequestResponse`), for services that call it. */
  public async invokeFunction(functionArn: string, payload: unknown): Promise<InvokeResult> {
    const spec = this.lambdaByArn(functionArn);
    if (!spec) {
      return { ok: false, error: { errorType: 'ResourceNotFoundException', errorMessage: `Function not found: ${functionArn}`, trace: [] } };
    }
    return this.runtime.invoke(spec, payload);
  }

  /**
   * Credentials of a session of the role (an IAM role of a deployed stack), as STS AssumeRole would hand them out:
   * calls signed with them are evaluated against the role's policies by `authorize`.
   */
  public roleCredentials(roleArn: string, sessionName: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    const accessKeyId = this.iam.accessKeyFor(roleArn, sessionName);
    return { accessKeyId, secretAccessKey: HARNESS_SECRET_ACCESS_KEY, sessionToken: HARNESS_SESSION_TOKEN };
  }

  /** The secret of an access key the harness issued, or undefined for any other key. */
  public secretOf(accessKeyId: string): string | undefined {
    return this.iam.issued(accessKeyId) ? HARNESS_SECRET_ACCESS_KEY : undefined;
  }

  /** IAM's decision on a call signed with an issued access key, against its role's policies at this moment. */
  public authorize(request: AuthorizationRequest): Promise<AuthorizationDecision> {
    return this.iam.authorize(request);
  }

  /** Stops the Lambda containers and removes the harness's copy of the functions' code. */
  public async close(): Promise<void> {
    if (this.options.iam !== false) this.options.server?.setAuthorizer?.(undefined);
    await this.runtime.close();
    this.kvsClient?.destroy();
    fs.rmSync(this.codeStore, { recursive: true, force: true });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Validation
  // ------------------------------------------------------------------------------------------------------------

  private pseudo(stackName: string, stackId: string): PseudoParameters {
    return { region: this.region, accountId: this.accountId, partition: this.partition, urlSuffix: this.urlSuffix, stackName, stackId };
  }

  private prepare(asm: AssemblyStack, given: Readonly<Record<string, string>>, stackName: string, stackId: string, existing?: StackRecord): Prepared {
    const template = structuredClone(asm.template);
    if (template.Transform !== undefined) throw new TemplateError('Template Transform is not emulated by the harness');
    if (!template.Resources || Object.keys(template.Resources).length === 0) {
      throw new ValidationError('Template format error: At least one Resources member must be defined.');
    }
    const unsupported = Object.entries(template.Resources)
      .filter(([, r]) => !isCustomType(r.Type) && r.Type !== STACK_TYPE && nativeHandler(r.Type) === undefined)
      .map(([, r]) => r.Type);
    if (unsupported.length > 0) {
      throw new TemplateError(`The harness does not emulate resource types: [${[...new Set(unsupported)].join(', ')}] (it emulates custom resources and ${[...NATIVE_TYPES, STACK_TYPE].sort().join(', ')})`);
    }
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.DeletionPolicy !== undefined && !DELETION_POLICIES.includes(r.DeletionPolicy)) {
        throw new TemplateError(`Resource ${id} has DeletionPolicy ${r.DeletionPolicy}; the harness emulates ${DELETION_POLICIES.join(', ')}`);
      }
      if (r.UpdateReplacePolicy !== undefined && !UPDATE_REPLACE_POLICIES.includes(r.UpdateReplacePolicy)) {
        throw new TemplateError(`Resource ${id} has UpdateReplacePolicy ${r.UpdateReplacePolicy}; the harness emulates ${UPDATE_REPLACE_POLICIES.join(', ')}`);
      }
    }
    if (existing) {
      const retyped = Object.entries(template.Resources)
        .filter(([id, r]) => existing.resources.has(id) && existing.resources.get(id)!.type !== r.Type)
        .map(([id]) => id);
      if (retyped.length > 0) {
        throw new ValidationError(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${retyped.join(', ')}]`);
      }
    }
    assertSupportedIntrinsics(template);
    this.assertAttributesExist(template);

    const ssm = { ...DEFAULT_SSM, ...this.options.ssmParameters };
    const parameters = resolveParameters(template, given, ssm);
    const base = { pseudo: this.pseudo(stackName, stackId), parameters, mappings: template.Mappings, ref: unresolvable, getAtt: unresolvable };
    evaluateRules(template, base);
    const conditions = evaluateConditions(template, base);
    const included = new Set(Object.entries(template.Resources)
      .filter(([id, r]) => {
        if (r.Condition === undefined) return true;
        if (!(r.Condition in conditions)) throw new TemplateError(`Template format error: Unresolved condition dependency ${r.Condition} in Resources.${id}.Condition`);
        return conditions[r.Condition];
      })
      .map(([id]) => id));
    const graph = dependencyGraph(template, included);
    return { template, givenParameters: { ...given }, parameters, conditions, included, graph, assets: asm.assets };
  }

  /** `Fn::GetAtt` (and `${X.Attr}` in `Fn::Sub`) of an attribute a native type does not have fails validation. */
  private assertAttributesExist(template: CfnTemplate): void {
    const check = (logicalId: string, attribute: string, at: string) => {
      const target = template.Resources[logicalId];
      if (!target) throw new TemplateError(`Template format error: Unresolved resource dependencies [${logicalId}] in the Resources block of the template (at ${at})`);
      const handler = isCustomType(target.Type) ? undefined : nativeHandler(target.Type);
      if ((handler && !handler.attributes.includes(attribute)) || (target.Type === STACK_TYPE && !attribute.startsWith('Outputs.'))) {
        throw new TemplateError(`Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`);
      }
    };
    const visit = (fn: string, args: unknown, at: string) => {
      if (fn === 'Fn::GetAtt') {
        const [id, attr] = typeof args === 'string' ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)] : (args as unknown[]);
        if (typeof id === 'string' && typeof attr === 'string') check(id, attr, at);
      }
      if (fn === 'Fn::Sub') {
        const text = typeof args === 'string' ? args : Array.isArray(args) ? args[0] : undefined;
        const local = Array.isArray(args) && args[1] && typeof args[1] === 'object' ? Object.keys(args[1]) : [];
        if (typeof text !== 'string') return;
        for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
          const expr = match[1].trim();
          const dot = expr.indexOf('.');
          if (dot > 0 && !expr.startsWith('AWS::') && !local.includes(expr)) check(expr.slice(0, dot), expr.slice(dot + 1), at);
        }
        for (const name of subReferences(text)) {
          if (!local.includes(name) && !(name in template.Resources) && !(name in (template.Parameters ?? {}))) {
            throw new TemplateError(`Template format error: Unresolved resource dependencies [${name}] in the Resources block of the template (at ${at})`);
          }
        }
      }
    };
    for (const [id, r] of Object.entries(template.Resources)) walkIntrinsics(r.Properties, `Resources.${id}.Properties`, visit);
    for (const [id, o] of Object.entries(template.Outputs ?? {})) walkIntrinsics(o, `Outputs.${id}`, visit);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Operations
  // ------------------------------------------------------------------------------------------------------------

  private async createStack(stackName: string, stackId: string, prepared: Prepared): Promise<OperationResult> {
    const stack = this.newStack(stackName, stackId, prepared);
    return this.exclusive(stack, async () => {
      const op = this.begin(stack, prepared.assets);
      if (!(await this.createForward(op, prepared, 'User Initiated', 'Rollback requested by user.'))) await this.createRollback(op, prepared);
      return this.result(op, 'CREATE');
    });
  }

  private newStack(stackName: string, stackId: string, prepared: Prepared, parent?: StackRecord['parent']): StackRecord {
    const stack: StackRecord = { stackName, stackId, status: 'CREATE_IN_PROGRESS', prepared, resources: new Map(), outputs: {}, events: [], busy: false, parent };
    this.stacks.set(stackName, stack);
    this.stacksById.set(stackId, stack);
    return stack;
  }

  /** Creates every resource; true when the stack reached CREATE_COMPLETE. */
  private async createForward(op: Operation, prepared: Prepared, reason?: string, rollbackReasonSuffix?: string): Promise<boolean> {
    const stack = op.stack;
    this.emitStack(op, 'CREATE_IN_PROGRESS', reason);
    const outcome = await runGraph(prepared.graph, (id) => this.createResource(op, prepared, id),
      { stopOnFailure: true, stop: () => this.cancelled(op) });
    if (outcome.failed.size === 0 && outcome.skipped.size === 0) {
      stack.outputs = this.resolveOutputs(stack);
      this.emitStack(op, 'CREATE_COMPLETE');
      return true;
    }
    this.emitStack(op, 'ROLLBACK_IN_PROGRESS', [this.failureSummary(op) || 'Resource creation cancelled', rollbackReasonSuffix].filter(Boolean).join(' '));
    return false;
  }

  /** Deletes everything a failed create attempted → ROLLBACK_COMPLETE / ROLLBACK_FAILED. */
  private async createRollback(op: Operation, prepared: Prepared): Promise<void> {
    const stack = op.stack;
    const attempted = new Set(stack.resources.keys());
    const rollback = await runGraph(reverseGraph(restrictGraph(prepared.graph, attempted)), async (id) => {
      const record = stack.resources.get(id)!;
      const ok = await this.deleteResource(op, record, policyAction(record.deletionPolicy, true), true);
      if (ok) stack.resources.delete(id);
      return ok;
    }, { stopOnFailure: false });
    this.emitStack(op, rollback.failed.size === 0 ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED');
  }

  private async updateStack(stack: StackRecord, prepared: Prepared): Promise<OperationResult> {
    return this.exclusive(stack, async () => {
      const op = this.begin(stack, prepared.assets);
      const state = await this.updateForward(op, prepared, 'User Initiated');
      if (state === 'NONE') return this.result(op, 'NONE');
      if (stack.status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') await this.updateCleanup(state);
      else await this.updateRollback(state);
      return this.result(op, 'UPDATE');
    });
  }

  /**
   * The update's forward phase: resources whose resolved properties changed are updated, added ones created. Ends
   * in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, or UPDATE_ROLLBACK_IN_PROGRESS after a failure; NONE: nothing changed.
   */
  private async updateForward(op: Operation, prepared: Prepared, reason?: string): Promise<UpdateState | 'NONE'> {
    const stack = op.stack;
    const previous = stack.prepared;
    const unchanged = canonical(previous.template) === canonical(prepared.template)
      && canonical(previous.givenParameters) === canonical(prepared.givenParameters);
    if (unchanged) return 'NONE';
    const before = new Map([...stack.resources].map(([id, r]) => [id, cloneRecord(r)]));
    const touched = new Set<string>();
    this.emitStack(op, 'UPDATE_IN_PROGRESS', reason);
    const forward = await runGraph(prepared.graph, (id) => (before.has(id)
      ? this.updateResource(op, prepared, id, touched)
      : this.createResource(op, prepared, id)), { stopOnFailure: true, stop: () => this.cancelled(op) });
    const state: UpdateState = { op, previous, prepared, before, touched };
    if (forward.failed.size === 0 && forward.skipped.size === 0) {
      stack.prepared = prepared;
      stack.outputs = this.resolveOutputs(stack);
      this.emitStack(op, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    } else {
      this.emitStack(op, 'UPDATE_ROLLBACK_IN_PROGRESS', this.failureSummary(op) || 'Resource update cancelled');
    }
    return state;
  }

  /**
   * The cleanup phase: removed resources go by their old DeletionPolicy, replaced ones' old physical resources by
   * UpdateReplacePolicy. Nested stacks updated by this update clean up first (their root's cleanup is theirs).
   */
  private async updateCleanup(state: UpdateState): Promise<void> {
    const { op, previous, prepared, before } = state;
    const stack = op.stack;
    await Promise.all([...state.touched].map((id) => this.nestedOf(stack.resources.get(id))).map(async (child) => {
      const pending = child?.pendingUpdate;
      if (!child || !pending) return;
      child.pendingUpdate = undefined;
      await this.updateCleanup(pending);
    }));
    const removed = [...before.keys()].filter((id) => !prepared.included.has(id));
    const replaced = [...before.keys()]
      .filter((id) => prepared.included.has(id) && stack.resources.get(id)!.physicalId !== before.get(id)!.physicalId);
    await this.cleanup(op, previous.graph, new Map<string, CleanupTarget>([
      ...removed.map((id) => cleanupTarget(before.get(id)!, before.get(id)!.deletionPolicy, false, true)),
      ...replaced.map((id) => cleanupTarget(before.get(id)!, stack.resources.get(id)!.updateReplacePolicy, false, false)),
    ]));
    this.emitStack(op, 'UPDATE_COMPLETE');
  }

  /**
   * Rollback: an update back to the previous template. Resources the failed update replaced get their old physical
   * resource back; resources it updated (or tried to, or was updating) get an Update with their old properties
   * (nested stacks: their own rollback); what it created (new resources, replacements) is deleted once the stack is
   * restored.
   */
  private async updateRollback(state: UpdateState): Promise<void> {
    const { op, previous, prepared, before, touched } = state;
    const stack = op.stack;
    if (stack.status !== 'UPDATE_ROLLBACK_IN_PROGRESS') this.emitStack(op, 'UPDATE_ROLLBACK_IN_PROGRESS');
    // The restored stack resolves its references and outputs against the previous template again.
    stack.prepared = previous;
    const discarded = new Map<string, ResourceRecord>();
    const restore = await runGraph(previous.graph, (id) => (touched.has(id)
      ? this.restoreResource(op, previous, id, before.get(id)!, discarded)
      : Promise.resolve(true)), { stopOnFailure: true });
    if (restore.failed.size > 0) {
      this.emitStack(op, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${[...restore.failed].join(', ')}]. `);
      return;
    }
    this.emitStack(op, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    const created = [...stack.resources.keys()].filter((id) => !before.has(id));
    await this.cleanup(op, prepared.graph, new Map<string, CleanupTarget>([
      ...created.map((id) => cleanupTarget(stack.resources.get(id)!, stack.resources.get(id)!.deletionPolicy, true, true)),
      ...[...discarded.values()].map((record) => cleanupTarget(record, record.deletionPolicy, true, false)),
    ]));
    stack.outputs = this.resolveOutputs(stack);
    this.emitStack(op, 'UPDATE_ROLLBACK_COMPLETE');
  }

  /** Deletes every resource in reverse order → DELETE_COMPLETE (the stack is gone) or DELETE_FAILED. */
  private async deleteStack(op: Operation, reason?: string): Promise<void> {
    const stack = op.stack;
    this.emitStack(op, 'DELETE_IN_PROGRESS', reason);
    const ids = new Set(stack.resources.keys());
    const outcome = await runGraph(reverseGraph(restrictGraph(stack.prepared.graph, ids)), async (id) => {
      const record = stack.resources.get(id)!;
      const ok = await this.deleteResource(op, record, policyAction(record.deletionPolicy, false), true);
      if (ok) stack.resources.delete(id);
      return ok;
    }, { stopOnFailure: false });
    if (outcome.failed.size > 0) {
      this.emitStack(op, 'DELETE_FAILED', `The following resource(s) failed to delete: [${[...outcome.failed].join(', ')}]. `);
    } else {
      this.emitStack(op, 'DELETE_COMPLETE');
      this.stacks.delete(stack.stackName);
      this.stacksById.delete(stack.stackId);
    }
  }

  /** Deletes what an update left behind, in reverse dependency order; failures do not fail the stack. */
  private async cleanup(op: Operation, graph: ReadonlyMap<string, ReadonlySet<string>>, targets: ReadonlyMap<string, CleanupTarget>): Promise<void> {
    await runGraph(reverseGraph(restrictGraph(graph, new Set(targets.keys()))), async (id) => {
      const target = targets.get(id)!;
      await this.deleteResource(op, target.record, target.action, target.removes);
      // A resource the cleanup fails to delete is no longer the stack's either.
      if (target.removes) op.stack.resources.delete(id);
      return true;
    }, { stopOnFailure: false });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Resources
  // ------------------------------------------------------------------------------------------------------------

  private async createResource(op: Operation, prepared: Prepared, id: string): Promise<boolean> {
    const resource = prepared.template.Resources[id];
    const record: ResourceRecord = {
      logicalId: id,
      type: resource.Type,
      properties: {},
      attributes: {},
      deletionPolicy: resource.DeletionPolicy ?? 'Delete',
      updateReplacePolicy: resource.UpdateReplacePolicy ?? 'Delete',
      status: 'CREATE_IN_PROGRESS',
    };
    op.stack.resources.set(id, record);
    this.emitResource(op, record, 'CREATE_IN_PROGRESS');
    try {
      record.properties = this.resolveProperties(op.stack, prepared, id);
      if (isCustomType(record.type)) {
        const outcome = await this.runCustom(op, record, { requestType: 'Create', properties: record.properties });
        record.physicalId = outcome.physicalId;
        if (!outcome.ok) return this.fail(op, record, 'CREATE_FAILED', outcome.reason);
        record.attributes = outcome.data;
      } else if (record.type === STACK_TYPE) {
        const failure = await this.createNested(op, record);
        if (failure !== undefined) return this.fail(op, record, 'CREATE_FAILED', this.cancelled(op) ? 'Resource creation cancelled' : failure);
      } else {
        const handler = this.nativeFor(record, record.properties);
        const result = await handler.create(this.nativeContext(op, id), record.properties);
        applyNative(record, result);
        this.assertIamQuotas(record);
      }
    } catch (e) {
      if (e instanceof HandlerError && e.physicalId !== undefined) record.physicalId = e.physicalId;
      return this.fail(op, record, 'CREATE_FAILED', (e as Error).message);
    }
    if (this.cancelled(op)) return this.fail(op, record, 'CREATE_FAILED', 'Resource creation cancelled');
    this.emitResource(op, record, 'CREATE_COMPLETE');
    return true;
  }

  private async updateResource(op: Operation, prepared: Prepared, id: string, touched: Set<string>): Promise<boolean> {
    const record = op.stack.resources.get(id)!;
    const resource = prepared.template.Resources[id];
    let properties: Props;
    try {
      properties = this.resolveProperties(op.stack, prepared, id);
    } catch (e) {
      touched.add(id);
      this.emitResource(op, record, 'UPDATE_IN_PROGRESS');
      return this.fail(op, record, 'UPDATE_FAILED', (e as Error).message);
    }
    record.deletionPolicy = resource.DeletionPolicy ?? 'Delete';
    record.updateReplacePolicy = resource.UpdateReplacePolicy ?? 'Delete';
    if (canonical(properties) === canonical(record.properties)) return true;

    touched.add(id);
    const oldProperties = record.properties;
    try {
      if (isCustomType(record.type)) {
        this.emitResource(op, record, 'UPDATE_IN_PROGRESS');
        record.properties = properties;
        if (properties.ServiceToken !== oldProperties.ServiceToken) {
          return this.fail(op, record, 'UPDATE_FAILED', 'Modifying service token is not allowed.');
        }
        const outcome = await this.runCustom(op, record, { requestType: 'Update', properties, oldProperties, physicalId: record.physicalId });
        // A different physical id in the response replaces the resource, even in a FAILED response.
        if (outcome.physicalId !== undefined) record.physicalId = outcome.physicalId;
        if (!outcome.ok) return this.fail(op, record, 'UPDATE_FAILED', outcome.reason);
        record.attributes = outcome.data;
      } else if (record.type === STACK_TYPE) {
        // A nested stack is updated in place: its template or parameters changed.
        this.emitResource(op, record, 'UPDATE_IN_PROGRESS');
        record.properties = properties;
        const failure = await this.updateNested(op, record);
        if (failure !== undefined) return this.fail(op, record, 'UPDATE_FAILED', this.cancelled(op) ? 'Resource update cancelled' : failure);
      } else {
        const handler = this.nativeFor(record, properties);
        if (requiresReplacement(handler, oldProperties, properties)) {
          const nameProperty = handler.nameProperty;
          this.emitResource(op, record, 'UPDATE_IN_PROGRESS', 'Requested update requires the creation of a new physical resource; hence creating one.');
          record.properties = properties;
          if (nameProperty && properties[nameProperty] !== undefined && properties[nameProperty] === oldProperties[nameProperty]) {
            return this.fail(op, record, 'UPDATE_FAILED',
              `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${String(properties[nameProperty])} and update the stack again.`);
          }
          const result = await handler.create(this.nativeContext(op, id), properties);
          applyNative(record, result);
        } else {
          this.emitResource(op, record, 'UPDATE_IN_PROGRESS');
          record.properties = properties;
          const result = await handler.update(this.nativeContext(op, id), record.physicalId!, oldProperties, properties, record.attributes);
          applyNative(record, result);
        }
        this.assertIamQuotas(record);
      }
    } catch (e) {
      if (e instanceof HandlerError && e.physicalId !== undefined) record.physicalId = e.physicalId;
      return this.fail(op, record, 'UPDATE_FAILED', (e as Error).message);
    }
    if (this.cancelled(op)) return this.fail(op, record, 'UPDATE_FAILED', 'Resource update cancelled');
    this.emitResource(op, record, 'UPDATE_COMPLETE');
    return true;
  }

  /** Rolls one resource back to the previous template: its old physical resource, or an Update to its old properties. */
  private async restoreResource(
    op: Operation,
    previous: Prepared,
    id: string,
    prior: ResourceRecord,
    discarded: Map<string, ResourceRecord>,
  ): Promise<boolean> {
    const record = op.stack.resources.get(id)!;
    this.emitResource(op, record, 'UPDATE_IN_PROGRESS');
    if (record.physicalId !== prior.physicalId) {
      // The replacement is discarded in cleanup; the old physical resource was never touched.
      discarded.set(id, cloneRecord(record));
      const restored = cloneRecord(prior);
      op.stack.resources.set(id, restored);
      this.emitResource(op, restored, 'UPDATE_COMPLETE');
      return true;
    }
    record.deletionPolicy = prior.deletionPolicy;
    record.updateReplacePolicy = prior.updateReplacePolicy;
    if (record.type === STACK_TYPE) return this.restoreNested(op, record, prior);
    try {
      const properties = this.resolveProperties(op.stack, previous, id);
      const current = record.properties;
      record.properties = properties;
      // A resource that failed before its handler got the new properties has nothing to undo.
      const unchanged = canonical(properties) === canonical(current);
      if (!unchanged && isCustomType(record.type)) {
        const outcome = await this.runCustom(op, record, { requestType: 'Update', properties, oldProperties: current, physicalId: record.physicalId });
        if (outcome.ok && outcome.physicalId !== record.physicalId) {
          discarded.set(id, { ...cloneRecord(record), properties: current });
          record.physicalId = outcome.physicalId;
        }
        if (!outcome.ok) return this.fail(op, record, 'UPDATE_FAILED', outcome.reason);
        record.attributes = outcome.data;
      } else if (!unchanged) {
        const handler = this.nativeFor(record, properties);
        const result = await handler.update(this.nativeContext(op, id), record.physicalId!, current, properties, record.attributes);
        applyNative(record, result);
      }
    } catch (e) {
      return this.fail(op, record, 'UPDATE_FAILED', (e as Error).message);
    }
    this.emitResource(op, record, 'UPDATE_COMPLETE');
    return true;
  }

  /**
   * Deletes (or, by policy, skips) one physical resource. `ownsRecord`: the event updates the resource's status
   * (false for the old physical resource of a replacement, whose logical resource lives on).
   */
  private async deleteResource(op: Operation, record: ResourceRecord, action: DeleteAction, ownsRecord: boolean): Promise<boolean> {
    const target = ownsRecord ? record : cloneRecord(record);
    if (action === 'skip') {
      this.emitResource(op, target, 'DELETE_SKIPPED');
      return true;
    }
    this.emitResource(op, target, 'DELETE_IN_PROGRESS');
    if (target.physicalId !== undefined) {
      try {
        if (target.type === STACK_TYPE) {
          const failure = await this.deleteNested(op, target.physicalId);
          if (failure !== undefined) return this.failDelete(op, target, failure);
        } else if (isCustomType(target.type)) {
          const outcome = await this.runCustom(op, target, { requestType: 'Delete', properties: target.properties, physicalId: target.physicalId });
          if (!outcome.ok) return this.failDelete(op, target, outcome.reason);
        } else {
          await this.nativeFor(target, target.properties).delete(this.nativeContext(op, target.logicalId), target.physicalId, target.properties);
        }
      } catch (e) {
        return this.failDelete(op, target, (e as Error).message);
      }
    }
    this.emitResource(op, target, 'DELETE_COMPLETE');
    return true;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Nested stacks
  // ------------------------------------------------------------------------------------------------------------

  /** The nested stack a resource holds, if it is an `AWS::CloudFormation::Stack` that exists. */
  private nestedOf(record: ResourceRecord | undefined): StackRecord | undefined {
    return record?.type === STACK_TYPE && record.physicalId !== undefined ? this.stacksById.get(record.physicalId) : undefined;
  }

  /**
   * The nested stack's template, read from the cloud assembly: `TemplateURL` ends in the object key of a file asset
   * (as aws-cdk-lib's NestedStack synthesizes it), and `Parameters` are the values its parameters get.
   */
  private nestedTemplate(op: Operation, record: ResourceRecord): { template: CfnTemplate; parameters: Record<string, string> } {
    const url = record.properties.TemplateURL;
    if (typeof url !== 'string') throw new Error(`Properties validation failed for resource ${record.logicalId} with message:\n[#: required key [TemplateURL] not found]`);
    const source = op.assets.get(url.slice(url.lastIndexOf('/') + 1));
    if (source === undefined || !fs.statSync(source).isFile()) {
      throw new Error(`TemplateURL must be a supported URL: ${url} is not a file asset of the cloud assembly (the harness reads nested templates from the assembly)`);
    }
    const given = (record.properties.Parameters ?? {}) as Record<string, unknown>;
    const parameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(given)) {
      if (value !== null && typeof value === 'object') {
        throw new Error(`Properties validation failed for resource ${record.logicalId} with message:\n[#/Parameters/${name}: expected type: String, found: ${Array.isArray(value) ? 'JSONArray' : 'JSONObject'}]`);
      }
      parameters[name] = String(value);
    }
    return { template: JSON.parse(fs.readFileSync(source, 'utf-8')) as CfnTemplate, parameters };
  }

  /**
   * Creates the nested stack; undefined on success, else the parent resource's failure reason. A nested stack that
   * fails rolls back on its own (its parent does not wait for it, but deletes it only once that rollback is done).
   */
  private async createNested(op: Operation, record: ResourceRecord): Promise<string | undefined> {
    const { template, parameters } = this.nestedTemplate(op, record);
    // CloudFormation names a nested stack after its parent and its logical id, with a random suffix.
    const stackName = generatePhysicalName(op.stack.stackName, record.logicalId, 128);
    const stackId = `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${stackName}/${randomUUID()}`;
    const prepared = this.prepare({ id: stackName, stackName, template, assets: op.assets }, parameters, stackName, stackId);
    const child = this.newStack(stackName, stackId, prepared, { stack: op.stack, logicalId: record.logicalId });
    record.physicalId = stackId;
    const childOp = this.childOperation(op, child, true);
    if (await this.createForward(childOp, prepared)) {
      record.attributes = outputAttributes(child.outputs);
      return undefined;
    }
    const reason = child.events[child.events.length - 1].reason;
    child.settling = this.createRollback(childOp, prepared);
    return `Embedded stack ${stackId} was not successfully created: ${reason}`;
  }

  /**
   * The forward phase of the nested stack's update. Its cleanup waits for the root's cleanup phase (and a root that
   * fails rolls it back); a nested stack whose own update fails rolls back on its own.
   */
  private async updateNested(op: Operation, record: ResourceRecord): Promise<string | undefined> {
    const child = this.nestedOf(record);
    if (!child) throw new Error(`Nested stack ${record.physicalId} of resource ${record.logicalId} does not exist`);
    const { template, parameters } = this.nestedTemplate(op, record);
    const asm = { id: child.stackName, stackName: child.stackName, template, assets: op.assets };
    const prepared = this.prepare(asm, parameters, child.stackName, child.stackId, child);
    const childOp = this.childOperation(op, child, true);
    const state = await this.updateForward(childOp, prepared);
    if (state === 'NONE') return undefined;
    if (child.status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS') {
      child.pendingUpdate = state;
      record.attributes = outputAttributes(child.outputs);
      return undefined;
    }
    const reason = child.events[child.events.length - 1].reason;
    child.settling = this.updateRollback(state);
    return `Embedded stack ${child.stackId} was not successfully updated. Currently in UPDATE_ROLLBACK_IN_PROGRESS with reason: ${reason}`;
  }

  /** The parent's rollback: a nested stack whose update went through rolls back; one that failed finishes its own. */
  private async restoreNested(op: Operation, record: ResourceRecord, prior: ResourceRecord): Promise<boolean> {
    const child = this.nestedOf(record);
    record.properties = prior.properties;
    if (child?.pendingUpdate) {
      const pending = child.pendingUpdate;
      child.pendingUpdate = undefined;
      await this.updateRollback(pending);
    } else {
      await child?.settling;
    }
    if (child && child.status !== 'UPDATE_ROLLBACK_COMPLETE') {
      return this.fail(op, record, 'UPDATE_FAILED', `Embedded stack ${child.stackId} was not successfully updated. Currently in ${child.status}.`);
    }
    if (child) record.attributes = outputAttributes(child.outputs);
    this.emitResource(op, record, 'UPDATE_COMPLETE');
    return true;
  }

  /** Deletes the nested stack (after its own rollback, if one is under way); undefined on success. */
  private async deleteNested(op: Operation, stackId: string): Promise<string | undefined> {
    const child = this.stacksById.get(stackId);
    if (!child) return undefined;
    await child.settling;
    const childOp = this.childOperation(op, child, false);
    await this.deleteStack(childOp);
    return child.status === 'DELETE_COMPLETE' ? undefined : `Embedded stack ${stackId} was not successfully deleted: ${child.events[child.events.length - 1].reason}`;
  }

  private failDelete(op: Operation, record: ResourceRecord, reason: string): boolean {
    this.emitResource(op, record, 'DELETE_FAILED', reason);
    return false;
  }

  private fail(op: Operation, record: ResourceRecord, status: 'CREATE_FAILED' | 'UPDATE_FAILED', reason: string): boolean {
    op.failed = true;
    this.emitResource(op, record, status, reason);
    return false;
  }

  private async runCustom(
    op: Operation,
    record: ResourceRecord,
    req: Pick<CustomResourceRequest, 'requestType' | 'properties' | 'oldProperties' | 'physicalId'>,
  ) {
    const serviceToken = req.properties.ServiceToken;
    if (typeof serviceToken !== 'string') {
      return { ok: false as const, physicalId: req.physicalId, reason: `Template error: ${record.logicalId} is a custom resource without a ServiceToken string`, requestId: '' };
    }
    return this.runner.run({ ...req, stackId: op.stack.stackId, logicalId: record.logicalId, resourceType: record.type, serviceToken });
  }

  /** IAM refuses a policy change that breaks its quotas (LimitExceeded); the resource then fails. */
  private assertIamQuotas(record: ResourceRecord): void {
    if (!IAM_POLICY_TYPES.has(record.type)) return;
    // The record's properties changed since its last event.
    this.iam.invalidate();
    const violation = this.iam.quotaViolation();
    if (violation) throw new Error(violation);
  }

  /** Every resource that exists in the account now (created, and not deleted), across the harness's stacks. */
  private liveResources(): IamResourceView[] {
    return [...this.stacks.values()].flatMap((s) => [...s.resources.values()])
      .filter((r) => r.physicalId !== undefined && !['CREATE_FAILED', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE'].includes(r.status));
  }

  private nativeFor(record: ResourceRecord, properties: Props): NativeHandler {
    const handler = nativeHandler(record.type)!;
    const violations = handler.validate?.(properties) ?? [];
    if (violations.length > 0) {
      throw new Error(`Properties validation failed for resource ${record.logicalId} with message:\n[${violations.join(', ')}]`);
    }
    return handler;
  }

  /** Resolution against the stack's resources as they are now. */
  private resolveContext(stack: StackRecord, prepared: Prepared): ResolveContext {
    return {
      pseudo: this.pseudo(stack.stackName, stack.stackId),
      parameters: prepared.parameters,
      conditions: prepared.conditions,
      mappings: prepared.template.Mappings,
      ref: (target) => {
        const record = stack.resources.get(target);
        if (record?.physicalId === undefined) throw new TemplateError(`Template error: resource ${target} has no physical id yet`);
        return record.physicalId;
      },
      getAtt: (target, attribute) => this.getAtt(stack, target, attribute),
    };
  }

  private resolveProperties(stack: StackRecord, prepared: Prepared, id: string): Props {
    const resolved = resolveValue(prepared.template.Resources[id].Properties ?? {}, this.resolveContext(stack, prepared), `Resources.${id}.Properties`);
    const properties = (resolved === NO_VALUE ? {} : resolved) as Props;
    return isCustomType(prepared.template.Resources[id].Type) ? toCfnStrings(properties) as Props : properties;
  }

  private getAtt(stack: StackRecord, id: string, attribute: string): unknown {
    const record = stack.resources.get(id);
    if (!record || record.physicalId === undefined) throw new TemplateError(`Template error: resource ${id} has no attributes yet`);
    if (!(attribute in record.attributes) || record.attributes[attribute] === undefined) {
      throw new TemplateError(isCustomType(record.type)
        ? `CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${stack.stackId}|${id}`
        : `Template error: resource ${id} does not support attribute type ${attribute} in Fn::GetAtt`);
    }
    return record.attributes[attribute];
  }

  private resolveOutputs(stack: StackRecord): Record<string, string> {
    const outputs: Record<string, string> = {};
    const ctx = this.resolveContext(stack, stack.prepared);
    for (const [name, output] of Object.entries(stack.prepared.template.Outputs ?? {})) {
      if (output.Condition !== undefined && !stack.prepared.conditions[output.Condition]) continue;
      const value = resolveValue(output.Value, ctx, `Outputs.${name}.Value`);
      outputs[name] = Array.isArray(value) ? value.join(',') : String(value);
    }
    return outputs;
  }

  private nativeContext(op: Operation, logicalId: string): NativeContext {
    return {
      pseudo: this.pseudo(op.stack.stackName, op.stack.stackId),
      logicalId,
      kvs: () => this.kvs(),
      pollIntervalMs: this.options.pollIntervalMs ?? 10,
      stabilizeTimeoutMs: Math.max(5_000, 60 * 60 * 1000 * this.timeScale),
      captureCode: (code) => this.captureCode(code, op.assets),
    };
  }

  private kvs(): KinesisVideoClient {
    const server = this.options.server;
    if (!server) throw new HandlerError('The harness has no KVS test server: pass `server` to deploy Kinesis Video Streams resources');
    this.kvsClient ??= new KinesisVideoClient({
      endpoint: server.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'AKIDHARNESS', secretAccessKey: 'harness-secret' },
      maxAttempts: 1,
      // CloudFormation's handlers are not one client with the SDK's 50 sockets: thousands of resources deploy at once.
      requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: 2_000 }) },
    });
    return this.kvsClient;
  }

  /** Keeps the harness's own copy of a function's code, as Lambda keeps the uploaded zip: later operations may need it. */
  private captureCode(code: unknown, assets: ReadonlyMap<string, string>): { codeDir?: string; codeError?: string } {
    const spec = (code ?? {}) as { S3Bucket?: string; S3Key?: string; ZipFile?: string; ImageUri?: string };
    if (typeof spec.ZipFile === 'string') {
      const dir = path.join(this.codeStore, `inline-${createHash('sha256').update(spec.ZipFile).digest('hex').slice(0, 16)}`);
      fs.mkdirSync(dir, { recursive: true });
      // Lambda stores inline Node.js code as index.js.
      fs.writeFileSync(path.join(dir, 'index.js'), spec.ZipFile);
      return { codeDir: dir };
    }
    if (typeof spec.S3Key !== 'string') return { codeError: `Function code ${JSON.stringify(code)} is neither ZipFile nor an S3 asset` };
    const dir = path.join(this.codeStore, spec.S3Key.replace(/[^A-Za-z0-9._-]/g, '_'));
    if (fs.existsSync(dir)) return { codeDir: dir };
    const source = assets.get(spec.S3Key);
    if (!source) return { codeError: `Function code s3://${spec.S3Bucket}/${spec.S3Key} is not a file asset of the cloud assembly` };
    if (!fs.statSync(source).isDirectory()) return { codeError: `Function code asset ${source} is a file, not a directory; the harness does not unpack zip files` };
    fs.cpSync(source, dir, { recursive: true });
    return { codeDir: dir };
  }

  /** The created resource of `type` whose `Arn` is `arn`, in any stack (a scan without copies: it runs per invocation). */
  private recordByArn(type: string, arn: string): ResourceRecord | undefined {
    for (const stack of this.stacks.values()) {
      for (const r of stack.resources.values()) if (r.type === type && r.physicalId !== undefined && r.attributes.Arn === arn) return r;
    }
    return undefined;
  }

  private lambdaByArn(arn: string): LambdaFunctionSpec | undefined {
    const record = this.recordByArn('AWS::Lambda::Function', arn);
    if (!record) return undefined;
    const props = record.properties as {
      Handler?: string;
      Timeout?: number | string;
      MemorySize?: number | string;
      Role?: unknown;
      Environment?: { Variables?: Record<string, unknown> };
    };
    return {
      logicalId: record.logicalId,
      functionName: record.physicalId!,
      functionArn: arn,
      codeDir: record.codeDir,
      codeError: record.codeError,
      handler: props.Handler ?? '',
      environment: Object.fromEntries(Object.entries(props.Environment?.Variables ?? {}).map(([k, v]) => [k, String(v)])),
      // Lambda's defaults.
      timeoutSeconds: Number(props.Timeout ?? 3),
      memorySize: Number(props.MemorySize ?? 128),
      accessKeyId: this.iam.accessKeyFor(String(props.Role), record.physicalId!),
    };
  }

  private stateMachineDefinition(arn: string): string | undefined {
    const record = this.recordByArn('AWS::StepFunctions::StateMachine', arn);
    if (!record) return undefined;
    const props = record.properties as { DefinitionString?: string; Definition?: unknown };
    return props.DefinitionString ?? (props.Definition === undefined ? undefined : JSON.stringify(props.Definition));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Events and results
  // ------------------------------------------------------------------------------------------------------------

  private async exclusive<T>(stack: StackRecord, body: () => Promise<T>): Promise<T> {
    if (stack.busy) throw new ValidationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    stack.busy = true;
    try {
      return await body();
    } finally {
      stack.busy = false;
    }
  }

  private begin(stack: StackRecord, assets: ReadonlyMap<string, string> = stack.prepared.assets): Operation {
    return { stack, events: [], invocationsBefore: this.runtime.invocations.length, assets, failed: false, nested: new Map() };
  }

  /**
   * A nested stack's operation within its parent's: one per nested stack and parent operation, so that its events
   * accumulate across phases (create, then the parent's rollback deleting it). `cancellable`: the forward phases,
   * which stop when the parent's operation fails.
   */
  private childOperation(parentOp: Operation, child: StackRecord, cancellable: boolean): Operation {
    const existing = parentOp.nested.get(child.stackId);
    const op: Operation = {
      stack: child,
      events: existing?.events ?? [],
      invocationsBefore: this.runtime.invocations.length,
      assets: parentOp.assets,
      failed: false,
      parent: cancellable ? parentOp : undefined,
      nested: existing?.nested ?? new Map(),
    };
    parentOp.nested.set(child.stackId, op);
    return op;
  }

  /** The operation failed, or (nested stacks) the operation of a stack that holds it did. */
  private cancelled(op: Operation): boolean {
    return op.failed || (op.parent !== undefined && this.cancelled(op.parent));
  }

  private record(op: Operation, event: Omit<StackEvent, 'seq' | 'timestamp' | 'stackName'>): void {
    const full: StackEvent = { seq: ++this.seq, timestamp: Date.now(), stackName: op.stack.stackName, ...event };
    op.events.push(full);
    op.stack.events.push(full);
    this.options.onEvent?.(full);
  }

  private emitStack(op: Operation, status: StackStatus, reason?: string): void {
    op.stack.status = status;
    this.options.server?.setStackStatus(op.stack.stackId, status);
    this.record(op, { logicalId: op.stack.stackName, physicalId: op.stack.stackId, resourceType: STACK_TYPE, status, reason });
  }

  private emitResource(op: Operation, record: ResourceRecord, status: ResourceStatus, reason?: string): void {
    record.status = status;
    record.reason = reason;
    // What a role may do changes with its roles' and policies' lifecycle.
    if (IAM_POLICY_TYPES.has(record.type)) this.iam.invalidate();
    this.record(op, { logicalId: record.logicalId, physicalId: record.physicalId, resourceType: record.type, status, reason });
  }

  /** CloudFormation's stack status reason after failures: which resources failed to create and to update. */
  private failureSummary(op: Operation): string {
    const failedTo = (status: ResourceStatus) => [...new Set(op.events.filter((e) => e.status === status).map((e) => e.logicalId))];
    const parts: string[] = [];
    const create = failedTo('CREATE_FAILED');
    const update = failedTo('UPDATE_FAILED');
    if (create.length > 0) parts.push(`The following resource(s) failed to create: [${create.join(', ')}].`);
    if (update.length > 0) parts.push(`The following resource(s) failed to update: [${update.join(', ')}].`);
    return parts.join(' ');
  }

  private result(op: Operation, operation: OperationResult['operation']): OperationResult {
    return {
      stackName: op.stack.stackName,
      stackId: op.stack.stackId,
      operation,
      status: op.stack.status,
      events: op.events,
      resources: [...op.stack.resources.values()].map(summarize),
      outputs: { ...op.stack.outputs },
      invocations: this.runtime.invocations.slice(op.invocationsBefore),
      serverState: this.options.server?.state(),
      nestedStacks: this.nestedResults(op),
    };
  }

  private nestedResults(op: Operation): NestedStackResult[] {
    return [...op.nested.values()].map((child) => ({
      logicalId: child.stack.parent!.logicalId,
      parentStackName: child.stack.parent!.stack.stackName,
      stackName: child.stack.stackName,
      stackId: child.stack.stackId,
      status: child.stack.status,
      events: child.events,
      resources: [...child.stack.resources.values()].map(summarize),
      outputs: { ...child.stack.outputs },
      nestedStacks: this.nestedResults(child),
    }));
  }
}

/** Records what a native handler answered; a Lambda function keeps its code when an update does not change it. */
function applyNative(record: ResourceRecord, result: NativeResult): void {
  record.physicalId = result.physicalId;
  record.attributes = result.attributes;
  if (result.codeDir !== undefined || result.codeError !== undefined) {
    record.codeDir = result.codeDir;
    record.codeError = result.codeError;
  }
}

/** A nested stack's outputs, as `Fn::GetAtt [Stack, Outputs.Name]` reads them. */
function outputAttributes(outputs: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([name, value]) => [`Outputs.${name}`, value]));
}

function cleanupTarget(record: ResourceRecord, policy: string, createdByRolledBackOperation: boolean, removes: boolean): [string, CleanupTarget] {
  return [record.logicalId, { record, action: policyAction(policy, createdByRolledBackOperation), removes }];
}

function summarize(record: ResourceRecord): ResourceSummary {
  return {
    logicalId: record.logicalId,
    type: record.type,
    physicalId: record.physicalId,
    status: record.status,
    reason: record.reason,
    attributes: structuredClone(record.attributes),
  };
}

/** What a deletion does under a policy; `createdByRolledBackOperation`: RetainExceptOnCreate deletes then. */
function policyAction(policy: string, createdByRolledBackOperation: boolean): DeleteAction {
  if (policy === 'Delete') return 'delete';
  if (policy === 'RetainExceptOnCreate' && createdByRolledBackOperation) return 'delete';
  return 'skip';
}

function unresolvable(): never {
  throw new TemplateError('Template error: Rules and Conditions can refer only to parameters and pseudo parameters');
}
