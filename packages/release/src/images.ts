import { join } from 'node:path';
import { imageName, parseImageReference } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { build } from '@appdist/kustomize/kustomize';
import type { ServicePackage } from './changesets.js';

/** The kustomization whose `images:` block pins every tag; the distributions build on it. */
export const PINNED_KUSTOMIZATION = 'dist/base';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Every container image of the rendered objects, in render order. */
export function imagesOf(objects: readonly unknown[]): string[] {
  return objects.flatMap((value): string[] => {
    if (Array.isArray(value)) return imagesOf(value);
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([key, child]) =>
      CONTAINER_LISTS.has(key) && Array.isArray(child)
        ? child.flatMap((container: { image?: unknown }) =>
            typeof container?.image === 'string' ? [container.image] : [],
          )
        : imagesOf([child]),
    );
  });
}

/**
 * The tags the kustomization dist/base renders for each image name, rendered by real
 * kustomize: what providers get today, whatever mix of `images:` entries and patches produced it.
 */
export async function renderedTags(root: string): Promise<Map<string, string[]>> {
  const objects: KubernetesObject[] = await build(join(root, PINNED_KUSTOMIZATION));
  const tags = new Map<string, string[]>();
  for (const { name, tag } of imagesOf(objects).map(parseImageReference)) {
    const known = tags.get(name) ?? [];
    if (tag !== undefined && !known.includes(tag)) known.push(tag);
    tags.set(name, known);
  }
  return tags;
}

/**
 * Where a service's version is not what ships: dist/base must render its image at exactly the
 * package version (ci/bake.sh tags the images with it). One line per mismatch.
 */
export async function pinMismatches(root: string, services: ServicePackage[]): Promise<string[]> {
  const rendered = await renderedTags(root);
  return services.flatMap((service) => {
    const tags = rendered.get(imageName(service.name)) ?? [];
    if (tags.length === 1 && tags[0] === service.version) return [];
    const shown = tags.join(',') || '(no tag)';
    return [
      `${PINNED_KUSTOMIZATION} renders ${imageName(service.name)}:${shown} but ${service.package} is ${service.version}`,
    ];
  });
}
