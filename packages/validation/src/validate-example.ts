import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { kustomizationFile } from '@appdist/catalogue/repository';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { dump, load } from 'js-yaml';
import { asList, asRecord, asString, at } from './access.js';
import { fluxHealthCheckFindings } from './flux-rules.js';
import { prepareProviderExample } from './provider-example.js';
import type { SchemaValidator } from './schema.js';
import { type DirectoryValidation, validateDirectory } from './validate-directory.js';

const OUR_REPOSITORY = /^https:\/\/github\.com\/appdist\/appdist(\.git)?\/?$/;

async function readKustomization(dir: string): Promise<Record<string, unknown> | undefined> {
  const file = kustomizationFile(dir);
  return file ? asRecord(load(await readFile(file, 'utf8'))) : undefined;
}

/** Sub-folders holding a Kustomization of their own that the example's root does not include (its Flux manifests). */
async function separateRoots(root: string): Promise<string[]> {
  const top = await readKustomization(root);
  const included = new Set(
    [...asList(top?.resources), ...asList(top?.components)].flatMap((entry) =>
      typeof entry === 'string' ? [join(root, entry)] : [],
    ),
  );
  const roots: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const dir = join(root, entry.name);
    if (!entry.isDirectory() || included.has(dir)) continue;
    const kustomization = await readKustomization(dir);
    if (kustomization && (kustomization.kind ?? 'Kustomization') === 'Kustomization')
      roots.push(dir);
  }
  return roots.sort();
}

/** Without the fields that say nothing (`[]`, `''`, undefined), as a person writes a kustomization. */
function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) =>
      Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '',
    ),
  );
}

/**
 * What a Flux Kustomization applies when its source is this repository: the kustomization at
 * `spec.path` with the Kustomization's own components, patches, images and target namespace.
 * Written as an overlay over the local checkout, so its patches are checked against the real
 * distribution.
 */
export async function fluxOverlay(
  workdir: string,
  checkout: string,
  kustomization: KubernetesObject,
  sources: readonly KubernetesObject[],
): Promise<string | undefined> {
  const source = sources.find(
    (candidate) =>
      candidate.kind === 'GitRepository' &&
      candidate.metadata.name === asString(at(kustomization, 'spec', 'sourceRef', 'name')),
  );
  const path = asString(at(kustomization, 'spec', 'path'));
  if (!source || !path || !OUR_REPOSITORY.test(asString(at(source, 'spec', 'url')) ?? ''))
    return undefined;
  const dir = join(workdir, `.flux-${kustomization.metadata.name}`);
  await mkdir(dir, { recursive: true });
  const target = join(checkout, path);
  const overlay = omitEmpty({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [relative(dir, target)],
    components: asList(at(kustomization, 'spec', 'components')).flatMap((component) =>
      typeof component === 'string' ? [relative(dir, join(target, component))] : [],
    ),
    patches: asList(at(kustomization, 'spec', 'patches')),
    images: asList(at(kustomization, 'spec', 'images')),
    namespace: asString(at(kustomization, 'spec', 'targetNamespace')),
  });
  await writeFile(join(dir, 'kustomization.yaml'), dump(overlay));
  return dir;
}

export interface ExampleOptions {
  schemas?: SchemaValidator;
  /** The example folder; defaults to examples/provider of the checkout. */
  example?: string;
  /** false: render the same folders without validating them. */
  validate?: boolean;
}

/**
 * Validates the provider example against the local checkout: its kustomization (remote bases
 * pointed at the checkout), its Flux manifests, and what each Flux Kustomization would apply.
 */
export async function validateProviderExample(
  checkout: string,
  options: ExampleOptions = {},
): Promise<DirectoryValidation[]> {
  const example = options.example ?? join(checkout, 'examples', 'provider');
  const name = relative(checkout, example) || 'examples/provider';
  const prepared = await prepareProviderExample(checkout, example);
  const { schemas, validate } = options;
  const common = { loadRestrictor: 'LoadRestrictionsNone' as const, schemas, validate };
  try {
    const results = [await validateDirectory(prepared.dir, { ...common, distribution: name })];
    for (const root of await separateRoots(prepared.dir)) {
      results.push(
        await validateDirectory(root, {
          ...common,
          distribution: join(name, relative(prepared.dir, root)),
        }),
      );
    }
    const objects = results.flatMap((result) => result.objects);
    for (const kustomization of objects.filter(
      (object) =>
        object.kind === 'Kustomization' &&
        object.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'),
    )) {
      const dir = await fluxOverlay(prepared.dir, checkout, kustomization, objects);
      if (!dir) continue;
      const distribution = `${name} (Flux Kustomization ${kustomization.metadata.name})`;
      const applied = await validateDirectory(dir, { ...common, distribution });
      if (validate !== false) {
        applied.findings.push(
          ...fluxHealthCheckFindings(kustomization, applied.objects, distribution),
        );
      }
      results.push(applied);
    }
    return results;
  } finally {
    await prepared.cleanup();
  }
}
