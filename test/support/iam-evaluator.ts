import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** What IAM decides for one request. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** The values CloudFormation gives pseudo parameters in the commercial partition. */
const PSEUDO_PARAMETERS: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };

/**
 * The policy document of `role`'s default policy as IAM receives it: resolved in `stack` (which must have a concrete
 * account and region) with the pseudo parameters filled in. Throws on any other intrinsic, so that a policy the
 * evaluator would misread fails the test instead.
 */
export function resolvedDefaultPolicy(stack: Stack, role: iam.IRole): any {
  const policy = role.node.findChild('DefaultPolicy') as iam.Policy;
  return resolvedPolicyDocument(stack, policy.document.toJSON());
}

/** Any policy document (an IoT policy's, a trust policy) as its service receives it, resolved as above. */
export function resolvedPolicyDocument(stack: Stack, document: unknown): any {
  return resolveIntrinsics(stack.resolve(document));
}

function resolveIntrinsics(value: any): any {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const resolved = PSEUDO_PARAMETERS[value.Ref];
    if (resolved === undefined) throw new Error(`Cannot resolve {"Ref": "${value.Ref}"} for the evaluator`);
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = value['Fn::Join'];
    return (parts as any[]).map(resolveIntrinsics).join(separator);
  }
  if (keys.length === 1 && keys[0].startsWith('Fn::')) throw new Error(`Cannot resolve ${keys[0]} for the evaluator`);
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(value[key])]));
}

/** The session of a role, as the principal of a request. */
const PRINCIPAL = 'arn:aws:sts::111122223333:assumed-role/CameraFleetRole/session';

/**
 * What IAM decides when the principal whose only policy is `policy` calls `action` on `resourceArn`, with the given
 * request context (for example `{ 'credentials-iot:ThingName': 'cam' }`), evaluated by `@cloud-copilot/iam-simulate`.
 */
export async function decide(policy: any, action: string, resourceArn: string, context: Record<string, string> = {}): Promise<Decision> {
  const simulation = {
    request: {
      principal: PRINCIPAL,
      action,
      resource: { resource: resourceArn, accountId: resourceArn.split(':')[4] },
      contextVariables: context,
    },
    identityPolicies: [{ name: 'policy', policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType !== 'single') throw new Error(`The evaluator did not evaluate one request: ${JSON.stringify(result)}`);
  // runSimulation validates the request, then drops the context keys that are neither global nor documented for the
  // action, and credentials-iot:ThingName (set by the AWS IoT credentials provider) is one of them. Requests with such
  // keys are evaluated again with them, by the same engine without that filter: it substitutes the policy variables.
  if ((result.result.ignoredContextKeys ?? []).length === 0) return result.overallResult as Decision;
  return runUnsafeSimulation(simulation, {}) as Decision;
}
