/**
 * Every ```ts block of README.md and docs/*.md type-checks against the library's source.
 *
 * Each block becomes a file of its own:
 * - its own `import` lines stay at the top, with 'cdk-kinesis-video' mapped to `src/`;
 * - the fixture imports the usual aws-cdk-lib modules and every export of the library, except the names the block
 *   imports itself;
 * - the variables that blocks use without defining them are declared (`FREE_VARIABLES`); a block's own `const` of the
 *   same name shadows them;
 * - the rest of the block is the body of a `Stack` constructor, so `this` is a stack, unless the block declares its own
 *   classes or app (`export`, `class`, `new App(`), in which case it is a module as written.
 *
 * A broken example fails with the file and line of the README where the error is.
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const LIBRARY_ENTRY = join(ROOT, 'src', 'index.ts');

/** The variables README blocks use without defining them. Add one here when a section needs it. */
const FREE_VARIABLES: Record<string, string> = {
  stream: 'Stream',
  channel: 'SignalingChannel',
  deviceRole: 'iam.IRole',
  appRole: 'iam.IRole',
  cameraRole: 'iam.IRole',
};

/** What the fixture imports for every block, unless the block imports the same name. */
const FIXTURE_IMPORTS: Array<{ module: string; names?: string[]; namespace?: string }> = [
  { module: 'aws-cdk-lib', names: ['App', 'Aws', 'Duration', 'Fn', 'RemovalPolicy', 'Size', 'Stack', 'StackProps', 'Tags'] },
  { module: 'aws-cdk-lib/aws-cloudwatch', namespace: 'cloudwatch' },
  { module: 'aws-cdk-lib/aws-iam', namespace: 'iam' },
  { module: 'aws-cdk-lib/aws-iot', namespace: 'iot' },
  { module: 'aws-cdk-lib/aws-kms', namespace: 'kms' },
  { module: 'aws-cdk-lib/aws-s3', namespace: 's3' },
  { module: 'aws-cdk-lib/aws-secretsmanager', namespace: 'secretsmanager' },
  { module: 'aws-cdk-lib/aws-sns', namespace: 'sns' },
  { module: 'constructs', names: ['Construct'] },
];

interface Block {
  /** The document, relative to the repository. */
  readonly doc: string;
  /** The line of the block's first code line in the document, 1-based. */
  readonly line: number;
  readonly code: string;
}

interface Snippet {
  readonly block: Block;
  readonly fileName: string;
  readonly text: string;
  /** For each line of `text`, the document line it comes from, or 0 for fixture lines. */
  readonly docLines: number[];
}

/** Every ```ts block of README.md and docs/*.md. */
function documentBlocks(): Block[] {
  const docsDir = join(ROOT, 'docs');
  const guides = existsSync(docsDir) ? readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => join(docsDir, f)) : [];
  const docs = [join(ROOT, 'README.md'), ...guides];
  return docs.flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const blocks: Block[] = [];
    let start = -1;
    lines.forEach((text, i) => {
      if (start < 0 && /^```(ts|typescript)\s*$/.test(text)) {
        start = i + 1;
      } else if (start >= 0 && /^```\s*$/.test(text)) {
        blocks.push({ doc: relative(ROOT, file), line: start + 1, code: lines.slice(start, i).join('\n') });
        start = -1;
      }
    });
    return blocks;
  });
}

/** The exported names of the library, read from its entry point. */
function libraryExports(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(LIBRARY_ENTRY)!;
  return checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!).map((symbol) => symbol.name);
}

/** Wraps `block` in the fixture; see the file's comment. */
function toSnippet(block: Block, index: number, exported: string[]): Snippet {
  const source = ts.createSourceFile('block.ts', block.code, ts.ScriptTarget.ES2022, true);
  const importLines = new Set<number>();
  const imported = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const first = source.getLineAndCharacterOfPosition(statement.getStart()).line;
    const last = source.getLineAndCharacterOfPosition(statement.getEnd()).line;
    for (let l = first; l <= last; l++) importLines.add(l);
    const clause = statement.importClause;
    if (clause?.name) imported.add(clause.name.text);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) imported.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) bindings.elements.forEach((e) => imported.add(e.name.text));
  }
  const isModule = block.code.includes('new App(') || source.statements.some((s) => ts.isClassDeclaration(s)
    || (ts.canHaveModifiers(s) && (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)));

  const out: Array<{ text: string; docLine: number }> = [];
  const fixture = (text: string) => out.push({ text, docLine: 0 });
  const codeLines = block.code.split('\n');
  codeLines.forEach((text, i) => {
    if (importLines.has(i)) out.push({ text: text.replace(/(['"])cdk-kinesis-video\1/, `'${LIBRARY_ENTRY.replace(/\.ts$/, '')}'`), docLine: block.line + i });
  });
  for (const { module, names, namespace } of FIXTURE_IMPORTS) {
    if (namespace && !imported.has(namespace)) fixture(`import * as ${namespace} from '${module}';`);
    const missing = (names ?? []).filter((name) => !imported.has(name));
    if (missing.length > 0) fixture(`import { ${missing.join(', ')} } from '${module}';`);
  }
  const missingExports = exported.filter((name) => !imported.has(name));
  if (missingExports.length > 0) fixture(`import { ${missingExports.join(', ')} } from '${LIBRARY_ENTRY.replace(/\.ts$/, '')}';`);
  for (const [name, type] of Object.entries(FREE_VARIABLES)) fixture(`declare const ${name}: ${type};`);
  if (!isModule) fixture('export class Snippet extends Stack { constructor(scope: Construct, id: string) { super(scope, id);');
  codeLines.forEach((text, i) => {
    if (!importLines.has(i)) out.push({ text, docLine: block.line + i });
  });
  if (!isModule) fixture('} }');

  return {
    block,
    fileName: join(ROOT, '.readme-snippets', `snippet${index}.ts`),
    text: out.map((l) => l.text).join('\n'),
    docLines: out.map((l) => l.docLine),
  };
}

/** The compiler options of test/, and a program of the library for the snippets' program to reuse. */
function libraryProgram(): { options: ts.CompilerOptions; program: ts.Program; exported: string[] } {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'test', 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  // Examples import what they show; the fixture's imports may go unused.
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
  const program = ts.createProgram([LIBRARY_ENTRY], options);
  return { options, program, exported: libraryExports(program) };
}

/** Type-checks every block in one program, and returns each block's errors as `<doc>:<line>: TS<code>: <message>`. */
function typeCheckBlocks(blocks: Block[]): string[][] {
  const { options, program: base, exported } = libraryProgram();
  const snippets = blocks.map((block, i) => toSnippet(block, i, exported));
  const byName = new Map(snippets.map((s) => [s.fileName, s]));

  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const snippet = byName.get(fileName);
    return snippet ? ts.createSourceFile(fileName, snippet.text, languageVersion, true) : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => byName.has(fileName) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => byName.get(fileName)?.text ?? readFile(fileName);

  const program = ts.createProgram(snippets.map((s) => s.fileName), options, host, base);
  return snippets.map((snippet) => {
    const file = program.getSourceFile(snippet.fileName)!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
      const line = d.start !== undefined ? file.getLineAndCharacterOfPosition(d.start).line : -1;
      const docLine = snippet.docLines[line] || `${snippet.block.line} (fixture)`;
      return `${snippet.block.doc}:${docLine}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  });
}

/** Blocks that prove the check can fail and that a whole app is checked as a module, checked in the same program as the documents (one compile is slow). */
const CONTROL_BLOCKS: Block[] = [
  { doc: 'README.md', line: 40, code: "import { Stream } from 'cdk-kinesis-video';\n\nnew Stream(this, 'S', { retention: 1 });" },
  { doc: 'README.md', line: 50, code: "new Stream(this, 'S', { dataRetention: Duration.days(1) });\nstream.grantRead(appRole);" },
  {
    doc: 'README.md',
    line: 60,
    code: [
      "import { App, Stack } from 'aws-cdk-lib';",
      'class Cameras extends Stack {',
      "  constructor(scope: App, id: string) { super(scope, id); new Stream(this, 'S'); }",
      '}',
      "new Cameras(new App(), 'Cameras');",
    ].join('\n'),
  },
];

describe('documentation examples', () => {
  const blocks = documentBlocks();
  let errors: string[][];
  let controlErrors: string[][];

  beforeAll(() => {
    const all = typeCheckBlocks([...blocks, ...CONTROL_BLOCKS]);
    errors = all.slice(0, blocks.length);
    controlErrors = all.slice(blocks.length);
  }, 180_000);

  test('README.md has TypeScript examples to check', () => {
    expect(blocks.filter((b) => b.doc === 'README.md').length).toBeGreaterThanOrEqual(7);
  });

  test.each(blocks.map((block, i) => [`${block.doc}:${block.line}`, i] as const))('the block at %s type-checks', (_where, i) => {
    expect(errors[i]).toEqual([]);
  });

  test('fails on a broken example, naming its document line; a whole app is checked as a module', () => {
    expect(controlErrors).toEqual([
      ["README.md:42: TS2353: Object literal may only specify known properties, and 'retention' does not exist in type 'StreamProps'."],
      [],
      [],
    ]);
  });
});
