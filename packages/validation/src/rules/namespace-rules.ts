import { asStringMap } from '../access.js';
import { namespaceOf } from '../render.js';
import type { RuleTable } from '../rule.js';

export const RULES: RuleTable = {
  /**
   * On Istio and Linkerd, the app namespace (or every pod) asks for sidecar injection, or Flagger's
   * traffic shifting has no proxy to drive.
   */
  'namespace.mesh-injection'(render, report, { mesh }) {
    if (mesh !== 'istio' && mesh !== 'linkerd') return;
    for (const name of new Set(render.workloads.map((workload) => namespaceOf(workload.object)))) {
      const namespace = render.find('Namespace', name, '');
      if (!namespace) continue;
      const labels = asStringMap(namespace.metadata.labels);
      const annotations = asStringMap(namespace.metadata.annotations);
      const pods = render.workloads.filter((workload) => namespaceOf(workload.object) === name);
      if (mesh === 'istio') {
        const injected =
          labels['istio-injection'] === 'enabled' ||
          labels['istio.io/rev'] !== undefined ||
          pods.every((pod) => pod.podLabels['sidecar.istio.io/inject'] === 'true');
        if (injected) continue;
        const message = 'no istio-injection: enabled label: pods start without the Envoy sidecar';
        report(namespace, 'metadata.labels', message);
      } else {
        const injected =
          annotations['linkerd.io/inject'] === 'enabled' ||
          pods.every((pod) => pod.podAnnotations['linkerd.io/inject'] === 'enabled');
        if (injected) continue;
        const message =
          'no linkerd.io/inject: enabled annotation: pods start without the Linkerd proxy';
        report(namespace, 'metadata.annotations', message);
      }
    }
  },
};
