import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DISTRIBUTIONS, meshOfDistribution, PROVIDER_OPTIONS } from '@appdist/catalogue';
import { dump } from 'js-yaml';
import pMap from 'p-map';
import type { SchemaValidator } from './schema.js';
import { type DirectoryValidation, validateDirectory } from './validate-directory.js';

/**
 * Validates each provider option the way a provider uses it: composed with a distribution
 * (`app-istio + alerts-slack`). A Component cannot be rendered on its own, so each pair gets a
 * throwaway overlay over the checkout; renders are kustomize processes, run one per core.
 * Results come distribution by distribution, each option in PROVIDER_OPTIONS' order.
 */
export async function validateOptionComponents(
  checkout: string,
  options: { schemas?: SchemaValidator } = {},
): Promise<DirectoryValidation[]> {
  const workdir = await mkdtemp(join(tmpdir(), 'appdist-options-'));
  const pairs = DISTRIBUTIONS.flatMap((distribution) =>
    PROVIDER_OPTIONS.map((component) => ({ distribution, component })),
  );
  try {
    return await pMap(
      pairs,
      async ({ distribution, component }) => {
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
          schemas: options.schemas,
        });
      },
      { concurrency: availableParallelism() },
    );
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}
