/** A kubernetes-models class: validates an object of one apiVersion/kind against its schema. */
export interface ModelClass {
  new (data: Record<string, unknown>): { validate(): void };
  apiVersion: string;
  kind: string;
}

/** Where a kind's schema comes from, which decides how strictly unknown fields are checked. */
export type ModelSource = 'kubernetes' | 'flux' | 'istio' | 'gateway-api';

/** The package holding a group's models, and its source. */
function modelPackage(group: string): { source: ModelSource; prefix: string } {
  if (group.endsWith('.toolkit.fluxcd.io'))
    return { source: 'flux', prefix: '@kubernetes-models/flux-cd/' };
  if (group.endsWith('.istio.io')) return { source: 'istio', prefix: '@kubernetes-models/istio/' };
  if (group === 'gateway.networking.k8s.io' || group === 'gateway.networking.x-k8s.io')
    return { source: 'gateway-api', prefix: '@kubernetes-models/gateway-api/' };
  return { source: 'kubernetes', prefix: 'kubernetes-models/' };
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const modules = new Map<string, Promise<Record<string, unknown> | undefined>>();

/**
 * A module's exports, once per process; undefined when it cannot be loaded, or for the bundle
 * when there is none (sources): a bundle that fails otherwise is a broken build, and says so.
 */
function importOnce(specifier: string): Promise<Record<string, unknown> | undefined> {
  let loading = modules.get(specifier);
  if (!loading) {
    loading = import(specifier).catch((error: NodeJS.ErrnoException) => {
      if (specifier !== MODELS_BUNDLE_FILE.href || error.code === 'ERR_MODULE_NOT_FOUND') {
        return undefined;
      }
      throw error;
    });
    modules.set(specifier, loading);
  }
  return loading;
}

/**
 * The model of `apiVersion`/`kind`. The packages offer no lookup by apiVersion and kind, so the
 * registry is their exports, matched by each class's static apiVersion and kind. The build's
 * bundle is read first, then the kind's own module (`kubernetes-models/apps/v1/Deployment`): a
 * whole group/version module carries every kind's compiled schema, and loading those dominated
 * a cold validation (core v1: 156 ms against 18 ms for Service alone). The group/version module
 * is the fallback.
 */
export async function findModel(
  apiVersion: string,
  kind: string,
): Promise<{ model: ModelClass; source: ModelSource } | undefined> {
  const module = kindModule(apiVersion, kind);
  if (!module) return undefined;
  for (const specifier of [MODELS_BUNDLE_FILE.href, module.kindSpecifier, module.specifier]) {
    const exports = specifier ? await importOnce(specifier) : undefined;
    const model = Object.values(exports ?? {}).find(
      (value) =>
        typeof value === 'function' &&
        (value as Partial<ModelClass>).apiVersion === apiVersion &&
        (value as Partial<ModelClass>).kind === kind,
    );
    if (model) return { model: model as ModelClass, source: module.source };
  }
  return undefined;
}

/** Where the model of apiVersion/kind would be: its own module, and its group/version module. */
export function kindModule(
  apiVersion: string,
  kind: string,
): { source: ModelSource; specifier: string; kindSpecifier: string | undefined } | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  if (!/^[a-z0-9.-]*$/.test(group) || !/^v\d+[a-z0-9]*$/.test(version)) return undefined;
  const owner = modelPackage(group);
  const specifier = `${owner.prefix}${group ? `${group}/` : ''}${version}`;
  return {
    source: owner.source,
    specifier,
    kindSpecifier: /^[A-Za-z0-9]+$/.test(kind) ? `${specifier}/${kind}` : undefined,
  };
}

/**
 * Written by the build next to this module: the models of RENDERED_KINDS in one file. Loading
 * them from their packages reads some 300 small modules (130 ms); the bundle takes 25 ms.
 * Tests run on sources, where there is none.
 */
export const MODELS_BUNDLE_FILE = new URL('./models-bundle.js', import.meta.url);

/**
 * The kinds this project's distributions and provider example render, in the order a
 * validation first needs them. SchemaValidator makes them ready in the background (CRD schemas
 * compiled, models and core field types loaded), so that their first use does not wait; a kind
 * missing here is still found, only later. A test keeps the list complete.
 */
export const RENDERED_KINDS: ReadonlyArray<readonly [apiVersion: string, kind: string]> = [
  ['flagger.app/v1beta1', 'Canary'],
  ['apps/v1', 'Deployment'],
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['v1', 'ServiceAccount'],
  ['flagger.app/v1beta1', 'MetricTemplate'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['v1', 'Namespace'],
  ['v1', 'Secret'],
  ['apps/v1', 'StatefulSet'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['networking.istio.io/v1', 'Gateway'],
  ['source.toolkit.fluxcd.io/v1', 'GitRepository'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization'],
];
