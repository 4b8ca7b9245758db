import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** The logical id of the provider's handler policy, whose suffix is the hash of its document. */
export function handlerPolicyId(stack: Stack): string {
  const ids = Object.keys(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
    .filter((id) => /^CdkKinesisVideoProviderHandlerPolicy[0-9A-F]{8}[0-9A-F]{8}$/.test(id));
  if (ids.length !== 1) throw new Error(`Expected one handler policy in ${stack.stackName}, found ${JSON.stringify(ids)}`);
  return ids[0];
}

/** The provider's handler policy document, resolved. */
export function handlerPolicy(stack: Stack): any {
  const template = Template.fromStack(stack).toJSON();
  return stack.resolve(template.Resources[handlerPolicyId(stack)].Properties.PolicyDocument);
}
