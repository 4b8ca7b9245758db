import { ArnFormat, CfnResource, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { addNagSuppressions } from './nag';

/** IAM's limit on the inline policies of one role, counted without whitespace. */
export const INLINE_POLICY_LIMIT = 10_240;

/** IAM's limit on one managed policy, counted without whitespace. */
export const MANAGED_POLICY_LIMIT = 6_144;

/**
 * Lengths used to measure a policy as IAM will see it, after CloudFormation resolves the ARNs. Each is the longest
 * value a real deployment can have, so the measure never underestimates.
 */
const RESOLVED = {
  partition: 'aws-us-gov'.length,
  region: 'ap-southeast-5'.length,
  account: 12,
  /** CloudFormation's limit on stack names. */
  stackName: 128,
  /** An unresolved resource name (for example a stream imported from a parameter): the assumed length. */
  unresolvedName: 64,
  /**
   * A resource's `Arn` attribute: the longest the provider's resources have, a state machine's (its name may have 80
   * characters): `arn:<partition>:states:<region>:<account>:stateMachine:<name>`.
   */
  attributeArn: 'arn::states:::stateMachine:'.length + 'aws-us-gov'.length + 'ap-southeast-5'.length + 12 + 80,
};

/**
 * The cdk-nag (AwsSolutions-IAM5) finding of a stream or channel pattern of this policy, in this stack's account and
 * region, as cdk-nag flattens `Fn::Join`: `arn:<AWS::Partition>:kinesisvideo:<region>:<account>:stream/<pattern>`.
 */
const ENV_FINDING = '(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12})';
const KVS_RESOURCE_FINDING = { regex: `/^Resource::arn:<AWS::Partition>:kinesisvideo:${ENV_FINDING}:(stream|channel)\\/.+$/` };

/** The kinds of Kinesis Video resources the handlers act on. */
export type KvsResourceKind = 'stream' | 'channel';

export interface ScopedPolicyProps {
  /** The role the handlers run with. */
  readonly role: iam.IRole;
  /** The name of the log group the handlers write to (a token is fine: its ARN is built from the name). */
  readonly logGroupName: string;
}

interface Target {
  readonly kind: KvsResourceKind;
  readonly name: string;
  readonly actions: string[];
}

/**
 * The handlers' inline policy, rendered at synth time from every stream and channel that the stack configures.
 *
 * Scoping rule, tightest first, taken per resource kind while the whole policy fits `INLINE_POLICY_LIMIT` measured with
 * ARNs resolved to their longest realistic length:
 * 1. each resource by name: `stream/<name>/*` (the `/*` covers only the creation-time suffix of the ARN);
 * 2. every resource whose name starts with the longest prefix the names share: `stream/<prefix>*`;
 * 3. every resource of the kind in this account and region: `stream/*`.
 * Resources are named, never referenced with `Fn::GetAtt`: the retention guard runs before the streams, so a
 * reference to a stream's ARN here would be a dependency cycle.
 */
export class ScopedPolicy extends Construct {
  private readonly targets: Target[] = [];
  /** Statements by their resolved JSON. */
  private readonly extraStatements = new Map<string, iam.PolicyStatement>();
  private readonly resource: iam.CfnPolicy;
  private readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: ScopedPolicyProps) {
    super(scope, id);
    this.logGroupName = props.logGroupName;
    this.resource = new iam.CfnPolicy(this, 'Resource', {
      policyName: 'KinesisVideoHandlers',
      roles: [props.role.roleName],
      policyDocument: Lazy.any({ produce: () => this.document().toJSON() }),
    });
    addNagSuppressions(this.resource, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Kinesis Video Streams ARNs end in the creation time, unknown at synth: "<name>/*" matches the named stream or channel only. Prefix and kind patterns appear only when the names overflow the inline policy limit (see the scoping rule).',
      appliesTo: [KVS_RESOURCE_FINDING],
    }, {
      id: 'AwsSolutions-IAM5',
      reason: 'The ":*" that ends every log group ARN: the log streams of the provider\'s own log group, which only the provider writes to.',
      appliesTo: [{ regex: `/^Resource::arn:<AWS::Partition>:logs:${ENV_FINDING}:log-group:${flattenedPattern(Stack.of(this).resolve(props.logGroupName))}:\\*$/` }],
    }]);
  }

  /** Allows `actions` on the stream or channel called `name`. */
  public allow(kind: KvsResourceKind, name: string, actions: string[]): void {
    this.targets.push({ kind, name, actions });
  }

  /**
   * Allows a statement that is not about streams or channels (for example CloudFormation on this stack). A statement
   * equal to one already allowed is not added again, so every construct can ask for what it needs.
   */
  public allowStatement(statement: iam.PolicyStatement): void {
    const key = JSON.stringify(Stack.of(this).resolve(statement.toStatementJson()));
    if (this.extraStatements.has(key)) return;
    this.extraStatements.set(key, statement);
  }

  /** Makes `resource` wait for the policy, so that no handler runs before its permissions exist. */
  public requiredBy(resource: CfnResource): void {
    resource.addDependency(this.resource);
  }

  /** The policy document, scoped as tightly as the size limit allows. */
  public document(): iam.PolicyDocument {
    return this.render(this.chooseScopes());
  }

  /** The size of `document()` as IAM counts it (no whitespace), with ARNs resolved to their longest length. */
  public resolvedSize(): number {
    return this.measure(this.chooseScopes());
  }

  /** The tightest scopes whose document fits the limit, or the loosest when none does. */
  private chooseScopes(): Scopes {
    let scopes: Scopes = { stream: 'name', channel: 'name' };
    for (const step of LOOSENING) {
      scopes = { ...scopes, ...step };
      if (this.measure(scopes) <= INLINE_POLICY_LIMIT) break;
    }
    return scopes;
  }

  private measure(scopes: Scopes): number {
    return resolvedPolicySize(Stack.of(this).resolve(this.render(scopes).toJSON()));
  }

  private render(scopes: Scopes): iam.PolicyDocument {
    const doc = new iam.PolicyDocument();
    const stack = Stack.of(this);
    // One statement per kind: every stream (every channel) gets every action asked for its kind. A configuration
    // removed from a stream that stays in the stack is deleted after CloudFormation has updated this policy, so the
    // stream must keep the configuration actions even when nothing configures it any more.
    for (const kind of KINDS) {
      const targets = this.targets.filter((target) => target.kind === kind);
      if (targets.length === 0) continue;
      const prefix = commonPrefix(targets.map((target) => target.name));
      const patterns = new Set(targets.map((target) => resourcePattern(target.name, scopes[kind], prefix)));
      doc.addStatements(new iam.PolicyStatement({
        actions: [...new Set(targets.flatMap((target) => target.actions))].sort(),
        resources: [...patterns].map((pattern) => stack.formatArn({
          service: 'kinesisvideo',
          resource: kind,
          resourceName: pattern,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        })),
      }));
    }
    doc.addStatements(...this.extraStatements.values());
    // Built from the name rather than the log group's Arn attribute, so that its length is measured; ":*" ends every
    // log group ARN and covers the group's log streams (cdk-nag, like IAM, reads it as the group itself).
    doc.addStatements(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${this.logGroupName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    }));
    return doc;
  }
}

type Scope = 'name' | 'prefix' | 'kind';
const KINDS: readonly KvsResourceKind[] = ['stream', 'channel'];
type Scopes = Record<KvsResourceKind, Scope>;

/** Each step loosens one kind more; streams first, since a stack holds far more streams than channels. */
const LOOSENING: Array<Partial<Scopes>> = [
  {},
  { stream: 'prefix' },
  { channel: 'prefix' },
  { stream: 'kind' },
  { channel: 'kind' },
];

function resourcePattern(name: string, scope: Scope, prefix: string): string {
  // A name only known at deploy time cannot share a prefix: it stays exact.
  if (scope === 'name' || Token.isUnresolved(name)) return `${name}/*`;
  return scope === 'kind' ? '*' : `${prefix}*`;
}

/**
 * A regular expression matching `value` as cdk-nag flattens it in a finding: `{ Ref: X }` becomes `<X>` and
 * `Fn::Join` is joined.
 */
function flattenedPattern(value: unknown): string {
  if (typeof value === 'string') return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const intrinsic = value as { 'Ref'?: string; 'Fn::Join'?: [string, unknown[]] };
  if (intrinsic.Ref !== undefined) return flattenedPattern(`<${intrinsic.Ref}>`);
  if (intrinsic['Fn::Join'] !== undefined) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts.map(flattenedPattern).join(flattenedPattern(separator));
  }
  return '.+';
}

/** The longest prefix shared by every name known at synth time. */
function commonPrefix(allNames: string[]): string {
  const names = allNames.filter((name) => !Token.isUnresolved(name));
  if (names.length === 0) return '';
  let prefix = names[0];
  for (const name of names) {
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

/**
 * The size of an IAM policy document as IAM counts it (JSON without whitespace), once CloudFormation has resolved it:
 * pseudo parameters and references count at their longest realistic length. `document` is CloudFormation JSON, as
 * `Stack.resolve` renders it or as a template holds it. The one measure used by the provider's policy, the tests and
 * the benchmarks.
 */
export function resolvedPolicySize(document: unknown): number {
  return JSON.stringify(document, (_key, value) => {
    const length = intrinsicLength(value);
    return length === undefined ? value : 'x'.repeat(length);
  }).length;
}

/** The resolved length of an intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Join`), or undefined for anything else. */
function intrinsicLength(value: unknown): number | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1) return undefined;
  const [fn, args] = Object.entries(value)[0];
  switch (fn) {
    case 'Ref': return refLength(args);
    case 'Fn::GetAtt': return attributeLength(args);
    case 'Fn::Join': {
      const [separator, parts] = args as [string, unknown[]];
      return parts.reduce<number>((sum, part) => sum + (typeof part === 'string' ? part.length : intrinsicLength(part) ?? RESOLVED.unresolvedName), 0)
        + separator.length * Math.max(0, parts.length - 1);
    }
    default: return undefined;
  }
}

/** An `Arn` attribute resolves to an ARN; any other attribute counts as an unresolved name. */
function attributeLength(args: unknown): number {
  const attribute = Array.isArray(args) ? args[1] : String(args).split('.').slice(1).join('.');
  return attribute === 'Arn' ? RESOLVED.attributeArn : RESOLVED.unresolvedName;
}

function refLength(ref: unknown): number {
  switch (ref) {
    case 'AWS::Partition': return RESOLVED.partition;
    case 'AWS::Region': return RESOLVED.region;
    case 'AWS::AccountId': return RESOLVED.account;
    case 'AWS::StackName': return RESOLVED.stackName;
    // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<36-character id>
    case 'AWS::StackId': return 'arn::cloudformation:::stack//'.length + RESOLVED.partition + RESOLVED.region + RESOLVED.account + RESOLVED.stackName + 36;
    default: return RESOLVED.unresolvedName;
  }
}
