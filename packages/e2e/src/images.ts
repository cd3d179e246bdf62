import {
  isImageTag,
  isServiceName,
  parseImageReference,
  SERVICE_NAMES,
  type ServiceName,
} from '@appdist/catalogue';

/** The image each service runs: all are built locally and loaded into Kind (the stores are pulled). */
export type E2EImages = Record<ServiceName, string>;

/** An image reference split as kustomize's `images:` entries want it. */
export function parseImageRef(ref: string): { name: string; tag?: string; digest?: string } {
  const quoted = JSON.stringify(ref);
  if (/\s/.test(ref)) throw new Error(`image ${quoted} contains whitespace`);
  const { name, tag, digest } = parseImageReference(ref);
  // A second `@` is beyond what parseImageReference keeps: never a valid digest.
  if (
    ref.split('@').length > 2 ||
    (digest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(digest))
  ) {
    throw new Error(`image ${quoted}: a digest must be @sha256:<64 hex digits>`);
  }
  if (!name) throw new Error(`image ${quoted} has no name`);
  if (tag !== undefined && !isImageTag(tag)) {
    throw new Error(`image ${quoted}: invalid tag ${JSON.stringify(tag)}`);
  }
  // An untagged image means `latest`, and Kind would try to pull it instead of using the loaded one.
  if (tag === undefined && digest === undefined) {
    throw new Error(`image ${quoted} needs a tag (or a digest): a loaded image is found by it`);
  }
  return { name, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `service=image` pairs (the CLI's repeated --image): each names a service and a valid reference. */
export function imageOverrides(pairs: readonly string[]): Partial<E2EImages> {
  const images: Partial<E2EImages> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    const [service, ref] = [pair.slice(0, separator), pair.slice(separator + 1)];
    if (separator <= 0) {
      throw new Error(
        `--image ${JSON.stringify(pair)}: write it as <service>=<image>, e.g. backend=localhost:5000/appdist/backend:pr-42`,
      );
    }
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
  if (!isImageTag(tag)) throw new Error(`tag ${JSON.stringify(tag)} is not a valid image tag`);
  return tag;
}

/**
 * A second tag of the same image, for the "good release" of a service: the content is the
 * same, but the pod template changes exactly as a release with a new image tag changes it.
 */
export function releaseImage(ref: string): string {
  const parsed = parseImageRef(ref);
  return `${parsed.name}:${parsed.tag ?? 'e2e'}-release2`;
}
