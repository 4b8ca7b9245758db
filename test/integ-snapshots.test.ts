/**
 * The integration tests (`test/integ.*.ts`) checked offline: each app synthesizes to its committed snapshot, passes
 * cfn-lint, and is built so that a real run leaves nothing behind.
 *
 * After an intended change, refresh the snapshots and review their diff:
 *   UPDATE_INTEG_SNAPSHOTS=1 npx jest test/integ-snapshots.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import * as lib from '../src';
import { cfnLintErrors } from './support/cfn-lint';

const SNAPSHOT_DIR = join(__dirname, '__integ-snapshots__');
const UPDATE = process.env.UPDATE_INTEG_SNAPSHOTS === '1';

/** The describe calls that the integration tests must assert, as issue 7 lists them. */
const REQUIRED_ASSERTIONS = [
  'DescribeNotificationConfiguration',
  'DescribeImageGenerationConfiguration',
  'DescribeMediaStorageConfiguration',
  // Required once the library has an edge configuration construct.
  ...(Object.keys(lib).some((name) => /Edge/.test(name)) ? ['DescribeEdgeConfiguration'] : []),
];

type Template = { Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }> };

const INTEG_FILES = readdirSync(__dirname).filter((file) => /^integ\..+\.ts$/.test(file)).sort();

/** A new app of an integration test, not synthesized yet (integ-tests' assertions synthesize only once). */
function integApp(file: string): App {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- every test/integ.*.ts, found at run time
  const { buildApp } = require(join(__dirname, file)) as { buildApp: (app?: App) => App };
  return buildApp(new App());
}

/** The templates of an integration test's app, by stack. */
function integTemplates(file: string): Record<string, Template> {
  return Object.fromEntries(integApp(file).synth().stacks.map((stack) => [stack.id, stack.template as Template]));
}

/**
 * The templates without what changes from one synth to the next for reasons of no interest to a snapshot: asset hashes
 * (the handler bundle changes with every handler change, and is tested on its own) and integ-tests' random salt.
 */
function normalize(templates: Record<string, Template>): string {
  return JSON.stringify(templates, null, 2)
    .replace(/[0-9a-f]{64}/g, '<asset hash>')
    .replace(/("salt": )"\d+"/g, '$1"<salt>"');
}

describe.each(INTEG_FILES)('%s', (file) => {
  const templates = integTemplates(file);
  const resources = Object.values(templates).flatMap((t) => Object.entries(t.Resources).map(([id, r]) => ({ id, ...r })));

  test('synthesizes to its committed snapshot (refresh: UPDATE_INTEG_SNAPSHOTS=1 npx jest test/integ-snapshots.test.ts)', () => {
    const snapshotFile = join(SNAPSHOT_DIR, `${file.replace(/\.ts$/, '')}.json`);
    const actual = normalize(templates);
    if (UPDATE) {
      mkdirSync(SNAPSHOT_DIR, { recursive: true });
      writeFileSync(snapshotFile, `${actual}\n`);
    }
    if (!existsSync(snapshotFile)) {
      throw new Error(`No snapshot ${snapshotFile}: run UPDATE_INTEG_SNAPSHOTS=1 npx jest test/integ-snapshots.test.ts and commit it`);
    }
    expect(actual).toEqual(readFileSync(snapshotFile, 'utf8').replace(/\n$/, ''));
  });

  test('its templates pass cfn-lint with no errors', () => {
    expect(cfnLintErrors(integApp(file))).toBe('');
  });

  test('leaves nothing behind: every resource is deleted with its stack, buckets empty first, every function logs to such a log group', () => {
    const byId = Object.fromEntries(resources.map((r) => [r.id, r]));
    const retained = resources.filter((r) => (r.DeletionPolicy ?? 'Delete') !== 'Delete' || (r.UpdateReplacePolicy ?? 'Delete') !== 'Delete');
    // An edge configuration is retained (DeleteEdgeConfiguration needs the absent device) and goes with its stream.
    const goesWithItsStream = (r: typeof resources[number]) => r.Type === 'Custom::KinesisVideoEdgeConfiguration'
      && byId[r.Properties.StreamArn?.['Fn::GetAtt']?.[0]]?.DeletionPolicy === 'Delete';
    expect(retained.filter((r) => !goesWithItsStream(r)).map((r) => r.id)).toEqual([]);
    // A KMS key only schedules its deletion, for 7 to 30 days. (CloudFormation deletes secrets without recovery.)
    expect(resources.filter((r) => r.Type === 'AWS::KMS::Key').map((r) => r.id)).toEqual([]);

    for (const bucket of resources.filter((r) => r.Type === 'AWS::S3::Bucket')) {
      const emptied = resources.some((r) => r.Type === 'Custom::S3AutoDeleteObjects' && r.Properties.BucketName?.Ref === bucket.id);
      expect({ bucket: bucket.id, emptied }).toEqual({ bucket: bucket.id, emptied: true });
    }
    for (const fn of resources.filter((r) => r.Type === 'AWS::Lambda::Function')) {
      const logGroup = byId[fn.Properties.LoggingConfig?.LogGroup?.Ref];
      expect({ fn: fn.id, logGroup: logGroup?.Type, deletion: logGroup?.DeletionPolicy })
        .toEqual({ fn: fn.id, logGroup: 'AWS::Logs::LogGroup', deletion: 'Delete' });
    }
  });
});

test('the integration tests assert every configuration that the library sets', () => {
  const apis = INTEG_FILES.flatMap((file) => Object.values(integTemplates(file))
    .flatMap((t) => Object.values(t.Resources))
    .filter((r) => r.Type.startsWith('Custom::DeployAssert@SdkCall'))
    .map((r) => `${r.Properties.service}.${r.Properties.api}`));
  for (const api of REQUIRED_ASSERTIONS) expect(apis).toContain(`KinesisVideo.${api}`);
});
