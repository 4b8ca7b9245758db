import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { ScopedPolicy } from './scoped-policy';

/** The provider's construct id under its stack: public contract, since changing it replaces the provider. */
const PROVIDER_ID = 'CdkKinesisVideoProvider';

/** The bundled handler, built by `projen bundle:handlers` and shipped in the npm package. */
const HANDLER_BUNDLE_DIR = path.join(__dirname, '..', '..', 'assets', 'kvs-handler');

/**
 * How often the Provider framework asks `isComplete`. 240 resources polling together at this interval make 24 TPS,
 * under the account's 50 TPS quota for the Describe*Configuration calls.
 */
export const QUERY_INTERVAL = Duration.seconds(10);

/** The longest a custom resource may wait: the Provider's and CloudFormation's cap. */
export const TOTAL_TIMEOUT = Duration.hours(1);

/**
 * The one custom-resource provider of a stack, shared by every custom resource of this library.
 *
 * Footprint, 15 resources: two handler functions (onEvent, isComplete) from one bundle sharing one role and one scoped
 * policy; the Provider framework's three functions sharing two roles with their policies; the waiter state machine with
 * its role, policy and log group. aws-cdk-lib's Provider with default roles would be 18.
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

    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Kinesis Video Streams custom-resource handlers (cdk-kinesis-video)',
    });
    const code = lambda.Code.fromAsset(HANDLER_BUNDLE_DIR);
    const handler = (name: string, entry: string, description: string) => new lambda.Function(this, name, {
      code,
      handler: `index.${entry}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // onEvent waits inline for transitions that take seconds; longer waits are left to isComplete.
      timeout: Duration.minutes(2),
      role,
      description,
    });
    const onEvent = handler('OnEvent', 'onEvent', 'Kinesis Video Streams custom resources: onEvent');
    const isComplete = handler('IsComplete', 'isComplete', 'Kinesis Video Streams custom resources: isComplete');

    this.policy = new ScopedPolicy(this, 'HandlerPolicy', { role, functions: [onEvent, isComplete] });

    // The framework's functions share two roles instead of one each; two, because one role for all three is a cycle.
    const frameworkRole = (name: string) => new iam.Role(this, name, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    const provider = new cr.Provider(this, 'Provider', {
      frameworkOnEventRole: frameworkRole('FrameworkOnEventRole'),
      frameworkCompleteAndTimeoutRole: frameworkRole('FrameworkWaiterRole'),
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: TOTAL_TIMEOUT,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'WaiterLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        level: sfn.LogLevel.ERROR,
        includeExecutionData: false,
      },
    });
    this.serviceToken = provider.serviceToken;
  }
}
