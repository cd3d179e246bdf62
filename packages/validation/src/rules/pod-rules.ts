import { asList, asNumber, asRecord, asString, at, fieldPath, selects } from '../access.js';
import { APP_PORT, SHUTDOWN_DEFAULTS_MS } from '../appdist-contract.js';
import { containerEnvironment } from '../container-env.js';
import { isAppService, isAppWorkload, namespaceOf, type Workload } from '../render.js';
import { finding, findingsOn, flag, type PolicyRule, type RuleFinding } from '../rule.js';

function podField(workload: Workload, ...rest: Array<string | number>): string {
  return fieldPath(...workload.podSpecPath, ...rest);
}

/** A pod-level setting, or the same setting on every container, satisfies `ok`. */
function podOrEveryContainer(
  workload: Workload,
  path: readonly string[],
  ok: (value: unknown) => boolean,
): boolean {
  if (ok(at(workload.podSpec.securityContext, ...path))) return true;
  return (
    workload.containers.length > 0 &&
    workload.containers.every((ref) => ok(at(ref.container.securityContext, ...path)))
  );
}

const POD_SECURITY: ReadonlyArray<[string, readonly string[], (value: unknown) => boolean]> = [
  ['runAsNonRoot: true', ['runAsNonRoot'], (value) => value === true],
  [
    'a numeric non-zero runAsUser',
    ['runAsUser'],
    (value) => Number.isInteger(value) && (value as number) > 0,
  ],
  [
    'seccompProfile: {type: RuntimeDefault}',
    ['seccompProfile', 'type'],
    (value) => value === 'RuntimeDefault',
  ],
];

export const podSecurityContext: PolicyRule = {
  id: 'pod.security-context',
  description: 'Pods run as a numeric non-root user with the RuntimeDefault seccomp profile.',
  check(render) {
    return render.workloads.flatMap((workload): RuleFinding[] => {
      const problems = POD_SECURITY.filter(
        ([, path, ok]) => !podOrEveryContainer(workload, path, ok),
      ).map(([needed]) => needed);
      if (problems.length === 0) return [];
      return flag(
        workload.object,
        podField(workload, 'securityContext'),
        `needs ${problems.join(', ')}`,
      );
    });
  },
};

function milliseconds(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) ? parsed : fallback;
}

export const podTerminationGrace: PolicyRule = {
  id: 'pod.termination-grace',
  description:
    'App pods sleep in preStop (endpoints update first), then drain; terminationGracePeriodSeconds exceeds preStop + (SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS) / 1000.',
  check(render) {
    return render.workloads.flatMap((workload): RuleFinding[] => {
      const app = isAppWorkload(workload);
      // Kubernetes' default when the field is absent.
      const grace = asNumber(workload.podSpec.terminationGracePeriodSeconds) ?? 30;
      return workload.containers.flatMap((ref): RuleFinding[] => {
        if (ref.init) return [];
        const sleep = asNumber(at(ref.container, 'lifecycle', 'preStop', 'sleep', 'seconds'));
        if (sleep === undefined) {
          if (!app) return [];
          return flag(
            workload.object,
            fieldPath(...ref.path, 'lifecycle', 'preStop'),
            `container ${ref.name} has no preStop sleep: requests still routed here fail while endpoints update`,
          );
        }
        const env = containerEnvironment(render, workload, ref.container);
        const delay = milliseconds(env.SHUTDOWN_DELAY_MS, SHUTDOWN_DEFAULTS_MS.SHUTDOWN_DELAY_MS);
        const timeout = milliseconds(
          env.SHUTDOWN_TIMEOUT_MS,
          SHUTDOWN_DEFAULTS_MS.SHUTDOWN_TIMEOUT_MS,
        );
        const needed = sleep + (app ? (delay + timeout) / 1000 : 0);
        if (grace > needed) return [];
        return [
          {
            object: workload.object,
            field: podField(workload, 'terminationGracePeriodSeconds'),
            message: app
              ? `is ${grace}s, not above preStop ${sleep}s + drain (${delay} + ${timeout}) ms = ${needed}s: the kubelet kills container ${ref.name} mid-drain`
              : `is ${grace}s, not above the ${sleep}s preStop sleep of container ${ref.name}`,
          },
        ];
      });
    });
  },
};

const PROMETHEUS_ANNOTATIONS = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(APP_PORT.number),
  'prometheus.io/path': '/metrics',
};

export const podPrometheusAnnotations: PolicyRule = {
  id: 'pod.prometheus-annotations',
  description:
    'App pods carry prometheus.io/scrape, port and path annotations, so any Prometheus scrapes what the metric templates query.',
  check(render) {
    return render.workloads.filter(isAppWorkload).flatMap((workload) =>
      Object.entries(PROMETHEUS_ANNOTATIONS)
        .filter(([key, value]) => workload.podAnnotations[key] !== value)
        .map(([key, value]) =>
          finding(
            workload.object,
            fieldPath('spec', 'template', 'metadata', 'annotations', key),
            `is ${JSON.stringify(workload.podAnnotations[key] ?? null)}, expected ${JSON.stringify(value)}`,
          ),
        ),
    );
  },
};

const SPREAD_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

export const podTopologySpread: PolicyRule = {
  id: 'pod.topology-spread',
  description:
    'App service replicas spread over hosts and zones (topologySpreadConstraints whose selectors match their own pods).',
  check(render) {
    return render.workloads.filter(isAppService).flatMap((workload): RuleFinding[] => {
      const constraints = asList(workload.podSpec.topologySpreadConstraints);
      const { list: findings, add } = findingsOn(workload.object);
      const keys = constraints.map((constraint) => asString(at(constraint, 'topologyKey')));
      const missing = SPREAD_KEYS.filter((key) => !keys.includes(key));
      if (missing.length > 0) {
        add(
          podField(workload, 'topologySpreadConstraints'),
          `no spread over ${missing.join(' and ')}`,
        );
      }
      constraints.forEach((constraint, index) => {
        if (!selects(at(constraint, 'labelSelector'), workload.podLabels)) {
          add(
            podField(workload, 'topologySpreadConstraints', index, 'labelSelector'),
            'does not select the pods it spreads',
          );
        }
      });
      return findings;
    });
  },
};

export const podServiceAccount: PolicyRule = {
  id: 'pod.service-account',
  description: 'Every workload runs as its own ServiceAccount, shipped in the same render.',
  check(render) {
    return render.workloads.flatMap((workload): RuleFinding[] => {
      const name = asString(workload.podSpec.serviceAccountName);
      if (!name) {
        return flag(
          workload.object,
          podField(workload, 'serviceAccountName'),
          'not set: the pod would run as the namespace default ServiceAccount',
        );
      }
      if (render.find('ServiceAccount', name, namespaceOf(workload.object))) return [];
      return flag(
        workload.object,
        podField(workload, 'serviceAccountName'),
        `ServiceAccount/${name} is not in this render`,
      );
    });
  },
};

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

export const podConfigRefs: PolicyRule = {
  id: 'pod.config-refs',
  description:
    'ConfigMaps a pod reads (envFrom, env, volumes) are in the same render unless optional; Secrets may come from the provider, but never miss a generated one by its hash suffix.',
  check(render) {
    return render.workloads.flatMap((workload) => {
      const namespace = namespaceOf(workload.object);
      return configReferences(workload).flatMap((ref): RuleFinding[] => {
        if (ref.optional || render.find(ref.kind, ref.name, namespace)) return [];
        if (ref.kind === 'ConfigMap') {
          return flag(workload.object, ref.field, `ConfigMap/${ref.name} is not in this render`);
        }
        // A Secret the provider creates (external-postgres, external-redis) is legitimately absent.
        const generated = render.hashedVariant('Secret', ref.name, namespace);
        if (!generated) return [];
        return flag(
          workload.object,
          ref.field,
          `Secret/${ref.name} does not exist, the generated one is ${generated}: reference it where kustomize rewrites names (envFrom, env, volumes of the same kustomization)`,
        );
      });
    });
  },
};

export const workloadLabels: PolicyRule = {
  id: 'workload.labels',
  description:
    "Pods carry app.kubernetes.io/name, component and part-of: appdist, and workloads select on app.kubernetes.io/name (Flagger's selector label).",
  check(render) {
    return render.workloads.flatMap((workload): RuleFinding[] => {
      const { list: findings, add } = findingsOn(workload.object);
      const missing = ['app.kubernetes.io/name', 'app.kubernetes.io/component'].filter(
        (key) => !workload.podLabels[key],
      );
      if (workload.podLabels['app.kubernetes.io/part-of'] !== 'appdist') {
        missing.push('app.kubernetes.io/part-of: appdist');
      }
      if (missing.length > 0) {
        add('spec.template.metadata.labels', `missing ${missing.join(', ')}`);
      }
      if (
        workload.object.kind !== 'Job' &&
        asString(
          at(workload.object, 'spec', 'selector', 'matchLabels', 'app.kubernetes.io/name'),
        ) === undefined
      ) {
        add('spec.selector.matchLabels', 'does not select on app.kubernetes.io/name');
      }
      return findings;
    });
  },
};
