/**
 * The largest stack the README promises, and its bare baseline: shared by the scale test (test/scale.test.ts) and the
 * benchmarks, so that both measure the same stack.
 */
import { App, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnStream } from 'aws-cdk-lib/aws-kinesisvideo';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { CameraFleet, ImageFormat, ImageGenerationOptions, NotificationOptions, Stream } from '../src';
import { INLINE_POLICY_LIMIT, MANAGED_POLICY_LIMIT, resolvedPolicySize } from '../src/private/scoped-policy';

/** The README's promise: this many streams with notifications and image generation, a topic and a bucket, one stack. */
export const PROMISED_STREAMS = 240;

/** CloudFormation's limit on the resources of one stack. */
export const STACK_RESOURCE_LIMIT = 500;

/** The stream names of a fleet: one site's cameras, as a real fleet names them. */
export function cameraName(index: number): string {
  return `site1-camera-${String(index).padStart(4, '0')}`;
}

/**
 * One camera of the benchmark fleet, in the shape of `CameraFleet`'s `CameraSpec` (the fields the fleet uses), so
 * that the sharded fleet below can hand its cameras to `CameraFleet` unchanged.
 */
export interface FleetCamera {
  readonly name: string;
  readonly dataRetention: Duration;
  readonly notifications: NotificationOptions;
  readonly imageGeneration: ImageGenerationOptions;
}

/** The fleet's cameras: notifications to one topic, image generation into one bucket, under a prefix per camera. */
export function fleetCameras(count: number, topic: sns.ITopic, bucket: s3.IBucket, samplingInterval = Duration.seconds(10)): FleetCamera[] {
  return Array.from({ length: count }, (_, i) => ({
    name: cameraName(i),
    dataRetention: Duration.days(7),
    notifications: { topic },
    imageGeneration: { bucket, keyPrefix: `site1/${i}`, samplingInterval, format: ImageFormat.JPEG, jpegQuality: 70, widthPixels: 640 },
  }));
}

/** The library's `Stream` for one camera, configured as the camera says. */
function addCamera(scope: Construct, id: string, camera: FleetCamera): Stream {
  const stream = new Stream(scope, id, { streamName: camera.name, dataRetention: camera.dataRetention });
  stream.configureNotifications(camera.notifications);
  stream.configureImageGeneration(camera.imageGeneration);
  return stream;
}

/** A stack of `count` streams, each with notifications (to one topic) and image generation (to one bucket). */
export function fleetStack(app: App, count: number, id = 'KvsFleet', samplingInterval = Duration.seconds(10)): Stack {
  const stack = new Stack(app, id);
  const topic = new sns.Topic(stack, 'CameraEvents');
  const bucket = new s3.Bucket(stack, 'Thumbnails');
  fleetCameras(count, topic, bucket, samplingInterval).forEach((camera, i) => addCamera(stack, `Camera${i}`, camera));
  return stack;
}

/** Cameras per nested stack, on average: 170 cameras are about 356 resources, leaving room for the hash's unevenness under `CameraFleet`'s budget of 450. */
export const CAMERAS_PER_SHARD = 170;

/**
 * The fleet of `count` cameras in a `CameraFleet` of nested stacks holding about `CAMERAS_PER_SHARD` each (placement by
 * name hash is uneven by some percent, within the shards' budget), sharing the parent's topic and bucket.
 */
export function shardedFleetStack(app: App, count: number, id = 'KvsShardedFleet'): Stack {
  const stack = new Stack(app, id);
  const topic = new sns.Topic(stack, 'CameraEvents');
  const bucket = new s3.Bucket(stack, 'Thumbnails');
  const cameras = fleetCameras(count, topic, bucket);
  new CameraFleet(stack, 'Cameras', { cameras, shards: Math.ceil(count / CAMERAS_PER_SHARD) });
  return stack;
}

/** The baseline: the same streams as bare `CfnStream`s (no configuration, no guard, no provider), topic and bucket. */
export function bareStack(app: App, count: number, id = 'KvsBareFleet'): Stack {
  const stack = new Stack(app, id);
  new sns.Topic(stack, 'CameraEvents');
  new s3.Bucket(stack, 'Thumbnails');
  for (let i = 0; i < count; i++) {
    new CfnStream(stack, `Camera${i}`, { name: cameraName(i), dataRetentionInHours: 7 * 24 });
  }
  return stack;
}

/**
 * What a user would write instead of this library: the same streams as `CfnStream`s, one shared aws-cdk-lib
 * `Provider` over one function of their own, and one `CustomResource` per stream carrying both configurations as
 * plain properties (no validation, no guard, no scoped policy).
 */
export function handWrittenStack(app: App, count: number, id = 'KvsHandWrittenFleet'): Stack {
  const stack = new Stack(app, id);
  const topic = new sns.Topic(stack, 'CameraEvents');
  const bucket = new s3.Bucket(stack, 'Thumbnails');
  const onEvent = new lambda.Function(stack, 'ConfigureStream', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  onEvent.addToRolePolicy(new iam.PolicyStatement({
    actions: ['kinesisvideo:UpdateNotificationConfiguration', 'kinesisvideo:UpdateImageGenerationConfiguration'],
    resources: [stack.formatArn({ service: 'kinesisvideo', resource: 'stream', resourceName: 'site1-camera-*' })],
  }));
  const provider = new cr.Provider(stack, 'Provider', { onEventHandler: onEvent });
  for (let i = 0; i < count; i++) {
    const stream = new CfnStream(stack, `Camera${i}`, { name: cameraName(i), dataRetentionInHours: 7 * 24 });
    new CustomResource(stack, `Camera${i}Configuration`, {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::StreamConfiguration',
      properties: {
        StreamArn: stream.attrArn,
        NotificationConfiguration: { Status: 'ENABLED', DestinationConfig: { Uri: topic.topicArn } },
        ImageGenerationConfiguration: {
          Status: 'ENABLED',
          ImageSelectorType: 'SERVER_TIMESTAMP',
          DestinationConfig: { Uri: `s3://${bucket.bucketName}/site1/${i}`, DestinationRegion: stack.region },
          SamplingInterval: 10_000,
          Format: 'JPEG',
          FormatConfig: { JPEGQuality: '70' },
          WidthPixels: 640,
        },
      },
    });
  }
  return stack;
}

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

export interface TemplateShape {
  readonly resources: number;
  /** Distinct `ServiceToken`s of the custom resources: the providers the stack uses. */
  readonly serviceTokens: number;
  /** Functions running the Provider framework's onEvent: the providers the stack holds. */
  readonly providerFrameworks: number;
  /** Per role (logical id): the sizes of its inline policies, resolved, and their sum. */
  readonly inlinePolicies: ReadonlyArray<{ readonly role: string; readonly policies: readonly number[]; readonly total: number }>;
  /** Per managed policy (logical id): its resolved size. */
  readonly managedPolicies: ReadonlyArray<{ readonly policy: string; readonly size: number }>;
}

/**
 * What the scale limits are about, read from a synthesized template: resource count, providers, and every IAM policy
 * measured with ARNs resolved to realistic lengths (`resolvedPolicySize`, the measure the provider's policy uses).
 */
export function templateShape(template: { [section: string]: any }): TemplateShape {
  const resources = Object.entries(template.Resources as Record<string, TemplateResource>);
  const tokens = new Set(resources
    .filter(([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')
    .map(([, r]) => JSON.stringify(r.Properties?.ServiceToken)));
  const inline = new Map<string, number[]>();
  const add = (role: string, size: number) => inline.set(role, [...inline.get(role) ?? [], size]);
  for (const [id, r] of resources) {
    if (r.Type === 'AWS::IAM::Role') {
      inline.set(id, inline.get(id) ?? []);
      for (const policy of r.Properties?.Policies ?? []) add(id, resolvedPolicySize(policy.PolicyDocument));
    }
    if (r.Type === 'AWS::IAM::Policy') {
      for (const role of r.Properties?.Roles ?? []) add(roleId(role), resolvedPolicySize(r.Properties!.PolicyDocument));
    }
  }
  return {
    resources: resources.length,
    serviceTokens: tokens.size,
    providerFrameworks: resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Handler === 'framework.onEvent').length,
    inlinePolicies: [...inline].map(([role, policies]) => ({ role, policies, total: policies.reduce((a, b) => a + b, 0) })),
    managedPolicies: resources.filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
      .map(([policy, r]) => ({ policy, size: resolvedPolicySize(r.Properties!.PolicyDocument) })),
  };
}

/** Every way a template breaks the limits a deployment meets, one line each; empty when it fits. */
export function limitViolations(shape: TemplateShape): string[] {
  return [
    ...shape.resources > STACK_RESOURCE_LIMIT ? [`${shape.resources} resources, over CloudFormation's ${STACK_RESOURCE_LIMIT}`] : [],
    ...shape.serviceTokens > 1 ? [`${shape.serviceTokens} service tokens: more than one provider`] : [],
    ...shape.providerFrameworks > 1 ? [`${shape.providerFrameworks} Provider frameworks: more than one provider`] : [],
    ...shape.inlinePolicies.filter((r) => r.total > INLINE_POLICY_LIMIT)
      .map((r) => `role ${r.role}: inline policies of ${r.total} characters, over IAM's ${INLINE_POLICY_LIMIT}`),
    ...shape.managedPolicies.filter((p) => p.size > MANAGED_POLICY_LIMIT)
      .map((p) => `managed policy ${p.policy}: ${p.size} characters, over IAM's ${MANAGED_POLICY_LIMIT}`),
  ];
}

/** The logical id of a role named in a policy's `Roles`: `{ Ref: id }`; a role imported by name keeps its name. */
function roleId(role: unknown): string {
  return typeof role === 'string' ? role : (role as { Ref: string }).Ref;
}
