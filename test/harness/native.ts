/**
 * Native (non-custom) resource types. `AWS::KinesisVideo::Stream` and `AWS::KinesisVideo::SignalingChannel` are
 * deployed through the KVS test server the way CloudFormation's own handlers do it; the other supported types (SNS,
 * S3, IAM, KMS, Lambda, Step Functions, Secrets Manager, IoT, CloudWatch Logs and alarms) get
 * placeholder physical ids and attributes of the right shape, built from the stack's region, account and partition.
 */
import { randomBytes, randomUUID } from 'crypto';
import {
  CreateSignalingChannelCommand,
  CreateStreamCommand,
  DeleteSignalingChannelCommand,
  DeleteStreamCommand,
  DescribeSignalingChannelCommand,
  DescribeStreamCommand,
  DescribeStreamStorageConfigurationCommand,
  KinesisVideoClient,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  StreamInfo,
  TagResourceCommand,
  TagStreamCommand,
  UntagResourceCommand,
  UntagStreamCommand,
  UpdateDataRetentionCommand,
  UpdateSignalingChannelCommand,
  UpdateStreamCommand,
  UpdateStreamStorageConfigurationCommand,
  ChannelInfo,
} from '@aws-sdk/client-kinesis-video';
import { PseudoParameters } from './template';

export type Props = Record<string, unknown>;

export interface NativeContext {
  readonly pseudo: PseudoParameters;
  readonly logicalId: string;
  /** How often to poll for a status transition, in real milliseconds. */
  readonly pollIntervalMs: number;
  /** How long a status transition may take before the handler gives up, in real milliseconds. */
  readonly stabilizeTimeoutMs: number;
  /** The client for the KVS test server; throws when the harness has no KVS endpoint. */
  kvs(): KinesisVideoClient;
  /** Copies a Lambda function's code into the harness's store. */
  captureCode(code: unknown): { readonly codeDir?: string; readonly codeError?: string };
}

export interface NativeResult {
  readonly physicalId: string;
  readonly attributes: Record<string, unknown>;
  /** Lambda functions only: where the function's code lives, or why it is not available. */
  readonly codeDir?: string;
  readonly codeError?: string;
}

export interface NativeHandler {
  /** The attributes `Fn::GetAtt` may read. */
  readonly attributes: readonly string[];
  /** The property that names the physical resource, when the template may set one. */
  readonly nameProperty?: string;
  /** Properties whose change replaces the physical resource ("Update requires: Replacement"). */
  readonly replaceOn: readonly string[];
  /** Checks the properties against the resource type's schema; returns the violations. */
  validate?(props: Props): string[];
  create(ctx: NativeContext, props: Props): Promise<NativeResult>;
  update(ctx: NativeContext, physicalId: string, oldProps: Props, newProps: Props, attributes: Record<string, unknown>): Promise<NativeResult>;
  delete(ctx: NativeContext, physicalId: string, props: Props): Promise<void>;
}

/** A failure reported the way CloudFormation's resource handlers report it. */
export class HandlerError extends Error {
  constructor(message: string, public readonly physicalId?: string) {
    super(message);
    this.name = 'HandlerError';
  }
}

/** The physical name CloudFormation generates for a resource the template does not name: stack-logicalId-RANDOM. */
export function generatePhysicalName(stackName: string, logicalId: string, maxLength: number, lowercase = false): string {
  const suffix = randomSuffix(12);
  const room = Math.max(0, maxLength - suffix.length - 2);
  const stackPart = stackName.slice(0, Math.ceil(room / 2));
  const logicalPart = logicalId.slice(0, room - stackPart.length);
  const name = `${stackPart}-${logicalPart}-${suffix}`;
  return lowercase ? name.toLowerCase() : name;
}

function randomSuffix(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

function arn(pseudo: PseudoParameters, service: string, resource: string, opts: { region?: string; account?: string } = {}): string {
  return `arn:${pseudo.partition}:${service}:${opts.region ?? pseudo.region}:${opts.account ?? pseudo.accountId}:${resource}`;
}

function changed(oldProps: Props, newProps: Props, keys: readonly string[]): string[] {
  return keys.filter((key) => JSON.stringify(oldProps[key]) !== JSON.stringify(newProps[key]));
}

/** Whether an update of `oldProps` to `newProps` replaces the physical resource. */
export function requiresReplacement(handler: NativeHandler, oldProps: Props, newProps: Props): boolean {
  return changed(oldProps, newProps, handler.replaceOn).length > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------------------------------------

interface PlaceholderSpec {
  readonly nameProperty?: string;
  readonly maxNameLength?: number;
  readonly lowercase?: boolean;
  readonly replaceOn?: readonly string[];
  readonly attributes?: readonly string[];
  /** `Ref` (also the physical id) and the attributes, from the physical name. */
  describe?(name: string, props: Props, pseudo: PseudoParameters): { ref?: string; attributes?: Record<string, unknown> };
}

const PLACEHOLDERS: Record<string, PlaceholderSpec> = {
  'AWS::CDK::Metadata': {},
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    maxNameLength: 256,
    replaceOn: ['TopicName', 'FifoTopic'],
    attributes: ['TopicArn', 'TopicName'],
    describe: (name, _props, pseudo) => {
      const topicArn = arn(pseudo, 'sns', name);
      return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
    },
  },
  'AWS::SNS::Subscription': {
    replaceOn: ['Endpoint', 'Protocol', 'TopicArn'],
    attributes: ['Arn'],
    describe: (_name, props) => {
      const subscriptionArn = `${String(props.TopicArn)}:${randomUUID()}`;
      return { ref: subscriptionArn, attributes: { Arn: subscriptionArn } };
    },
  },
  'AWS::SNS::TopicPolicy': { attributes: ['Id'], describe: (name) => ({ attributes: { Id: name } }) },
  'AWS::SNS::TopicInlinePolicy': { replaceOn: ['TopicArn'] },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    maxNameLength: 63,
    lowercase: true,
    replaceOn: ['BucketName'],
    attributes: ['Arn', 'DomainName', 'DualStackDomainName', 'RegionalDomainName', 'WebsiteURL'],
    describe: (name, _props, pseudo) => ({
      attributes: {
        Arn: `arn:${pseudo.partition}:s3:::${name}`,
        DomainName: `${name}.s3.${pseudo.urlSuffix}`,
        DualStackDomainName: `${name}.s3.dualstack.${pseudo.region}.${pseudo.urlSuffix}`,
        RegionalDomainName: `${name}.s3.${pseudo.region}.${pseudo.urlSuffix}`,
        WebsiteURL: `http://${name}.s3-website-${pseudo.region}.${pseudo.urlSuffix}`,
      },
    }),
  },
  'AWS::S3::BucketPolicy': { replaceOn: ['Bucket'] },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    maxNameLength: 64,
    replaceOn: ['RoleName', 'Path'],
    attributes: ['Arn', 'RoleId'],
    describe: (name, props, pseudo) => ({
      attributes: {
        Arn: arn(pseudo, 'iam', `role${String(props.Path ?? '/')}${name}`, { region: '' }),
        RoleId: `AROA${randomSuffix(17)}`,
      },
    }),
  },
  'AWS::IAM::Policy': { attributes: ['Id'], describe: (name) => ({ attributes: { Id: name } }) },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    maxNameLength: 128,
    replaceOn: ['ManagedPolicyName', 'Path'],
    attributes: ['PolicyArn', 'PolicyId'],
    describe: (name, props, pseudo) => {
      const policyArn = arn(pseudo, 'iam', `policy${String(props.Path ?? '/')}${name}`, { region: '' });
      return { ref: policyArn, attributes: { PolicyArn: policyArn, PolicyId: `ANPA${randomSuffix(17)}` } };
    },
  },
  'AWS::KMS::Key': {
    attributes: ['Arn', 'KeyId'],
    describe: (_name, _props, pseudo) => {
      const keyId = randomUUID();
      return { ref: keyId, attributes: { Arn: arn(pseudo, 'kms', `key/${keyId}`), KeyId: keyId } };
    },
  },
  'AWS::KMS::Alias': { nameProperty: 'AliasName', maxNameLength: 256, replaceOn: ['AliasName'] },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    maxNameLength: 64,
    replaceOn: ['FunctionName'],
    attributes: ['Arn'],
    describe: (name, _props, pseudo) => ({ attributes: { Arn: arn(pseudo, 'lambda', `function:${name}`) } }),
  },
  'AWS::Lambda::Permission': {
    replaceOn: ['Action', 'EventSourceToken', 'FunctionName', 'FunctionUrlAuthType', 'Principal', 'PrincipalOrgID', 'SourceAccount', 'SourceArn'],
    attributes: ['Id'],
    describe: (name) => ({ attributes: { Id: name } }),
  },
  'AWS::Lambda::Version': {
    replaceOn: ['FunctionName', 'CodeSha256', 'Description', 'ProvisionedConcurrencyConfig', 'RuntimePolicy'],
    attributes: ['FunctionArn', 'Version'],
    describe: (_name, props, pseudo) => {
      const functionArn = lambdaArn(String(props.FunctionName), pseudo);
      return { ref: `${functionArn}:1`, attributes: { FunctionArn: functionArn, Version: '1' } };
    },
  },
  'AWS::Lambda::Alias': {
    nameProperty: 'Name',
    maxNameLength: 128,
    replaceOn: ['Name', 'FunctionName'],
    attributes: ['AliasArn'],
    describe: (name, props, pseudo) => {
      const aliasArn = `${lambdaArn(String(props.FunctionName), pseudo)}:${name}`;
      return { ref: aliasArn, attributes: { AliasArn: aliasArn } };
    },
  },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    maxNameLength: 80,
    replaceOn: ['StateMachineName', 'StateMachineType'],
    attributes: ['Arn', 'Name', 'StateMachineRevisionId'],
    describe: (name, _props, pseudo) => {
      const machineArn = arn(pseudo, 'states', `stateMachine:${name}`);
      return { ref: machineArn, attributes: { Arn: machineArn, Name: name, StateMachineRevisionId: machineArn } };
    },
  },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    maxNameLength: 512,
    replaceOn: ['Name'],
    attributes: ['Id'],
    describe: (name, _props, pseudo) => {
      // Secrets Manager appends a hyphen and six random characters to the secret name in the ARN.
      const secretArn = arn(pseudo, 'secretsmanager', `secret:${name}-${randomSuffix(6).toLowerCase()}`);
      return { ref: secretArn, attributes: { Id: secretArn } };
    },
  },
  'AWS::IoT::Thing': {
    nameProperty: 'ThingName',
    maxNameLength: 128,
    replaceOn: ['ThingName'],
    attributes: ['Arn', 'Id'],
    describe: (name, _props, pseudo) => ({ attributes: { Arn: arn(pseudo, 'iot', `thing/${name}`), Id: randomUUID() } }),
  },
  'AWS::IoT::Policy': {
    nameProperty: 'PolicyName',
    maxNameLength: 128,
    replaceOn: ['PolicyName'],
    attributes: ['Arn', 'Id'],
    describe: (name, _props, pseudo) => ({ attributes: { Arn: arn(pseudo, 'iot', `policy/${name}`), Id: name } }),
  },
  'AWS::IoT::Certificate': {
    replaceOn: ['CACertificatePem', 'CertificateMode', 'CertificatePem', 'CertificateSigningRequest'],
    attributes: ['Arn', 'Id'],
    describe: (_name, _props, pseudo) => {
      const id = randomBytes(32).toString('hex');
      return { ref: id, attributes: { Arn: arn(pseudo, 'iot', `cert/${id}`), Id: id } };
    },
  },
  'AWS::IoT::RoleAlias': {
    nameProperty: 'RoleAlias',
    maxNameLength: 128,
    replaceOn: ['RoleAlias'],
    attributes: ['RoleAliasArn'],
    describe: (name, _props, pseudo) => ({ attributes: { RoleAliasArn: arn(pseudo, 'iot', `rolealias/${name}`) } }),
  },
  'AWS::IoT::ThingPrincipalAttachment': { replaceOn: ['Principal', 'ThingName'] },
  'AWS::IoT::PolicyPrincipalAttachment': { replaceOn: ['PolicyName', 'Principal'] },
  'AWS::CloudWatch::Alarm': {
    nameProperty: 'AlarmName',
    maxNameLength: 255,
    replaceOn: ['AlarmName'],
    attributes: ['Arn'],
    describe: (name, _props, pseudo) => ({ attributes: { Arn: arn(pseudo, 'cloudwatch', `alarm:${name}`) } }),
  },
  // API Gateway HTTP APIs: placeholders whose ids `http-api.ts` serves on loopback (see README.md).
  'AWS::ApiGatewayV2::Api': {
    replaceOn: [],
    attributes: ['ApiId', 'ApiEndpoint'],
    describe: (_name, _props, pseudo) => {
      const apiId = randomSuffix(10).toLowerCase();
      return { ref: apiId, attributes: { ApiId: apiId, ApiEndpoint: `https://${apiId}.execute-api.${pseudo.region}.${pseudo.urlSuffix}` } };
    },
  },
  'AWS::ApiGatewayV2::Stage': { nameProperty: 'StageName', maxNameLength: 128, replaceOn: ['ApiId', 'StageName'] },
  'AWS::ApiGatewayV2::Route': { replaceOn: ['ApiId'], attributes: ['RouteId'], describe: () => apiGatewayId('RouteId') },
  'AWS::ApiGatewayV2::Integration': { replaceOn: ['ApiId'], attributes: ['IntegrationId'], describe: () => apiGatewayId('IntegrationId') },
  'AWS::ApiGatewayV2::Authorizer': { replaceOn: ['ApiId'], attributes: ['AuthorizerId'], describe: () => apiGatewayId('AuthorizerId') },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    maxNameLength: 512,
    replaceOn: ['LogGroupName'],
    attributes: ['Arn'],
    describe: (name, _props, pseudo) => ({ attributes: { Arn: arn(pseudo, 'logs', `log-group:${name}:*`) } }),
  },
};

/** API Gateway's ids: 7 lowercase characters, the `Ref` and the attribute. */
function apiGatewayId(attribute: string): { ref: string; attributes: Record<string, unknown> } {
  const id = randomSuffix(7).toLowerCase();
  return { ref: id, attributes: { [attribute]: id } };
}

function lambdaArn(nameOrArn: string, pseudo: PseudoParameters): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : arn(pseudo, 'lambda', `function:${nameOrArn}`);
}

class PlaceholderHandler implements NativeHandler {
  public readonly attributes: readonly string[];
  public readonly replaceOn: readonly string[];
  public readonly nameProperty?: string;

  constructor(private readonly type: string, private readonly spec: PlaceholderSpec) {
    this.attributes = spec.attributes ?? [];
    this.replaceOn = spec.replaceOn ?? [];
    this.nameProperty = spec.nameProperty;
  }

  public async create(ctx: NativeContext, props: Props): Promise<NativeResult> {
    const explicit = this.spec.nameProperty ? props[this.spec.nameProperty] : undefined;
    let name = explicit === undefined
      ? generatePhysicalName(ctx.pseudo.stackName, ctx.logicalId, this.spec.maxNameLength ?? 128, this.spec.lowercase)
      : String(explicit);
    if (explicit === undefined && this.type === 'AWS::SNS::Topic' && String(props.FifoTopic) === 'true') name = `${name.slice(0, 251)}.fifo`;
    const described = this.spec.describe?.(name, props, ctx.pseudo) ?? {};
    const code = this.type === 'AWS::Lambda::Function' ? ctx.captureCode(props.Code) : {};
    return { physicalId: described.ref ?? name, attributes: described.attributes ?? {}, ...code };
  }

  public async update(ctx: NativeContext, physicalId: string, _old: Props, newProps: Props, attributes: Props): Promise<NativeResult> {
    const code = this.type === 'AWS::Lambda::Function' ? ctx.captureCode(newProps.Code) : {};
    return { physicalId, attributes, ...code };
  }

  public async delete(): Promise<void> {
    // Nothing exists behind a placeholder.
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Kinesis Video Streams, through the test server
// ---------------------------------------------------------------------------------------------------------------

interface SdkError { readonly name?: string; readonly message?: string; readonly $metadata?: { readonly httpStatusCode?: number } }

function isRetryable(e: SdkError): boolean {
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'ClientLimitExceededException') return true;
  if (status !== undefined) return status >= 500;
  // No HTTP status: the connection failed or was dropped.
  return true;
}

const HANDLER_ERROR_CODES: Record<string, string> = {
  ResourceInUseException: 'ResourceConflict',
  VersionMismatchException: 'ResourceConflict',
  ResourceNotFoundException: 'NotFound',
  ClientLimitExceededException: 'Throttling',
  InvalidArgumentException: 'InvalidRequest',
  AccessDeniedException: 'AccessDenied',
  NotAuthorizedException: 'AccessDenied',
  AccountStreamLimitExceededException: 'ServiceLimitExceeded',
  AccountChannelLimitExceededException: 'ServiceLimitExceeded',
  TagsPerResourceExceededLimitException: 'ServiceLimitExceeded',
};

/** Calls the service, retrying throttling, 5xx and dropped connections with backoff as CloudFormation's handlers do. */
async function call<T>(ctx: NativeContext, send: () => Promise<T>): Promise<T> {
  const attempts = 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const error = e as SdkError;
      if (attempt >= attempts || !isRetryable(error)) {
        const code = HANDLER_ERROR_CODES[error.name ?? ''] ?? 'GeneralServiceException';
        throw new HandlerError(`Resource handler returned message: "${error.message ?? String(e)}" (HandlerErrorCode: ${code})`);
      }
      await sleep(ctx.pollIntervalMs * 2 ** attempt * (0.5 + Math.random() / 2));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isNotFound(e: unknown): boolean {
  return e instanceof HandlerError && e.message.endsWith('(HandlerErrorCode: NotFound)');
}

/** Polls `describe` until it answers a status in `wanted`, or until the resource is gone when `wanted` is 'GONE'. */
async function stabilize<T>(
  ctx: NativeContext,
  what: string,
  describe: () => Promise<T>,
  statusOf: (info: T) => string | undefined,
  wanted: 'ACTIVE' | 'GONE',
): Promise<T | undefined> {
  const deadline = Date.now() + ctx.stabilizeTimeoutMs;
  for (;;) {
    let info: T;
    try {
      info = await call(ctx, describe);
    } catch (e) {
      if (wanted === 'GONE' && isNotFound(e)) return undefined;
      throw e;
    }
    if (wanted === 'ACTIVE' && statusOf(info) === 'ACTIVE') return info;
    if (Date.now() > deadline) throw new HandlerError(`Exceeded the stabilization timeout waiting for ${what} to become ${wanted} (status ${statusOf(info)})`);
    await sleep(ctx.pollIntervalMs);
  }
}

/** Runs a step after the physical resource exists: a failure still names it, so that a rollback deletes it. */
async function existing<T>(physicalId: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw new HandlerError((e as Error).message, physicalId);
  }
}

type TagList = { Key: string; Value: string }[];

function tagMap(tags: unknown): Record<string, string> {
  return Object.fromEntries(((tags as TagList | undefined) ?? []).map((t) => [String(t.Key), String(t.Value)]));
}

/** Tag keys to remove and tags to set so that `current` becomes `desired`. */
function tagDelta(current: Record<string, string>, desired: Record<string, string>): { remove: string[]; set: Record<string, string> } {
  return {
    remove: Object.keys(current).filter((key) => !(key in desired)),
    set: Object.fromEntries(Object.entries(desired).filter(([key, value]) => current[key] !== value)),
  };
}

/** CloudFormation passes integers through as numbers or numeric strings. */
function intProp(props: Props, key: string): number | undefined {
  return props[key] === undefined ? undefined : Number(props[key]);
}

/** A small subset of JSON schema, enough for the two KVS resource schemas. */
interface FieldRule {
  readonly type: 'string' | 'integer' | 'object' | 'tags';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  readonly enum?: readonly string[];
  readonly fields?: Record<string, FieldRule>;
}

function validateFields(value: Props, rules: Record<string, FieldRule>, at: string): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(value)) {
    if (!(key in rules)) errors.push(`${at}: extraneous key [${key}] is not permitted`);
  }
  for (const [key, rule] of Object.entries(rules)) {
    const v = value[key];
    if (v === undefined) continue;
    const path = `${at}/${key}`;
    switch (rule.type) {
      case 'string': {
        if (typeof v !== 'string') {
          errors.push(`${path}: expected type: String, found: ${typeName(v)}`);
        } else if (rule.enum && !rule.enum.includes(v)) {
          errors.push(`${path}: ${v} is not a valid enum value`);
        } else {
          if (rule.min !== undefined && v.length < rule.min) errors.push(`${path}: expected minLength: ${rule.min}, actual: ${v.length}`);
          if (rule.max !== undefined && v.length > rule.max) errors.push(`${path}: expected maxLength: ${rule.max}, actual: ${v.length}`);
          if (rule.pattern && !rule.pattern.test(v)) errors.push(`${path}: string [${v}] does not match pattern ${rule.pattern.source}`);
        }
        break;
      }
      case 'integer': {
        const n = typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v)) ? Number(v) : NaN;
        if (!Number.isInteger(n)) {
          errors.push(`${path}: expected type: Integer, found: ${typeName(v)}`);
        } else {
          if (rule.min !== undefined && n < rule.min) errors.push(`${path}: ${n} is not greater or equal to ${rule.min}`);
          if (rule.max !== undefined && n > rule.max) errors.push(`${path}: ${n} is not less or equal to ${rule.max}`);
        }
        break;
      }
      case 'object':
        if (v === null || typeof v !== 'object' || Array.isArray(v)) errors.push(`${path}: expected type: JSONObject, found: ${typeName(v)}`);
        else errors.push(...validateFields(v as Props, rule.fields ?? {}, path));
        break;
      case 'tags':
        if (!Array.isArray(v)) {
          errors.push(`${path}: expected type: JSONArray, found: ${typeName(v)}`);
        } else {
          if (v.length < 1) errors.push(`${path}: expected minimum item count: 1, found: ${v.length}`);
          if (v.length > 50) errors.push(`${path}: expected maximum item count: 50, found: ${v.length}`);
          v.forEach((tag, i) => errors.push(...validateFields(tag as Props, TAG_FIELDS, `${path}/${i}`)));
          v.forEach((tag, i) => {
            for (const required of ['Key', 'Value']) if ((tag as Props)[required] === undefined) errors.push(`${path}/${i}: required key [${required}] not found`);
          });
        }
        break;
    }
  }
  return errors;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'JSONArray';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'BigDecimal';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'string') return 'String';
  return 'JSONObject';
}

const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
const TAG_FIELDS: Record<string, FieldRule> = { Key: { type: 'string', min: 1, max: 128 }, Value: { type: 'string', min: 0, max: 256 } };
const STREAM_FIELDS: Record<string, FieldRule> = {
  Name: { type: 'string', min: 1, max: 256, pattern: NAME_PATTERN },
  DataRetentionInHours: { type: 'integer', min: 0, max: 87600 },
  DeviceName: { type: 'string', min: 1, max: 128, pattern: NAME_PATTERN },
  KmsKeyId: { type: 'string', min: 1, max: 2048 },
  MediaType: { type: 'string', min: 1, max: 128, pattern: /^[\w\-.+]+\/[\w\-.+]+(,[\w\-.+]+\/[\w\-.+]+)*$/ },
  Tags: { type: 'tags' },
  StreamStorageConfiguration: { type: 'object', fields: { DefaultStorageTier: { type: 'string', enum: ['HOT', 'WARM'] } } },
};
const CHANNEL_FIELDS: Record<string, FieldRule> = {
  Name: { type: 'string', min: 1, max: 256, pattern: NAME_PATTERN },
  Type: { type: 'string', enum: ['SINGLE_MASTER'] },
  MessageTtlSeconds: { type: 'integer', min: 5, max: 120 },
  Tags: { type: 'tags' },
};

/** `AWS::KinesisVideo::Stream`: Ref is the stream name, `Arn` the stream ARN. */
class StreamHandler implements NativeHandler {
  public readonly attributes = ['Arn'];
  public readonly nameProperty = 'Name';
  public readonly replaceOn = ['Name'];

  public validate(props: Props): string[] {
    return validateFields(props, STREAM_FIELDS, '#');
  }

  public async create(ctx: NativeContext, props: Props): Promise<NativeResult> {
    const name = props.Name === undefined ? generatePhysicalName(ctx.pseudo.stackName, ctx.logicalId, 256) : String(props.Name);
    const kvs = ctx.kvs();
    const tags = tagMap(props.Tags);
    await call(ctx, () => kvs.send(new CreateStreamCommand({
      StreamName: name,
      DataRetentionInHours: intProp(props, 'DataRetentionInHours'),
      DeviceName: props.DeviceName as string | undefined,
      KmsKeyId: props.KmsKeyId as string | undefined,
      MediaType: props.MediaType as string | undefined,
      StreamStorageConfiguration: props.StreamStorageConfiguration as { DefaultStorageTier: 'HOT' | 'WARM' } | undefined,
      Tags: Object.keys(tags).length > 0 ? tags : undefined,
    })));
    const info = await existing(name, () => this.waitActive(ctx, name));
    return { physicalId: name, attributes: { Arn: info.StreamARN } };
  }

  public async update(ctx: NativeContext, name: string, oldProps: Props, newProps: Props): Promise<NativeResult> {
    if (changed(oldProps, newProps, ['KmsKeyId']).length > 0) {
      throw new HandlerError('Resource handler returned message: "KmsKeyId cannot be changed on an existing stream: Kinesis Video Streams has no API to re-key a stream" (HandlerErrorCode: NotUpdatable)');
    }
    const kvs = ctx.kvs();
    let info = await this.waitActive(ctx, name);

    const device = newProps.DeviceName as string | undefined;
    const media = newProps.MediaType as string | undefined;
    if ((device !== undefined && device !== info.DeviceName) || (media !== undefined && media !== info.MediaType)) {
      const version = info.Version;
      await call(ctx, () => kvs.send(new UpdateStreamCommand({ StreamName: name, CurrentVersion: version, DeviceName: device, MediaType: media })));
      info = await this.waitActive(ctx, name);
    }

    // UpdateDataRetention takes a delta from the stream's current retention; absent means the default, 0.
    const retention = intProp(newProps, 'DataRetentionInHours') ?? 0;
    const current = info.DataRetentionInHours ?? 0;
    if (retention !== current) {
      const version = info.Version;
      await call(ctx, () => kvs.send(new UpdateDataRetentionCommand({
        StreamName: name,
        CurrentVersion: version,
        Operation: retention > current ? 'INCREASE_DATA_RETENTION' : 'DECREASE_DATA_RETENTION',
        DataRetentionChangeInHours: Math.abs(retention - current),
      })));
      info = await this.waitActive(ctx, name);
    }

    const tier = (newProps.StreamStorageConfiguration as { DefaultStorageTier?: 'HOT' | 'WARM' } | undefined)?.DefaultStorageTier ?? 'HOT';
    const storage = await call(ctx, () => kvs.send(new DescribeStreamStorageConfigurationCommand({ StreamName: name })));
    if ((storage.StreamStorageConfiguration?.DefaultStorageTier ?? 'HOT') !== tier) {
      const version = info.Version;
      await call(ctx, () => kvs.send(new UpdateStreamStorageConfigurationCommand({
        StreamName: name, CurrentVersion: version, StreamStorageConfiguration: { DefaultStorageTier: tier },
      })));
      info = await this.waitActive(ctx, name);
    }

    const listed = await call(ctx, () => kvs.send(new ListTagsForStreamCommand({ StreamName: name })));
    const delta = tagDelta(listed.Tags ?? {}, tagMap(newProps.Tags));
    if (delta.remove.length > 0) await call(ctx, () => kvs.send(new UntagStreamCommand({ StreamName: name, TagKeyList: delta.remove })));
    if (Object.keys(delta.set).length > 0) await call(ctx, () => kvs.send(new TagStreamCommand({ StreamName: name, Tags: delta.set })));

    return { physicalId: name, attributes: { Arn: info.StreamARN } };
  }

  public async delete(ctx: NativeContext, name: string): Promise<void> {
    const kvs = ctx.kvs();
    await deleteWhenActive(
      () => this.waitActive(ctx, name),
      (info) => call(ctx, () => kvs.send(new DeleteStreamCommand({ StreamARN: info.StreamARN, CurrentVersion: info.Version }))),
      () => stabilize(ctx, `stream ${name}`, () => describeStream(kvs, name), (i) => i.Status, 'GONE'),
    );
  }

  private async waitActive(ctx: NativeContext, name: string): Promise<StreamInfo> {
    const kvs = ctx.kvs();
    return (await stabilize(ctx, `stream ${name}`, () => describeStream(kvs, name), (i) => i.Status, 'ACTIVE'))!;
  }
}

/**
 * Deletes a stream or channel as CloudFormation's handler does: waits for ACTIVE, deletes at the current version, and
 * waits until it is gone. One already gone, at any point, counts as deleted.
 */
async function deleteWhenActive<T>(
  waitActive: () => Promise<T>,
  remove: (info: T) => Promise<unknown>,
  waitGone: () => Promise<unknown>,
): Promise<void> {
  let info: T;
  try {
    info = await waitActive();
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  try {
    await remove(info);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await waitGone();
}

/** `AWS::KinesisVideo::SignalingChannel`: Ref is the channel name, `Arn` the channel ARN. */
class SignalingChannelHandler implements NativeHandler {
  public readonly attributes = ['Arn'];
  public readonly nameProperty = 'Name';
  public readonly replaceOn = ['Name'];

  public validate(props: Props): string[] {
    return validateFields(props, CHANNEL_FIELDS, '#');
  }

  public async create(ctx: NativeContext, props: Props): Promise<NativeResult> {
    const name = props.Name === undefined ? generatePhysicalName(ctx.pseudo.stackName, ctx.logicalId, 256) : String(props.Name);
    const kvs = ctx.kvs();
    const tags = props.Tags as TagList | undefined;
    const ttl = intProp(props, 'MessageTtlSeconds');
    await call(ctx, () => kvs.send(new CreateSignalingChannelCommand({
      ChannelName: name,
      ChannelType: (props.Type as 'SINGLE_MASTER' | undefined) ?? 'SINGLE_MASTER',
      SingleMasterConfiguration: ttl === undefined ? undefined : { MessageTtlSeconds: ttl },
      Tags: tags?.map((t) => ({ Key: String(t.Key), Value: String(t.Value) })),
    })));
    const info = await existing(name, () => this.waitActive(ctx, name));
    return { physicalId: name, attributes: { Arn: info.ChannelARN } };
  }

  public async update(ctx: NativeContext, name: string, _oldProps: Props, newProps: Props): Promise<NativeResult> {
    const kvs = ctx.kvs();
    let info = await this.waitActive(ctx, name);
    // The service's default message TTL is 60 seconds.
    const ttl = intProp(newProps, 'MessageTtlSeconds') ?? 60;
    if ((info.SingleMasterConfiguration?.MessageTtlSeconds ?? 60) !== ttl) {
      const current = info;
      await call(ctx, () => kvs.send(new UpdateSignalingChannelCommand({
        ChannelARN: current.ChannelARN, CurrentVersion: current.Version, SingleMasterConfiguration: { MessageTtlSeconds: ttl },
      })));
      info = await this.waitActive(ctx, name);
    }
    const channelArn = info.ChannelARN;
    const listed = await call(ctx, () => kvs.send(new ListTagsForResourceCommand({ ResourceARN: channelArn })));
    const delta = tagDelta(listed.Tags ?? {}, tagMap(newProps.Tags));
    if (delta.remove.length > 0) await call(ctx, () => kvs.send(new UntagResourceCommand({ ResourceARN: channelArn, TagKeyList: delta.remove })));
    if (Object.keys(delta.set).length > 0) {
      const tags = Object.entries(delta.set).map(([Key, Value]) => ({ Key, Value }));
      await call(ctx, () => kvs.send(new TagResourceCommand({ ResourceARN: channelArn, Tags: tags })));
    }
    return { physicalId: name, attributes: { Arn: channelArn } };
  }

  public async delete(ctx: NativeContext, name: string): Promise<void> {
    const kvs = ctx.kvs();
    await deleteWhenActive(
      () => this.waitActive(ctx, name),
      (info) => call(ctx, () => kvs.send(new DeleteSignalingChannelCommand({ ChannelARN: info.ChannelARN, CurrentVersion: info.Version }))),
      () => stabilize(ctx, `signaling channel ${name}`, () => describeChannel(kvs, name), (i) => i.ChannelStatus, 'GONE'),
    );
  }

  private async waitActive(ctx: NativeContext, name: string): Promise<ChannelInfo> {
    const kvs = ctx.kvs();
    return (await stabilize(ctx, `signaling channel ${name}`, () => describeChannel(kvs, name), (i) => i.ChannelStatus, 'ACTIVE'))!;
  }
}

async function describeStream(kvs: KinesisVideoClient, name: string): Promise<StreamInfo> {
  return (await kvs.send(new DescribeStreamCommand({ StreamName: name }))).StreamInfo ?? {};
}

async function describeChannel(kvs: KinesisVideoClient, name: string): Promise<ChannelInfo> {
  return (await kvs.send(new DescribeSignalingChannelCommand({ ChannelName: name }))).ChannelInfo ?? {};
}

const KVS_HANDLERS: Record<string, NativeHandler> = {
  'AWS::KinesisVideo::Stream': new StreamHandler(),
  'AWS::KinesisVideo::SignalingChannel': new SignalingChannelHandler(),
};

/** The handler for a native resource type, or undefined when the harness does not emulate the type. */
export function nativeHandler(type: string): NativeHandler | undefined {
  if (type in KVS_HANDLERS) return KVS_HANDLERS[type];
  const spec = PLACEHOLDERS[type];
  return spec ? new PlaceholderHandler(type, spec) : undefined;
}

/** Every native type the harness deploys. */
export const NATIVE_TYPES: readonly string[] = [...Object.keys(KVS_HANDLERS), ...Object.keys(PLACEHOLDERS)].sort();
