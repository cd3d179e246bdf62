/** The services whose images are built locally and loaded into Kind (redis and postgres are pulled). */
export const E2E_SERVICES = ['frontend', 'backend', 'cache', 'database', 'tester'] as const;
export type E2EService = (typeof E2E_SERVICES)[number];

export type E2EImages = Record<E2EService, string>;

export function isE2EService(value: string): value is E2EService {
  return (E2E_SERVICES as readonly string[]).includes(value);
}

/** An image reference split as kustomize's `images:` entries want it. */
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function parseImageRef(ref: string): ImageRef {
  if (/\s/.test(ref)) throw new Error(`image ${JSON.stringify(ref)} contains whitespace`);
  const [withoutDigest = '', digest, extra] = ref.split('@');
  if (extra !== undefined || (digest !== undefined && !DIGEST.test(digest))) {
    throw new Error(`image ${JSON.stringify(ref)}: a digest must be @sha256:<64 hex digits>`);
  }
  // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > withoutDigest.lastIndexOf('/');
  const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
  if (!name) throw new Error(`image ${JSON.stringify(ref)} has no name`);
  if (tag !== undefined && !TAG.test(tag)) {
    throw new Error(`image ${JSON.stringify(ref)}: invalid tag ${JSON.stringify(tag)}`);
  }
  if (tag === undefined && digest === undefined) {
    // An untagged image means `latest`, and Kind would try to pull it instead of using the loaded one.
    throw new Error(
      `image ${JSON.stringify(ref)} needs a tag (or a digest): a loaded image is found by it`,
    );
  }
  return {
    name,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Checks each reference and that it names one of the services. */
export function imageOverrides(
  overrides: Partial<Record<string, string>> = {},
): Partial<E2EImages> {
  const images: Partial<E2EImages> = {};
  for (const [service, ref] of Object.entries(overrides)) {
    if (ref === undefined) continue;
    if (!isE2EService(service)) {
      throw new Error(
        `images: unknown service ${JSON.stringify(service)}: use ${E2E_SERVICES.join(', ')}`,
      );
    }
    parseImageRef(ref);
    images[service] = ref;
  }
  return images;
}

export function checkTag(tag: string): string {
  if (!TAG.test(tag)) throw new Error(`tag ${JSON.stringify(tag)} is not a valid image tag`);
  return tag;
}

/**
 * The image a service runs in this run: the one given for it; else the distribution's own
 * image with `tag` (as docker-bake.hcl's TAG retags every service); else exactly what the
 * distribution pins, which is what `docker buildx bake kind --load` builds by default (each
 * service's version).
 */
export function chooseImage(
  pinned: string,
  given: string | undefined,
  tag: string | undefined,
): string {
  if (given !== undefined) return given;
  if (tag !== undefined) return `${parseImageRef(pinned).name}:${checkTag(tag)}`;
  return pinned;
}

/**
 * A second tag of the same image, for the "good release" of a service: the content is the
 * same, but the pod template changes exactly as a release with a new image tag changes it.
 */
export function releaseImage(ref: string): string {
  const parsed = parseImageRef(ref);
  return `${parsed.name}:${parsed.tag ?? 'e2e'}-release2`;
}
