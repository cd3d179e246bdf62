import { asString, at } from '../access.js';
import { deprecatedApi } from '../deprecated-apis.js';
import type { RuleTable } from '../rule.js';

const HPA_VERSION = 'autoscaling/v2';

export const RULES: RuleTable = {
  /** No object uses an apiVersion current clusters no longer serve. */
  'api.deprecated'(render, report) {
    for (const object of render.objects) {
      const entry = deprecatedApi(object.apiVersion, object.kind);
      if (!entry || object.kind === 'HorizontalPodAutoscaler') continue;
      const message = `${object.apiVersion} ${object.kind} is no longer served: ${entry.fix}`;
      report(object, 'apiVersion', message);
    }
  },
  /**
   * HorizontalPodAutoscalers and Canary autoscalerRefs use autoscaling/v2, the only version Flagger
   * 1.44 accepts.
   */
  'hpa.api-version'(render, report) {
    for (const hpa of render.ofKind('HorizontalPodAutoscaler')) {
      if (hpa.apiVersion === HPA_VERSION) continue;
      const fix = deprecatedApi(hpa.apiVersion, hpa.kind)?.fix ?? `use ${HPA_VERSION}`;
      report(hpa, 'apiVersion', `${hpa.apiVersion} HorizontalPodAutoscaler: ${fix}`);
    }
    for (const canary of render.ofKind('Canary')) {
      const apiVersion = asString(at(canary, 'spec', 'autoscalerRef', 'apiVersion'));
      const kind = asString(at(canary, 'spec', 'autoscalerRef', 'kind'));
      if (kind !== 'HorizontalPodAutoscaler' || apiVersion === HPA_VERSION) continue;
      const message = `is ${apiVersion ?? '(none)'}: Flagger 1.44 requires ${HPA_VERSION}`;
      report(canary, 'spec.autoscalerRef.apiVersion', message);
    }
  },
};
