import { KvsError, MESSAGES } from './errors';
import { NAMESPACE, OperationSpec, ServiceModel, SmithyMember, SmithyShape } from './model';

/** One constraint a request breaks, phrased the way AWS's request validation phrases it. */
export interface Violation {
  /** Dotted lowerCamel path, e.g. `imageGenerationConfiguration.destinationConfig.uri`. */
  readonly path: string;
  readonly message: string;
  /** The shape whose constraint failed, e.g. `com.amazonaws.kinesisvideo#ResourceTags`. */
  readonly shape: string;
  readonly kind: 'required' | 'type' | 'length' | 'range' | 'pattern' | 'enum' | 'rule';
  readonly bound?: 'min' | 'max';
}

interface LengthTrait { min?: number; max?: number }

const TRAIT = {
  required: 'smithy.api#required',
  length: 'smithy.api#length',
  range: 'smithy.api#range',
  pattern: 'smithy.api#pattern',
  enumValue: 'smithy.api#enumValue',
} as const;

/** Collections of tags: more than 50 entries is `TagsPerResourceExceededLimitException`, which CreateStream and CreateSignalingChannel declare. */
const TAG_COLLECTIONS = new Set(['ResourceTags', 'TagList', 'TagOnCreateList'].map((n) => `${NAMESPACE}#${n}`));
/** Operations whose `StreamARN` format errors are `InvalidResourceFormatException` ("The format of the StreamARN is invalid"). */
const STREAM_ARN_FORMAT_OPERATIONS = new Set(['TagStream', 'UntagStream', 'ListTagsForStream']);

const lowerCamel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const render = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/**
 * Validates a request body against the operation's input shape, generically: required members, JSON types, lengths
 * (in Unicode code points, as Smithy counts them), ranges, patterns and enums, through nested structures, lists and maps.
 * JSON `null` counts as absent, as it does for AWS's JSON protocols.
 */
export class InputValidator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly model: ServiceModel) {}

  public validate(op: OperationSpec, input: Record<string, unknown>): Violation[] {
    const violations: Violation[] = [];
    this.visitStructure(this.model.shape(op.input), op.input, input, '', violations);
    return violations;
  }

  private visitStructure(shape: SmithyShape, shapeId: string, value: Record<string, unknown>, prefix: string, out: Violation[]) {
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      const path = prefix ? `${prefix}.${lowerCamel(name)}` : lowerCamel(name);
      const v = value[name];
      if (v === undefined || v === null) {
        if (member.traits?.[TRAIT.required] !== undefined) {
          out.push({ path, shape: shapeId, kind: 'required', message: `Value null at '${path}' failed to satisfy constraint: Member must not be null` });
        }
        continue;
      }
      this.visit(member, v, path, out);
    }
  }

  private visit(member: SmithyMember, value: unknown, path: string, out: Violation[]) {
    const shapeId = member.target;
    const shape = this.model.shape(shapeId);
    const fail = (kind: Violation['kind'], constraint: string, bound?: Violation['bound']) =>
      out.push({ path, shape: shapeId, kind, bound, message: `Value ${render(value)} at '${path}' failed to satisfy constraint: Member must ${constraint}` });
    const typeOk = this.checkType(shape, value);
    if (!typeOk) {
      fail('type', `be of type ${shape.type}`);
      return;
    }
    const length = shape.traits?.[TRAIT.length] as LengthTrait | undefined;
    if (length) {
      const size = typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : Object.keys(value as object).length;
      if (length.min !== undefined && size < length.min) fail('length', `have length greater than or equal to ${length.min}`, 'min');
      if (length.max !== undefined && size > length.max) fail('length', `have length less than or equal to ${length.max}`, 'max');
    }
    const range = shape.traits?.[TRAIT.range] as LengthTrait | undefined;
    if (range && typeof value === 'number') {
      if (range.min !== undefined && value < range.min) fail('range', `have value greater than or equal to ${range.min}`, 'min');
      if (range.max !== undefined && value > range.max) fail('range', `have value less than or equal to ${range.max}`, 'max');
    }
    const pattern = shape.traits?.[TRAIT.pattern] as string | undefined;
    if (pattern && typeof value === 'string' && !this.regex(pattern).test(value)) {
      fail('pattern', `satisfy regular expression pattern: ${pattern}`);
    }
    if (shape.type === 'enum') {
      const allowed = Object.values(shape.members ?? {}).map((m) => m.traits?.[TRAIT.enumValue] as string);
      if (!allowed.includes(value as string)) fail('enum', `satisfy enum value set: [${allowed.join(', ')}]`);
    }
    if (shape.type === 'structure') {
      this.visitStructure(shape, shapeId, value as Record<string, unknown>, path, out);
    } else if (shape.type === 'list') {
      (value as unknown[]).forEach((item, i) => this.visit(shape.member!, item, `${path}.${i + 1}.member`, out));
    } else if (shape.type === 'map') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        this.visit(shape.key!, k, `${path}.key(${k})`, out);
        this.visit(shape.value!, v, `${path}.value(${k})`, out);
      }
    }
  }

  private checkType(shape: SmithyShape, value: unknown): boolean {
    switch (shape.type) {
      case 'string':
      case 'enum':
        return typeof value === 'string';
      case 'integer':
      case 'long':
        return Number.isInteger(value);
      case 'float':
      case 'double':
      case 'timestamp':
        return typeof value === 'number';
      case 'boolean':
        return typeof value === 'boolean';
      case 'list':
        return Array.isArray(value);
      case 'structure':
      case 'map':
        return isPlainObject(value);
      default:
        throw new Error(`Unsupported shape type ${shape.type}`);
    }
  }

  /** Smithy patterns are ECMA-style; the tag patterns use `\p{..}`, which needs the `u` flag. */
  private regex(pattern: string): RegExp {
    let re = this.patterns.get(pattern);
    if (!re) {
      try {
        re = new RegExp(pattern, 'u');
      } catch {
        re = new RegExp(pattern);
      }
      this.patterns.set(pattern, re);
    }
    return re;
  }
}

/**
 * Turns violations into the error the service documents: too many tags is `TagsPerResourceExceededLimitException`,
 * a malformed `StreamARN` on the *Stream tag calls is `InvalidResourceFormatException`, everything else is
 * `InvalidArgumentException` listing every violation.
 */
export function violationsError(op: OperationSpec, violations: readonly Violation[]): KvsError {
  if (violations.some((v) => v.kind === 'length' && v.bound === 'max' && TAG_COLLECTIONS.has(v.shape))) {
    return new KvsError('TagsPerResourceExceededLimitException', MESSAGES.tooManyTags);
  }
  if (STREAM_ARN_FORMAT_OPERATIONS.has(op.name) && violations.some((v) => v.path === 'streamARN' && (v.kind === 'pattern' || v.kind === 'length'))) {
    return new KvsError('InvalidResourceFormatException', MESSAGES.invalidStreamArnFormat);
  }
  const count = violations.length;
  return new KvsError('InvalidArgumentException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.map((v) => v.message).join('; ')}`);
}

/** Context the hand-written rules need beyond the request. */
export interface RuleContext {
  readonly region: string;
}

type Rule = (input: Record<string, any>, ctx: RuleContext) => string[];

/** The longest retention the service accepts (ten years), from UpdateDataRetention's documentation. */
export const MAX_RETENTION_HOURS = 87600;
/** The shortest image sampling interval, in ms ("The minimum value that can be provided is 200 ms"). */
export const MIN_SAMPLING_INTERVAL_MS = 200;

const SNS_TOPIC_ARN = /^arn:[a-z\d-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const S3_DESTINATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^*]*)?$/;

/** Either-or identification: ops with optional `StreamName`/`StreamARN` (or `ChannelName`/`ChannelARN`) need one of them. */
function eitherRule(model: ServiceModel, op: OperationSpec): Rule | undefined {
  const members = model.shape(op.input).members ?? {};
  const optional = (name: string) => members[name] && members[name].traits?.[TRAIT.required] === undefined;
  for (const kind of ['Stream', 'Channel']) {
    if (optional(`${kind}Name`) && optional(`${kind}ARN`)) {
      return (input) => (input[`${kind}Name`] == null && input[`${kind}ARN`] == null ? [`Specify either the ${kind}Name or the ${kind}ARN.`] : []);
    }
  }
  return undefined;
}

/** Constraints the API Reference states in prose, which the model cannot express. Run after the model's checks pass. */
const RULES: Record<string, Rule> = {
  CreateStream: (input) => (input.DataRetentionInHours > MAX_RETENTION_HOURS
    ? [`DataRetentionInHours must be between 0 and ${MAX_RETENTION_HOURS}; received ${input.DataRetentionInHours}.`] : []),
  CreateSignalingChannel: (input) => (input.ChannelType === 'FULL_MESH'
    ? ['ChannelType FULL_MESH is not supported; SINGLE_MASTER is the only supported channel type.'] : []),
  UpdateSignalingChannel: (input) => (input.SingleMasterConfiguration?.MessageTtlSeconds == null
    ? ['SingleMasterConfiguration.MessageTtlSeconds is required for channels of type SINGLE_MASTER.'] : []),
  UpdateNotificationConfiguration: (input) => {
    const uri: string | undefined = input.NotificationConfiguration?.DestinationConfig?.Uri;
    if (uri === undefined) return [];
    if (uri.endsWith('.fifo')) return [`DestinationConfig.Uri ${uri} is an SNS FIFO topic; notifications go to SNS standard topics only.`];
    return SNS_TOPIC_ARN.test(uri) ? [] : [`DestinationConfig.Uri ${uri} is not an SNS topic ARN.`];
  },
  UpdateImageGenerationConfiguration: (input, ctx) => {
    const config = input.ImageGenerationConfiguration;
    if (!config) return [];
    const errors: string[] = [];
    if (config.SamplingInterval < MIN_SAMPLING_INTERVAL_MS) {
      errors.push(`SamplingInterval must be at least ${MIN_SAMPLING_INTERVAL_MS} ms; received ${config.SamplingInterval}.`);
    }
    const quality = config.FormatConfig?.JPEGQuality;
    if (quality !== undefined && !(/^\d+$/.test(quality) && Number(quality) >= 1 && Number(quality) <= 100)) {
      errors.push(`FormatConfig.JPEGQuality must be an integer from 1 to 100; received '${quality}'.`);
    }
    const { DestinationRegion: region, Uri: uri } = config.DestinationConfig;
    if (region !== ctx.region) {
      errors.push(`DestinationConfig.DestinationRegion ${region} must match the Region of the stream, ${ctx.region}.`);
    }
    if (!S3_DESTINATION.test(uri)) errors.push(`DestinationConfig.Uri ${uri} is not an S3 location of the form s3://bucket[/prefix].`);
    return errors;
  },
  UpdateMediaStorageConfiguration: (input) => (input.MediaStorageConfiguration.Status === 'ENABLED' && !input.MediaStorageConfiguration.StreamARN
    ? ['MediaStorageConfiguration.StreamARN is required when Status is ENABLED.'] : []),
};

/** Full input validation for one request: the model first, then the prose rules; throws the documented error. */
export class RequestValidator {
  private readonly validator: InputValidator;
  private readonly eitherRules = new Map<string, Rule | undefined>();

  constructor(private readonly model: ServiceModel) {
    this.validator = new InputValidator(model);
  }

  public check(op: OperationSpec, input: Record<string, unknown>, ctx: RuleContext): void {
    const violations = this.validator.validate(op, input);
    if (violations.length > 0) throw violationsError(op, violations);
    if (!this.eitherRules.has(op.name)) this.eitherRules.set(op.name, eitherRule(this.model, op));
    const messages = [this.eitherRules.get(op.name), RULES[op.name]].flatMap((rule) => (rule ? rule(input, ctx) : []));
    if (messages.length > 0) throw new KvsError('InvalidArgumentException', messages.join(' '));
  }
}
