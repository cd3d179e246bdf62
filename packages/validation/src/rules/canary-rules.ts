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
import { type RuleTable, reportUnexpected } from '../rule.js';

const STRATEGY_NAMES = {
  canary: 'canary (stepWeight)',
  ab: 'A/B (iterations + match)',
  'blue-green': 'blue/green (iterations)',
  mirror: 'blue/green with mirror (iterations + mirror: true)',
} as const;

export const RULES: RuleTable = {
  /** Canary.spec.targetRef names a workload of the same render and namespace. */
  'canary.target-exists'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      const ref = asRecord(at(canary, 'spec', 'targetRef'));
      const kind = asString(ref?.kind) ?? '';
      const name = asString(ref?.name) ?? '';
      const namespace = namespaceOf(canary);
      const target = render.canaryTarget(canary);
      if (!ref) report(canary, 'spec.targetRef', 'no targetRef');
      else if (!target) {
        const where = namespace ? ` (namespace ${namespace})` : '';
        report(
          canary,
          'spec.targetRef',
          `targets ${kind}/${name}, which is not in this render${where}`,
        );
      } else if (asString(ref.apiVersion) !== target.apiVersion) {
        report(
          canary,
          'spec.targetRef.apiVersion',
          `is ${String(ref.apiVersion)} but ${kind}/${name} is ${target.apiVersion}`,
        );
      }
    }
  },
  /**
   * Canary.spec.autoscalerRef names an HPA of the same render that scales the Canary target (the
   * HPA owns replicas).
   */
  'canary.autoscaler-exists'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      const ref = asRecord(at(canary, 'spec', 'autoscalerRef'));
      const name = asString(ref?.name) ?? '';
      const kind = asString(ref?.kind) ?? '';
      const hpa = render.find(kind, name, namespaceOf(canary));
      const scaled = asString(at(hpa, 'spec', 'scaleTargetRef', 'name'));
      const target = canaryTargetName(canary);
      if (!ref) {
        report(
          canary,
          'spec.autoscalerRef',
          `no autoscalerRef: add {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: ${target}}`,
        );
      } else if (!hpa) {
        report(canary, 'spec.autoscalerRef', `names ${kind}/${name}, which is not in this render`);
      } else if (
        kind === 'HorizontalPodAutoscaler' &&
        hasTarget(render, canary) &&
        scaled !== target
      ) {
        report(
          canary,
          'spec.autoscalerRef',
          `HorizontalPodAutoscaler/${name} scales ${scaled ?? 'nothing'}, not the Canary target ${target}`,
        );
      }
    }
  },
  /**
   * Canary.spec.provider is the distribution's mesh provider; Gateway API Canaries (Linkerd) route
   * through service.gatewayRefs to the apex Service.
   */
  'canary.provider'(render, report, context) {
    for (const canary of render.ofKind('Canary')) {
      const provider = asString(at(canary, 'spec', 'provider'));
      const mesh = canaryMesh(canary, context);
      const expected = context.mesh && meshEntry(context.mesh).canaryProvider;
      const service = canaryServiceName(canary);
      const apex = asList(at(canary, 'spec', 'service', 'gatewayRefs')).some(
        (ref) =>
          asString(at(ref, 'kind')) === 'Service' &&
          asString(at(ref, 'name')) === service &&
          asString(at(ref, 'group')) === 'core',
      );
      if (!provider) {
        report(
          canary,
          'spec.provider',
          `no provider: Flagger would fall back to its global -mesh-provider${mesh ? `; set ${meshEntry(mesh).canaryProvider}` : ''}`,
        );
      } else if (expected && provider !== expected) {
        report(
          canary,
          'spec.provider',
          `is ${provider}; the ${context.mesh} distribution uses ${expected}`,
        );
      } else if (provider.startsWith('gatewayapi:') && !apex) {
        report(
          canary,
          'spec.service.gatewayRefs',
          `${provider} needs gatewayRefs to the apex Service: add {name: ${service}, namespace: ${namespaceOf(canary) || '<namespace>'}, group: core, kind: Service, port: ${APP_PORT.number}}`,
        );
      }
    }
  },
  /**
   * Exactly one of iterations, stepWeight, stepWeights, and the strategy docs/distribution.md sets
   * for the service and mesh.
   */
  'canary.strategy'(render, report, context) {
    for (const canary of render.ofKind('Canary')) {
      const analysis = asRecord(at(canary, 'spec', 'analysis'));
      if (!analysis) continue;
      const set = ['iterations', 'stepWeight', 'stepWeights'].filter(
        (key) => analysis[key] !== undefined,
      );
      if (set.length !== 1) {
        report(
          canary,
          'spec.analysis',
          `sets ${set.join(' and ') || 'none of them'}: set exactly one of iterations, stepWeight, stepWeights`,
        );
        continue;
      }
      const strategy = canaryStrategy(canary);
      const mesh = canaryMesh(canary, context);
      const provider = asString(at(canary, 'spec', 'provider'));
      const service = canaryTargetName(canary);
      const expected = mesh && strategyOf(service, mesh);
      const matches = asList(analysis.match);
      const problems: Array<[boolean | undefined, string, string]> = [
        [
          strategy && expected && strategy !== expected,
          'spec.analysis',
          `${service} on ${mesh} is ${expected && STRATEGY_NAMES[expected]}, not ${strategy && STRATEGY_NAMES[strategy]}`,
        ],
        [
          strategy === 'canary' && mesh === 'istio' && asNumber(analysis.maxWeight) === undefined,
          'spec.analysis.maxWeight',
          'progressive traffic shifting on Istio sets maxWeight with stepWeight',
        ],
        ...matches.map((match, index): [boolean, string, string] => [
          !asRecord(at(match, 'headers')),
          fieldPath('spec', 'analysis', 'match', index),
          'A/B matches on a header or cookie (headers: …)',
        ]),
        [
          analysis.mirror === true && provider !== 'istio',
          'spec.analysis.mirror',
          `mirroring is Istio-only here; provider ${provider ?? '(none)'} does not mirror`,
        ],
        [
          provider === 'kubernetes' && matches.length > 0,
          'spec.analysis.match',
          'provider kubernetes routes no traffic: Flagger drops match, so there is no A/B',
        ],
      ];
      for (const [failed, field, message] of problems) if (failed) report(canary, field, message);
    }
  },
  /** Canary.spec.service is {port: 8080, targetPort: http, portName: http}. */
  'canary.service'(render, report) {
    const expected = { port: APP_PORT.number, targetPort: APP_PORT.name, portName: APP_PORT.name };
    for (const canary of render.ofKind('Canary')) {
      reportUnexpected(report, canary, ['spec', 'service'], expected);
    }
  },
  /**
   * Every Canary checks success-rate (thresholdRange.min) and latency (thresholdRange.max) through
   * MetricTemplates of the same render.
   */
  'canary.metrics'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      const metrics = asList(at(canary, 'spec', 'analysis', 'metrics'));
      for (const slo of SLO_METRICS) {
        const index = metrics.findIndex((metric) => asString(at(metric, 'name')) === slo.name);
        const metric = metrics[index];
        const field = (...rest: string[]) =>
          fieldPath('spec', 'analysis', 'metrics', index, ...rest);
        const template = asString(at(metric, 'templateRef', 'name'));
        const namespace = asString(at(metric, 'templateRef', 'namespace')) ?? namespaceOf(canary);
        if (index < 0) {
          report(
            canary,
            'spec.analysis.metrics',
            `no ${slo.name} check: add {name: ${slo.name}, templateRef: {name: ${slo.name}}, thresholdRange: {${slo.bound}: …}}`,
          );
          continue;
        }
        if (asNumber(at(metric, 'thresholdRange', slo.bound)) === undefined) {
          report(
            canary,
            field('thresholdRange', slo.bound),
            `${slo.name} needs thresholdRange.${slo.bound}`,
          );
        }
        if (!template) {
          report(
            canary,
            field('templateRef'),
            `${slo.name} has no templateRef: Flagger's builtin queries only work with some scrapers`,
          );
        } else if (!render.find('MetricTemplate', template, namespace)) {
          report(
            canary,
            field('templateRef'),
            `MetricTemplate/${template}${namespace ? ` (namespace ${namespace})` : ''} is not in this render`,
          );
        }
      }
    }
  },
  /**
   * Canary.spec.progressDeadlineSeconds is set, so a rollout that never becomes ready is rolled
   * back instead of hanging.
   */
  'canary.progress-deadline'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      if (at(canary, 'spec', 'progressDeadlineSeconds') !== undefined) continue;
      report(
        canary,
        'spec.progressDeadlineSeconds',
        'not set: set it on the Canary and on its Deployment',
      );
    }
  },
};
