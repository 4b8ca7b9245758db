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
  /**
   * How many calls signed with an issued key were evaluated, how many of them were denied, how many the evaluator ran
   * for (the others reused its decision for the same role, action and resource under the same policies), and the real
   * time the evaluations took.
   */
  public readonly decisions = { evaluated: 0, denied: 0, simulated: 0, ms: 0 };
  private readonly callers = new Map<string, Caller>();
  private readonly keys = new Map<string, string>();
  /** Bumped whenever a role or policy changes: decisions and policy sets are cached within one version. */
  private version = 0;
  private readonly verdictCache = new Map<string, Verdict>();
  private readonly policyCache = new Map<string, RolePolicies>();
  /** Per role (and version): how to tell apart the resources its policies can tell apart; undefined: they must not be grouped. */
  private readonly resourceClassifiers = new Map<string, ResourceClassifier | undefined>();

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
    const started = performance.now();
    const decision = await this.decide(caller, request);
    this.decisions.ms += performance.now() - started;
    this.decisions.evaluated++;
    if (!decision.allowed) this.decisions.denied++;
    return decision;
  }

  /**
   * The account's roles or policies changed (a resource of `IAM_POLICY_TYPES` was created, updated or deleted): every
   * decision is taken afresh from then on.
   */
  public invalidate(): void {
    this.version++;
    this.verdictCache.clear();
    this.policyCache.clear();
    this.resourceClassifiers.clear();
  }

  /**
   * The evaluator's decision for this role, action and resource under the policies of this version. The request's
   * context holds nothing else (no condition keys are set), so the same inputs give the same decision; and so do two
   * resources that differ only where no pattern of the role's policies looks (see `ResourceClassifier`).
   */
  private async decide(caller: Caller, request: AuthorizationRequest): Promise<AuthorizationDecision> {
    if (!this.resourceClassifiers.has(caller.roleArn)) {
      this.resourceClassifiers.set(caller.roleArn, ResourceClassifier.of(this.policiesOf(caller.roleArn)));
    }
    const resourceClass = this.resourceClassifiers.get(caller.roleArn)?.classOf(request.resource) ?? request.resource;
    const key = JSON.stringify([caller.roleArn, caller.sessionName, request.action, resourceClass]);
    let verdict = this.verdictCache.get(key);
    if (!verdict) {
      const version = this.version;
      this.decisions.simulated++;
      verdict = await this.simulate(caller, request);
      // A verdict reached while the policies changed belongs to neither version; an evaluator error is not reused.
      if (version === this.version && verdict.kind !== 'error') this.verdictCache.set(key, verdict);
    }
    return decisionOf(verdict, caller, request);
  }

  private async simulate(caller: Caller, request: AuthorizationRequest): Promise<Verdict> {
    const policies = this.policiesOf(caller.roleArn);
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
    if (result.resultType === 'error') return { kind: 'error', errors: JSON.stringify(result.errors) };
    const overall = result.resultType === 'single' ? result.overallResult : 'ImplicitlyDenied';
    return { kind: overall === 'Allowed' || overall === 'ExplicitlyDenied' ? overall : 'ImplicitlyDenied' };
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
    let policies = this.policyCache.get(roleArn);
    if (!policies) {
      policies = this.attachedPolicies(roleArn);
      this.policyCache.set(roleArn, policies);
    }
    return policies;
  }

  private attachedPolicies(roleArn: string): RolePolicies {
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

/**
 * Groups resources that a role's policies cannot tell apart: same partition, service, region and account, and the
 * same answer from every `Resource` / `NotResource` pattern of every statement, under both ways of matching a
 * pattern (the whole ARN as one case-sensitive glob, and segment by segment, case-insensitively, as the evaluator
 * does), so that a difference either way keeps them apart. Only for policies where the resource's ARN is the only
 * input that varies: no statement with a `Condition`, no policy variable (`${...}`) and no short ARN in a pattern;
 * otherwise there is no classifier and every resource is its own class.
 */
class ResourceClassifier {
  public static of(policies: RolePolicies): ResourceClassifier | undefined {
    const patterns: string[] = [];
    for (const policy of [...policies.inline, ...policies.managed]) {
      const statements = (policy.document as { Statement?: unknown })?.Statement;
      for (const statement of (Array.isArray(statements) ? statements : [statements]) as Record<string, unknown>[]) {
        if (statement === null || typeof statement !== 'object' || statement.Condition !== undefined) return undefined;
        for (const field of ['Resource', 'NotResource']) {
          const value = statement[field];
          if (value === undefined) continue;
          for (const pattern of Array.isArray(value) ? value : [value]) {
            if (typeof pattern !== 'string' || pattern.includes('${') || (pattern !== '*' && pattern.split(':').length < 6)) return undefined;
            patterns.push(pattern);
          }
        }
      }
    }
    return new ResourceClassifier([...new Set(patterns)]);
  }

  private readonly whole: RegExp[];
  private readonly segments: RegExp[][];

  private constructor(patterns: readonly string[]) {
    this.whole = patterns.map((p) => globRegExp(p, ''));
    this.segments = patterns.map((p) => (p === '*' ? [] : arnSegments(p).map((segment) => globRegExp(segment, 'i'))));
  }

  /** The resource's class, or undefined when it is not a full ARN (then it is its own class). */
  public classOf(resource: string): string | undefined {
    const parts = arnSegments(resource);
    if (!resource.startsWith('arn:') || parts.length !== 6) return undefined;
    const answers = this.whole.map((re, i) => {
      const bySegment = this.segments[i].length === 0 || this.segments[i].every((segment, n) => segment.test(parts[n]));
      return `${re.test(resource) ? 1 : 0}${bySegment ? 1 : 0}`;
    });
    return `${parts.slice(0, 5).join(':')}|${answers.join('')}`;
  }
}

/** An ARN's six segments: the resource part keeps its colons. */
function arnSegments(arn: string): string[] {
  const parts = arn.split(':');
  return parts.length < 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** IAM's wildcards: `*` any run of characters, `?` one character. */
function globRegExp(pattern: string, flags: string): RegExp {
  return new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, flags);
}

/** What the evaluator concluded, independent of the request's wording. */
type Verdict = { readonly kind: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' } | { readonly kind: 'error'; readonly errors: string };

/** The answer to one request, with IAM's message naming its own action and resource. */
function decisionOf(verdict: Verdict, caller: Caller, request: AuthorizationRequest): AuthorizationDecision {
  if (verdict.kind === 'Allowed') return { allowed: true };
  const denied = `User: ${assumedRoleArn(caller)} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  if (verdict.kind === 'error') return { allowed: false, message: `${denied} (the policy evaluator rejected the request: ${verdict.errors})` };
  const why = verdict.kind === 'ExplicitlyDenied'
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${request.action} action`;
  return { allowed: false, message: `${denied} ${why}` };
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
