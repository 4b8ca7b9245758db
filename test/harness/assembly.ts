/**
 * Reads a synthesized cloud assembly (`manifest.json`, `*.template.json`, `*.assets.json`) without the CDK toolkit:
 * the stacks in dependency order, their templates, and where each file asset's object key lives on disk.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnTemplate } from './template';

export interface AssemblyStack {
  /** The artifact id (also the default stack name). */
  readonly id: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Asset object key (for example `<hash>.zip`) to the asset's directory or file in the assembly. */
  readonly assets: ReadonlyMap<string, string>;
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly file?: string };
  readonly dependencies?: string[];
  readonly displayName?: string;
}

interface AssetManifest {
  readonly files?: Record<string, {
    readonly source: { readonly path?: string; readonly packaging?: string };
    readonly destinations: Record<string, { readonly objectKey: string }>;
  }>;
}

/** Every stack of the assembly in deployment order (dependencies first), nested assemblies included. */
export function readAssembly(dir: string): AssemblyStack[] {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new Error(`${dir} is not a cloud assembly: ${manifestPath} does not exist`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf-8')) as { artifacts?: Record<string, ManifestArtifact> };
  const artifacts = manifest.artifacts ?? {};

  const ordered: string[] = [];
  const visit = (id: string, trail: string[]) => {
    if (ordered.includes(id) || !(id in artifacts)) return;
    if (trail.includes(id)) throw new Error(`Cloud assembly artifacts depend on each other in a cycle: ${[...trail, id].join(' -> ')}`);
    for (const dep of artifacts[id].dependencies ?? []) visit(dep, [...trail, id]);
    ordered.push(id);
  };
  Object.keys(artifacts).forEach((id) => visit(id, []));

  const stacks: AssemblyStack[] = [];
  for (const id of ordered) {
    const artifact = artifacts[id];
    if (artifact.type === 'cdk:cloud-assembly') {
      // Stages synthesize into nested assemblies.
      const nested = artifact.properties as { directoryName?: string } | undefined;
      if (nested?.directoryName) stacks.push(...readAssembly(path.join(dir, nested.directoryName)));
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (!templateFile) throw new Error(`Stack artifact ${id} has no templateFile`);
    const template = JSON.parse(fs.readFileSync(path.join(dir, templateFile), 'utf-8')) as CfnTemplate;
    const assets = new Map<string, string>();
    for (const dep of artifact.dependencies ?? []) {
      const assetArtifact = artifacts[dep];
      if (assetArtifact?.type !== 'cdk:asset-manifest' || !assetArtifact.properties?.file) continue;
      const assetManifest = JSON.parse(fs.readFileSync(path.join(dir, assetArtifact.properties.file), 'utf-8')) as AssetManifest;
      for (const file of Object.values(assetManifest.files ?? {})) {
        if (!file.source.path) continue;
        for (const destination of Object.values(file.destinations)) assets.set(destination.objectKey, path.join(dir, file.source.path));
      }
    }
    stacks.push({ id, stackName: artifact.properties?.stackName ?? id, template, assets });
  }
  return stacks;
}

/** One stack of the assembly, by name or artifact id; the only stack when the name is omitted. */
export function readAssemblyStack(dir: string, stackName?: string): AssemblyStack {
  const stacks = readAssembly(dir);
  if (stackName === undefined) {
    if (stacks.length !== 1) {
      throw new Error(`The cloud assembly in ${dir} has ${stacks.length} stacks (${stacks.map((s) => s.stackName).join(', ')}): name the one to deploy`);
    }
    return stacks[0];
  }
  const stack = stacks.find((s) => s.stackName === stackName || s.id === stackName);
  if (!stack) throw new Error(`The cloud assembly in ${dir} has no stack ${stackName} (it has ${stacks.map((s) => s.stackName).join(', ')})`);
  return stack;
}
