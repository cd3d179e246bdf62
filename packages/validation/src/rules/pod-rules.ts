import { asList, asNumber, asRecord, asString, at, fieldPath, selects } from '../access.js';
import { APP_PORT, SHUTDOWN_DEFAULTS_MS } from '../appdist-contract.js';
import { containerEnvironment } from '../container-env.js';
import { isAppService, isAppWorkload, namespaceOf, type Workload } from '../render.js';
import { type RuleTable, reportUnexpected } from '../rule.js';

function podField(workload: Workload, ...rest: Array<string | number>): string {
  return fieldPath(...workload.podSpecPath, ...rest);
}

function milliseconds(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) ? parsed : fallback;
}

const PROMETHEUS_ANNOTATIONS = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(APP_PORT.number),
  'prometheus.io/path': '/metrics',
};

const SPREAD_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

interface ConfigReference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  optional: boolean;
  field: string;
}

function configReferences(workload: Workload): ConfigReference[] {
  const places: Array<[ConfigReference['kind'], Array<string | number>]> = [];
  for (const { container, path } of workload.containers) {
    asList(container.envFrom).forEach((_, index) => {
      const source = [...path, 'envFrom', index];
      places.push(['ConfigMap', [...source, 'configMapRef']], ['Secret', [...source, 'secretRef']]);
    });
    asList(container.env).forEach((_, index) => {
      const from = [...path, 'env', index, 'valueFrom'];
      places.push(
        ['ConfigMap', [...from, 'configMapKeyRef']],
        ['Secret', [...from, 'secretKeyRef']],
      );
    });
  }
  asList(workload.podSpec.volumes).forEach((_, index) => {
    const volume = [...workload.podSpecPath, 'volumes', index];
    places.push(['ConfigMap', [...volume, 'configMap']], ['Secret', [...volume, 'secret']]);
  });
  return places.flatMap(([kind, segments]) => {
    const ref = asRecord(at(workload.object, ...segments));
    // A Secret volume names it secretName.
    const name = asString(ref?.name ?? ref?.secretName);
    if (!name) return [];
    return [{ kind, name, optional: ref?.optional === true, field: fieldPath(...segments) }];
  });
}

export const RULES: RuleTable = {
  /**
   * App pods sleep in preStop (endpoints update first), then drain; terminationGracePeriodSeconds
   * exceeds preStop + (SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS) / 1000.
   */
  'pod.termination-grace'(render, report) {
    for (const { workload, ref } of render.containers()) {
      if (ref.init) continue;
      const app = isAppWorkload(workload);
      // Kubernetes' default when the field is absent.
      const grace = asNumber(workload.podSpec.terminationGracePeriodSeconds) ?? 30;
      const sleep = asNumber(at(ref.container, 'lifecycle', 'preStop', 'sleep', 'seconds'));
      if (sleep === undefined) {
        if (!app) continue;
        report(
          workload.object,
          fieldPath(...ref.path, 'lifecycle', 'preStop'),
          `container ${ref.name} has no preStop sleep: requests still routed here fail while endpoints update`,
        );
        continue;
      }
      const env = containerEnvironment(render, workload, ref.container);
      const delay = milliseconds(env.SHUTDOWN_DELAY_MS, SHUTDOWN_DEFAULTS_MS.SHUTDOWN_DELAY_MS);
      const timeout = milliseconds(
        env.SHUTDOWN_TIMEOUT_MS,
        SHUTDOWN_DEFAULTS_MS.SHUTDOWN_TIMEOUT_MS,
      );
      const needed = sleep + (app ? (delay + timeout) / 1000 : 0);
      if (grace > needed) continue;
      report(
        workload.object,
        podField(workload, 'terminationGracePeriodSeconds'),
        app
          ? `is ${grace}s, not above preStop ${sleep}s + drain (${delay} + ${timeout}) ms = ${needed}s: the kubelet kills container ${ref.name} mid-drain`
          : `is ${grace}s, not above the ${sleep}s preStop sleep of container ${ref.name}`,
      );
    }
  },
  /**
   * App pods carry prometheus.io/scrape, port and path annotations, so any Prometheus scrapes what
   * the metric templates query.
   */
  'pod.prometheus-annotations'(render, report) {
    for (const workload of render.workloads.filter(isAppWorkload)) {
      const annotations = ['spec', 'template', 'metadata', 'annotations'];
      reportUnexpected(report, workload.object, annotations, PROMETHEUS_ANNOTATIONS);
    }
  },
  /**
   * App service replicas spread over hosts and zones (topologySpreadConstraints whose selectors
   * match their own pods).
   */
  'pod.topology-spread'(render, report) {
    for (const workload of render.workloads.filter(isAppService)) {
      const constraints = asList(workload.podSpec.topologySpreadConstraints);
      const keys = constraints.map((constraint) => asString(at(constraint, 'topologyKey')));
      const missing = SPREAD_KEYS.filter((key) => !keys.includes(key));
      const field = (...rest: Array<string | number>) =>
        podField(workload, 'topologySpreadConstraints', ...rest);
      if (missing.length > 0) {
        report(workload.object, field(), `no spread over ${missing.join(' and ')}`);
      }
      constraints.forEach((constraint, index) => {
        if (selects(at(constraint, 'labelSelector'), workload.podLabels)) return;
        const message = 'does not select the pods it spreads';
        report(workload.object, field(index, 'labelSelector'), message);
      });
    }
  },
  /** Every workload runs as its own ServiceAccount, shipped in the same render. */
  'pod.service-account'(render, report) {
    for (const workload of render.workloads) {
      const name = asString(workload.podSpec.serviceAccountName);
      const field = podField(workload, 'serviceAccountName');
      if (!name) {
        const message = 'not set: the pod would run as the namespace default ServiceAccount';
        report(workload.object, field, message);
      } else if (!render.find('ServiceAccount', name, namespaceOf(workload.object))) {
        report(workload.object, field, `ServiceAccount/${name} is not in this render`);
      }
    }
  },
  /**
   * ConfigMaps a pod reads (envFrom, env, volumes) are in the same render unless optional; Secrets
   * may come from the provider, but never miss a generated one by its hash suffix.
   */
  'pod.config-refs'(render, report) {
    for (const workload of render.workloads) {
      const namespace = namespaceOf(workload.object);
      for (const ref of configReferences(workload)) {
        if (ref.optional || render.find(ref.kind, ref.name, namespace)) continue;
        // A Secret the provider creates (external-postgres, external-redis) is legitimately absent.
        const generated = render.hashedVariant('Secret', ref.name, namespace);
        if (ref.kind === 'ConfigMap') {
          report(workload.object, ref.field, `ConfigMap/${ref.name} is not in this render`);
        } else if (generated) {
          report(
            workload.object,
            ref.field,
            `Secret/${ref.name} does not exist, the generated one is ${generated}: reference it where kustomize rewrites names (envFrom, env, volumes of the same kustomization)`,
          );
        }
      }
    }
  },
};
