import { at } from '../access.js';
import type { PolicyRule } from '../rule.js';

export const noReplicasWhenCanaried: PolicyRule = {
  id: 'deployment.no-replicas-when-canaried',
  description:
    'A canaried Deployment sets no spec.replicas: its HPA owns the count, or Flux and Flagger fight over it.',
  check(render, _context, report) {
    for (const { workload, canary } of render.canaryTargets()) {
      if (at(workload.object, 'spec', 'replicas') === undefined) continue;
      report(
        workload.object,
        'spec.replicas',
        `is set on a Deployment canaried by Canary/${canary.metadata.name}: remove it, the HPA owns replicas`,
      );
    }
  },
};

export const deploymentProgressDeadline: PolicyRule = {
  id: 'deployment.progress-deadline',
  description:
    'A canaried Deployment sets progressDeadlineSeconds, so Flagger notices a rollout that never becomes ready.',
  check(render, _context, report) {
    for (const { workload } of render.canaryTargets()) {
      if (at(workload.object, 'spec', 'progressDeadlineSeconds') !== undefined) continue;
      const message = 'not set: set it on the Deployment and on its Canary';
      report(workload.object, 'spec.progressDeadlineSeconds', message);
    }
  },
};
