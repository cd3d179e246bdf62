import { asStringMap } from '../access.js';
import { namespaceOf } from '../render.js';
import type { PolicyRule, RuleFinding } from '../rule.js';

export const namespaceMeshInjection: PolicyRule = {
  id: 'namespace.mesh-injection',
  description:
    "On Istio and Linkerd, the app namespace (or every pod) asks for sidecar injection, or Flagger's traffic shifting has no proxy to drive.",
  check(render, context) {
    if (context.mesh !== 'istio' && context.mesh !== 'linkerd') return [];
    const mesh = context.mesh;
    const namespaces = new Set(render.workloads.map((workload) => namespaceOf(workload.object)));
    return [...namespaces].flatMap((name): RuleFinding[] => {
      const namespace = render.find('Namespace', name, '');
      if (!namespace) return [];
      const labels = asStringMap(namespace.metadata.labels);
      const annotations = asStringMap(namespace.metadata.annotations);
      const pods = render.workloads.filter((workload) => namespaceOf(workload.object) === name);
      const injected =
        mesh === 'istio'
          ? labels['istio-injection'] === 'enabled' ||
            labels['istio.io/rev'] !== undefined ||
            pods.every((pod) => pod.podLabels['sidecar.istio.io/inject'] === 'true')
          : annotations['linkerd.io/inject'] === 'enabled' ||
            pods.every((pod) => pod.podAnnotations['linkerd.io/inject'] === 'enabled');
      if (injected) return [];
      return [
        {
          object: namespace,
          field: mesh === 'istio' ? 'metadata.labels' : 'metadata.annotations',
          message:
            mesh === 'istio'
              ? 'no istio-injection: enabled label: pods start without the Envoy sidecar'
              : 'no linkerd.io/inject: enabled annotation: pods start without the Linkerd proxy',
        },
      ];
    });
  },
};
