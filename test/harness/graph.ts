/**
 * Dependency order, as CloudFormation derives it from a template: `Ref`, `Fn::GetAtt`, the names inside `Fn::Sub`
 * strings and `DependsOn`. Independent resources run concurrently; deletes run in reverse order.
 */
import { CfnTemplate, intrinsicName, subReferences, TemplateError } from './template';

/** The resources each resource waits for (only among `included` ones). */
export function dependencyGraph(template: CfnTemplate, included: ReadonlySet<string>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const logicalId of included) {
    const resource = template.Resources[logicalId];
    const deps = new Set<string>();
    const dependsOn = resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
    for (const target of dependsOn) {
      if (!(target in template.Resources)) {
        throw new TemplateError(`Template format error: Unresolved resource dependencies [${target}] in the Resources block of the template`);
      }
      deps.add(target);
    }
    collectReferences(resource.Properties, template, deps);
    for (const dep of deps) {
      if (!included.has(dep)) {
        throw new TemplateError(`Template format error: Unresolved resource dependencies [${dep}] in the Resources block of the template`);
      }
    }
    deps.delete(logicalId);
    graph.set(logicalId, deps);
  }
  assertAcyclic(graph);
  return graph;
}

/** The reverse graph: for each resource, the resources that wait for it. Deletion waits for those. */
export function reverseGraph(graph: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const reversed = new Map<string, Set<string>>();
  for (const node of graph.keys()) reversed.set(node, new Set());
  for (const [node, deps] of graph) {
    for (const dep of deps) reversed.get(dep)?.add(node);
  }
  return reversed;
}

function collectReferences(value: unknown, template: CfnTemplate, into: Set<string>, subVariables: ReadonlySet<string> = new Set()): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, template, into, subVariables);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const fn = intrinsicName(value);
  const args = (value as Record<string, unknown>)[fn ?? ''];
  const isResource = (name: string) => name in template.Resources && !(name in (template.Parameters ?? {}));
  if (fn === 'Ref' && typeof args === 'string') {
    if (isResource(args)) into.add(args);
    return;
  }
  if (fn === 'Fn::GetAtt') {
    const target = typeof args === 'string' ? args.split('.')[0] : Array.isArray(args) ? args[0] : undefined;
    if (typeof target === 'string') into.add(target);
    if (Array.isArray(args)) collectReferences(args[1], template, into, subVariables);
    return;
  }
  if (fn === 'Fn::Sub') {
    const [text, variables] = typeof args === 'string' ? [args, {}] : Array.isArray(args) ? [args[0], args[1] ?? {}] : [undefined, {}];
    const local = new Set(Object.keys(variables as object));
    if (typeof text === 'string') {
      for (const name of subReferences(text)) if (!local.has(name) && isResource(name)) into.add(name);
    }
    collectReferences(variables, template, into, local);
    return;
  }
  for (const item of Object.values(value)) collectReferences(item, template, into, subVariables);
}

function assertAcyclic(graph: ReadonlyMap<string, ReadonlySet<string>>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, trail: string[]): void => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      const cycle = trail.slice(trail.indexOf(node));
      throw new TemplateError(`Template format error: Circular dependency between resources: [${cycle.join(', ')}]`);
    }
    state.set(node, 'visiting');
    for (const dep of graph.get(node) ?? []) visit(dep, [...trail, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
}

export interface RunOptions {
  /** Stop starting new work after the first failure (creates and updates); deletes carry on with independent work. */
  readonly stopOnFailure: boolean;
  /** Stop starting new work when this answers true (a nested stack whose parent's operation failed). */
  readonly stop?: () => boolean;
}

export interface RunOutcome {
  readonly succeeded: Set<string>;
  readonly failed: Set<string>;
  /** Nodes never started: a failure stopped the run, or something they wait for failed. */
  readonly skipped: Set<string>;
  /** Nodes that were running when the first failure happened (CloudFormation cancels these). */
  readonly inFlightAtFirstFailure: Set<string>;
}

/**
 * Runs `work` for every node once all the nodes it waits for have succeeded, concurrently for independent nodes.
 * `work` returns true on success and false on failure; it must not throw.
 */
export async function runGraph(
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  work: (node: string) => Promise<boolean>,
  options: RunOptions,
): Promise<RunOutcome> {
  const succeeded = new Set<string>();
  const failed = new Set<string>();
  const started = new Set<string>();
  const running = new Set<string>();
  let inFlightAtFirstFailure: Set<string> | undefined;

  await new Promise<void>((done) => {
    const pump = () => {
      const stopped = (options.stopOnFailure && failed.size > 0) || options.stop?.() === true;
      if (!stopped) {
        for (const [node, deps] of graph) {
          if (started.has(node) || ![...deps].every((dep) => succeeded.has(dep) || !graph.has(dep))) continue;
          started.add(node);
          running.add(node);
          void work(node).then((ok) => {
            running.delete(node);
            if (ok) {
              succeeded.add(node);
            } else {
              if (failed.size === 0) inFlightAtFirstFailure = new Set(running);
              failed.add(node);
            }
            pump();
          });
        }
      }
      if (running.size === 0) done();
    };
    pump();
  });

  const skipped = new Set([...graph.keys()].filter((node) => !started.has(node)));
  return { succeeded, failed, skipped, inFlightAtFirstFailure: inFlightAtFirstFailure ?? new Set() };
}

/**
 * The graph among `subset` only, keeping order that runs through nodes outside it: when A waits for B, which waits
 * for C, then A still waits for C once B is left out.
 */
export function restrictGraph(graph: ReadonlyMap<string, ReadonlySet<string>>, subset: ReadonlySet<string>): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const node of subset) {
    const deps = new Set<string>();
    const seen = new Set<string>();
    const pending = [...(graph.get(node) ?? [])];
    while (pending.length > 0) {
      const dep = pending.pop()!;
      if (seen.has(dep)) continue;
      seen.add(dep);
      if (subset.has(dep)) deps.add(dep);
      else pending.push(...(graph.get(dep) ?? []));
    }
    result.set(node, deps);
  }
  return result;
}
