import { readFileSync } from 'fs';
import { Duration, RemovalPolicy, Size, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CameraSpec } from './camera-fleet';
import { EdgeConfigurationOptions, EdgeSchedule, EdgeSyncWait, HubDevice, MediaUriType, StrategyOnFullSize } from './edge-configuration';
import { ImageFormat, ImageGenerationOptions, ImageSelector } from './image-generation';
import { MediaType } from './media-type';
import { NotificationOptions } from './notification';
import { invalid, validateStreamName, validateTags } from './private/validation';
import { StorageTier } from './stream';

/** `arn:<partition>:sns:<region>:<account>:<topic name>`. */
const TOPIC_ARN = /^arn:[a-z\d-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** S3's rule for new bucket names: 3-63 characters of lower-case letters, digits, `.` and `-`. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_ARN = /^arn:[a-z\d-]+:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SECRET_ARN = /^arn:[a-z\d-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$/;

/** The removal policies a camera may have in an inventory. */
const REMOVAL_POLICIES: Record<string, RemovalPolicy> = {
  RETAIN: RemovalPolicy.RETAIN,
  RETAIN_ON_UPDATE_OR_DELETE: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  DESTROY: RemovalPolicy.DESTROY,
};

/**
 * A camera inventory read from JSON: `{ "cameras": [ ... ] }`, each camera an object with the fields of
 * docs/camera-fleet.md ("The inventory file"). Topics, buckets and secrets are given by ARN or name and imported
 * (`sns.Topic.fromTopicArn`, `s3.Bucket.fromBucketName`/`fromBucketArn`, `secretsmanager.Secret.fromSecretCompleteArn`)
 * once each, under this construct.
 *
 * Every entry is checked when it is read: an unknown field or a bad value fails with the camera's index, the field,
 * the value and what is allowed. What the library checks later (stream names, retention, image settings) is checked
 * by `CameraFleet` with the same index.
 *
 * @example
 * const inventory = CameraInventory.fromJsonFile(this, 'Inventory', 'cameras.json');
 * new CameraFleet(this, 'Fleet', { cameras: inventory.cameras, shards: 12 });
 */
export class CameraInventory extends Construct {
  /**
   * Reads an inventory from a JSON file.
   *
   * @param file the path of the file, relative to the working directory of the app
   */
  public static fromJsonFile(scope: Construct, id: string, file: string): CameraInventory {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`Cannot read the camera inventory ${file}: ${(e as Error).message}`);
    }
    return new CameraInventory(scope, id, json, file);
  }

  /**
   * Reads an inventory from a parsed JSON value.
   *
   * @param inventory `{ "cameras": [ ... ] }`
   */
  public static fromObject(scope: Construct, id: string, inventory: any): CameraInventory {
    return new CameraInventory(scope, id, inventory, 'the camera inventory');
  }

  /** The cameras, in the order of the inventory. */
  public readonly cameras: CameraSpec[];

  private readonly imports = new Map<string, Construct>();

  private constructor(scope: Construct, id: string, json: unknown, source: string) {
    super(scope, id);
    const entries = new Reader(source, '', json).object(['cameras']).get('cameras').list();
    this.cameras = entries.map((entry) => this.camera(entry));
  }

  private camera(reader: Reader): CameraSpec {
    const c = reader.object(['name', 'site', 'dataRetentionHours', 'mediaType', 'deviceName', 'storageTier', 'tags', 'removalPolicy',
      'allowRetentionDecrease', 'notifications', 'imageGeneration', 'edge']);
    const hours = c.optional('dataRetentionHours')?.number();
    const tags = c.optional('tags');
    return {
      name: c.get('name').validated(validateStreamName),
      site: c.optional('site')?.string(),
      dataRetention: hours === undefined ? undefined : Duration.hours(hours),
      mediaType: c.optional('mediaType')?.convert('a media type such as "video/h264,audio/aac"', (v) => MediaType.custom(v)),
      deviceName: c.optional('deviceName')?.string(),
      storageTier: c.optional('storageTier')?.choice(StorageTier),
      tags: tags && this.tags(tags),
      removalPolicy: c.optional('removalPolicy')?.choice(REMOVAL_POLICIES),
      allowRetentionDecrease: c.optional('allowRetentionDecrease')?.boolean(),
      notifications: c.optional('notifications') && this.notifications(c.get('notifications')),
      imageGeneration: c.optional('imageGeneration') && this.imageGeneration(c.get('imageGeneration')),
      edge: c.optional('edge') && this.edge(c.get('edge')),
    };
  }

  private tags(reader: Reader): { [key: string]: string } {
    const tags = Object.fromEntries(reader.entries().map(([key, value]) => [key, value.string()]));
    reader.checked(() => validateTags(tags));
    return tags;
  }

  private notifications(reader: Reader): NotificationOptions {
    const n = reader.object(['topicArn', 'enabled']);
    const arn = n.get('topicArn').pattern(TOPIC_ARN, 'an SNS topic ARN arn:<partition>:sns:<region>:<account>:<name>');
    return { topic: this.imported(`topic ${arn}`, (id) => sns.Topic.fromTopicArn(this, id, arn)), enabled: n.optional('enabled')?.boolean() };
  }

  private imageGeneration(reader: Reader): ImageGenerationOptions {
    const g = reader.object(['bucketName', 'bucketArn', 'keyPrefix', 'samplingIntervalMillis', 'format', 'jpegQuality', 'imageSelector',
      'widthPixels', 'heightPixels', 'enabled']);
    const name = g.optional('bucketName')?.pattern(BUCKET_NAME, 'an S3 bucket name: 3-63 characters of a-z, 0-9, "." and "-"');
    const arn = g.optional('bucketArn')?.pattern(BUCKET_ARN, 'an S3 bucket ARN arn:<partition>:s3:::<bucket name>');
    if ((name === undefined) === (arn === undefined)) throw g.invalid('an object with bucketName or bucketArn, one of the two');
    const bucket = name !== undefined
      ? this.imported(`bucket ${name}`, (id) => s3.Bucket.fromBucketName(this, id, name))
      : this.imported(`bucket ${arn}`, (id) => s3.Bucket.fromBucketArn(this, id, arn!));
    return {
      bucket,
      keyPrefix: g.optional('keyPrefix')?.string(),
      samplingInterval: Duration.millis(g.get('samplingIntervalMillis').number()),
      format: g.optional('format')?.choice(ImageFormat),
      jpegQuality: g.optional('jpegQuality')?.number(),
      imageSelector: g.optional('imageSelector')?.choice(ImageSelector),
      widthPixels: g.optional('widthPixels')?.number(),
      heightPixels: g.optional('heightPixels')?.number(),
      enabled: g.optional('enabled')?.boolean(),
    };
  }

  private edge(reader: Reader): EdgeConfigurationOptions {
    const e = reader.object(['hubDeviceThingName', 'hubDeviceArn', 'mediaSecretArn', 'mediaUriType', 'recorderSchedule', 'uploaderSchedule',
      'edgeRetentionHours', 'maxLocalMediaSizeMiB', 'strategyOnFullSize', 'deleteAfterUpload', 'waitFor', 'removalPolicy', 'allowHubDeviceChange']);
    const byName = e.optional('hubDeviceThingName')?.convert('1-128 characters of [a-zA-Z0-9_.-] (the thing names that HubDeviceArn allows)', HubDevice.fromThingName);
    const byArn = e.optional('hubDeviceArn')?.convert('an IoT thing ARN arn:<partition>:iot:<region>:<account>:thing/<name>', HubDevice.fromThingArn);
    if ((byName === undefined) === (byArn === undefined)) throw e.invalid('an object with hubDeviceThingName or hubDeviceArn, one of the two');
    const secretArn = e.get('mediaSecretArn').pattern(SECRET_ARN, 'a Secrets Manager secret ARN arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<suffix>');
    const retention = e.optional('edgeRetentionHours')?.number();
    const maxSize = e.optional('maxLocalMediaSizeMiB')?.number();
    return {
      hubDevice: (byName ?? byArn)!,
      mediaSource: {
        secret: this.imported(`secret ${secretArn}`, (id) => secretsmanager.Secret.fromSecretCompleteArn(this, id, secretArn)),
        uriType: e.get('mediaUriType').choice(MediaUriType),
      },
      recorderSchedule: e.optional('recorderSchedule') && schedule(e.get('recorderSchedule')),
      uploaderSchedule: e.optional('uploaderSchedule') && schedule(e.get('uploaderSchedule')),
      edgeRetention: retention === undefined ? undefined : Duration.hours(retention),
      maxLocalMediaSize: maxSize === undefined ? undefined : Size.mebibytes(maxSize),
      strategyOnFullSize: e.optional('strategyOnFullSize')?.choice(StrategyOnFullSize),
      deleteAfterUpload: e.optional('deleteAfterUpload')?.boolean(),
      waitFor: e.optional('waitFor')?.choice(EdgeSyncWait),
      removalPolicy: e.optional('removalPolicy')?.choice(REMOVAL_POLICIES),
      allowHubDeviceChange: e.optional('allowHubDeviceChange')?.boolean(),
    };
  }

  /** One import per topic, bucket or secret, however many cameras name it. */
  private imported<T extends Construct>(key: string, create: (id: string) => T): T {
    let construct = this.imports.get(key);
    if (!construct) {
      construct = create(`Import${this.imports.size}`);
      this.imports.set(key, construct);
    }
    return construct as T;
  }
}

function schedule(reader: Reader): EdgeSchedule {
  const s = reader.object(['expression', 'durationSeconds']);
  return { expression: s.get('expression').string(), duration: Duration.seconds(s.get('durationSeconds').number()) };
}

/**
 * A value of the inventory at a path (`cameras[3].imageGeneration.format`): every check fails with the library's
 * message format, naming the path, the value and what is allowed, prefixed with the file.
 */
class Reader {
  constructor(private readonly source: string, private readonly path: string, private readonly value: unknown) {}

  /** An object with only the given fields. */
  public object(fields: string[]): Reader {
    if (this.value === null || typeof this.value !== 'object' || Array.isArray(this.value)) throw this.invalid('an object');
    const unknown = Object.keys(this.value).filter((key) => !fields.includes(key));
    if (unknown.length > 0) {
      throw new Reader(this.source, this.at(unknown[0]), (this.value as Record<string, unknown>)[unknown[0]])
        .invalid(`unset: "${unknown[0]}" is not a field here (the fields are ${fields.join(', ')})`);
    }
    return this;
  }

  public get(field: string): Reader {
    const value = (this.value as Record<string, unknown>)[field];
    if (value === undefined) throw new Reader(this.source, this.at(field), value).invalid('given');
    return new Reader(this.source, this.at(field), value);
  }

  public optional(field: string): Reader | undefined {
    const value = (this.value as Record<string, unknown>)[field];
    return value === undefined ? undefined : new Reader(this.source, this.at(field), value);
  }

  public list(): Reader[] {
    if (!Array.isArray(this.value)) throw this.invalid('a list');
    return this.value.map((item, i) => new Reader(this.source, `${this.path}[${i}]`, item));
  }

  public entries(): Array<[string, Reader]> {
    this.object(Object.keys(this.value ?? {}));
    return Object.entries(this.value as Record<string, unknown>).map(([key, value]) => [key, new Reader(this.source, this.at(key), value)]);
  }

  public string(): string {
    if (typeof this.value !== 'string') throw this.invalid('a string');
    return this.value;
  }

  public number(): number {
    if (typeof this.value !== 'number' || !Number.isFinite(this.value)) throw this.invalid('a number');
    return this.value;
  }

  public boolean(): boolean {
    if (typeof this.value !== 'boolean') throw this.invalid('true or false');
    return this.value;
  }

  public pattern(pattern: RegExp, allowed: string): string {
    const value = this.string();
    if (!Token.isUnresolved(value) && !pattern.test(value)) throw this.invalid(allowed);
    return value;
  }

  /** One of the values of an enum (or a record of choices), by name. */
  public choice<T>(choices: Record<string, T>): T {
    const value = this.string();
    if (!Object.prototype.hasOwnProperty.call(choices, value)) throw this.invalid(`one of ${Object.keys(choices).join(', ')}`);
    return choices[value];
  }

  /** The string converted by a factory that validates it; its error is reported at this path. */
  public convert<T>(allowed: string, factory: (value: string) => T): T {
    const value = this.string();
    try {
      return factory(value);
    } catch {
      throw this.invalid(allowed);
    }
  }

  /** The string, checked by one of the library's validators (which names the property it is given). */
  public validated(check: (value: string, propName: string) => void): string {
    const value = this.string();
    this.checked(() => check(value, this.path));
    return value;
  }

  /** Runs a check of the library, its error prefixed with the file. */
  public checked(check: () => void): void {
    try {
      check();
    } catch (e) {
      throw new Error(`${this.source}: ${(e as Error).message}`);
    }
  }

  public invalid(allowed: string): Error {
    const shown = this.value === undefined ? '(missing)' : typeof this.value === 'object' ? JSON.stringify(this.value) : this.value;
    return new Error(`${this.source}: ${invalid(this.path, shown, allowed).message}`);
  }

  private at(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }
}
