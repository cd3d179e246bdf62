import { asString, at } from '../access.js';
import type { RuleTable } from '../rule.js';

export const RULES: RuleTable = {
  /**
   * A canaried Deployment sets no spec.replicas: its HPA owns the count, or Flux and Flagger fight
   * over it.
   */
  'deployment.no-replicas-when-canaried'(render, report) {
    for (const { workload, canary } of render.canaryTargets()) {
      if (at(workload.object, 'spec', 'replicas') === undefined) continue;
      report(
        workload.object,
        'spec.replicas',
        `is set on a Deployment canaried by Canary/${canary.metadata.name}: remove it, the HPA owns replicas`,
      );
    }
  },
  /**
   * A canaried Deployment sets progressDeadlineSeconds, so Flagger notices a rollout that never
   * becomes ready.
   */
  'deployment.progress-deadline'(render, report) {
    for (const { workload } of render.canaryTargets()) {
      if (at(workload.object, 'spec', 'progressDeadlineSeconds') !== undefined) continue;
      const message = 'not set: set it on the Deployment and on its Canary';
      report(workload.object, 'spec.progressDeadlineSeconds', message);
    }
  },
  /**
   * Pods carry app.kubernetes.io/name, component and part-of: appdist, and workloads select on
   * app.kubernetes.io/name (Flagger's selector label).
   */
  'workload.labels'(render, report) {
    for (const { object, podLabels } of render.workloads) {
      const missing = [
        !podLabels['app.kubernetes.io/name'] && 'app.kubernetes.io/name',
        !podLabels['app.kubernetes.io/component'] && 'app.kubernetes.io/component',
        podLabels['app.kubernetes.io/part-of'] !== 'appdist' &&
          'app.kubernetes.io/part-of: appdist',
      ].filter(Boolean);
      if (missing.length > 0) {
        report(object, 'spec.template.metadata.labels', `missing ${missing.join(', ')}`);
      }
      const selector = at(object, 'spec', 'selector', 'matchLabels', 'app.kubernetes.io/name');
      if (object.kind !== 'Job' && asString(selector) === undefined) {
        report(object, 'spec.selector.matchLabels', 'does not select on app.kubernetes.io/name');
      }
    }
  },
};
