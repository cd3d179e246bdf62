import { isServiceName, SERVICE_NAMES, type ServiceName } from '@appdist/catalogue';

/** The image each service runs: all are built locally and loaded into Kind (the stores are pulled). */
export type E2EImages = Record<ServiceName, string>;

/** An image reference split as kustomize's `images:` entries want it. */
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** `name[:tag][@sha256:digest]`, where a ':' before the last '/' belongs to a registry port. */
const REFERENCE = /^(?<name>[^@]*?)(?::(?<tag>[^:/@]*))?(?:@(?<digest>.*))?$/;

export function parseImageRef(ref: string): ImageRef {
  const quoted = JSON.stringify(ref);
  if (/\s/.test(ref)) throw new Error(`image ${quoted} contains whitespace`);
  const { name, tag, digest } = REFERENCE.exec(ref)?.groups ?? {};
  if (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`image ${quoted}: a digest must be @sha256:<64 hex digits>`);
  }
  if (!name) throw new Error(`image ${quoted} has no name`);
  if (tag !== undefined && !TAG.test(tag)) {
    throw new Error(`image ${quoted}: invalid tag ${JSON.stringify(tag)}`);
  }
  // An untagged image means `latest`, and Kind would try to pull it instead of using the loaded one.
  if (tag === undefined && digest === undefined) {
    throw new Error(`image ${quoted} needs a tag (or a digest): a loaded image is found by it`);
  }
  return { name, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** Checks each reference and that it names one of the services. */
export function imageOverrides(overrides: Partial<Record<string, string>>): Partial<E2EImages> {
  const images: Partial<E2EImages> = {};
  for (const [service, ref] of Object.entries(overrides)) {
    if (ref === undefined) continue;
    if (!isServiceName(service)) {
      throw new Error(
        `images: unknown service ${JSON.stringify(service)}: use ${SERVICE_NAMES.join(', ')}`,
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
