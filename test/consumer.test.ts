/**
 * A consumer project installs the packed npm tarball, with aws-cdk-lib and constructs from the npm registry, and
 * synthesizes an app that uses every construct (the stacks of `support/all-constructs.ts`, compiled against the
 * installed package): no Docker, and no network beyond npm.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as ts from 'typescript';
import { SCENARIOS } from './support/all-constructs';
import { builtPackage, HANDLER_BUNDLE, run } from './support/package-build';

/**
 * The peer dependencies at the library's floor, and the newest aws-cdk-lib 2 of the registry: deprecations appear in
 * new releases, and JSII_DEPRECATED=fail makes any deprecated aws-cdk-lib API the library calls fail the synth.
 */
const PEER_SETS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['the floor, aws-cdk-lib 2.245.0 and constructs 10.5.1', ['aws-cdk-lib@2.245.0', 'constructs@10.5.1']],
  ['the newest aws-cdk-lib 2 and constructs 10', ['aws-cdk-lib@^2', 'constructs@^10.5.1']],
];

/** The kitchen sink as plain JavaScript that imports the installed package instead of `src/`. */
function kitchenSinkForConsumer(): string {
  const source = readFileSync(join(__dirname, 'support', 'all-constructs.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const rewritten = outputText.replace(/require\("\.\.\/\.\.\/src"\)/g, 'require("cdk-kinesis-video")');
  if (rewritten === outputText || /require\("\.{1,2}\//.test(rewritten)) {
    throw new Error('support/all-constructs.ts must import the library from ../../src and nothing else of the work tree');
  }
  return rewritten;
}

test.each(PEER_SETS)('a project that installs the packed tarball with %s synthesizes every construct without Docker and without a deprecated API', (_name, peers) => {
  const work = mkdtempSync(join(tmpdir(), 'kvs-consumer-'));
  try {
    const packed = run('npm', ['pack', '--pack-destination', work, '--json'], builtPackage());
    const tarball = join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0].filename);

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'kvs-consumer', version: '1.0.0', private: true }));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, ...peers], project);
    const installed = realpathSync(join(project, 'node_modules', 'cdk-kinesis-video'));
    expect(installed.startsWith(realpathSync(project))).toBe(true);

    writeFileSync(join(project, 'all-constructs.js'), kitchenSinkForConsumer());
    writeFileSync(join(project, 'app.js'), [
      "const { App } = require('aws-cdk-lib');",
      "const { buildAllConstructs } = require('./all-constructs');",
      'const app = new App({ outdir: process.argv[2] });',
      'buildAllConstructs(app);',
      'app.synth();',
    ].join('\n'));

    // A docker that records any call: asset bundling would run it (CDK_DOCKER, or docker on the PATH).
    const fakeBin = join(work, 'bin');
    const dockerCalls = join(work, 'docker-calls');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'docker'), `#!/bin/sh\necho "$@" >> '${dockerCalls}'\nexit 1\n`);
    chmodSync(join(fakeBin, 'docker'), 0o755);
    const outdir = join(work, 'cdk.out');
    run('node', ['app.js', outdir], project, {
      ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, CDK_DOCKER: join(fakeBin, 'docker'), JSII_DEPRECATED: 'fail',
    });

    expect(existsSync(dockerCalls)).toBe(false);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    const stacks = Object.entries(manifest.artifacts as Record<string, { type: string }>)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack').map(([id]) => id);
    expect(stacks.sort()).toEqual(SCENARIOS.map((s) => s.id).sort());
    // The shipped handler bundle is the provider's asset, byte for byte.
    const bundle = readFileSync(HANDLER_BUNDLE);
    const assetDirs = readdirSync(outdir).filter((entry) => entry.startsWith('asset.') && existsSync(join(outdir, entry, 'index.js')));
    expect(assetDirs.some((dir) => readFileSync(join(outdir, dir, 'index.js')).equals(bundle))).toBe(true);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 900_000);
