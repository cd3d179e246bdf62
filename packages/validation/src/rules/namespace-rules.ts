import type { Mesh } from '@appdist/catalogue';
import { asStringMap } from '../access.js';
import { namespaceOf, type Workload } from '../render.js';
import type { RuleTable } from '../rule.js';

interface Injection {
  field: 'metadata.labels' | 'metadata.annotations';
  message: string;
  injected(
    namespace: Record<'labels' | 'annotations', Record<string, string>>,
    pods: Workload[],
  ): boolean;
}

/** How a namespace (or every pod) asks each mesh for its proxy: a Record, so a new mesh must say. */
const INJECTION: Record<Mesh, Injection | undefined> = {
  kubernetes: undefined,
  istio: {
    field: 'metadata.labels',
    message: 'no istio-injection: enabled label: pods start without the Envoy sidecar',
    injected: ({ labels }, pods) =>
      labels['istio-injection'] === 'enabled' ||
      labels['istio.io/rev'] !== undefined ||
      pods.every((pod) => pod.podLabels['sidecar.istio.io/inject'] === 'true'),
  },
  linkerd: {
    field: 'metadata.annotations',
    message: 'no linkerd.io/inject: enabled annotation: pods start without the Linkerd proxy',
    injected: ({ annotations }, pods) =>
      annotations['linkerd.io/inject'] === 'enabled' ||
      pods.every((pod) => pod.podAnnotations['linkerd.io/inject'] === 'enabled'),
  },
};

export const RULES: RuleTable = {
  /**
   * On a mesh, the app namespace (or every pod) asks for sidecar injection, or Flagger's traffic
   * shifting has no proxy to drive.
   */
  'namespace.mesh-injection'(render, report, { mesh }) {
    const injection = mesh && INJECTION[mesh];
    if (!injection) return;
    for (const name of new Set(render.workloads.map((workload) => namespaceOf(workload.object)))) {
      const namespace = render.find('Namespace', name, '');
      if (!namespace) continue;
      const pods = render.workloads.filter((workload) => namespaceOf(workload.object) === name);
      const { labels, annotations } = namespace.metadata;
      const marks = { labels: asStringMap(labels), annotations: asStringMap(annotations) };
      if (!injection.injected(marks, pods)) report(namespace, injection.field, injection.message);
    }
  },
};
