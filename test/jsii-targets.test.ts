/**
 * jsii: the library compiles for every target, and jsii-pacmak generates the Python and Java code with the package
 * names of an organization package. Only the code is generated (`--code-only`): building the Python wheel and the
 * Maven artifact needs tools that the release workflow downloads.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { builtPackage, runTool } from './support/package-build';

/** What the test reads of a type in the jsii assembly. */
interface JsiiDocs {
  readonly summary?: string;
  readonly default?: string;
}
interface JsiiType {
  readonly datatype?: boolean;
  readonly docs?: JsiiDocs;
  readonly properties?: Array<{ readonly name: string; readonly optional?: boolean; readonly docs?: JsiiDocs }>;
  readonly methods?: Array<{ readonly name: string; readonly docs?: JsiiDocs }>;
  readonly members?: Array<{ readonly name: string; readonly docs?: JsiiDocs }>;
}

describe('jsii targets', () => {
  let outdir: string;
  let packageDir: string;

  beforeAll(() => {
    packageDir = builtPackage();
    outdir = mkdtempSync(join(tmpdir(), 'jsii-pacmak-'));
    runTool('jsii-pacmak', ['--code-only', '--targets', 'python,java', '--outdir', outdir], packageDir);
  }, 600_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  test('jsii compiles the library, so every public API is one that jsii can express', () => {
    const assembly = JSON.parse(readFileSync(join(packageDir, '.jsii'), 'utf8'));
    expect(assembly.name).toBe('cdk-kinesis-video');
    expect(assembly.targets).toEqual({
      js: { npm: 'cdk-kinesis-video' },
      python: { distName: 'cdk-kinesis-video', module: 'cdk_kinesis_video' },
      java: { package: 'io.github.cdkkinesisvideo', maven: { groupId: 'io.github.cdk-kinesis-video', artifactId: 'cdk-kinesis-video' } },
    });
    expect(Object.keys(assembly.types)).toEqual(expect.arrayContaining(['cdk-kinesis-video.Stream', 'cdk-kinesis-video.SignalingChannel']));
  });

  test('every public type and member has a docstring, and every optional prop an @default (API.md is generated from them)', () => {
    const assembly = JSON.parse(readFileSync(join(packageDir, '.jsii'), 'utf8')) as { types: Record<string, JsiiType> };
    const undocumented: string[] = [];
    for (const [fqn, type] of Object.entries(assembly.types)) {
      if (!type.docs?.summary) undocumented.push(fqn);
      for (const member of [...(type.properties ?? []), ...(type.methods ?? []), ...(type.members ?? [])]) {
        if (!member.docs?.summary) undocumented.push(`${fqn}.${member.name}`);
      }
      for (const prop of type.datatype ? type.properties ?? [] : []) {
        if (prop.optional && prop.docs?.default === undefined) undocumented.push(`${fqn}.${prop.name} (@default)`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  test('API.md is the one jsii-docgen generates from the current sources (run `npx projen docgen` after an API change)', () => {
    const generated = join(outdir, 'API.md');
    runTool('jsii-docgen', ['-o', generated], packageDir);
    expect(readFileSync(join(__dirname, '..', 'API.md'), 'utf8')).toBe(readFileSync(generated, 'utf8'));
  });

  test('Python: the cdk_kinesis_video module, distributed as cdk-kinesis-video, with the handler bundle inside', () => {
    const pkg = join(outdir, 'python', 'src', 'cdk_kinesis_video');
    const init = readFileSync(join(pkg, '__init__.py'), 'utf8');
    expect(init).toMatch(/^class Stream\(/m);
    expect(init).toMatch(/^class SignalingChannel\(/m);
    expect(readFileSync(join(outdir, 'python', 'setup.py'), 'utf8')).toContain('"name": "cdk-kinesis-video"');
    // Python runs the npm package, embedded as a tarball: the handlers come with it, no Docker needed.
    const tarball = join(pkg, '_jsii', 'cdk-kinesis-video@0.0.0.jsii.tgz');
    expect(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n')).toContain('package/assets/kvs-handler/index.js');
  });

  test('Java: the io.github.cdkkinesisvideo package, as io.github.cdk-kinesis-video:cdk-kinesis-video', () => {
    const pkg = join(outdir, 'java', 'src', 'main', 'java', 'io', 'github', 'cdkkinesisvideo');
    for (const type of ['Stream', 'SignalingChannel']) {
      expect(existsSync(join(pkg, `${type}.java`))).toBe(true);
      expect(readFileSync(join(pkg, `${type}.java`), 'utf8')).toMatch(/^package io\.github\.cdkkinesisvideo;$/m);
    }
    const pom = readFileSync(join(outdir, 'java', 'pom.xml'), 'utf8');
    expect(pom).toContain('<groupId>io.github.cdk-kinesis-video</groupId>');
    expect(pom).toContain('<artifactId>cdk-kinesis-video</artifactId>');
  });
});
