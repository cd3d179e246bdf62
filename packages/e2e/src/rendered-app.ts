import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseImageReference, SERVICE_NAMES } from '@appdist/catalogue';
import { isRecord } from '@appdist/catalogue/repository';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { buildYaml, parseObjects } from '@appdist/kustomize/kustomize';
import { stringify } from 'yaml';
import { checkTag, type E2EImages, parseImageRef } from './images.js';
import type { PlanOptions } from './plan.js';

/** A Canary as the run needs it: what it targets and how Flagger calls its conformance hook. */
export interface CanaryFacts {
  name: string;
  /** targetRef.name: the Deployment Flagger copies to `<target>-primary`. */
  target: string;
  /** The target's application container (the one `kubectl set env|image` changes). */
  container: string;
  /** spec.provider, which must match the provider Flagger was installed with. */
  provider: string | undefined;
  /** spec.service.port: the port of `<name>`, `<name>-primary` and `<name>-canary`. */
  port: number;
  conformance: {
    /** The hook as Flagger calls it, e.g. `http://tester.app/hooks/conformance`. */
    url: string;
    /**
     * The hook's metadata, with the canary address turned into the primary's: after
     * initialisation Flagger scales the canary Deployment to zero, so `<target>-canary` has no
     * endpoints until a release starts, while the primary runs the same build.
     */
    metadata: Record<string, string>;
  };
}

export interface RenderedApp {
  /** The image each service runs in this run (and that the overlay pins). */
  images: E2EImages;
  /** The namespace the Canaries live in (`app`). */
  namespace: string;
  /** The temporary overlay: the distribution plus an `images:` block with the local tags. */
  overlayDir: string;
  /** What the run applies: the overlay as kustomize renders it. */
  manifest: string;
  canaries: CanaryFacts[];
  /** Deployments and StatefulSets no Canary targets (tester, redis, postgres): waited on with rollout status. */
  plainWorkloads: Array<{ kind: 'Deployment' | 'StatefulSet'; name: string }>;
  /** Istio: the host the public Gateway serves (the ingress smoke test sends it). */
  gatewayHost?: string;
}

/** The value at `path` in a rendered object, undefined where a step of the path is missing. */
function at(value: unknown, ...path: string[]): unknown {
  return path.reduce((current, key) => (isRecord(current) ? current[key] : undefined), value);
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** The container named like its Deployment, else the first: how the base names them. */
function applicationContainer(deployment: KubernetesObject): { name: string; image: string } {
  const containers = records(at(deployment, 'spec', 'template', 'spec', 'containers'));
  const chosen =
    containers.find((container) => container.name === deployment.metadata.name) ?? containers[0];
  if (typeof chosen?.name !== 'string' || typeof chosen.image !== 'string') {
    throw new Error(`Deployment ${deployment.metadata.name} renders no container with an image`);
  }
  return { name: chosen.name, image: chosen.image };
}

function conformanceHook(canary: KubernetesObject, target: string): CanaryFacts['conformance'] {
  const hook = records(at(canary, 'spec', 'analysis', 'webhooks')).find(
    (webhook) => webhook.type === 'pre-rollout',
  );
  if (typeof hook?.url !== 'string') {
    throw new Error(
      `Canary ${canary.metadata.name} renders no pre-rollout webhook to run conformance`,
    );
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(isRecord(hook.metadata) ? hook.metadata : {})) {
    if (typeof value === 'string') {
      metadata[key] = value.replace(`//${target}-canary.`, `//${target}-primary.`);
    }
  }
  return { url: hook.url, metadata };
}

function serviceOrder(name: string): number {
  const index = (SERVICE_NAMES as readonly string[]).indexOf(name);
  return index === -1 ? SERVICE_NAMES.length : index;
}

/** The facts the steps need, read from the rendered objects rather than assumed. */
function describeApp(objects: readonly KubernetesObject[]) {
  const deployments = new Map(
    objects
      .filter((object) => object.kind === 'Deployment')
      .map((object) => [object.metadata.name, object]),
  );

  const canaries: CanaryFacts[] = objects
    .filter((object) => object.kind === 'Canary')
    .map((canary) => {
      const target = at(canary, 'spec', 'targetRef', 'name');
      const deployment = typeof target === 'string' ? deployments.get(target) : undefined;
      if (typeof target !== 'string' || !deployment) {
        throw new Error(`Canary ${canary.metadata.name} targets no Deployment of the same render`);
      }
      const port = at(canary, 'spec', 'service', 'port');
      if (typeof port !== 'number') {
        throw new Error(`Canary ${canary.metadata.name} has no spec.service.port`);
      }
      const provider = at(canary, 'spec', 'provider');
      return {
        name: canary.metadata.name,
        target,
        provider: typeof provider === 'string' ? provider : undefined,
        port,
        container: applicationContainer(deployment).name,
        conformance: conformanceHook(canary, target),
      };
    })
    .sort((a, b) => serviceOrder(a.name) - serviceOrder(b.name) || a.name.localeCompare(b.name));

  const targets = new Set(canaries.map((canary) => canary.target));
  const plainWorkloads = objects
    .filter(
      (object): object is KubernetesObject & { kind: 'Deployment' | 'StatefulSet' } =>
        (object.kind === 'Deployment' || object.kind === 'StatefulSet') &&
        !targets.has(object.metadata.name),
    )
    .map((object) => ({ kind: object.kind, name: object.metadata.name }));

  const gateway = objects.find(
    (object) => object.kind === 'Gateway' && object.apiVersion.startsWith('networking.istio.io/'),
  );
  const [server] = records(at(gateway, 'spec', 'servers'));
  const hosts = at(server, 'hosts');
  const gatewayHost = Array.isArray(hosts)
    ? hosts.find((host) => typeof host === 'string')
    : undefined;

  const namespace = objects.find((object) => object.kind === 'Canary')?.metadata.namespace;
  return {
    namespace: namespace ?? 'default',
    canaries,
    plainWorkloads,
    deployments,
    ...(typeof gatewayHost === 'string' && { gatewayHost }),
  };
}

/** The image of each service's Deployment in a render. */
function deploymentImages(
  dist: string,
  deployments: ReadonlyMap<string, KubernetesObject>,
): E2EImages {
  const images = {} as E2EImages;
  for (const service of SERVICE_NAMES) {
    const deployment = deployments.get(service);
    if (!deployment) throw new Error(`${dist} renders no Deployment ${service}`);
    images[service] = applicationContainer(deployment).image;
  }
  return images;
}

/**
 * The temporary overlay: the distribution as a resource and an `images:` entry for each service
 * given an image (or, with `tag`, for every other one), keyed by the name the distribution
 * renders (so a dist/ pinning another registry still matches); the rest keep what dist/ pins,
 * which is what `bash ci/bake.sh kind --load` builds by default.
 */
function overlayKustomization(
  options: PlanOptions,
  distDir: string,
  overlayDir: string,
  pinned: E2EImages,
): string {
  const images = SERVICE_NAMES.flatMap((service): Record<string, string | undefined>[] => {
    const given = options.images?.[service];
    const { name } = parseImageReference(pinned[service]);
    if (given === undefined)
      return options.tag === undefined ? [] : [{ name, newTag: checkTag(options.tag) }];
    const { name: newName, tag: newTag, digest } = parseImageRef(given);
    return [{ name, newName, newTag, digest }];
  });
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [relative(overlayDir, distDir)],
    images,
  };
  // Double-quoted scalars: no image name or tag can change meaning as YAML.
  const yaml = stringify(kustomization, {
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
  });
  return `# Written by the appdist e2e harness: ${options.dist} with the images built for this run.\n${yaml}`;
}

/**
 * Renders the distribution with the local images through a temporary overlay (never by
 * editing image lines), writes the YAML the run applies, and checks every service's image.
 */
export async function renderApp(options: PlanOptions, workDir: string): Promise<RenderedApp> {
  const { dist } = options;
  const env = { env: options.env };
  const overlayDir = join(workDir, 'overlay');
  const distDir = join(options.root, 'dist', dist);
  await mkdir(overlayDir, { recursive: true });
  const pinned = deploymentImages(
    dist,
    describeApp(parseObjects(await buildYaml(distDir, env), distDir)).deployments,
  );
  const overlay = overlayKustomization(options, distDir, overlayDir, pinned);
  await writeFile(join(overlayDir, 'kustomization.yaml'), overlay);
  const manifest = join(workDir, 'rendered', `${dist}.yaml`);
  await mkdir(join(workDir, 'rendered'), { recursive: true });
  const yaml = await buildYaml(overlayDir, env);
  await writeFile(manifest, yaml);
  const { deployments, ...app } = describeApp(parseObjects(yaml, overlayDir));
  const images = deploymentImages(dist, deployments);
  for (const service of SERVICE_NAMES) {
    const tagged = `${parseImageReference(pinned[service]).name}:${options.tag}`;
    const wanted =
      options.images?.[service] ?? (options.tag === undefined ? pinned[service] : tagged);
    if (images[service] !== wanted) {
      throw new Error(`the overlay renders ${service} with ${images[service]}, not ${wanted}`);
    }
  }
  if (app.canaries.length === 0) throw new Error(`${dist} renders no Canary`);
  return { ...app, overlayDir, manifest, images };
}
