import * as fs from 'fs';
import * as path from 'path';

/**
 * The KVS control-plane Smithy model, loaded once per server start.
 *
 * A copy of `kinesis-video.smithy.json` (the AWS SDK's model) lives beside this file so the server works wherever the
 * repository is checked out. The model predates Update/DescribeStreamStorageConfiguration and
 * `CreateStream.StreamStorageConfiguration`; `SUPPLEMENT` adds them, hand-written from the API Reference.
 */
export const MODEL_FILE = path.join(__dirname, 'kinesis-video.smithy.json');
export const NAMESPACE = 'com.amazonaws.kinesisvideo';

export interface SmithyMember {
  readonly target: string;
  readonly traits?: Record<string, unknown>;
}

export interface SmithyShape {
  readonly type: string;
  readonly members?: Record<string, SmithyMember>;
  readonly member?: SmithyMember;
  readonly key?: SmithyMember;
  readonly value?: SmithyMember;
  readonly traits?: Record<string, unknown>;
  readonly input?: { target: string };
  readonly output?: { target: string };
  readonly errors?: { target: string }[];
}

export interface OperationSpec {
  /** PascalCase action name, e.g. `UpdateNotificationConfiguration`. */
  readonly name: string;
  /** The `http.uri` of the operation, e.g. `/updateNotificationConfiguration`. */
  readonly uri: string;
  /** Absolute shape id of the input structure. */
  readonly input: string;
  /** Error names the operation declares, e.g. `ResourceInUseException`. */
  readonly errors: readonly string[];
}

const id = (name: string) => `${NAMESPACE}#${name}`;
const ref = (name: string, required = false): SmithyMember => ({
  target: id(name),
  traits: required ? { 'smithy.api#required': {} } : {},
});
const operation = (name: string, errors: string[]): SmithyShape => ({
  type: 'operation',
  input: { target: id(`${name}Input`) },
  output: { target: id(`${name}Output`) },
  errors: errors.map((e) => ({ target: id(e) })),
  traits: { 'smithy.api#http': { method: 'POST', uri: `/${name.charAt(0).toLowerCase()}${name.slice(1)}`, code: 200 } },
});

/** Shapes the model lacks, transcribed from the API Reference (DescribeStreamStorageConfiguration, UpdateStreamStorageConfiguration, StreamStorageConfiguration). */
const SUPPLEMENT: Record<string, SmithyShape> = {
  DefaultStorageTier: {
    type: 'enum',
    members: {
      HOT: { target: 'smithy.api#Unit', traits: { 'smithy.api#enumValue': 'HOT' } },
      WARM: { target: 'smithy.api#Unit', traits: { 'smithy.api#enumValue': 'WARM' } },
    },
  },
  StreamStorageConfiguration: { type: 'structure', members: { DefaultStorageTier: ref('DefaultStorageTier', true) } },
  DescribeStreamStorageConfigurationInput: {
    type: 'structure',
    members: { StreamName: ref('StreamName'), StreamARN: ref('ResourceARN') },
  },
  DescribeStreamStorageConfigurationOutput: {
    type: 'structure',
    members: { StreamName: ref('StreamName'), StreamARN: ref('ResourceARN'), StreamStorageConfiguration: ref('StreamStorageConfiguration') },
  },
  UpdateStreamStorageConfigurationInput: {
    type: 'structure',
    members: {
      StreamName: ref('StreamName'),
      StreamARN: ref('ResourceARN'),
      CurrentVersion: ref('Version', true),
      StreamStorageConfiguration: ref('StreamStorageConfiguration', true),
    },
  },
  UpdateStreamStorageConfigurationOutput: { type: 'structure', members: {} },
  DescribeStreamStorageConfiguration: operation('DescribeStreamStorageConfiguration',
    ['AccessDeniedException', 'ClientLimitExceededException', 'InvalidArgumentException', 'ResourceNotFoundException']),
  UpdateStreamStorageConfiguration: operation('UpdateStreamStorageConfiguration',
    ['AccessDeniedException', 'ClientLimitExceededException', 'InvalidArgumentException', 'ResourceInUseException',
      'ResourceNotFoundException', 'VersionMismatchException']),
};

/** HTTP statuses of the API Reference's "Common Error Types", for errors no operation declares. */
const COMMON_ERROR_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  ExpiredTokenException: 403,
  IncompleteSignature: 403,
  InternalFailure: 500,
  MalformedHttpRequestException: 400,
  NotAuthorized: 401,
  OptInRequired: 403,
  RequestAbortedException: 400,
  RequestEntityTooLargeException: 413,
  RequestTimeoutException: 408,
  SerializationException: 400,
  ServiceUnavailable: 503,
  ThrottlingException: 400,
  UnknownOperationException: 404,
  UnrecognizedClientException: 403,
  ValidationError: 400,
};

export class ServiceModel {
  /** Reads and indexes the control-plane model file (with the supplement applied). */
  public static load(file: string = MODEL_FILE): ServiceModel {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { shapes: Record<string, SmithyShape> };
    const shapes = { ...json.shapes };
    for (const [name, shape] of Object.entries(SUPPLEMENT)) {
      shapes[id(name)] ??= shape;
    }
    const createStream = shapes[id('CreateStreamInput')];
    if (createStream.members && !createStream.members.StreamStorageConfiguration) {
      shapes[id('CreateStreamInput')] = {
        ...createStream,
        members: { ...createStream.members, StreamStorageConfiguration: ref('StreamStorageConfiguration') },
      };
    }
    return new ServiceModel(shapes, NAMESPACE);
  }

  /** A model from shapes in memory (the archived-media model, transcribed from the API Reference). */
  public static fromShapes(shapes: Record<string, SmithyShape>, namespace: string): ServiceModel {
    return new ServiceModel(shapes, namespace);
  }

  public readonly operations = new Map<string, OperationSpec>();
  private readonly byUri = new Map<string, OperationSpec>();

  private constructor(private readonly shapes: Record<string, SmithyShape>, private readonly namespace: string) {
    for (const [shapeId, shape] of Object.entries(this.shapes)) {
      if (shape.type !== 'operation') continue;
      const http = shape.traits?.['smithy.api#http'] as { uri: string };
      const spec: OperationSpec = {
        name: shapeId.split('#')[1],
        uri: http.uri,
        input: shape.input!.target,
        errors: (shape.errors ?? []).map((e) => e.target.split('#')[1]),
      };
      this.operations.set(spec.name, spec);
      this.byUri.set(spec.uri, spec);
    }
  }

  /** The operation whose `http.uri` is exactly `uri`, if any. */
  public operationForUri(uri: string): OperationSpec | undefined {
    return this.byUri.get(uri);
  }

  public shape(shapeId: string): SmithyShape {
    const shape = this.shapes[shapeId];
    if (!shape) throw new Error(`Shape ${shapeId} is not in the model`);
    return shape;
  }

  /** The documented HTTP status of an error: the model's `httpError`, else the common-error table. */
  public errorStatus(errorType: string): number | undefined {
    const status = this.shapes[`${this.namespace}#${errorType}`]?.traits?.['smithy.api#httpError'];
    return typeof status === 'number' ? status : COMMON_ERROR_STATUS[errorType];
  }
}
