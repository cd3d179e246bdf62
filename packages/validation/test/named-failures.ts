import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { push, set, unset } from './mutate.js';
import { find } from './render-factory.js';

/**
 * The five breakages `npm run validate` must report precisely (the "Done when"), each
 * applied to a real render of a distribution, with the finding it must produce.
 */
export interface NamedFailure {
  name: string;
  breakIt(objects: KubernetesObject[]): void;
  expected: { kind: string; name: string; field: string; rule: string };
}

export const NAMED_FAILURES: readonly NamedFailure[] = [
  {
    name: 'a Canary without a pre-rollout webhook',
    breakIt: (objects) => {
      const canary = find(objects, 'Canary', 'backend');
      const webhooks = (canary.spec.analysis as { webhooks: Array<{ type?: string }> }).webhooks;
      set(
        canary,
        'spec.analysis.webhooks',
        webhooks.filter((hook) => hook.type !== 'pre-rollout'),
      );
    },
    expected: {
      kind: 'Canary',
      name: 'backend',
      field: 'spec.analysis.webhooks',
      rule: 'canary.pre-rollout-webhook',
    },
  },
  {
    name: 'an HPA on autoscaling/v2beta1',
    breakIt: (objects) => {
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'backend');
      set(hpa, 'apiVersion', 'autoscaling/v2beta1');
      // What a v2beta1 HPA looks like: targetAverageUtilization instead of target.
      set(hpa, 'spec.metrics', [
        { type: 'Resource', resource: { name: 'cpu', targetAverageUtilization: 80 } },
      ]);
    },
    expected: {
      kind: 'HorizontalPodAutoscaler',
      name: 'backend',
      field: 'apiVersion',
      rule: 'hpa.api-version',
    },
  },
  {
    name: 'a container without limits',
    breakIt: (objects) =>
      unset(
        find(objects, 'Deployment', 'backend'),
        'spec.template.spec.containers.0.resources.limits',
      ),
    expected: {
      kind: 'Deployment',
      name: 'backend',
      field: 'spec.template.spec.containers[0].resources',
      rule: 'container.limits',
    },
  },
  {
    name: 'an unknown field in a Canary',
    breakIt: (objects) =>
      push(find(objects, 'Canary', 'backend'), 'spec.analysis.metrics', {
        name: 'error-rate',
        templateRef: { name: 'success-rate' },
        thresholdRange: { min: 99 },
        treshold: 1,
      }),
    expected: {
      kind: 'Canary',
      name: 'backend',
      field: 'spec.analysis.metrics[2].treshold',
      rule: 'schema.unknown-field',
    },
  },
  {
    name: 'a Canary whose target does not exist',
    breakIt: (objects) =>
      set(find(objects, 'Canary', 'backend'), 'spec.targetRef.name', 'backend-v2'),
    expected: {
      kind: 'Canary',
      name: 'backend',
      field: 'spec.targetRef',
      rule: 'canary.target-exists',
    },
  },
];
