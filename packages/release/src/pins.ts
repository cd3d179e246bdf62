import { join } from 'node:path';
import { imageName } from '@appdist/catalogue';
import type { Packages } from '@changesets/types';
import { PINNED_KUSTOMIZATION, renderedTags } from './images.js';
import { servicePackages } from './services.js';

/**
 * Where a service's version is not what ships: dist/base must render its image at exactly the
 * package version (ci/bake.sh tags the images with it). One line per mismatch, empty when
 * everything agrees.
 */
export async function pinMismatches(
  root: string,
  packages: Packages,
  env?: NodeJS.ProcessEnv,
): Promise<string[]> {
  const rendered = await renderedTags(join(root, PINNED_KUSTOMIZATION), env);
  const mismatches: string[] = [];
  for (const service of servicePackages(packages).values()) {
    const image = imageName(service.name);
    const tags = rendered.get(image) ?? [];
    if (tags.length !== 1 || tags[0] !== service.version) {
      mismatches.push(
        `${PINNED_KUSTOMIZATION} renders ${image}:${tags.join(',') || '(no tag)'} but ${service.package} is ${service.version}`,
      );
    }
  }
  return mismatches;
}
