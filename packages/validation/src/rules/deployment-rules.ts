import { at } from '../access.js';
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
};
