import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { build } from '@appdist/kustomize/kustomize';

/** The kustomization whose `images:` block pins every tag; the distributions build on it. */
export const PINNED_KUSTOMIZATION = 'dist/base';

export interface ImageReference {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits `registry:5000/repo/name:tag@sha256:…` into name, tag and digest. */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  const named = at === -1 ? reference : reference.slice(0, at);
  // A colon after the last slash separates the tag; one before it is a registry port.
  const colon = named.lastIndexOf(':');
  const tagged = colon > named.lastIndexOf('/');
  return {
    name: tagged ? named.slice(0, colon) : named,
    tag: tagged ? named.slice(colon + 1) : undefined,
    digest,
  };
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

function collectImages(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectImages(item, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (CONTAINER_LISTS.has(key) && Array.isArray(child)) {
      for (const container of child) {
        const image: unknown =
          typeof container === 'object' && container !== null && 'image' in container
            ? container.image
            : undefined;
        if (typeof image === 'string') into.push(image);
      }
    } else {
      collectImages(child, into);
    }
  }
}

/** Every container image of the rendered objects, in render order. */
export function imagesOf(objects: readonly KubernetesObject[]): string[] {
  const images: string[] = [];
  for (const object of objects) collectImages(object, images);
  return images;
}

/**
 * The tags the kustomization in `dir` renders for each image name, rendered by real kustomize:
 * what providers get today, whatever mix of `images:` entries and patches produced it.
 */
export async function renderedTags(
  dir: string,
  env?: NodeJS.ProcessEnv,
): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>();
  for (const image of imagesOf(await build(dir, env ? { env } : {}))) {
    const { name, tag } = parseImageReference(image);
    const known = tags.get(name) ?? [];
    if (tag !== undefined && !known.includes(tag)) known.push(tag);
    tags.set(name, known);
  }
  return tags;
}
