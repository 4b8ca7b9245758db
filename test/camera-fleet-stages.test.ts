import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CameraFleet, CameraInventory } from '../src';
import { cfnLintErrors } from './support/cfn-lint';

/*
 * The pattern docs/camera-fleet.md ("Regions and accounts") gives for a fleet that spans regions or accounts: one
 * CameraFleet per environment, each in a Stage of its own with that environment's inventory file.
 */

interface CameraRegionProps extends StageProps {
  readonly inventoryFile: string;
  readonly shards: number;
}

class CameraRegion extends Stage {
  public readonly fleet: CameraFleet;

  constructor(scope: Construct, id: string, props: CameraRegionProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Cameras');
    const inventory = CameraInventory.fromJsonFile(stack, 'Inventory', props.inventoryFile);
    this.fleet = new CameraFleet(stack, 'Fleet', { shards: props.shards, cameras: inventory.cameras });
  }
}

const EU = { account: '111122223333', region: 'eu-west-1' };
const US = { account: '444455556666', region: 'us-east-1' };

/** A camera of a region's inventory: its topic and bucket in the region's own account and region. */
function camera(env: typeof EU, name: string) {
  return {
    name,
    notifications: { topicArn: `arn:aws:sns:${env.region}:${env.account}:camera-events` },
    imageGeneration: { bucketName: `thumbnails-${env.region}`, keyPrefix: name, samplingIntervalMillis: 5000 },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'camera-regions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inventoryFile(file: string, cameras: unknown[]): string {
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify({ cameras }));
  return path;
}

/** The two stages of the documented example; `lobby-cam-1` is in both inventories, in different environments. */
function regions() {
  const app = new App();
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-cam-${i}`);
  const eu = new CameraRegion(app, 'EuWest1', {
    env: EU, shards: 3, inventoryFile: inventoryFile('cameras-eu.json', ['lobby-cam-1', ...names('dublin', 12)].map((n) => camera(EU, n))),
  });
  const us = new CameraRegion(app, 'UsEast1', {
    env: US, shards: 2, inventoryFile: inventoryFile('cameras-us.json', ['lobby-cam-1', ...names('boston', 6)].map((n) => camera(US, n))),
  });
  return { app, eu, us };
}

/** Every template of a stage's assembly, its shards' included, as written. */
function templates(stage: Stage): { file: string; text: string; json: any }[] {
  const assembly = stage.synth();
  const nested = readdirSync(assembly.directory).filter((file) => file.endsWith('.nested.template.json'));
  return [...assembly.stacks.map((stack) => stack.templateFile), ...nested].map((file) => {
    const text = readFileSync(join(assembly.directory, file), 'utf8');
    return { file, text, json: JSON.parse(text) };
  });
}

describe('a fleet across regions and accounts, one Stage per environment', () => {
  test('each stage synthesizes its own cloud assembly, with the stack in its environment', () => {
    const { app, eu, us } = regions();
    const root = app.synth();

    expect(root.nestedAssemblies.map((n) => n.nestedAssembly.stacks.map((s) => [s.stackName, s.environment.account, s.environment.region])))
      .toEqual([[['EuWest1-Cameras', EU.account, EU.region]], [['UsEast1-Cameras', US.account, US.region]]]);
    expect(eu.fleet.shardStacks.map((s) => Stack.of(s).region)).toEqual(Array(eu.fleet.shardStacks.length).fill(EU.region));
    expect(us.fleet.shardStacks.map((s) => Stack.of(s).account)).toEqual(Array(us.fleet.shardStacks.length).fill(US.account));
  });

  test('every stream, grant and image destination of a stage names its own account and region, never the other\'s', () => {
    const { eu, us } = regions();
    for (const [stage, own, other] of [[eu, EU, US], [us, US, EU]] as const) {
      const written = templates(stage);
      const text = written.map((t) => t.text).join('\n');
      expect(text).toContain(`:kinesisvideo:${own.region}:${own.account}:stream/`);
      expect(text).not.toContain(other.account);
      expect(text).not.toContain(other.region);
      const configurations = written.flatMap((t) => Object.values<any>(t.json.Resources ?? {}))
        .filter((r) => r.Type === 'Custom::KinesisVideoStreamConfiguration');
      expect(configurations).toHaveLength(stage.fleet.streams.length);
      const destinationRegions = configurations.map((r) => r.Properties.ImageGenerationConfiguration.DestinationConfig.DestinationRegion);
      expect(new Set(destinationRegions)).toEqual(new Set([own.region]));
    }
  });

  test('the same camera name in two environments is two cameras, placed by each stage on its own', () => {
    const { eu, us } = regions();

    for (const stage of [eu, us]) {
      const streams = templates(stage).flatMap((t) => Object.values<any>(t.json.Resources ?? {}))
        .filter((r) => r.Type === 'AWS::KinesisVideo::Stream');
      expect(streams.filter((r) => r.Properties.Name === 'lobby-cam-1')).toHaveLength(1);
      expect(streams).toHaveLength(stage.fleet.streams.length);
    }
    expect(Object.keys(eu.fleet.placement)).toHaveLength(13);
    expect(Object.keys(us.fleet.placement)).toHaveLength(7);
    expect(Object.keys(eu.fleet.placement).filter((name) => name in us.fleet.placement)).toEqual(['lobby-cam-1']);
    expect(eu.fleet.stream('lobby-cam-1').streamName).toBe('lobby-cam-1');
    expect(Stack.of(eu.fleet.stream('lobby-cam-1')).region).toBe(EU.region);
    expect(Stack.of(us.fleet.stream('lobby-cam-1')).region).toBe(US.region);
  });

  test('every template of both stages passes cfn-lint with no errors', () => {
    const { eu, us } = regions();
    expect(cfnLintErrors(eu)).toBe('');
    expect(cfnLintErrors(us)).toBe('');
  });
});
