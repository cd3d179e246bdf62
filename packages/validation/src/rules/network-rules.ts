import { CONFORMANCE_SERVICES, SERVICE_NAMES, SERVICES } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { asList, asRecord, asString, asStringMap, at, fieldPath, selects } from '../access.js';
import { TESTER } from '../appdist-contract.js';
import { namespaceOf, type RenderIndex, type Workload } from '../render.js';
import type { RuleTable } from '../rule.js';

/**
 * The paths docs/distribution.md allows, from the catalogue: a service reaches what it calls
 * and its store, the tester the services it runs conformance suites on. A workload some service
 * calls, and a store, is reached by those alone; the frontend, which nothing calls, is the
 * public entry.
 */
const REQUIRED_PATHS: ReadonlyArray<readonly [string, string]> = [
  ...SERVICES.flatMap((service) =>
    [...Object.values(service.calls), ...('store' in service ? [service.store] : [])].map(
      (target) => [service.name, target] as const,
    ),
  ),
  ...CONFORMANCE_SERVICES.map((service) => [TESTER, service] as const),
];

const REACHED = new Set(REQUIRED_PATHS.flatMap(([from, to]) => (from === TESTER ? [] : [to])));

const FORBIDDEN_PATHS = SERVICE_NAMES.filter((name) => name !== TESTER).flatMap((from) =>
  [...REACHED]
    .filter((to) => to !== from && !REQUIRED_PATHS.some(([a, b]) => a === from && b === to))
    .map((to) => [from, to] as const),
);

/**
 * The allowed path as the finding prints it (docs/distribution.md shows it), layer by layer from
 * the public entry (the catalogue's calls are acyclic, so this ends).
 */
function allowedPath(): string {
  const layers: string[][] = [
    SERVICE_NAMES.filter((name) => name !== TESTER && !REACHED.has(name)),
  ];
  for (;;) {
    const last: readonly string[] = layers.at(-1) ?? [];
    const next = REQUIRED_PATHS.filter(([from]) => last.includes(from)).map(([, to]) => to);
    if (next.length === 0) return layers.map((layer) => layer.join('/')).join(' → ');
    layers.push([...new Set(next)]);
  }
}

const ALLOWED_PATH = allowedPath();

function policyTypes(policy: KubernetesObject): string[] {
  const declared = asList(at(policy, 'spec', 'policyTypes')).filter(
    (type): type is string => typeof type === 'string',
  );
  if (declared.length > 0) return declared;
  // Kubernetes' default: Ingress always, Egress when egress rules are present.
  return at(policy, 'spec', 'egress') === undefined ? ['Ingress'] : ['Ingress', 'Egress'];
}

function namespaceLabels(render: RenderIndex, namespace: string): Record<string, string> {
  const object = render.find('Namespace', namespace, '');
  // The API server adds this label to every namespace.
  return { ...asStringMap(object?.metadata.labels), 'kubernetes.io/metadata.name': namespace };
}

function peerMatches(
  render: RenderIndex,
  peer: unknown,
  workload: Workload,
  policyNamespace: string,
): boolean {
  const podSelector = at(peer, 'podSelector');
  const namespaceSelector = at(peer, 'namespaceSelector');
  if (podSelector === undefined && namespaceSelector === undefined) return false; // ipBlock
  const namespace = namespaceOf(workload.object);
  const namespaceOk =
    namespaceSelector === undefined
      ? namespace === policyNamespace
      : selects(namespaceSelector, namespaceLabels(render, namespace));
  return namespaceOk && (podSelector === undefined || selects(podSelector, workload.podLabels));
}

function portMatches(ports: unknown, port: { name?: string; number?: number }): boolean {
  const list = asList(ports);
  if (list.length === 0) return true;
  return list.some((candidate) => {
    const value = at(candidate, 'port');
    const protocol = asString(at(candidate, 'protocol')) ?? 'TCP';
    return (
      protocol === 'TCP' && (value === undefined || value === port.name || value === port.number)
    );
  });
}

function servingPort(workload: Workload): { name?: string; number?: number } {
  const main = workload.containers.find((ref) => !ref.init);
  const port = asList(main?.container.ports)[0];
  const name = asString(at(port, 'name'));
  const number = at(port, 'containerPort');
  return {
    ...(name ? { name } : {}),
    ...(typeof number === 'number' ? { number } : {}),
  };
}

/** Which policies let `from` open a connection to `to` (empty: none), or 'unrestricted'. */
function allowingPolicies(
  render: RenderIndex,
  from: Workload,
  to: Workload,
  direction: 'Ingress' | 'Egress',
): KubernetesObject[] | 'unrestricted' {
  const subject = direction === 'Ingress' ? to : from;
  const peer = direction === 'Ingress' ? from : to;
  const port = servingPort(to);
  const policies = render
    .ofKind('NetworkPolicy')
    .filter(
      (policy) =>
        namespaceOf(policy) === namespaceOf(subject.object) &&
        policyTypes(policy).includes(direction) &&
        selects(at(policy, 'spec', 'podSelector') ?? {}, subject.podLabels),
    );
  if (policies.length === 0) return 'unrestricted';
  const rulesKey = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return policies.filter((policy) =>
    asList(at(policy, 'spec', rulesKey)).some((rule) => {
      const peers = asList(at(rule, peersKey));
      const peerOk =
        peers.length === 0 ||
        peers.some((candidate) => peerMatches(render, candidate, peer, namespaceOf(policy)));
      return peerOk && portMatches(at(rule, 'ports'), port);
    }),
  );
}

function connection(render: RenderIndex, from: Workload, to: Workload) {
  const ingress = allowingPolicies(render, from, to, 'Ingress');
  const egress = allowingPolicies(render, from, to, 'Egress');
  const allowed =
    (ingress === 'unrestricted' || ingress.length > 0) &&
    (egress === 'unrestricted' || egress.length > 0);
  return { allowed, ingress, egress };
}

function workloadsByComponent(render: RenderIndex): Map<string, Map<string, Workload>> {
  const byNamespace = new Map<string, Map<string, Workload>>();
  for (const workload of render.workloads) {
    const namespace = namespaceOf(workload.object);
    const components = byNamespace.get(namespace) ?? new Map<string, Workload>();
    components.set(workload.component, workload);
    byNamespace.set(namespace, components);
  }
  return byNamespace;
}

const NAME_LABEL = 'app.kubernetes.io/name';

export const RULES: RuleTable = {
  /** Every namespace with workloads has a default-deny ingress NetworkPolicy. */
  'networkpolicy.default-deny'(render, report) {
    // The first workload of a namespace anchors the finding when the render has no Namespace.
    const namespaces = new Map<string, KubernetesObject>();
    for (const { object } of render.workloads) {
      if (!namespaces.has(namespaceOf(object))) namespaces.set(namespaceOf(object), object);
    }
    for (const [namespace, workload] of namespaces) {
      const denies = render.ofKind('NetworkPolicy').some((policy) => {
        const selector = asRecord(at(policy, 'spec', 'podSelector')) ?? {};
        return (
          namespaceOf(policy) === namespace &&
          asList(selector.matchExpressions).length === 0 &&
          Object.keys(asStringMap(selector.matchLabels)).length === 0 &&
          policyTypes(policy).includes('Ingress') &&
          asList(at(policy, 'spec', 'ingress')).length === 0
        );
      });
      if (denies) continue;
      report(
        render.find('Namespace', namespace, '') ?? workload,
        '',
        `no default-deny NetworkPolicy in namespace ${namespace || '(none)'}: add one with podSelector: {} and policyTypes: [Ingress]`,
      );
    }
  },
  /**
   * NetworkPolicies allow exactly the documented paths: REQUIRED_PATHS; nothing else reaches
   * REACHED (the workloads some service calls, and the stores).
   */
  'networkpolicy.allowed-paths'(render, report) {
    for (const components of workloadsByComponent(render).values()) {
      for (const [fromName, toName] of REQUIRED_PATHS) {
        const from = components.get(fromName);
        const to = components.get(toName);
        if (!from || !to || connection(render, from, to).allowed) continue;
        const port = servingPort(to);
        report(
          to.object,
          '',
          `${fromName} cannot reach ${toName} on port ${port.name ?? port.number}: no NetworkPolicy allows it`,
        );
      }
      for (const [fromName, toName] of FORBIDDEN_PATHS) {
        const from = components.get(fromName);
        const to = components.get(toName);
        const path = from && to && connection(render, from, to);
        if (!to || !path?.allowed) continue;
        const culprit = Array.isArray(path.ingress) ? path.ingress[0] : undefined;
        report(
          culprit ?? to.object,
          culprit ? 'spec.ingress' : '',
          `lets ${fromName} reach ${toName} directly; only ${ALLOWED_PATH} is allowed`,
        );
      }
    }
  },
  /**
   * PodDisruptionBudgets and NetworkPolicies select canaried pods by app.kubernetes.io/component:
   * Flagger renames app.kubernetes.io/name on primaries.
   */
  'selector.component-label'(render, report) {
    const renamed = new Set(
      render.canaryTargets().flatMap(({ workload }) => workload.podLabels[NAME_LABEL] ?? []),
    );
    const check = (object: KubernetesObject, ...path: Array<string | number>) => {
      const value = asStringMap(at(object, ...path, 'matchLabels'))[NAME_LABEL];
      if (!value || !renamed.has(value)) return;
      report(
        object,
        fieldPath(...path, 'matchLabels', NAME_LABEL),
        `selects ${NAME_LABEL}=${value}, which the primary pods (${value}-primary) do not carry: select on app.kubernetes.io/component`,
      );
    };
    for (const budget of render.ofKind('PodDisruptionBudget')) check(budget, 'spec', 'selector');
    for (const policy of render.ofKind('NetworkPolicy')) {
      check(policy, 'spec', 'podSelector');
      for (const [direction, peers] of [
        ['ingress', 'from'],
        ['egress', 'to'],
      ] as const) {
        asList(at(policy, 'spec', direction)).forEach((rule, ruleIndex) => {
          asList(at(rule, peers)).forEach((_peer, peerIndex) => {
            check(policy, 'spec', direction, ruleIndex, peers, peerIndex, 'podSelector');
          });
        });
      }
    }
  },
  /** Every PodDisruptionBudget selects pods of a workload in the render. */
  'pdb.matches-pods'(render, report) {
    for (const budget of render.ofKind('PodDisruptionBudget')) {
      const selector = at(budget, 'spec', 'selector');
      if (render.selectedWorkloads(selector, namespaceOf(budget)).length > 0) continue;
      report(budget, 'spec.selector', 'selects no pods in this render');
    }
  },
};
