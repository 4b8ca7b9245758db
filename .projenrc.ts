import { awscdk, javascript, TextFile } from 'projen';

/** The CDK floor: the first release with `CfnStream.streamStorageConfiguration`. */
const CDK_VERSION = '2.245.0';
/** The CDK CLI used by the example synth. Pinned to major 2: `aws-cdk@latest` is 3.x and cannot read current templates. */
const CDK_CLI_VERSION = '2.1148.1';
/** integ-runner, which checks the integration tests' snapshots. */
const INTEG_RUNNER_VERSION = '2.197.10';
/** The SDK client that the handlers bundle. Pinned so that every release ships the same client. */
const KVS_CLIENT_VERSION = '3.1116.0';
/**
 * The archived-media client (GetHLSStreamingSessionURL, GetClip...). npm has no 3.1116.0 of it (the SDK publishes a
 * client only when it changes): 3.1108.0 is its newest release not newer than KVS_CLIENT_VERSION.
 */
const ARCHIVED_MEDIA_CLIENT_VERSION = '3.1108.0';
/** Where the bundled handler lands; shipped in the npm package next to `lib/`. */
const HANDLER_BUNDLE_DIR = 'assets/kvs-handler';
/** The playback API's function (lambda/playback/), bundled like the handlers and shipped next to them. */
const PLAYBACK_BUNDLE_DIR = 'assets/kvs-playback';
/** Folders outside `src/` that are type-checked and linted with the tests. */
const DEV_DIRS = ['lambda', 'examples', 'bench'];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-kinesis-video',
  description: 'AWS CDK L2 constructs for Amazon Kinesis Video Streams: streams, signaling channels, notifications, image generation, WebRTC media storage and Edge Agent configuration.',
  author: 'cdk-kinesis-video contributors',
  authorAddress: 'maintainers@cdk-kinesis-video.dev',
  repositoryUrl: 'https://github.com/cdk-kinesis-video/cdk-kinesis-video.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'kinesis-video', 'kvs', 'webrtc', 'video', 'camera'],

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '22.0.0',
  workflowNodeVersion: '24.x',

  devDeps: [
    `@aws-sdk/client-kinesis-video@${KVS_CLIENT_VERSION}`,
    `@aws-sdk/client-cloudformation@${KVS_CLIENT_VERSION}`,
    `@aws-sdk/client-kinesis-video-archived-media@${ARCHIVED_MEDIA_CLIENT_VERSION}`,
    // The playback API's function: S3 for clips (upload and presigned URL).
    `@aws-sdk/client-s3@${KVS_CLIENT_VERSION}`,
    `@aws-sdk/s3-request-presigner@${KVS_CLIENT_VERSION}`,
    // The local HTTP API verifies SigV4 signatures by signing the request again.
    '@smithy/signature-v4@5.7.5',
    // The viewer's end-to-end test: hls.js plays the test server's HLS in Debian's Chromium, driven by playwright-core.
    'hls.js@1.7.4',
    'playwright-core@1.65.2',
    `@aws-cdk/integ-tests-alpha@${CDK_VERSION}-alpha.0`,
    // integ-runner: the integration tests' snapshots in the ecosystem's format, checked offline (no deployment).
    `@aws-cdk/integ-runner@${INTEG_RUNNER_VERSION}`,
    'cdk-nag@^2',
    'aws-sdk-client-mock@^4',
    '@types/aws-lambda@^8',
    'esbuild@0.28.2',
    `aws-cdk@${CDK_CLI_VERSION}`,
    // A real IAM policy evaluator: the harness and the tests evaluate every call against the synthesized policies.
    '@cloud-copilot/iam-simulate@^0.1.173',
  ],

  // Releases: conventional commits drive semver and the changelog; only npm is published for now.
  release: true,
  releaseToNpm: true,

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      collectCoverage: false,
      // Tests start loopback servers and child processes; two workers match CI's two cores.
      maxWorkers: 2,
      testTimeout: 60_000,
    },
  },
  tsconfigDev: {
    include: [...['src', ...DEV_DIRS].map((dir) => `../${dir}/**/*.ts`), '../.projenrc.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    // One program for every linted file: test/tsconfig.json covers src/, test/ and the dev folders.
    projectService: false,
    tsconfigPath: './test/tsconfig.json',
    dirs: ['src'],
    devdirs: ['test', ...DEV_DIRS, 'projenrc', '.projenrc.ts'],
  },
  gitignore: ['/cdk.out*', '/.cdk.staging', `/${HANDLER_BUNDLE_DIR}/`, `/${PLAYBACK_BUNDLE_DIR}/`, '/.tmp/'],
});

// npm ci rejects projen's lockfile on these machines until unrs-resolver is pinned.
project.package.addPackageResolutions('unrs-resolver@1.11.1');

// jsii targets for Python and Java, with their names fixed now; publishing them is left to the release workflow later.
project.package.addField('jsii', {
  outdir: 'dist',
  targets: {
    python: { distName: 'cdk-kinesis-video', module: 'cdk_kinesis_video' },
    java: {
      package: 'io.github.cdkkinesisvideo',
      maven: { groupId: 'io.github.cdk-kinesis-video', artifactId: 'cdk-kinesis-video' },
    },
  },
  tsconfig: 'tsconfig.json',
  validateTsconfig: 'strict',
});

// --- Handler bundle: built with esbuild when the library builds, shipped in the package (no Docker for consumers).
const bundle = project.addTask('bundle:handlers', {
  description: 'Bundle the custom-resource handlers in lambda/ and the playback API function in lambda/playback/ with their pinned SDK clients',
  exec: `node scripts/bundle-handlers.mjs ${HANDLER_BUNDLE_DIR}`,
});
bundle.exec(`node scripts/bundle-handlers.mjs ${PLAYBACK_BUNDLE_DIR} lambda/playback/index.ts`);
project.preCompileTask.spawn(bundle);
// docs/ stays in the package: the README links into it, and users install the tarball and read it from node_modules.
for (const ignored of ['/examples/', '/bench/', '/lambda/', '/scripts/', '/.ci/', '/BENCHMARKS.md', '/CONTRIBUTING.md', '/cdk.out*']) {
  project.addPackageIgnore(ignored);
}

// --- Type checks that ts-jest skips under isolatedModules: tests, handlers, examples and benchmarks.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check test/, lambda/, examples/ and bench/ (ts-jest does not under isolatedModules)',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});

// The whole suite: bundle, type-check, lint, then jest writing a JSON report that .ci/run summarizes.
project.testTask.reset();
project.testTask.spawn(bundle);
project.testTask.spawn(typecheck);
project.testTask.spawn(project.eslint!.eslintTask);
// ffmpeg (media for the archived-media test server) and chromium (the viewer's test), installed with apt when missing.
project.testTask.spawn(project.addTask('ensure:test-tools', {
  description: 'Install the Debian tools the tests run (ffmpeg, chromium) when they are missing; does nothing when present',
  exec: 'bash scripts/ensure-test-tools.sh',
}));
project.testTask.exec('jest --ci --json --outputFile=test-reports/jest-results.json', { receiveArgs: true });

// --- The main job: synthesize examples/ with the pinned CDK CLI, then validate every template with cfn-lint.
project.addTask('synth:example', {
  description: 'Synthesize examples/ to CloudFormation and validate every template with cfn-lint',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
  steps: [
    { spawn: bundle.name },
    { exec: 'rm -rf cdk.out.example' },
    { exec: 'cdk synth --quiet --no-notices --no-version-reporting --app "ts-node --prefer-ts-exts examples/app.ts" --output cdk.out.example' },
    { exec: 'cfn-lint --non-zero-exit-code error -- cdk.out.example/*.template.json' },
  ],
});

// --- Integration tests (test/integ.*.ts): their snapshots checked offline, as integ-runner does without deploying.
const INTEG_ARGS = '--directory test --language typescript';
project.addTask('integ', {
  description: 'Check every integration test against its committed snapshot (test/integ.*.ts.snapshot/), without deploying',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
  steps: [{ spawn: bundle.name }, { exec: `integ-runner ${INTEG_ARGS}`, receiveArgs: true }],
});
project.addTask('integ:update', {
  description: 'Rewrite the integration tests\' snapshots from the current sources, without deploying (review the diff)',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
  steps: [
    { spawn: bundle.name },
    // integ-runner compares templates, not asset contents: start afresh so that the snapshots hold the current bundle.
    // Through sh: projen's own shell passes the glob to rm unexpanded, and nothing was removed.
    { exec: 'rm -rf test/integ.*.ts.snapshot', shell: 'system' },
    { exec: `integ-runner ${INTEG_ARGS} --update-on-failed --dry-run`, receiveArgs: true },
  ],
});

// --- Try the library without an AWS account: deploy examples/ against an in-process KVS test server.
project.addTask('deploy:local', {
  description: 'Deploy examples/ through the local CloudFormation harness against an in-process KVS test server',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --prefer-ts-exts test/harness/deploy-local.ts', receiveArgs: true },
  ],
});

// --- Benchmarks: synth scale, fleet convergence, added latency and the handler bundle (results in BENCHMARKS.md).
project.addTask('bench', {
  description: 'Run every benchmark under bench/ and print its figures against a baseline measured in the same run',
  steps: [
    { spawn: bundle.name },
    { exec: 'ts-node --prefer-ts-exts bench/index.ts', receiveArgs: true },
  ],
});

new TextFile(project, '.npmrc', { lines: ['# Handlers bundle the pinned SDK; nothing needs build scripts.', 'fund=false', 'audit=false'] });

project.synth();
