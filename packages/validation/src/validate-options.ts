import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { dump, load } from 'js-yaml';
import { asRecord } from './access.js';
import { MESHES, meshOfDistribution } from './appdist-contract.js';
import { mapConcurrent } from './concurrency.js';
import type { SchemaValidator } from './schema.js';
import type { DirectoryValidation } from './validate-directory.js';
import { validateDirectory } from './validate-directory.js';

/** The provider options under dist/components: every Component that is not a mesh. */
export async function optionComponents(checkout: string): Promise<string[]> {
  const root = join(checkout, 'dist', 'components');
  const names: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'kustomization.yaml');
    if (
      !entry.isDirectory() ||
      (MESHES as readonly string[]).includes(entry.name) ||
      !existsSync(file)
    )
      continue;
    if (asRecord(load(await readFile(file, 'utf8')))?.kind === 'Component') names.push(entry.name);
  }
  return names.sort();
}

export interface OptionsValidationOptions {
  schemas?: SchemaValidator;
  crdsDir?: string | undefined;
  distributions?: readonly string[];
}

/**
 * Validates each option component the way a provider uses it: composed with a distribution
 * (`app-istio + alerts-slack`). A Component cannot be rendered on its own, so each pair gets a
 * throwaway overlay over the checkout.
 */
export async function validateOptionComponents(
  checkout: string,
  options: OptionsValidationOptions = {},
): Promise<DirectoryValidation[]> {
  const distributions = options.distributions ?? MESHES.map((mesh) => `app-${mesh}`);
  const components = await optionComponents(checkout);
  const workdir = await mkdtemp(join(tmpdir(), 'appdist-options-'));
  try {
    const pairs = distributions.flatMap((distribution) =>
      components.map((component) => ({ distribution, component })),
    );
    return await mapConcurrent(pairs, async ({ distribution, component }) => {
      const dir = join(workdir, `${distribution}+${component}`);
      await mkdir(dir, { recursive: true });
      const overlay = {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [relative(dir, join(checkout, 'dist', distribution))],
        components: [relative(dir, join(checkout, 'dist', 'components', component))],
      };
      await writeFile(join(dir, 'kustomization.yaml'), dump(overlay));
      return validateDirectory(dir, {
        distribution: `${distribution} + ${component}`,
        mesh: meshOfDistribution(distribution),
        loadRestrictor: 'LoadRestrictionsNone',
        crdsDir: options.crdsDir,
        ...(options.schemas ? { schemas: options.schemas } : {}),
      });
    });
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}
