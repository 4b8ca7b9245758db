/**
 * Shared pieces of the integration tests (`test/integ.*.ts`), which deploy to a real account with integ-runner or
 * `cdk deploy` and are checked offline against committed snapshots by `test/integ-snapshots.test.ts`.
 */
import { App, CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { isLibraryConstruct } from './library-constructs';

/**
 * Makes a real run leave nothing behind. Lambda creates `/aws/lambda/<function>` log groups that outlive the stack for
 * functions without a log group of their own: aws-cdk-lib's bucket auto-delete provider and the assertion provider of
 * integ-tests. Each gets a log group of the stack, deleted with it (after the function, which references it).
 *
 * Call it once the app is complete. The library's own functions already log to a log group that the stack deletes.
 */
export function leaveNothingBehind(app: App): void {
  for (const construct of app.node.findAll()) {
    if (!isLambdaFunction(construct) || isLibraryConstruct(construct)) continue;
    const logGroup = new logs.CfnLogGroup(construct.node.scope!, `${construct.node.id}LogGroup`, { retentionInDays: 1 });
    logGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);
    construct.addPropertyOverride('LoggingConfig.LogGroup', logGroup.ref);
  }
}

function isLambdaFunction(construct: IConstruct): construct is CfnResource {
  return CfnResource.isCfnResource(construct) && construct.cfnResourceType === 'AWS::Lambda::Function';
}
