import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ServiceApi } from './retry';
import { stack } from './subject';

/** The CloudFormation calls the handlers make, with the same retries and translated failures as {@link KvsApi}. */
export class CloudFormationApi extends ServiceApi<CloudFormationClient> {
  protected readonly service = 'cloudformation';

  /** The stack's status; needs `cloudformation:DescribeStacks` on the stack. */
  public async describeStackStatus(stackId: string): Promise<string | undefined> {
    const out = await this.send('DescribeStacks', stack(stackId), () => this.client.send(new DescribeStacksCommand({ StackName: stackId })));
    return out.Stacks?.[0]?.StackStatus;
  }
}
