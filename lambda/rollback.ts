import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { HandlerContext } from './handler';
import { invoke } from './retry';
import { stack } from './subject';

/** The only stack status in which CloudFormation sends an Update with the properties of before a failed update. */
export const ROLLING_BACK = 'UPDATE_ROLLBACK_IN_PROGRESS';

/**
 * Whether CloudFormation is rolling the stack back, so that an Update restores the previous properties. Handlers let a
 * rollback through where they would refuse a deployment: failing there leaves the stack UPDATE_ROLLBACK_FAILED.
 * Needs `cloudformation:DescribeStacks` on the stack.
 */
export async function isRollingBack(ctx: HandlerContext, stackId: string): Promise<boolean> {
  const out = await invoke(ctx, { service: 'cloudformation', api: 'DescribeStacks', subject: stack(stackId) },
    () => ctx.cloudFormation.send(new DescribeStacksCommand({ StackName: stackId })));
  return out.Stacks?.[0]?.StackStatus === ROLLING_BACK;
}
