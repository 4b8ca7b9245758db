/**
 * IAM for the harness: each Lambda function signs its calls with an access key issued for its execution role, and
 * every call so signed is evaluated by a real IAM policy evaluator (`@cloud-copilot/iam-simulate`) against the policies
 * attached to that role at the moment of the call, as the stack's resources hold them. IAM's size quotas are checked
 * whenever a policy is created or updated.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AuthorizationDecision, AuthorizationRequest, Authorizer } from '../kvs-server';

/** IAM's quotas on a role's policies (characters counted without whitespace). */
export const IAM_QUOTAS = {
  /** All inline policies of one role, summed. */
  inlinePoliciesPerRole: 10_240,
  /** One managed policy. */
  managedPolicy: 6_144,
  /** Managed policies attached to one role (the default quota). */
  managedPoliciesPerRole: 10,
};

/** A resource of the stacks as the harness holds it, with its resolved properties. */
export interface IamResourceView {
  readonly type: string;
  readonly physicalId?: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly attributes: Readonly<Record<string, unknown>>;
}

interface Policy {
  readonly name: string;
  readonly document: unknown;
}

interface RolePolicies {
  readonly inline: Policy[];
  readonly managed: Policy[];
}

interface Caller {
  readonly roleArn: string;
  readonly sessionName: string;
}

/** The IAM types whose create or update can change what a role may do. */
export const IAM_POLICY_TYPES: ReadonlySet<string> = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

export class IamAccount implements Authorizer {
  /** How many calls signed with an issued key were evaluated, and how many of them were denied. */
  public readonly decisions = { evaluated: 0, denied: 0 };
  private readonly callers = new Map<string, Caller>();
  private readonly keys = new Map<string, string>();

  /** `resources`: every resource that exists now, across the harness's stacks. */
  constructor(private readonly accountId: string, private readonly resources: () => Iterable<IamResourceView>) {}

  /** The access key a function with this execution role signs with; the same role and function get the same key. */
  public accessKeyFor(roleArn: string, sessionName: string): string {
    const id = JSON.stringify([roleArn, sessionName]);
    let key = this.keys.get(id);
    if (key === undefined) {
      key = `AKIDROLE${String(this.keys.size + 1).padStart(12, '0')}`;
      this.keys.set(id, key);
      this.callers.set(key, { roleArn, sessionName });
    }
    return key;
  }

  /** Whether this account issued the access key. */
  public issued(accessKeyId: string): boolean {
    return this.callers.has(accessKeyId);
  }

  /**
   * Allows a call signed with a key this account did not issue (the test's own clients, CloudFormation's calls for
   * native resources); evaluates every other call against its role's policies as they are now.
   */
  public async authorize(request: AuthorizationRequest): Promise<AuthorizationDecision> {
    const caller = this.callers.get(request.accessKeyId);
    if (!caller) return { allowed: true };
    const decision = await this.evaluate(caller, request);
    this.decisions.evaluated++;
    if (!decision.allowed) this.decisions.denied++;
    return decision;
  }

  private async evaluate(caller: Caller, request: AuthorizationRequest): Promise<AuthorizationDecision> {
    const policies = this.policiesOf(caller.roleArn);
    const principal = assumedRoleArn(caller);
    const result = await runSimulation({
      request: {
        principal: caller.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: arnAccount(request.resource) ?? this.accountId },
        contextVariables: {},
      },
      identityPolicies: [...policies.inline, ...policies.managed].map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, {});
    if (result.resultType === 'error') {
      return { allowed: false, message: `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} (the policy evaluator rejected the request: ${JSON.stringify(result.errors)})` };
    }
    const overall = result.resultType === 'single' ? result.overallResult : 'ImplicitlyDenied';
    if (overall === 'Allowed') return { allowed: true };
    const why = overall === 'ExplicitlyDenied'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${request.action} action`;
    return { allowed: false, message: `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}` };
  }

  /** The first IAM quota the current policies break, as IAM's LimitExceeded message says it, or undefined. */
  public quotaViolation(): string | undefined {
    for (const role of this.roles()) {
      const name = roleNameOf(String(role.attributes.Arn));
      const { inline, managed } = this.policiesOf(String(role.attributes.Arn));
      const inlineSize = inline.reduce((sum, p) => sum + policySize(p.document), 0);
      if (inlineSize > IAM_QUOTAS.inlinePoliciesPerRole) {
        return `Maximum policy size of ${IAM_QUOTAS.inlinePoliciesPerRole} bytes exceeded for role ${name} (its inline policies have ${inlineSize}) (Service: Iam, Status Code: 409, Error Code: LimitExceeded)`;
      }
      if (managed.length > IAM_QUOTAS.managedPoliciesPerRole) {
        return `Cannot exceed quota for PoliciesPerRole: ${IAM_QUOTAS.managedPoliciesPerRole} (role ${name} would have ${managed.length}) (Service: Iam, Status Code: 409, Error Code: LimitExceeded)`;
      }
    }
    for (const policy of this.ofType('AWS::IAM::ManagedPolicy')) {
      const size = policySize(policy.properties.PolicyDocument);
      if (size > IAM_QUOTAS.managedPolicy) {
        return `Cannot exceed quota for PolicySize: ${IAM_QUOTAS.managedPolicy} (policy ${policy.physicalId} has ${size}) (Service: Iam, Status Code: 409, Error Code: LimitExceeded)`;
      }
    }
    return undefined;
  }

  /** Every policy attached to the role now: its own inline policies, `AWS::IAM::Policy`s and managed policies. */
  private policiesOf(roleArn: string): RolePolicies {
    const roleName = roleNameOf(roleArn);
    const role = this.roles().find((r) => r.attributes.Arn === roleArn);
    const attachedArns = new Set(stringList(role?.properties.ManagedPolicyArns));
    const attachedTo = (r: IamResourceView) => stringList(r.properties.Roles).includes(roleName);
    type InlinePolicy = { PolicyName?: unknown; PolicyDocument?: unknown };
    const ownInline = (Array.isArray(role?.properties.Policies) ? role.properties.Policies : []) as InlinePolicy[];
    return {
      inline: [
        ...ownInline.map((p) => ({ name: String(p.PolicyName), document: p.PolicyDocument })),
        ...this.ofType('AWS::IAM::Policy').filter(attachedTo)
          .map((p) => ({ name: String(p.properties.PolicyName), document: p.properties.PolicyDocument })),
      ],
      managed: this.ofType('AWS::IAM::ManagedPolicy')
        .filter((p) => attachedTo(p) || attachedArns.has(String(p.attributes.PolicyArn)))
        .map((p) => ({ name: String(p.attributes.PolicyArn), document: p.properties.PolicyDocument })),
    };
  }

  private roles(): IamResourceView[] {
    return this.ofType('AWS::IAM::Role');
  }

  private ofType(type: string): IamResourceView[] {
    return [...this.resources()].filter((r) => r.type === type && r.physicalId !== undefined);
  }
}

/** A policy's size as IAM counts it: its JSON without whitespace. */
export function policySize(document: unknown): number {
  return JSON.stringify(document ?? {}).length;
}

function assumedRoleArn(caller: Caller): string {
  const [, partition, , , account] = caller.roleArn.split(':');
  return `arn:${partition}:sts::${account}:assumed-role/${roleNameOf(caller.roleArn)}/${caller.sessionName}`;
}

/** `arn:<p>:iam::<account>:role/<path>/<name>` → `<name>`. */
function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

function arnAccount(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return arn.startsWith('arn:') && account ? account : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
