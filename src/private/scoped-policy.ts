import { createHash } from 'crypto';
import { ArnFormat, CfnResource, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { commonPrefix } from './fleet-placement';
import { addNagSuppressions } from './nag';

/** IAM's limit on the inline policies of one role, counted without whitespace. */
export const INLINE_POLICY_LIMIT = 10_240;

/** IAM's limit on one managed policy, counted without whitespace. */
export const MANAGED_POLICY_LIMIT = 6_144;

/**
 * Lengths used to measure a policy as IAM will see it, after CloudFormation resolves it. Each is the longest value a
 * real deployment can have, so the measure never underestimates.
 */
const RESOLVED = {
  partition: 'aws-us-gov'.length,
  region: 'ap-southeast-5'.length,
  account: 12,
  /** CloudFormation's limit on stack names. */
  stackName: 128,
  /**
   * Any other reference (a stream or channel named by `Ref`, a parameter): the longest stream or channel name, the
   * longest names a policy of this library holds.
   */
  unresolvedName: 256,
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

/** A policy as rendered once the construct tree is complete: its CloudFormation JSON and its hash. */
interface Rendered {
  readonly version: number;
  readonly document: unknown;
  readonly hash: string;
}

/**
 * The handlers' permissions: one customer-managed policy attached to their role, rendered at synth time from every
 * stream and channel that the stack configures, each with exactly the actions its resources need.
 *
 * **Removal.** The policy's logical id ends in a hash of its document, so any change of its statements makes it a new
 * resource. CloudFormation creates the new policy in the update phase, before the resources that depend on it, and
 * deletes the old one in the cleanup phase, after the removed resources that depended on it (reverse dependency order
 * of the previous template). A custom resource dropped from the template, or the old physical resource of a replaced
 * one, is therefore deleted while the permissions it was created with are still attached: its Delete can act in the
 * same deployment. A managed policy rather than an inline one, because both documents are attached for the length of
 * the update: two managed policies of up to 6,144 characters each, where two inline ones would have to share 10,240.
 *
 * **Size.** Scoping rule, tightest first, taken per resource kind while the document fits `MANAGED_POLICY_LIMIT`
 * measured with every token at its longest resolved length:
 * 1. each resource by name: `stream/<name>/*` (the `/*` covers only the creation-time suffix of the ARN), grouped in
 *    one statement per set of actions;
 * 2. every resource whose name starts with the longest prefix the known names share: `stream/<prefix>*` (names only
 *    known at deploy time stay exact);
 * 3. every resource of the kind in this account and region: `stream/*`.
 * When even that does not fit, synth fails. Resources are named, never referenced with `Fn::GetAtt`: the retention
 * guard runs before the streams, so a reference to a stream's ARN here would be a dependency cycle.
 */
export class ScopedPolicy extends Construct {
  /** Actions by kind and resource name. */
  private readonly targets = new Map<KvsResourceKind, Map<string, Set<string>>>(KINDS.map((kind) => [kind, new Map()]));
  /** Statements by their resolved JSON. */
  private readonly extraStatements = new Map<string, iam.PolicyStatement>();
  private readonly resource: iam.CfnManagedPolicy;
  private readonly logGroupName: string;
  /** Incremented by every change, so that the document is rendered once per state, not once per reference. */
  private version = 0;
  private rendered?: Rendered;
  private others?: { readonly version: number; readonly placeholders: unknown[] };
  private readonly prefixLengths = new Map<KvsResourceKind, number>();

  constructor(scope: Construct, id: string, props: ScopedPolicyProps) {
    super(scope, id);
    this.logGroupName = props.logGroupName;
    this.resource = new iam.CfnManagedPolicy(this, 'Resource', {
      description: 'Kinesis Video Streams custom-resource handlers (cdk-kinesis-video): the streams and channels of this stack',
      roles: [props.role.roleName],
      policyDocument: Lazy.any({ produce: () => this.render().document }),
    });
    // As aws-cdk-lib does for a function's currentVersion: the id is resolved as allocated, then extended by the hash.
    const allocatedId = Stack.of(this).resolve(this.resource.logicalId) as string;
    this.resource.overrideLogicalId(Lazy.uncachedString({ produce: () => `${allocatedId}${this.render().hash}` }));
    this.node.addValidation({ validate: () => this.validateSize() });
    addNagSuppressions(this.resource, [{
      id: 'AwsSolutions-IAM5',
      reason: 'Kinesis Video Streams ARNs end in the creation time, unknown at synth: "<name>/*" matches the named stream or channel only. Prefix and kind patterns appear only when the names overflow the managed policy limit (see the scoping rule).',
      appliesTo: [KVS_RESOURCE_FINDING],
    }, {
      id: 'AwsSolutions-IAM5',
      reason: 'The ":*" that ends every log group ARN: the log streams of the provider\'s own log group, which only the provider writes to.',
      appliesTo: [{ regex: `/^Resource::arn:<AWS::Partition>:logs:${ENV_FINDING}:log-group:${flattenedPattern(Stack.of(this).resolve(props.logGroupName))}:\\*$/` }],
    }]);
  }

  /** Allows `actions` on the stream or channel called `name`. */
  public allow(kind: KvsResourceKind, name: string, actions: string[]): void {
    const byName = this.targets.get(kind)!;
    const allowed = byName.get(name) ?? new Set<string>();
    actions.forEach((action) => allowed.add(action));
    byName.set(name, allowed);
    this.version++;
  }

  /**
   * Allows a statement that is not about streams or channels (for example CloudFormation on this stack). A statement
   * equal to one already allowed is not added again, so every construct can ask for what it needs.
   */
  public allowStatement(statement: iam.PolicyStatement): void {
    const key = JSON.stringify(Stack.of(this).resolve(statement.toStatementJson()));
    if (this.extraStatements.has(key)) return;
    this.extraStatements.set(key, statement);
    this.version++;
  }

  /**
   * Makes `resource` wait for the policy, so that no handler runs before its permissions exist, and (in the previous
   * template of a later update) so that the old policy outlives the resource's Delete.
   */
  public requiredBy(resource: CfnResource): void {
    resource.node.addDependency(this.resource);
  }

  /** The policy document, scoped as tightly as the size limit allows. */
  public document(): iam.PolicyDocument {
    return this.build(this.chooseScopes());
  }

  /** The size of `document()` as IAM counts it (no whitespace), with every token at its longest resolved length. */
  public resolvedSize(): number {
    return this.measure(this.chooseScopes());
  }

  private render(): Rendered {
    if (this.rendered?.version !== this.version) {
      const document = Stack.of(this).resolve(this.document().toJSON());
      const hash = createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 8).toUpperCase();
      this.rendered = { version: this.version, document, hash };
    }
    return this.rendered;
  }

  private validateSize(): string[] {
    const size = this.resolvedSize();
    if (size <= MANAGED_POLICY_LIMIT) return [];
    return [`The Kinesis Video handlers' policy needs ${size} characters with every stream and channel of the kind scope (stream/*, channel/*), over IAM's limit of ${MANAGED_POLICY_LIMIT} for a managed policy. Split the stack's resources across stacks.`];
  }

  /** The tightest scopes whose document fits the limit, or the loosest when none does (validation then fails). */
  private chooseScopes(): Scopes {
    let scopes: Scopes = { stream: 'name', channel: 'name' };
    for (const step of LOOSENING) {
      scopes = { ...scopes, ...step };
      if (this.measure(scopes) <= MANAGED_POLICY_LIMIT) break;
    }
    return scopes;
  }

  /**
   * The size of the document `scopes` gives, computed on plain strings: each stream or channel ARN is a placeholder of
   * its resolved length (the kind's ARN prefix, measured once, plus the pattern, a token name counting 256), and the
   * other statements are resolved once per change. The same figure as `resolvedPolicySize` of the rendered document,
   * without rendering and resolving it once per scoping step.
   */
  private measure(scopes: Scopes): number {
    const statements = KINDS.flatMap((kind) => this.kindStatements(kind, scopes[kind]).map((statement) => ({
      Action: single(statement.actions),
      Effect: 'Allow',
      Resource: single(statement.patterns.map((pattern) => 'x'.repeat(this.arnPrefixLength(kind) + patternLength(pattern)))),
    })));
    return JSON.stringify({ Version: '2012-10-17', Statement: [...statements, ...this.otherStatementPlaceholders()] }).length;
  }

  /** The resolved length of `arn:<partition>:kinesisvideo:<region>:<account>:<kind>/`, at its longest. */
  private arnPrefixLength(kind: KvsResourceKind): number {
    let length = this.prefixLengths.get(kind);
    if (length === undefined) {
      // Measured with a one-character name and its quotes taken off.
      length = resolvedPolicySize(Stack.of(this).resolve(this.arn(kind, { suffix: 'N' }))) - 3;
      this.prefixLengths.set(kind, length);
    }
    return length;
  }

  /** The statements besides the streams' and channels', resolved, with every token a placeholder of its length. */
  private otherStatementPlaceholders(): unknown[] {
    if (this.others?.version !== this.version) {
      const resolved = Stack.of(this).resolve(this.otherStatements().map((statement) => statement.toStatementJson()));
      this.others = { version: this.version, placeholders: JSON.parse(placeholders(resolved)) };
    }
    return this.others.placeholders;
  }

  private build(scopes: Scopes): iam.PolicyDocument {
    const doc = new iam.PolicyDocument();
    for (const kind of KINDS) {
      doc.addStatements(...this.kindStatements(kind, scopes[kind]).map((statement) => new iam.PolicyStatement({
        actions: statement.actions,
        resources: statement.patterns.map((pattern) => this.arn(kind, pattern)),
      })));
    }
    doc.addStatements(...this.otherStatements());
    return doc;
  }

  private otherStatements(): iam.PolicyStatement[] {
    // Built from the name rather than the log group's Arn attribute, so that its length is measured; ":*" ends every
    // log group ARN and covers the group's log streams (cdk-nag, like IAM, reads it as the group itself).
    return [...this.extraStatements.values(), new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [Stack.of(this).formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${this.logGroupName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    })];
  }

  private arn(kind: KvsResourceKind, pattern: Pattern): string {
    return Stack.of(this).formatArn({
      service: 'kinesisvideo',
      resource: kind,
      resourceName: `${pattern.name ?? ''}${pattern.suffix}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /**
   * By name: one statement per set of actions, naming the resources that need exactly that set. Loosened: one
   * statement with every action asked for the kind, on the prefix (or kind) pattern.
   */
  private kindStatements(kind: KvsResourceKind, scope: Scope): KindStatement[] {
    const byName = this.targets.get(kind)!;
    if (byName.size === 0) return [];
    if (scope === 'name') {
      const namesByActions = new Map<string, string[]>();
      for (const [name, actions] of byName) {
        const key = [...actions].sort().join(' ');
        namesByActions.set(key, [...namesByActions.get(key) ?? [], name]);
      }
      return [...namesByActions].map(([actions, names]) => ({
        actions: actions.split(' '),
        patterns: names.map((name) => ({ name, suffix: '/*' })),
      }));
    }
    const names = [...byName.keys()];
    // Names only known at deploy time share no prefix.
    const prefix = commonPrefix(names.filter((name) => !Token.isUnresolved(name)));
    const patterns = new Map<string, Pattern>(scope === 'kind'
      ? [['*', { suffix: '*' }]]
      // A name only known at deploy time cannot share a prefix: it stays exact.
      : names.map((name) => (Token.isUnresolved(name) ? [name, { name, suffix: '/*' }] : [`${prefix}*`, { suffix: `${prefix}*` }])));
    return [{
      actions: [...new Set([...byName.values()].flatMap((actions) => [...actions]))].sort(),
      patterns: [...patterns.values()],
    }];
  }
}

/** A resource pattern after the kind's ARN prefix: a name (exact, possibly a token) and what follows it. */
interface Pattern {
  readonly name?: string;
  readonly suffix: string;
}

/** A statement on streams or channels, before it is rendered or measured. */
interface KindStatement {
  readonly actions: string[];
  readonly patterns: Pattern[];
}

/** The resolved length of a pattern: a token name at the longest name a stream or channel may have. */
function patternLength(pattern: Pattern): number {
  const name = pattern.name === undefined ? 0 : Token.isUnresolved(pattern.name) ? RESOLVED.unresolvedName : pattern.name.length;
  return name + pattern.suffix.length;
}

/** One value as itself, several as a list: how PolicyStatement renders actions and resources. */
function single<T>(values: T[]): T | T[] {
  return values.length === 1 ? values[0] : values;
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

/**
 * The size of an IAM policy document as IAM counts it (JSON without whitespace), once CloudFormation has resolved it:
 * pseudo parameters and references count at their longest realistic length. `document` is CloudFormation JSON, as
 * `Stack.resolve` renders it or as a template holds it. The one measure used by the provider's policy, the tests and
 * the benchmarks.
 */
export function resolvedPolicySize(document: unknown): number {
  return placeholders(document).length;
}

/** `document` as JSON, each intrinsic function replaced by a placeholder string of its resolved length. */
function placeholders(document: unknown): string {
  return JSON.stringify(document, (_key, value) => {
    const length = intrinsicLength(value);
    return length === undefined ? value : 'x'.repeat(length);
  });
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
