/**
 * The integration tests (`test/integ.*.ts`) checked offline: integ-runner finds each app's synthesized cloud assembly
 * unchanged from its committed snapshot (`test/integ.*.ts.snapshot/`, integ-runner's own format) without deploying;
 * each passes cfn-lint and is built so that a real run leaves nothing behind.
 *
 * After an intended change, rewrite the snapshots (without deploying) and review their diff:
 *   npx projen integ:update
 */
import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import * as lib from '../src';
import { cfnLintErrors } from './support/cfn-lint';


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

test('integ-runner finds every integration test unchanged from its committed snapshot (refresh: npx projen integ:update)', () => {
  const run = spawnSync('npx', ['projen', 'integ'], { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 600_000 });
  const output = `${run.stdout}${run.stderr}`;
  expect({ status: run.status, output: run.status === 0 ? '' : output }).toEqual({ status: 0, output: '' });
  for (const file of INTEG_FILES) expect(output).toMatch(new RegExp(`UNCHANGED +${file.replace(/\.ts$/, '').replace(/\./g, '\\.')} `));
}, 600_000);

describe.each(INTEG_FILES)('%s', (file) => {
  const templates = integTemplates(file);
  const resources = Object.values(templates).flatMap((t) => Object.entries(t.Resources).map(([id, r]) => ({ id, ...r })));

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
