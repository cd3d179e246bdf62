import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isRecord, type KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { build, buildYaml } from '@appdist/kustomize/kustomize';
import type { E2EDistribution } from './distributions.js';
import { chooseImage, E2E_SERVICES, type E2EImages, parseImageRef } from './images.js';

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
  /** Deployment name → image of its application container, as rendered. */
  deploymentImages: Record<string, string>;
  /** Istio: the host the public Gateway serves (the ingress smoke test sends it). */
  gatewayHost?: string;
}

function recordAt(value: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return isRecord(current) ? current : undefined;
}

function arrayAt(value: unknown, ...path: string[]): unknown[] {
  const parent = recordAt(value, ...path.slice(0, -1));
  const last = path.at(-1);
  const found = parent && last !== undefined ? parent[last] : undefined;
  return Array.isArray(found) ? found : [];
}

function stringAt(value: unknown, ...path: string[]): string | undefined {
  const parent = recordAt(value, ...path.slice(0, -1));
  const last = path.at(-1);
  const found = parent && last !== undefined ? parent[last] : undefined;
  return typeof found === 'string' ? found : undefined;
}

/** The container named like its Deployment, else the first: how the base names them. */
function applicationContainer(deployment: KubernetesObject): { name: string; image: string } {
  const containers = arrayAt(deployment, 'spec', 'template', 'spec', 'containers').filter(isRecord);
  const chosen =
    containers.find((container) => container.name === deployment.metadata.name) ?? containers[0];
  if (!chosen || typeof chosen.name !== 'string' || typeof chosen.image !== 'string') {
    throw new Error(`Deployment ${deployment.metadata.name} renders no container with an image`);
  }
  return { name: chosen.name, image: chosen.image };
}

function conformanceHook(canary: KubernetesObject, target: string): CanaryFacts['conformance'] {
  const hook = arrayAt(canary, 'spec', 'analysis', 'webhooks')
    .filter(isRecord)
    .find((webhook) => webhook.type === 'pre-rollout');
  const url = hook && typeof hook.url === 'string' ? hook.url : undefined;
  if (!hook || !url) {
    throw new Error(
      `Canary ${canary.metadata.name} renders no pre-rollout webhook to run conformance`,
    );
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(recordAt(hook, 'metadata') ?? {})) {
    if (typeof value === 'string') {
      metadata[key] = value.replace(`//${target}-canary.`, `//${target}-primary.`);
    }
  }
  return { url, metadata };
}

function serviceOrder(name: string): number {
  const index = (E2E_SERVICES as readonly string[]).indexOf(name);
  return index === -1 ? E2E_SERVICES.length : index;
}

/** The facts the steps need, read from the rendered objects rather than assumed. */
export function describeApp(
  objects: readonly KubernetesObject[],
): Omit<RenderedApp, 'overlayDir' | 'manifest' | 'images'> {
  const deployments = new Map(
    objects
      .filter((object) => object.kind === 'Deployment')
      .map((object) => [object.metadata.name, object]),
  );
  const deploymentImages: Record<string, string> = {};
  for (const [name, deployment] of deployments) {
    deploymentImages[name] = applicationContainer(deployment).image;
  }

  const canaries: CanaryFacts[] = objects
    .filter((object) => object.kind === 'Canary')
    .map((canary) => {
      const target = stringAt(canary, 'spec', 'targetRef', 'name');
      const deployment = target ? deployments.get(target) : undefined;
      if (!target || !deployment) {
        throw new Error(`Canary ${canary.metadata.name} targets no Deployment of the same render`);
      }
      const port = recordAt(canary, 'spec', 'service')?.port;
      if (typeof port !== 'number') {
        throw new Error(`Canary ${canary.metadata.name} has no spec.service.port`);
      }
      return {
        name: canary.metadata.name,
        target,
        provider: stringAt(canary, 'spec', 'provider'),
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
  const gatewayServer = gateway ? arrayAt(gateway, 'spec', 'servers').find(isRecord) : undefined;
  const gatewayHost = gatewayServer
    ? arrayAt(gatewayServer, 'hosts').find((host) => typeof host === 'string')
    : undefined;

  const namespace = objects.find((object) => object.kind === 'Canary')?.metadata.namespace;
  return {
    namespace: namespace ?? 'default',
    canaries,
    plainWorkloads,
    deploymentImages,
    ...(typeof gatewayHost === 'string' ? { gatewayHost } : {}),
  };
}

function yamlString(value: string): string {
  // JSON strings are YAML double-quoted scalars: no value can change meaning.
  return JSON.stringify(value);
}

/**
 * The temporary overlay: the distribution as a resource and one `images:` entry per service,
 * keyed by the name the distribution renders (so a renamed registry still matches).
 */
export function overlayKustomization(
  distDir: string,
  overlayDir: string,
  currentImages: Record<string, string>,
  images: E2EImages,
  dist: E2EDistribution,
): string {
  const lines = [
    `# Written by the appdist e2e harness: ${dist} with the images built for this run.`,
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    `  - ${yamlString(relative(overlayDir, distDir))}`,
    'images:',
  ];
  for (const service of E2E_SERVICES) {
    const current = currentImages[service];
    if (!current) throw new Error(`${dist} renders no Deployment ${service}`);
    const wanted = parseImageRef(images[service]);
    lines.push(`  - name: ${yamlString(parseImageRef(current).name)}`);
    lines.push(`    newName: ${yamlString(wanted.name)}`);
    if (wanted.tag !== undefined) lines.push(`    newTag: ${yamlString(wanted.tag)}`);
    if (wanted.digest !== undefined) lines.push(`    digest: ${yamlString(wanted.digest)}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface RenderOptions {
  distDir: string;
  dist: E2EDistribution;
  /** Images given per service; the others keep the distribution's image (with `tag`, if set). */
  images: Partial<E2EImages>;
  tag?: string;
  /** The run's folder; the overlay and the rendered manifest are written under it. */
  workDir: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Renders the distribution with the local images through a temporary overlay (never by
 * editing image lines), writes the YAML the run applies, and checks every service's image.
 */
export async function renderApp(options: RenderOptions): Promise<RenderedApp> {
  const buildOptions = options.env ? { env: options.env } : {};
  const original = describeApp(await build(options.distDir, buildOptions));
  const images = {} as E2EImages;
  for (const service of E2E_SERVICES) {
    const pinned = original.deploymentImages[service];
    if (!pinned) throw new Error(`${options.dist} renders no Deployment ${service}`);
    images[service] = chooseImage(pinned, options.images[service], options.tag);
  }
  const overlayDir = join(options.workDir, 'overlay');
  await mkdir(overlayDir, { recursive: true });
  await writeFile(
    join(overlayDir, 'kustomization.yaml'),
    overlayKustomization(
      options.distDir,
      overlayDir,
      original.deploymentImages,
      images,
      options.dist,
    ),
  );

  const manifest = join(options.workDir, 'rendered', `${options.dist}.yaml`);
  await mkdir(join(options.workDir, 'rendered'), { recursive: true });
  await writeFile(manifest, await buildYaml(overlayDir, buildOptions));
  const app = describeApp(await build(overlayDir, buildOptions));
  for (const service of E2E_SERVICES) {
    if (app.deploymentImages[service] !== images[service]) {
      throw new Error(
        `the overlay renders ${service} with ${app.deploymentImages[service] ?? 'no image'}, not ${images[service]}`,
      );
    }
  }
  if (app.canaries.length === 0) throw new Error(`${options.dist} renders no Canary`);
  return { ...app, overlayDir, manifest, images };
}
