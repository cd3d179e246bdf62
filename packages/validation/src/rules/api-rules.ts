import { asString, at } from '../access.js';
import { deprecatedApi } from '../deprecated-apis.js';
import { flag, type PolicyRule, type RuleFinding } from '../rule.js';

const HPA_VERSION = 'autoscaling/v2';

export const apiDeprecated: PolicyRule = {
  id: 'api.deprecated',
  description: 'No object uses an apiVersion current clusters no longer serve.',
  check(render) {
    return render.objects
      .filter((object) => object.kind !== 'HorizontalPodAutoscaler')
      .flatMap((object): RuleFinding[] => {
        const entry = deprecatedApi(object.apiVersion, object.kind);
        if (!entry) return [];
        return [
          {
            object,
            field: 'apiVersion',
            message: `${object.apiVersion} ${object.kind} is no longer served: ${entry.fix}`,
          },
        ];
      });
  },
};

export const hpaApiVersion: PolicyRule = {
  id: 'hpa.api-version',
  description:
    'HorizontalPodAutoscalers and Canary autoscalerRefs use autoscaling/v2, the only version Flagger 1.44 accepts.',
  check(render) {
    const autoscalers = render.ofKind('HorizontalPodAutoscaler').flatMap((hpa): RuleFinding[] => {
      if (hpa.apiVersion === HPA_VERSION) return [];
      const fix = deprecatedApi(hpa.apiVersion, hpa.kind)?.fix ?? `use ${HPA_VERSION}`;
      return flag(hpa, 'apiVersion', `${hpa.apiVersion} HorizontalPodAutoscaler: ${fix}`);
    });
    const references = render.ofKind('Canary').flatMap((canary): RuleFinding[] => {
      const apiVersion = asString(at(canary, 'spec', 'autoscalerRef', 'apiVersion'));
      const kind = asString(at(canary, 'spec', 'autoscalerRef', 'kind'));
      if (kind !== 'HorizontalPodAutoscaler' || apiVersion === HPA_VERSION) return [];
      return flag(
        canary,
        'spec.autoscalerRef.apiVersion',
        `is ${apiVersion ?? '(none)'}: Flagger 1.44 requires ${HPA_VERSION}`,
      );
    });
    return [...autoscalers, ...references];
  },
};
