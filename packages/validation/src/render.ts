import { CANARY_SERVICES, isServiceName } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { asList, asRecord, asString, asStringMap, at, selects } from './access.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

export interface ContainerRef {
  container: Record<string, unknown>;
  name: string;
  /** Path of the container inside its object, e.g. `spec.template.spec.containers[0]`. */
  path: Array<string | number>;
  init: boolean;
}

/** An object that runs pods, with its pod template pulled out. */
export interface Workload {
  object: KubernetesObject;
  /** The appdist role, from the `app.kubernetes.io/component` label (namePrefix leaves it alone). */
  component: string;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  podSpec: Record<string, unknown>;
  podSpecPath: string[];
  containers: ContainerRef[];
}

export function namespaceOf(object: KubernetesObject): string {
  return object.metadata.namespace ?? '';
}

function toWorkload(object: KubernetesObject): Workload | undefined {
  if (!WORKLOAD_KINDS.has(object.kind)) return undefined;
  const podSpecPath = ['spec', 'template', 'spec'];
  const podSpec = asRecord(at(object, ...podSpecPath)) ?? {};
  const podLabels = asStringMap(at(object, 'spec', 'template', 'metadata', 'labels'));
  const containers: ContainerRef[] = [];
  for (const [key, init] of [
    ['initContainers', true],
    ['containers', false],
  ] as const) {
    asList(podSpec[key]).forEach((container, index) => {
      const record = asRecord(container);
      if (!record) return;
      containers.push({
        container: record,
        name: asString(record.name) ?? `#${index}`,
        path: [...podSpecPath, key, index],
        init,
      });
    });
  }
  return {
    object,
    component:
      podLabels['app.kubernetes.io/component'] ??
      asStringMap(object.metadata.labels)['app.kubernetes.io/component'] ??
      object.metadata.name,
    podLabels,
    podAnnotations: asStringMap(at(object, 'spec', 'template', 'metadata', 'annotations')),
    podSpec,
    podSpecPath,
    containers,
  };
}

/** The objects of one render, indexed for the cross-reference checks. */
export class RenderIndex {
  readonly objects: readonly KubernetesObject[];
  readonly workloads: readonly Workload[];

  constructor(objects: readonly KubernetesObject[]) {
    this.objects = objects;
    this.workloads = objects.flatMap((object) => toWorkload(object) ?? []);
  }

  ofKind(kind: string): KubernetesObject[] {
    return this.objects.filter((object) => object.kind === kind);
  }

  find(kind: string, name: string, namespace: string): KubernetesObject | undefined {
    return this.objects.find(
      (object) =>
        object.kind === kind && object.metadata.name === name && namespaceOf(object) === namespace,
    );
  }

  /**
   * The name of a generated object (configMapGenerator, secretGenerator) that `name` would
   * have been before kustomize appended its content hash, when a reference missed the rename.
   */
  hashedVariant(kind: string, name: string, namespace: string): string | undefined {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`^${escaped}-[a-z0-9]{10}$`);
    return this.objects.find(
      (object) =>
        object.kind === kind &&
        namespaceOf(object) === namespace &&
        pattern.test(object.metadata.name),
    )?.metadata.name;
  }

  /** Workloads in `namespace` whose pods `selector` selects. */
  selectedWorkloads(selector: unknown, namespace: string): Workload[] {
    return this.workloads.filter(
      (workload) =>
        namespaceOf(workload.object) === namespace && selects(selector, workload.podLabels),
    );
  }

  /** The object `spec.targetRef` of a Canary names, when the render holds it. */
  canaryTarget(canary: KubernetesObject): KubernetesObject | undefined {
    const kind = asString(at(canary, 'spec', 'targetRef', 'kind')) ?? '';
    const name = asString(at(canary, 'spec', 'targetRef', 'name')) ?? '';
    return this.find(kind, name, namespaceOf(canary));
  }

  /** Workloads a Canary targets: Flagger owns their replicas and their Services. */
  canaryTargets(): Array<{ canary: KubernetesObject; workload: Workload }> {
    return this.ofKind('Canary').flatMap((canary) => {
      const target = this.canaryTarget(canary);
      const workload = this.workloads.find((candidate) => candidate.object === target);
      return workload ? [{ canary, workload }] : [];
    });
  }

  /** Every container (init containers too) with its workload. */
  containers(): Array<{ workload: Workload; ref: ContainerRef }> {
    return this.workloads.flatMap((workload) =>
      workload.containers.map((ref) => ({ workload, ref })),
    );
  }
}

/** A service Flagger rolls out. */
export function isAppService(workload: Workload): boolean {
  return (CANARY_SERVICES as readonly string[]).includes(workload.component);
}

/** A service of ours (on the shared runtime: health endpoints, drain, metrics on 8080). */
export function isAppWorkload(workload: Workload): boolean {
  return isServiceName(workload.component);
}
