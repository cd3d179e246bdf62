import { asList, asNumber, asRecord, asString, at, fieldPath, selects } from '../access.js';
import { APP_PORT, SHUTDOWN_DEFAULTS_MS } from '../appdist-contract.js';
import { containerEnvironment } from '../container-env.js';
import { isAppService, isAppWorkload, namespaceOf, type Workload } from '../render.js';
import { finding, flag, type PolicyRule, type RuleFinding } from '../rule.js';

function podField(workload: Workload, ...rest: Array<string | number>): string {
  return fieldPath(...workload.podSpecPath, ...rest);
}

/** A pod-level setting, or the same setting on every container, satisfies `ok`. */
function podOrEveryContainer(
  workload: Workload,
  read: (context: unknown) => unknown,
  ok: (value: unknown) => boolean,
): boolean {
  if (ok(read(workload.podSpec.securityContext))) return true;
  return (
    workload.containers.length > 0 &&
    workload.containers.every((ref) => ok(read(ref.container.securityContext)))
  );
}

export const podSecurityContext: PolicyRule = {
  id: 'pod.security-context',
  description: 'Pods run as a numeric non-root user with the RuntimeDefault seccomp profile.',
  check(render) {
    return render.workloads.flatMap((workload): RuleFinding[] => {
      const problems: string[] = [];
      if (
        !podOrEveryContainer(
          workload,
          (c) => at(c, 'runAsNonRoot'),
          (v) => v === true,
        )
      )
        problems.push('runAsNonRoot: true');
      const numericUser = (value: unknown) => {
        const user = asNumber(value);
        return user !== undefined && Number.isInteger(user) && user > 0;
      };
      if (!podOrEveryContainer(workload, (c) => at(c, 'runAsUser'), numericUser))
        problems.push('a numeric non-zero runAsUser');
      if (
        !podOrEveryContainer(
          workload,
          (c) => at(c, 'seccompProfile', 'type'),
          (v) => v === 'RuntimeDefault',
        )
      )
        problems.push('seccompProfile: {type: RuntimeDefault}');
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
      const findings: RuleFinding[] = [];
      const keys = constraints.map((constraint) => asString(at(constraint, 'topologyKey')));
      const missing = SPREAD_KEYS.filter((key) => !keys.includes(key));
      if (missing.length > 0) {
        findings.push(
          finding(
            workload.object,
            podField(workload, 'topologySpreadConstraints'),
            `no spread over ${missing.join(' and ')}`,
          ),
        );
      }
      constraints.forEach((constraint, index) => {
        if (!selects(at(constraint, 'labelSelector'), workload.podLabels)) {
          findings.push(
            finding(
              workload.object,
              podField(workload, 'topologySpreadConstraints', index, 'labelSelector'),
              'does not select the pods it spreads',
            ),
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
  const references: ConfigReference[] = [];
  const add = (kind: ConfigReference['kind'], ref: unknown, field: string) => {
    const name = asString(at(ref, 'name'));
    if (name) references.push({ kind, name, optional: at(ref, 'optional') === true, field });
  };
  for (const { container, path } of workload.containers) {
    asList(container.envFrom).forEach((source, index) => {
      add(
        'ConfigMap',
        at(source, 'configMapRef'),
        fieldPath(...path, 'envFrom', index, 'configMapRef'),
      );
      add('Secret', at(source, 'secretRef'), fieldPath(...path, 'envFrom', index, 'secretRef'));
    });
    asList(container.env).forEach((variable, index) => {
      const base = [...path, 'env', index, 'valueFrom'];
      add(
        'ConfigMap',
        at(variable, 'valueFrom', 'configMapKeyRef'),
        fieldPath(...base, 'configMapKeyRef'),
      );
      add('Secret', at(variable, 'valueFrom', 'secretKeyRef'), fieldPath(...base, 'secretKeyRef'));
    });
  }
  asList(workload.podSpec.volumes).forEach((volume, index) => {
    const configMap = asRecord(at(volume, 'configMap'));
    if (configMap) add('ConfigMap', configMap, podField(workload, 'volumes', index, 'configMap'));
    const secret = asRecord(at(volume, 'secret'));
    if (secret) {
      add(
        'Secret',
        { name: secret.secretName, optional: secret.optional },
        podField(workload, 'volumes', index, 'secret'),
      );
    }
  });
  return references;
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
      const findings: RuleFinding[] = [];
      const missing = ['app.kubernetes.io/name', 'app.kubernetes.io/component'].filter(
        (key) => !workload.podLabels[key],
      );
      if (workload.podLabels['app.kubernetes.io/part-of'] !== 'appdist') {
        missing.push('app.kubernetes.io/part-of: appdist');
      }
      if (missing.length > 0) {
        findings.push(
          finding(
            workload.object,
            'spec.template.metadata.labels',
            `missing ${missing.join(', ')}`,
          ),
        );
      }
      if (
        workload.object.kind !== 'Job' &&
        asString(
          at(workload.object, 'spec', 'selector', 'matchLabels', 'app.kubernetes.io/name'),
        ) === undefined
      ) {
        findings.push(
          finding(
            workload.object,
            'spec.selector.matchLabels',
            'does not select on app.kubernetes.io/name',
          ),
        );
      }
      return findings;
    });
  },
};
