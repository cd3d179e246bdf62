import { at } from '../access.js';
import { finding, type PolicyRule } from '../rule.js';

export const noReplicasWhenCanaried: PolicyRule = {
  id: 'deployment.no-replicas-when-canaried',
  description:
    'A canaried Deployment sets no spec.replicas: its HPA owns the count, or Flux and Flagger fight over it.',
  check(render) {
    return render
      .canaryTargets()
      .filter(({ workload }) => at(workload.object, 'spec', 'replicas') !== undefined)
      .map(({ workload, canary }) =>
        finding(
          workload.object,
          'spec.replicas',
          `is set on a Deployment canaried by Canary/${canary.metadata.name}: remove it, the HPA owns replicas`,
        ),
      );
  },
};

export const deploymentProgressDeadline: PolicyRule = {
  id: 'deployment.progress-deadline',
  description:
    'A canaried Deployment sets progressDeadlineSeconds, so Flagger notices a rollout that never becomes ready.',
  check(render) {
    return render
      .canaryTargets()
      .filter(
        ({ workload }) => at(workload.object, 'spec', 'progressDeadlineSeconds') === undefined,
      )
      .map(({ workload }) =>
        finding(
          workload.object,
          'spec.progressDeadlineSeconds',
          'not set: set it on the Deployment and on its Canary',
        ),
      );
  },
};
