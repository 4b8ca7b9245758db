import { CloudFormationApi } from './cloudformation-api';

/** The only stack status in which CloudFormation sends an Update with the properties of before a failed update. */
export const ROLLING_BACK = 'UPDATE_ROLLBACK_IN_PROGRESS';

/**
 * The statuses in which CloudFormation undoes a failed deployment: the Update back to the old properties, and the
 * Delete of what a failed stack creation (ROLLBACK_IN_PROGRESS) or a failed update (its cleanup) had created.
 */
const UNDOING_A_FAILED_DEPLOYMENT: ReadonlySet<string> = new Set([ROLLING_BACK, 'ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']);

/**
 * Whether CloudFormation is rolling the stack back, so that an Update restores the previous properties. Handlers let a
 * rollback through where they would refuse a deployment: failing there leaves the stack UPDATE_ROLLBACK_FAILED.
 * Needs `cloudformation:DescribeStacks` on the stack.
 */
export async function isRollingBack(cloudFormation: CloudFormationApi, stackId: string): Promise<boolean> {
  return (await cloudFormation.describeStackStatus(stackId)) === ROLLING_BACK;
}

/**
 * Whether CloudFormation is undoing a failed deployment, by an Update or by deleting what it had created: a Delete that
 * restores earlier values then undoes the failed deployment's own change. Needs `cloudformation:DescribeStacks`.
 */
export async function isUndoingFailedDeployment(cloudFormation: CloudFormationApi, stackId: string): Promise<boolean> {
  return UNDOING_A_FAILED_DEPLOYMENT.has((await cloudFormation.describeStackStatus(stackId)) ?? '');
}
