import { join } from 'node:path';
import type { Packages } from '@changesets/types';
import { BAKE_FILE, bakeVersionVariable, readVariableDefault } from './bake-file.js';
import { readOptional } from './files.js';
import { IMAGE_REPOSITORY, PINNED_KUSTOMIZATION, renderedTags } from './images.js';
import { servicePackages } from './services.js';

/**
 * Where a service's version is not what ships: dist/base must render its image at exactly the
 * package version, and the bake file (when there is one) must default to it. One line per
 * mismatch, empty when everything agrees.
 */
export async function pinMismatches(
  root: string,
  packages: Packages,
  env?: NodeJS.ProcessEnv,
): Promise<string[]> {
  const rendered = await renderedTags(join(root, PINNED_KUSTOMIZATION), env);
  const bake = await readOptional(join(root, BAKE_FILE));
  const mismatches: string[] = [];
  for (const service of servicePackages(packages).values()) {
    const image = `${IMAGE_REPOSITORY}/${service.name}`;
    const tags = rendered.get(image) ?? [];
    if (tags.length !== 1 || tags[0] !== service.version) {
      mismatches.push(
        `${PINNED_KUSTOMIZATION} renders ${image}:${tags.join(',') || '(no tag)'} but ${service.package} is ${service.version}`,
      );
    }
    if (bake !== undefined) {
      const variable = bakeVersionVariable(service.name);
      const value = readVariableDefault(bake, variable);
      if (value !== service.version) {
        mismatches.push(
          `${BAKE_FILE} ${variable} defaults to ${value ?? '(undeclared)'} but ${service.package} is ${service.version}`,
        );
      }
    }
  }
  return mismatches;
}
