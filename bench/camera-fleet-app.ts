/**
 * The 2,000-camera fleet of issue 16, shared by its tests (test/camera-fleet.test.ts) and the synth benchmark
 * (bench/camera-fleet-synth.ts), so that both measure the same app. (The deploy benchmark, bench/fleet-nested.ts,
 * deploys benchmark 2's cameras in a `CameraFleet` instead: `shardedFleetStack` in bench/fleet-app.ts.)
 */
import { App, CfnResource, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import { CfnStream } from 'aws-cdk-lib/aws-kinesisvideo';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CameraFleet, CameraSpec, ImageFormat, MediaType } from '../src';
import { shardOfName } from '../src/private/fleet-placement';

/** The fleet the issue promises. */
export const PROMISED_CAMERAS = 2_000;

/** The shard count for it: 2,000 cameras of 2 resources, 16 shared per shard, under 450 with room for the hash's spread. */
export const PROMISED_SHARDS = 12;

/** Cameras per site: a site is a building with 100 cameras. */
const CAMERAS_PER_SITE = 100;

/** The name of camera `index`, as a fleet names them: `site07-cam-0612`. */
export function fleetCameraName(index: number): string {
  return `${fleetCameraSite(index)}-cam-${String(index).padStart(4, '0')}`;
}

export function fleetCameraSite(index: number): string {
  return `site${String(Math.floor(index / CAMERAS_PER_SITE)).padStart(2, '0')}`;
}

/** The topic and bucket every camera of the fleet uses: in the parent stack, passed to the shards as parameters. */
export interface FleetDestinations {
  readonly topic: sns.ITopic;
  readonly bucket: s3.IBucket;
}

export function fleetDestinations(stack: Stack): FleetDestinations {
  return { topic: new sns.Topic(stack, 'CameraEvents'), bucket: new s3.Bucket(stack, 'Thumbnails') };
}

/** Camera `index`: 7 days of retention, H.264, notifications and image generation, a site tag. */
export function fleetCamera(index: number, { topic, bucket }: FleetDestinations): CameraSpec {
  const site = fleetCameraSite(index);
  return {
    name: fleetCameraName(index),
    site,
    dataRetention: Duration.days(7),
    mediaType: MediaType.H264,
    tags: { site },
    notifications: { topic },
    imageGeneration: { bucket, keyPrefix: `${site}/${index}`, samplingInterval: Duration.seconds(10), format: ImageFormat.JPEG, jpegQuality: 70, widthPixels: 640 },
  };
}

/** A parent stack with the fleet of the given camera indexes (in that order) over `shards`. */
export function cameraFleetStack(app: App, indexes: readonly number[], shards = PROMISED_SHARDS, id = 'KvsCameraFleet'): { stack: Stack; fleet: CameraFleet } {
  const stack = new Stack(app, id);
  const destinations = fleetDestinations(stack);
  const fleet = new CameraFleet(stack, 'Fleet', { cameras: indexes.map((i) => fleetCamera(i, destinations)), shards });
  return { stack, fleet };
}

/** The first `count` camera indexes. */
export function cameraIndexes(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/**
 * The baseline: the same cameras as bare `CfnStream`s, in nested stacks with the same placement and the same topic and
 * bucket (no configuration, no guard, no provider).
 */
export function bareFleetStack(app: App, indexes: readonly number[], shards = PROMISED_SHARDS, id = 'KvsBareCameraFleet'): Stack {
  const stack = new Stack(app, id);
  fleetDestinations(stack);
  const shardStacks = new Map<number, NestedStack>();
  for (const i of indexes) {
    const name = fleetCameraName(i);
    const shard = shardOfName(name, shards);
    let nested = shardStacks.get(shard);
    if (!nested) {
      nested = new NestedStack(stack, `Shard${shard}`);
      shardStacks.set(shard, nested);
    }
    const resource = new CfnStream(nested, name, { name, dataRetentionInHours: 7 * 24, mediaType: 'video/h264' });
    resource.tags.setTag('site', fleetCameraSite(i));
  }
  return stack;
}

/** The resources of `stack` itself, not of the stacks nested in it. */
export function ownResources(stack: Stack): CfnResource[] {
  return stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack);
}
