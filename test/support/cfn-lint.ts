import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Stage } from 'aws-cdk-lib';

/**
 * Runs cfn-lint (installed on every machine of this project, and in CI) over every template of `stage`, those of
 * nested stacks included, as the README's main command does, and returns its findings: empty when no template has an
 * error.
 */
export function cfnLintErrors(stage: Stage): string {
  const assembly = stage.synth({ force: true });
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  try {
    const files = assembly.stacks.map((stack) => {
      const file = join(dir, `${stack.id}.template.json`);
      writeFileSync(file, JSON.stringify(stack.template));
      return file;
    });
    // Nested stacks are assets of their parent, not stacks of the assembly: their templates are linted as written.
    files.push(...readdirSync(assembly.directory).filter((f) => f.endsWith('.nested.template.json')).map((f) => join(assembly.directory, f)));
    try {
      execFileSync('cfn-lint', ['--non-zero-exit-code', 'error', '--format', 'parseable', '--', ...files], { encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      return `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim() || failure.message;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
