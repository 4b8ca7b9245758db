import { CfnResource, CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import { CfnStream } from 'aws-cdk-lib/aws-kinesisvideo';
import { Construct, IConstruct } from 'constructs';
import { cfnNumber } from './cfn-scalars';
import { GuardedStream, ResourceType, RetentionGuardProperties } from './custom-resource-contract';
import { describeOwnStack, KinesisVideoProvider } from './provider';

/** The guard's construct id under its stack: public contract, since changing it replaces the guard. */
const GUARD_ID = 'CdkKinesisVideoRetentionGuard';

/**
 * One per stack: refuses a deployment that would lower a live stream's data retention, since a decrease deletes older
 * video at once.
 *
 * Every guarded stream depends on the guard, and the guard carries each stream's name and desired retention as its
 * own properties. A change of retention therefore changes the guard, and CloudFormation updates the guard before the
 * streams: the guard compares the desired retention with the live one from `DescribeStream` and fails first. It costs
 * one resource per stack, whatever the number of streams.
 */
export class RetentionGuard extends Construct {
  /** The stack's guard, created on first use. */
  public static of(scope: IConstruct): RetentionGuard {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(GUARD_ID);
    return (existing as RetentionGuard | undefined) ?? new RetentionGuard(stack, GUARD_ID);
  }

  private readonly streams: GuardedStream[] = [];
  private readonly resource: CfnResource;
  private readonly provider: KinesisVideoProvider;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.provider = KinesisVideoProvider.getOrCreate(this);
    // Rollback detection: the guard lets CloudFormation's rollback through, which it recognises from the stack status.
    this.provider.policy.allowStatement(describeOwnStack());
    const guard = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: ResourceType.RETENTION_GUARD,
      properties: { Streams: Lazy.any({ produce: () => this.streams }) } satisfies Record<keyof RetentionGuardProperties, unknown>,
    });
    this.resource = guard.node.defaultChild as CfnResource;
    this.provider.policy.requiredBy(this.resource);
  }

  /** Guards `stream`: a deployment that lowers its retention fails. */
  public guard(stream: CfnStream): void {
    const name = stream.name;
    if (name === undefined) throw new Error(`Stream ${stream.node.path} needs a name to be guarded`);
    const hours = stream.dataRetentionInHours ?? 0;
    this.streams.push({
      StreamName: name,
      DataRetentionInHours: cfnNumber(hours),
    });
    this.provider.policy.allow('stream', name, ['kinesisvideo:DescribeStream']);
    stream.node.addDependency(this.resource);
  }
}
