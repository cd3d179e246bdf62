import { meshEntry } from '@appdist/catalogue';
import { asList, asNumber, asRecord, asString, at, fieldPath } from '../access.js';
import { APP_PORT, SLO_METRICS, strategyOf } from '../appdist-contract.js';
import {
  canaryMesh,
  canaryServiceName,
  canaryStrategy,
  canaryTargetName,
  hasTarget,
} from '../canary-view.js';
import { namespaceOf } from '../render.js';
import { finding, findingsOn, flag, type PolicyRule, type RuleFinding } from '../rule.js';

export const canaryTargetExists: PolicyRule = {
  id: 'canary.target-exists',
  description: 'Canary.spec.targetRef names a workload of the same render and namespace.',
  check(render) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const ref = asRecord(at(canary, 'spec', 'targetRef'));
      if (!ref) return flag(canary, 'spec.targetRef', 'no targetRef');
      const kind = asString(ref.kind) ?? '';
      const name = asString(ref.name) ?? '';
      const target = render.find(kind, name, namespaceOf(canary));
      if (!target) {
        return flag(
          canary,
          'spec.targetRef',
          `targets ${kind}/${name}, which is not in this render${namespaceOf(canary) ? ` (namespace ${namespaceOf(canary)})` : ''}`,
        );
      }
      if (asString(ref.apiVersion) !== target.apiVersion) {
        return flag(
          canary,
          'spec.targetRef.apiVersion',
          `is ${String(ref.apiVersion)} but ${kind}/${name} is ${target.apiVersion}`,
        );
      }
      return [];
    });
  },
};

export const canaryAutoscalerExists: PolicyRule = {
  id: 'canary.autoscaler-exists',
  description:
    'Canary.spec.autoscalerRef names an HPA of the same render that scales the Canary target (the HPA owns replicas).',
  check(render) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const ref = asRecord(at(canary, 'spec', 'autoscalerRef'));
      if (!ref) {
        return flag(
          canary,
          'spec.autoscalerRef',
          `no autoscalerRef: add {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: ${canaryTargetName(canary)}}`,
        );
      }
      const name = asString(ref.name) ?? '';
      const kind = asString(ref.kind) ?? '';
      const hpa = render.find(kind, name, namespaceOf(canary));
      if (!hpa) {
        return flag(
          canary,
          'spec.autoscalerRef',
          `names ${kind}/${name}, which is not in this render`,
        );
      }
      const scaled = asString(at(hpa, 'spec', 'scaleTargetRef', 'name'));
      const target = canaryTargetName(canary);
      if (kind === 'HorizontalPodAutoscaler' && hasTarget(render, canary) && scaled !== target) {
        return flag(
          canary,
          'spec.autoscalerRef',
          `HorizontalPodAutoscaler/${name} scales ${scaled ?? 'nothing'}, not the Canary target ${target}`,
        );
      }
      return [];
    });
  },
};

export const canaryProvider: PolicyRule = {
  id: 'canary.provider',
  description:
    "Canary.spec.provider is the distribution's mesh provider; Gateway API Canaries (Linkerd) route through service.gatewayRefs to the apex Service.",
  check(render, context) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const provider = asString(at(canary, 'spec', 'provider'));
      const mesh = canaryMesh(canary, context);
      if (!provider) {
        return flag(
          canary,
          'spec.provider',
          `no provider: Flagger would fall back to its global -mesh-provider${mesh ? `; set ${meshEntry(mesh).canaryProvider}` : ''}`,
        );
      }
      const expected = context.mesh && meshEntry(context.mesh).canaryProvider;
      if (expected && provider !== expected) {
        return flag(
          canary,
          'spec.provider',
          `is ${provider}; the ${context.mesh} distribution uses ${expected}`,
        );
      }
      if (provider.startsWith('gatewayapi:')) {
        const service = canaryServiceName(canary);
        const refs = asList(at(canary, 'spec', 'service', 'gatewayRefs'));
        const apex = refs.some(
          (ref) =>
            asString(at(ref, 'kind')) === 'Service' &&
            asString(at(ref, 'name')) === service &&
            asString(at(ref, 'group')) === 'core',
        );
        if (!apex) {
          return flag(
            canary,
            'spec.service.gatewayRefs',
            `${provider} needs gatewayRefs to the apex Service: add {name: ${service}, namespace: ${namespaceOf(canary) || '<namespace>'}, group: core, kind: Service, port: ${APP_PORT.number}}`,
          );
        }
      }
      return [];
    });
  },
};

const STRATEGY_NAMES = {
  canary: 'canary (stepWeight)',
  ab: 'A/B (iterations + match)',
  'blue-green': 'blue/green (iterations)',
  mirror: 'blue/green with mirror (iterations + mirror: true)',
} as const;

export const canaryStrategyRule: PolicyRule = {
  id: 'canary.strategy',
  description:
    'Exactly one of iterations, stepWeight, stepWeights, and the strategy docs/distribution.md sets for the service and mesh.',
  check(render, context) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const analysis = asRecord(at(canary, 'spec', 'analysis'));
      if (!analysis) return [];
      const set = ['iterations', 'stepWeight', 'stepWeights'].filter(
        (key) => analysis[key] !== undefined,
      );
      if (set.length !== 1) {
        return flag(
          canary,
          'spec.analysis',
          `sets ${set.length ? set.join(' and ') : 'none of them'}: set exactly one of iterations, stepWeight, stepWeights`,
        );
      }
      const { list: findings, add } = findingsOn(canary);
      const strategy = canaryStrategy(canary);
      const mesh = canaryMesh(canary, context);
      const provider = asString(at(canary, 'spec', 'provider'));
      const service = canaryTargetName(canary);
      const expected = mesh && strategyOf(service, mesh);
      if (strategy && expected && strategy !== expected) {
        add(
          'spec.analysis',
          `${service} on ${mesh} is ${STRATEGY_NAMES[expected]}, not ${STRATEGY_NAMES[strategy]}`,
        );
      }
      if (strategy === 'canary' && mesh === 'istio' && asNumber(analysis.maxWeight) === undefined) {
        add(
          'spec.analysis.maxWeight',
          'progressive traffic shifting on Istio sets maxWeight with stepWeight',
        );
      }
      asList(analysis.match).forEach((match, index) => {
        if (!asRecord(at(match, 'headers'))) {
          add(
            fieldPath('spec', 'analysis', 'match', index),
            'A/B matches on a header or cookie (headers: …)',
          );
        }
      });
      if (analysis.mirror === true && provider !== 'istio') {
        add(
          'spec.analysis.mirror',
          `mirroring is Istio-only here; provider ${provider ?? '(none)'} does not mirror`,
        );
      }
      if (provider === 'kubernetes' && asList(analysis.match).length > 0) {
        add(
          'spec.analysis.match',
          'provider kubernetes routes no traffic: Flagger drops match, so there is no A/B',
        );
      }
      return findings;
    });
  },
};

export const canaryMetrics: PolicyRule = {
  id: 'canary.metrics',
  description:
    'Every Canary checks success-rate (thresholdRange.min) and latency (thresholdRange.max) through MetricTemplates of the same render.',
  check(render) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const metrics = asList(at(canary, 'spec', 'analysis', 'metrics'));
      const { list: findings, add } = findingsOn(canary);
      for (const slo of SLO_METRICS) {
        const index = metrics.findIndex((metric) => asString(at(metric, 'name')) === slo.name);
        const metric = metrics[index];
        if (index < 0) {
          add(
            'spec.analysis.metrics',
            `no ${slo.name} check: add {name: ${slo.name}, templateRef: {name: ${slo.name}}, thresholdRange: {${slo.bound}: …}}`,
          );
          continue;
        }
        if (asNumber(at(metric, 'thresholdRange', slo.bound)) === undefined) {
          add(
            fieldPath('spec', 'analysis', 'metrics', index, 'thresholdRange', slo.bound),
            `${slo.name} needs thresholdRange.${slo.bound}`,
          );
        }
        const template = asString(at(metric, 'templateRef', 'name'));
        const namespace = asString(at(metric, 'templateRef', 'namespace')) ?? namespaceOf(canary);
        if (!template) {
          add(
            fieldPath('spec', 'analysis', 'metrics', index, 'templateRef'),
            `${slo.name} has no templateRef: Flagger's builtin queries only work with some scrapers`,
          );
        } else if (!render.find('MetricTemplate', template, namespace)) {
          add(
            fieldPath('spec', 'analysis', 'metrics', index, 'templateRef'),
            `MetricTemplate/${template}${namespace ? ` (namespace ${namespace})` : ''} is not in this render`,
          );
        }
      }
      return findings;
    });
  },
};

export const canaryProgressDeadline: PolicyRule = {
  id: 'canary.progress-deadline',
  description:
    'Canary.spec.progressDeadlineSeconds is set, so a rollout that never becomes ready is rolled back instead of hanging.',
  check(render) {
    return render
      .ofKind('Canary')
      .filter((canary) => at(canary, 'spec', 'progressDeadlineSeconds') === undefined)
      .map((canary) =>
        finding(
          canary,
          'spec.progressDeadlineSeconds',
          'not set: set it on the Canary and on its Deployment',
        ),
      );
  },
};

export const canaryService: PolicyRule = {
  id: 'canary.service',
  description: 'Canary.spec.service is {port: 8080, targetPort: http, portName: http}.',
  check(render) {
    return render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const service = asRecord(at(canary, 'spec', 'service')) ?? {};
      const expected = {
        port: APP_PORT.number,
        targetPort: APP_PORT.name,
        portName: APP_PORT.name,
      };
      return Object.entries(expected)
        .filter(([key, value]) => service[key] !== value)
        .map(([key, value]) =>
          finding(
            canary,
            `spec.service.${key}`,
            `is ${JSON.stringify(service[key] ?? null)}, expected ${JSON.stringify(value)}`,
          ),
        );
    });
  },
};
