import * as path from 'path';
import { Aws, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { QUERY_INTERVAL_SECONDS } from './custom-resource-contract';
import { addNagSuppressions, NagSuppression } from './nag';
import { ScopedPolicy } from './scoped-policy';

/** The provider's construct id under its stack: public contract, since changing it replaces the provider. */
const PROVIDER_ID = 'CdkKinesisVideoProvider';

/**
 * The provider's one log group. Under /aws/vendedlogs/, Step Functions' log delivery needs no entry in the account's
 * 5,120-character CloudWatch Logs resource policy.
 */
const LOG_GROUP_NAME = `/aws/vendedlogs/cdk-kinesis-video/${Aws.STACK_NAME}`;

/** The bundled handler, built by `projen bundle:handlers` and shipped in the npm package. */
const HANDLER_BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'kvs-handler');

/** How often the Provider framework asks `isComplete` (see QUERY_INTERVAL_SECONDS for the quota it keeps under). */
export const QUERY_INTERVAL = Duration.seconds(QUERY_INTERVAL_SECONDS);

/** The longest a custom resource may wait: the Provider's and CloudFormation's cap. */
export const TOTAL_TIMEOUT = Duration.hours(1);

/** The runtime of every function of the provider, the framework's included: the one the handlers are tested on. */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * `cloudformation:DescribeStacks` on the stack, for the handlers that ask whether CloudFormation is rolling back or
 * undoing a failed deployment (lambda/rollback.ts). The policy keeps one copy, however many resources ask for it.
 */
export function describeOwnStack(): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Aws.STACK_ID] });
}

/** A finding on `lambda:InvokeFunction` for `<function ARN>:*`, as cdk-nag flattens `Fn::GetAtt`. */
const FUNCTION_VERSIONS_FINDING = { regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/' };

/** Why the framework's `lambda:InvokeFunction` grants end in `:*`. */
const INVOKE_VERSIONS_SUPPRESSION: NagSuppression = {
  id: 'AwsSolutions-IAM5',
  reason: 'aws-cdk-lib grantInvoke on one function of this provider: the ":*" suffix covers only that function\'s versions and aliases, which Lambda authorizes separately.',
  appliesTo: [FUNCTION_VERSIONS_FINDING],
};

/**
 * The one custom-resource provider of a stack, shared by every custom resource of this library.
 *
 * Footprint, 15 resources: two handler functions (onEvent, isComplete) from one bundle sharing one role and one scoped
 * policy; the Provider framework's three functions sharing two roles with their policies; the waiter state machine with
 * its role and policy; one log group for all of them. aws-cdk-lib's Provider with default roles would be 18.
 */
export class KinesisVideoProvider extends Construct {
  /** Finds the stack's provider, or creates it on first use. */
  public static getOrCreate(scope: IConstruct): KinesisVideoProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    return (existing as KinesisVideoProvider | undefined) ?? new KinesisVideoProvider(stack, PROVIDER_ID);
  }

  /** The ARN every custom resource of this library uses as its `ServiceToken`. */
  public readonly serviceToken: string;

  /** The handlers' permissions on streams and channels, scoped as tightly as IAM's size limits allow. */
  public readonly policy: ScopedPolicy;

  private constructor(scope: Construct, id: string) {
    super(scope, id);

    // One log group for every function and the waiter. With DESTROY, deleting the stack leaves no log group behind
    // (Lambda would otherwise create /aws/lambda/<function> groups that outlive the stack).
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: LOG_GROUP_NAME,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Kinesis Video Streams custom-resource handlers (cdk-kinesis-video)',
    });
    const code = lambda.Code.fromAsset(HANDLER_BUNDLE_DIR);
    const handler = (name: string, entry: string, description: string) => new lambda.Function(this, name, {
      code,
      handler: `index.${entry}`,
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // onEvent waits inline for transitions that take seconds; longer waits are left to isComplete.
      timeout: Duration.minutes(2),
      role,
      description,
      logGroup,
    });
    const onEvent = handler('OnEvent', 'onEvent', 'Kinesis Video Streams custom resources: onEvent');
    const isComplete = handler('IsComplete', 'isComplete', 'Kinesis Video Streams custom resources: isComplete');

    this.policy = new ScopedPolicy(this, 'HandlerPolicy', { role, logGroupName: LOG_GROUP_NAME });

    // The framework's functions share two roles instead of one each; two, because one role for all three is a cycle.
    // They write to the shared log group only, instead of AWSLambdaBasicExecutionRole's logs:* on every log group.
    const frameworkRole = (name: string) => {
      const framework = new iam.Role(this, name, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      logGroup.grantWrite(framework);
      return framework;
    };
    const frameworkOnEventRole = frameworkRole('FrameworkOnEventRole');
    const frameworkWaiterRole = frameworkRole('FrameworkWaiterRole');
    const provider = new cr.Provider(this, 'Provider', {
      frameworkOnEventRole,
      frameworkCompleteAndTimeoutRole: frameworkWaiterRole,
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      logGroup,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: logGroup,
        // Every state transition, without the events' data (which carry the resources' properties).
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.pinFrameworkRuntime(provider);
    this.suppressFrameworkFindings(provider, [frameworkOnEventRole, frameworkWaiterRole], [onEvent, isComplete]);
    this.serviceToken = provider.serviceToken;
  }

  /**
   * The framework's functions run on the same runtime as the handlers, not on `determineLatestNodeRuntime`, which
   * trails the newest runtime (AwsSolutions-L1) and changes with the user's aws-cdk-lib version.
   */
  private pinFrameworkRuntime(provider: cr.Provider): void {
    for (const child of provider.node.children) {
      if (child instanceof lambda.Function) (child.node.defaultChild as lambda.CfnFunction).runtime = HANDLER_RUNTIME.name;
    }
  }

  /**
   * What cdk-nag (AwsSolutions) reports on the resources of aws-cdk-lib's Provider and cannot be fixed from outside
   * it, suppressed on each resource with the finding and the reason (docs/compliance.md lists them).
   */
  private suppressFrameworkFindings(provider: cr.Provider, frameworkRoles: iam.Role[], handlers: lambda.Function[]): void {
    const defaultPolicy = (role: IConstruct) => role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    for (const role of frameworkRoles) addNagSuppressions(defaultPolicy(role), [INVOKE_VERSIONS_SUPPRESSION]);

    const waiter = provider.node.findChild('waiter-state-machine');
    addNagSuppressions(defaultPolicy(waiter.node.findChild('Role')), [
      INVOKE_VERSIONS_SUPPRESSION,
      {
        id: 'AwsSolutions-IAM5',
        reason: 'The waiter state machine logs to CloudWatch Logs: logs:CreateLogDelivery and the other log-delivery actions support no resource-level permissions, so Step Functions requires Resource "*" for them.',
        appliesTo: ['Resource::*'],
      },
    ]);
    addNagSuppressions(waiter.node.defaultChild as CfnResource, [{
      id: 'AwsSolutions-SF2',
      reason: 'The waiter only calls isComplete and onTimeout in a retry loop: its execution history and ALL-level logs show every step, and X-Ray would add xray:Put* on Resource "*".',
    }]);

    const functions = [...handlers, ...provider.node.children.filter((child): child is lambda.Function => child instanceof lambda.Function)];
    for (const fn of functions) {
      addNagSuppressions(fn.node.defaultChild as CfnResource, [{
        id: 'AwsSolutions-L1',
        reason: `Pinned to ${HANDLER_RUNTIME.name}, the runtime the bundled handlers are tested on; a newer runtime known to a later aws-cdk-lib is adopted by a release of this library.`,
      }]);
    }
  }
}
