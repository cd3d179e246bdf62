/**
 * What this repository contains: its services, the meshes it is distributed for (one
 * distribution each) and the options a provider composes in. Every list of services, meshes or
 * distributions in the tooling reads this one; the files that cannot read it (docker-bake.hcl,
 * .changeset/config.json, turbo.json, .github/workflows/e2e.yml) and the hand-written manifests
 * under dist/ are checked against it by `checkRepository` (packages/pipeline/src/catalogue-check.ts),
 * which names each missing piece.
 */

export const MESH_NAMES = ['kubernetes', 'istio', 'linkerd'] as const;
export type Mesh = (typeof MESH_NAMES)[number];

/** Flagger's four deployment strategies, named as the golden summaries print them. */
export type CanaryStrategy = 'canary' | 'ab' | 'blue-green' | 'mirror';

export interface ServiceEntry {
  /** The workspace `services/<name>` (`@appdist/<name>`), `dist/base/<name>` and the image name. */
  readonly name: string;
  /** Its port under `npm start` (in a cluster every service listens on 8080). */
  readonly localPort: number;
  /** The services it calls, by the variable that holds each one's URL. */
  readonly calls: Readonly<Record<string, string>>;
  /** The backing store it keeps its state in, if any (a workload of dist/base). */
  readonly store?: string;
  /** Rolled out by Flagger: the strategy its Canary uses in each mesh's distribution. */
  readonly canary?: Readonly<Record<Mesh, CanaryStrategy>>;
  /** Has a conformance suite (`packages/conformance/src/<name>-suite.ts`) the tester runs. */
  readonly conformance: boolean;
}

export const SERVICES = [
  {
    name: 'frontend',
    localPort: 8080,
    calls: { BACKEND_URL: 'backend' },
    canary: { kubernetes: 'blue-green', istio: 'ab', linkerd: 'canary' },
    conformance: true,
  },
  {
    name: 'backend',
    localPort: 8081,
    calls: { CACHE_SERVICE_URL: 'cache', DATABASE_SERVICE_URL: 'database' },
    canary: { kubernetes: 'blue-green', istio: 'canary', linkerd: 'canary' },
    conformance: true,
  },
  {
    name: 'cache',
    localPort: 8082,
    calls: {},
    store: 'redis',
    canary: { kubernetes: 'blue-green', istio: 'blue-green', linkerd: 'blue-green' },
    conformance: true,
  },
  {
    name: 'database',
    localPort: 8083,
    calls: {},
    store: 'postgres',
    canary: { kubernetes: 'blue-green', istio: 'mirror', linkerd: 'blue-green' },
    conformance: true,
  },
  {
    // Flagger's webhook target: it calls the canaries at the URLs their webhooks name.
    name: 'tester',
    localPort: 8090,
    calls: {},
    conformance: false,
  },
] as const satisfies readonly ServiceEntry[];

export type ServiceName = (typeof SERVICES)[number]['name'];
/** The services Flagger rolls out. */
export type CanaryService = Extract<(typeof SERVICES)[number], { canary: object }>['name'];
export type ConformanceService = Extract<(typeof SERVICES)[number], { conformance: true }>['name'];

export interface MeshEntry {
  readonly name: Mesh;
  /** The Canary `spec.provider` (Linkerd is driven through the Gateway API, not SMI). */
  readonly canaryProvider: string;
  /** Which of Flagger's kustomize overlays installs Flagger for it, and into which namespace. */
  readonly flagger: { readonly overlay: string; readonly namespace: string };
}

export const MESHES: readonly MeshEntry[] = [
  {
    name: 'kubernetes',
    canaryProvider: 'kubernetes',
    flagger: { overlay: 'kubernetes', namespace: 'flagger-system' },
  },
  {
    name: 'istio',
    canaryProvider: 'istio',
    flagger: { overlay: 'istio', namespace: 'istio-system' },
  },
  {
    name: 'linkerd',
    canaryProvider: 'gatewayapi:v1beta1',
    flagger: { overlay: 'linkerd', namespace: 'flagger-system' },
  },
];

/** The components under dist/components a provider may add to any distribution. */
export const PROVIDER_OPTIONS = [
  'manual-approval',
  'alerts-slack',
  'alerts-msteams',
  'external-postgres',
  'external-redis',
] as const;

/** Where the service images are published; `<registry>/<service>:<version>` is what dist/ pins. */
export const IMAGE_REGISTRY = 'ghcr.io/appdist';

/** The Kubernetes namespace the distributions deploy into. */
export const NAMESPACE = 'app';

export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((service) => service.name);

export const CANARY_SERVICES = SERVICES.flatMap((service) =>
  'canary' in service ? [service.name] : [],
) as readonly CanaryService[];

export const CONFORMANCE_SERVICES = SERVICES.flatMap((service) =>
  service.conformance ? [service.name] : [],
) as readonly ConformanceService[];

/** `app-kubernetes`, `app-istio`, `app-linkerd`: one distribution per mesh. */
export function distributionOf(mesh: Mesh): string {
  return `app-${mesh}`;
}

export const DISTRIBUTIONS: readonly string[] = MESH_NAMES.map(distributionOf);

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

export function serviceEntry(name: ServiceName): ServiceEntry {
  const entry = SERVICES.find((service) => service.name === name);
  if (!entry) throw new Error(`unknown service ${JSON.stringify(name)}`);
  return entry;
}

export function meshEntry(mesh: Mesh): MeshEntry {
  const entry = MESHES.find((candidate) => candidate.name === mesh);
  if (!entry) throw new Error(`unknown mesh ${JSON.stringify(mesh)}`);
  return entry;
}

/** The mesh a distribution folder targets (`app-istio` → `istio`). */
export function meshOfDistribution(distribution: string): Mesh | undefined {
  return MESH_NAMES.find((mesh) => distributionOf(mesh) === distribution);
}

/** The mesh a Canary's `provider` implies, for renders that are not one of the distributions. */
export function meshOfProvider(provider: string | undefined): Mesh | undefined {
  if (provider === undefined) return undefined;
  const exact = MESHES.find((mesh) => mesh.canaryProvider === provider);
  if (exact) return exact.name;
  if (provider === 'linkerd' || provider.startsWith('gatewayapi:') || provider.startsWith('smi:'))
    return 'linkerd';
  return undefined;
}

/** The image a release of the service is published as, without its tag. */
export function imageName(service: string): string {
  return `${IMAGE_REGISTRY}/${service}`;
}

/** `registry:5000/repo/name:tag@sha256:…` split into name, tag and digest. */
export function parseImageReference(reference: string): {
  name: string;
  tag?: string;
  digest?: string;
} {
  const [named = '', digest] = reference.split('@', 2);
  // A colon after the last slash separates the tag; one before it is a registry port.
  const [, name = named, tag] = /^(.*?)(?::([^:/]+))?$/.exec(named) ?? [];
  return { name, tag, digest };
}

/** A tag as Docker's reference grammar allows it (kustomize and Kind take the same). */
export function isImageTag(tag: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag);
}

/** The npm package of a service's workspace. */
export function packageName(service: string): string {
  return `@appdist/${service}`;
}

/**
 * Start order: groups that start together, each after every service the ones before it call is
 * ready (a stack stops in reverse). Derived from `calls`, so a new service needs no edit here.
 */
export function startOrder(services: readonly ServiceEntry[] = SERVICES): string[][] {
  const groups: string[][] = [];
  const started = new Set<string>();
  let pending = [...services];
  while (pending.length > 0) {
    const ready = pending.filter((service) =>
      Object.values(service.calls).every((callee) => started.has(callee)),
    );
    if (ready.length === 0) {
      throw new Error(
        `the services' calls form a cycle or name an unknown service: ${pending.map((service) => service.name).join(', ')}`,
      );
    }
    groups.push(ready.map((service) => service.name));
    for (const service of ready) started.add(service.name);
    pending = pending.filter((service) => !ready.includes(service));
  }
  return groups;
}
