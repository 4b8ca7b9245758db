import { readdirSync } from 'fs';
import { join } from 'path';
import { Construct, IConstruct } from 'constructs';

/** Every construct class that `src/` defines and exports from any of its modules, public or private. */
function libraryConstructClasses(): Array<abstract new (...args: any[]) => Construct> {
  const srcDir = join(__dirname, '..', '..', 'src');
  const modules = [srcDir, join(srcDir, 'private')].flatMap((dir) => readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file)));
  return modules
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every module of src/, found at run time
    .flatMap((file) => Object.values(require(file) as Record<string, unknown>))
    .filter((value): value is abstract new (...args: any[]) => Construct =>
      typeof value === 'function' && value.prototype instanceof Construct);
}

const LIBRARY_CLASSES = libraryConstructClasses();

/**
 * Whether `construct` belongs to this library: it, or one of its scopes, is an instance of a construct class from
 * `src/`. New constructs count as soon as their module exports them.
 */
export function isLibraryConstruct(construct: IConstruct): boolean {
  return construct.node.scopes.some((scope) => LIBRARY_CLASSES.some((cls) => scope instanceof cls));
}

/** The construct at `path` (`/Stack/A/B`, as annotations name it) under `root`. */
export function constructAtPath(root: IConstruct, path: string): IConstruct {
  const found = root.node.findAll().find((c) => `/${c.node.path}` === path);
  if (!found) throw new Error(`No construct at ${path}`);
  return found;
}
