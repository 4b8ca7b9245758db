/**
 * CloudFormation template semantics the harness needs before and while it deploys: intrinsic functions, pseudo
 * parameters, parameters (including SSM-typed ones), conditions, mappings and `Rules`.
 *
 * Anything the harness does not emulate throws a `TemplateError` naming the function and where it sits in the
 * template: a silently skipped intrinsic would let a broken template pass.
 */

/** A template-level problem: CloudFormation would reject the template or fail the resource. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** What CloudFormation's API answers with `ValidationError` before any resource is touched. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** Marks a value resolved from `Ref: AWS::NoValue`: the enclosing property or list item disappears. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface CfnTemplate {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Parameters?: Record<string, CfnParameter>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Rules?: Record<string, CfnRule>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, CfnOutput>;
  readonly Transform?: unknown;
  readonly Metadata?: unknown;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: string | number;
  readonly AllowedValues?: string[];
  readonly AllowedPattern?: string;
  readonly NoEcho?: boolean | string;
  readonly Description?: string;
}

export interface CfnRule {
  readonly RuleCondition?: unknown;
  readonly Assertions: { readonly Assert: unknown; readonly AssertDescription?: string }[];
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: unknown;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

/** The values of CloudFormation's pseudo parameters for one stack. */
export interface PseudoParameters {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly stackName: string;
  readonly stackId: string;
}

/** What a resolution can look up: everything but the template's own structure. */
export interface ResolveContext {
  readonly pseudo: PseudoParameters;
  readonly parameters: Readonly<Record<string, string | string[]>>;
  readonly conditions: Readonly<Record<string, boolean>>;
  readonly mappings: CfnTemplate['Mappings'];
  /** The value of `Ref` for a resource; throws when it has none (yet). */
  ref(logicalId: string): string;
  /** The value of `Fn::GetAtt`; throws when the attribute does not exist. */
  getAtt(logicalId: string, attribute: string): unknown;
}

/** Which intrinsic functions a section of a template allows, as CloudFormation enforces it. */
type Section = 'properties' | 'condition' | 'rule';

const PROPERTY_FUNCTIONS = ['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub', 'Fn::Select', 'Fn::Split', 'Fn::If', 'Fn::FindInMap'];
const CONDITION_FUNCTIONS = ['Ref', 'Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Condition', 'Fn::FindInMap'];
const RULE_FUNCTIONS = ['Ref', 'Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Fn::Contains'];
const ALLOWED: Record<Section, readonly string[]> = {
  properties: PROPERTY_FUNCTIONS,
  condition: CONDITION_FUNCTIONS,
  rule: RULE_FUNCTIONS,
};

const KNOWN_FUNCTIONS = [...new Set([...PROPERTY_FUNCTIONS, ...CONDITION_FUNCTIONS, ...RULE_FUNCTIONS])];

function assertAllowed(section: Section, fn: string, path: string): void {
  if (ALLOWED[section].includes(fn)) return;
  if (KNOWN_FUNCTIONS.includes(fn)) {
    throw new TemplateError(`Template format error: ${fn} at ${path} is not allowed in this section (allowed: ${ALLOWED[section].join(', ')})`);
  }
  throw new TemplateError(`Unsupported intrinsic function ${fn} at ${path}: the harness resolves only ${KNOWN_FUNCTIONS.join(', ')}`);
}

/** The intrinsic function an object stands for, or undefined for a plain object. */
export function intrinsicName(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::') ? key : undefined;
}

/**
 * Resolves a property value of a resource or output. `path` names the value in error messages.
 * A result of `NO_VALUE` means the property is absent.
 */
export function resolveValue(value: unknown, ctx: ResolveContext, path: string): unknown {
  return new Resolver(ctx, 'properties').resolve(value, path);
}

/** Evaluates every entry of the `Conditions` section, in dependency order. */
export function evaluateConditions(template: CfnTemplate, ctx: Omit<ResolveContext, 'conditions'>): Record<string, boolean> {
  const definitions = template.Conditions ?? {};
  const results: Record<string, boolean> = {};
  const visiting = new Set<string>();
  const evaluate = (name: string): boolean => {
    if (name in results) return results[name];
    if (!(name in definitions)) throw new TemplateError(`Template format error: Unresolved condition dependency ${name} in Fn::If or Condition`);
    if (visiting.has(name)) throw new TemplateError(`Template format error: Circular dependency between conditions: ${[...visiting, name].join(', ')}`);
    visiting.add(name);
    const resolver = new Resolver({ ...ctx, conditions: results }, 'condition', evaluate);
    results[name] = asBoolean(resolver.resolve(definitions[name], `Conditions.${name}`), `Conditions.${name}`);
    visiting.delete(name);
    return results[name];
  };
  for (const name of Object.keys(definitions)) evaluate(name);
  return results;
}

/**
 * Evaluates the `Rules` section as CloudFormation does before a create or update: a rule applies when its
 * `RuleCondition` is absent or true, and a false assertion fails the operation with the assertion's description.
 */
export function evaluateRules(template: CfnTemplate, ctx: Omit<ResolveContext, 'conditions'>): void {
  const resolver = new Resolver({ ...ctx, conditions: {} }, 'rule');
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && !asBoolean(resolver.resolve(rule.RuleCondition, `Rules.${name}.RuleCondition`), `Rules.${name}.RuleCondition`)) {
      continue;
    }
    rule.Assertions.forEach((assertion, i) => {
      const path = `Rules.${name}.Assertions.${i}.Assert`;
      if (!asBoolean(resolver.resolve(assertion.Assert, path), path)) {
        throw new ValidationError(assertion.AssertDescription ?? `Template assertion ${i} of rule ${name} failed`);
      }
    });
  }
}

/** Parameter values as CloudFormation resolves them: given values, then defaults; SSM types read from the store. */
export function resolveParameters(
  template: CfnTemplate,
  given: Readonly<Record<string, string>>,
  ssmParameters: Readonly<Record<string, string>>,
): Record<string, string | string[]> {
  const declared = template.Parameters ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in declared)) throw new ValidationError(`Parameters: [${name}] do not exist in the template`);
  }
  const missing = Object.keys(declared).filter((name) => given[name] === undefined && declared[name].Default === undefined);
  if (missing.length > 0) throw new ValidationError(`Parameters: [${missing.join(', ')}] must have values`);

  const values: Record<string, string | string[]> = {};
  for (const [name, parameter] of Object.entries(declared)) {
    const raw = String(given[name] ?? parameter.Default);
    if (parameter.AllowedValues && !parameter.AllowedValues.map(String).includes(raw)) {
      throw new ValidationError(`Parameter '${name}' must be one of AllowedValues`);
    }
    if (parameter.AllowedPattern !== undefined && !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(raw)) {
      throw new ValidationError(`Parameter '${name}' must match pattern ${parameter.AllowedPattern}`);
    }
    values[name] = parameterValue(name, parameter.Type, raw, ssmParameters);
  }
  return values;
}

function parameterValue(name: string, type: string, raw: string, ssm: Readonly<Record<string, string>>): string | string[] {
  const ssmType = /^AWS::SSM::Parameter::Value<(.+)>$/.exec(type);
  if (ssmType) {
    const stored = ssm[raw];
    if (stored === undefined) throw new ValidationError(`Unable to fetch parameters [${raw}] from parameter store for this account.`);
    return parameterValue(name, ssmType[1], stored, ssm);
  }
  switch (type) {
    case 'String':
      return raw;
    case 'Number':
      if (raw.trim() === '' || Number.isNaN(Number(raw))) throw new ValidationError(`Parameter '${name}' must be a number not '${raw}'`);
      return raw;
    case 'CommaDelimitedList':
    case 'List<String>':
      return raw.split(',').map((s) => s.trim());
    case 'List<Number>':
      return raw.split(',').map((s) => {
        if (Number.isNaN(Number(s))) throw new ValidationError(`Parameter '${name}' must be a list of numbers not '${raw}'`);
        return s.trim();
      });
    default:
      throw new TemplateError(`Parameter ${name} has type ${type}, which the harness does not emulate (String, Number, CommaDelimitedList, List<String>, List<Number> and AWS::SSM::Parameter::Value<...> are)`);
  }
}

function asBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new TemplateError(`Template format error: ${path} must evaluate to a boolean, got ${JSON.stringify(value)}`);
}

function asString(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`Template error: ${path} must resolve to a string, got ${JSON.stringify(value)}`);
}

function asList(value: unknown, path: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new TemplateError(`Template error: ${path} must resolve to a list, got ${JSON.stringify(value)}`);
}

function argsOf(fn: string, value: unknown, count: number, path: string): unknown[] {
  if (!Array.isArray(value) || value.length !== count) {
    throw new TemplateError(`Template error: ${fn} at ${path} takes a list of ${count} arguments, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Pseudo parameter values, or undefined for a name that is not one. */
function pseudoValue(name: string, pseudo: PseudoParameters): string | string[] | typeof NO_VALUE | undefined {
  switch (name) {
    case 'AWS::Region': return pseudo.region;
    case 'AWS::AccountId': return pseudo.accountId;
    case 'AWS::Partition': return pseudo.partition;
    case 'AWS::URLSuffix': return pseudo.urlSuffix;
    case 'AWS::StackName': return pseudo.stackName;
    case 'AWS::StackId': return pseudo.stackId;
    case 'AWS::NoValue': return NO_VALUE;
    case 'AWS::NotificationARNs': return [];
    default: return undefined;
  }
}

class Resolver {
  constructor(
    private readonly ctx: ResolveContext,
    private readonly section: Section,
    private readonly condition: (name: string) => boolean = (name) => {
      if (!(name in ctx.conditions)) throw new TemplateError(`Template format error: Unresolved condition dependency ${name} in Fn::If or Condition`);
      return ctx.conditions[name];
    },
  ) {}

  public resolve(value: unknown, path: string): unknown {
    if (Array.isArray(value)) {
      return value.map((item, i) => this.resolve(item, `${path}.${i}`)).filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const fn = intrinsicName(value);
    if (fn !== undefined) return this.call(fn, (value as Record<string, unknown>)[fn], path);
    const keys = Object.keys(value);
    const unknownFn = keys.find((key) => key.startsWith('Fn::'));
    if (unknownFn) throw new TemplateError(`Template format error: ${unknownFn} at ${path} must be the only key of its object`);
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      const resolved = this.resolve((value as Record<string, unknown>)[key], `${path}.${key}`);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private call(fn: string, args: unknown, path: string): unknown {
    assertAllowed(this.section, fn, path);
    const at = `${path}.${fn}`;
    switch (fn) {
      case 'Ref': return this.ref(asString(args, at), at);
      case 'Fn::GetAtt': return this.getAtt(args, at);
      case 'Fn::Join': return this.join(args, at);
      case 'Fn::Sub': return this.sub(args, at);
      case 'Fn::Select': return this.select(args, at);
      case 'Fn::Split': {
        const [delimiter, source] = argsOf(fn, args, 2, at);
        return asString(this.resolve(source, `${at}.1`), `${at}.1`).split(asString(delimiter, `${at}.0`));
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = argsOf(fn, args, 3, at);
        return this.condition(asString(name, `${at}.0`)) ? this.resolve(whenTrue, `${at}.1`) : this.resolve(whenFalse, `${at}.2`);
      }
      case 'Fn::FindInMap': return this.findInMap(args, at);
      case 'Condition': return this.condition(asString(args, at));
      case 'Fn::Equals': {
        const [a, b] = argsOf(fn, args, 2, at).map((item, i) => this.resolve(item, `${at}.${i}`));
        return JSON.stringify(normalizeScalar(a)) === JSON.stringify(normalizeScalar(b));
      }
      case 'Fn::Not': {
        const [operand] = argsOf(fn, args, 1, at);
        return !asBoolean(this.resolve(operand, `${at}.0`), `${at}.0`);
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const operands = asList(args, at);
        if (operands.length < 2 || operands.length > 10) throw new TemplateError(`Template format error: ${fn} at ${path} takes 2 to 10 conditions`);
        const values = operands.map((operand, i) => asBoolean(this.resolve(operand, `${at}.${i}`), `${at}.${i}`));
        return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      case 'Fn::Contains': {
        const [list, item] = argsOf(fn, args, 2, at);
        const haystack = asList(this.resolve(list, `${at}.0`), `${at}.0`).map((v) => asString(v, `${at}.0`));
        return haystack.includes(asString(this.resolve(item, `${at}.1`), `${at}.1`));
      }
      default:
        throw new TemplateError(`Unsupported intrinsic function ${fn} at ${path}: the harness resolves only ${KNOWN_FUNCTIONS.join(', ')}`);
    }
  }

  private ref(name: string, path: string): unknown {
    const pseudo = pseudoValue(name, this.ctx.pseudo);
    if (pseudo !== undefined) return pseudo;
    if (name.startsWith('AWS::')) throw new TemplateError(`Unsupported pseudo parameter ${name} at ${path}`);
    if (name in this.ctx.parameters) return this.ctx.parameters[name];
    if (this.section !== 'properties') {
      throw new TemplateError(`Template format error: Ref at ${path} can only refer to parameters and pseudo parameters here, not ${name}`);
    }
    return this.ctx.ref(name);
  }

  private getAtt(args: unknown, path: string): unknown {
    let logicalId: string;
    let attribute: string;
    if (typeof args === 'string') {
      const dot = args.indexOf('.');
      if (dot < 1) throw new TemplateError(`Template error: Fn::GetAtt at ${path} must be "LogicalId.Attribute", got ${JSON.stringify(args)}`);
      logicalId = args.slice(0, dot);
      attribute = args.slice(dot + 1);
    } else {
      const [id, attr] = argsOf('Fn::GetAtt', args, 2, path);
      logicalId = asString(id, `${path}.0`);
      attribute = asString(this.resolve(attr, `${path}.1`), `${path}.1`);
    }
    return this.ctx.getAtt(logicalId, attribute);
  }

  private join(args: unknown, path: string): string {
    const [delimiter, list] = argsOf('Fn::Join', args, 2, path);
    const items = asList(this.resolve(list, `${path}.1`), `${path}.1`);
    return items.map((item, i) => asString(item, `${path}.1.${i}`)).join(asString(delimiter, `${path}.0`));
  }

  private select(args: unknown, path: string): unknown {
    const [index, list] = argsOf('Fn::Select', args, 2, path);
    const i = Number(asString(this.resolve(index, `${path}.0`), `${path}.0`));
    const items = asList(this.resolve(list, `${path}.1`), `${path}.1`);
    if (!Number.isInteger(i) || i < 0 || i >= items.length) {
      throw new TemplateError(`Template error: Fn::Select at ${path} cannot select index ${i} of a list of ${items.length}`);
    }
    return items[i];
  }

  private sub(args: unknown, path: string): string {
    let text: string;
    let variables: Record<string, unknown> = {};
    if (typeof args === 'string') {
      text = args;
    } else {
      const [t, vars] = argsOf('Fn::Sub', args, 2, path);
      text = asString(t, `${path}.0`);
      if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) {
        throw new TemplateError(`Template error: Fn::Sub at ${path} takes a map of variables as its second argument`);
      }
      variables = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, this.resolve(v, `${path}.1.${k}`)]));
    }
    return text.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const name = expression.trim();
      if (name in variables) return asString(variables[name], `${path}.\${${name}}`);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        return asString(this.ctx.getAtt(name.slice(0, dot), name.slice(dot + 1)), `${path}.\${${name}}`);
      }
      return asString(this.ref(name, `${path}.\${${name}}`), `${path}.\${${name}}`);
    });
  }

  private findInMap(args: unknown, path: string): unknown {
    const [map, top, second] = argsOf('Fn::FindInMap', args, 3, path).map((a, i) => asString(this.resolve(a, `${path}.${i}`), `${path}.${i}`));
    const value = this.ctx.mappings?.[map]?.[top]?.[second];
    if (value === undefined) throw new TemplateError(`Template error: Unable to get mapping for ${map}::${top}::${second} at ${path}`);
    return value;
  }
}

/** `Fn::Equals` compares values as strings when they are scalars. */
function normalizeScalar(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** Every resource, parameter and condition name that a `Fn::Sub` string refers to (for dependency order). */
export function subReferences(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const expression = match[1].trim();
    if (expression.startsWith('!') || expression.startsWith('AWS::')) continue;
    const dot = expression.indexOf('.');
    names.push(dot > 0 ? expression.slice(0, dot) : expression);
  }
  return names;
}

/** Calls `visit` for every intrinsic function call in `value`, outermost first. */
export function walkIntrinsics(value: unknown, path: string, visit: (fn: string, args: unknown, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkIntrinsics(item, `${path}.${i}`, visit));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const fn = intrinsicName(value);
  if (fn !== undefined) visit(fn, (value as Record<string, unknown>)[fn], path);
  for (const [key, item] of Object.entries(value)) walkIntrinsics(item, fn === undefined ? `${path}.${key}` : `${path}.${fn}`, visit);
}

/**
 * Fails on the first intrinsic function the template uses that the harness does not resolve, or that its section
 * does not allow, before anything is deployed.
 */
export function assertSupportedIntrinsics(template: CfnTemplate): void {
  const check = (section: Section) => (fn: string, _args: unknown, path: string) => assertAllowed(section, fn, path);
  for (const [id, resource] of Object.entries(template.Resources)) walkIntrinsics(resource.Properties, `Resources.${id}.Properties`, check('properties'));
  for (const [id, output] of Object.entries(template.Outputs ?? {})) walkIntrinsics(output, `Outputs.${id}`, check('properties'));
  for (const [id, condition] of Object.entries(template.Conditions ?? {})) walkIntrinsics(condition, `Conditions.${id}`, check('condition'));
  for (const [id, rule] of Object.entries(template.Rules ?? {})) walkIntrinsics(rule, `Rules.${id}`, check('rule'));
}
