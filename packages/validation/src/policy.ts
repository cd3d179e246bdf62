import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { RenderIndex } from './render.js';
import type { PolicyRule, RuleContext, RuleFinding } from './rule.js';
import {
  alertProviderAddressOrSecret,
  alertsProviderExists,
  alertsSeverity,
} from './rules/alert-rules.js';
import { apiDeprecated, hpaApiVersion } from './rules/api-rules.js';
import {
  canaryAutoscalerExists,
  canaryMetrics,
  canaryProgressDeadline,
  canaryProvider,
  canaryService,
  canaryStrategyRule,
  canaryTargetExists,
} from './rules/canary-rules.js';
import {
  containerLimits,
  containerPortNames,
  containerProbes,
  containerSecurityContext,
  imagePinned,
} from './rules/container-rules.js';
import { deploymentProgressDeadline, noReplicasWhenCanaried } from './rules/deployment-rules.js';
import { canaryGateways, ingressBackendExists } from './rules/ingress-rules.js';
import { namespaceMeshInjection } from './rules/namespace-rules.js';
import {
  networkPolicyAllowedPaths,
  networkPolicyDefaultDeny,
  pdbMatchesPods,
  selectorComponentLabel,
} from './rules/network-rules.js';
import {
  podConfigRefs,
  podPrometheusAnnotations,
  podSecurityContext,
  podServiceAccount,
  podTerminationGrace,
  podTopologySpread,
  workloadLabels,
} from './rules/pod-rules.js';
import {
  serviceNotForCanaried,
  servicePortNames,
  servicePortsMatchContainerPorts,
} from './rules/service-rules.js';
import {
  preRolloutWebhook,
  rolloutWebhook,
  testerEndpoints,
  webhookMetadataStrings,
  webhookTimeouts,
} from './rules/webhook-rules.js';

/** Every policy rule, in the order their findings are reported. */
export const POLICY_RULES: readonly PolicyRule[] = [
  apiDeprecated,
  hpaApiVersion,
  canaryTargetExists,
  canaryAutoscalerExists,
  canaryProvider,
  canaryStrategyRule,
  canaryService,
  canaryMetrics,
  canaryProgressDeadline,
  preRolloutWebhook,
  rolloutWebhook,
  webhookTimeouts,
  webhookMetadataStrings,
  testerEndpoints,
  alertProviderAddressOrSecret,
  alertsSeverity,
  alertsProviderExists,
  noReplicasWhenCanaried,
  deploymentProgressDeadline,
  workloadLabels,
  containerLimits,
  containerProbes,
  containerSecurityContext,
  podSecurityContext,
  containerPortNames,
  imagePinned,
  podTerminationGrace,
  podPrometheusAnnotations,
  podTopologySpread,
  podServiceAccount,
  podConfigRefs,
  servicePortsMatchContainerPorts,
  servicePortNames,
  serviceNotForCanaried,
  ingressBackendExists,
  canaryGateways,
  networkPolicyDefaultDeny,
  networkPolicyAllowedPaths,
  selectorComponentLabel,
  pdbMatchesPods,
  namespaceMeshInjection,
];

export interface PolicyFinding extends RuleFinding {
  rule: string;
}

/** Runs `rules` (all by default) over one render. */
export function checkPolicy(
  objects: readonly KubernetesObject[],
  context: RuleContext,
  rules: readonly PolicyRule[] = POLICY_RULES,
): PolicyFinding[] {
  const render = new RenderIndex(objects);
  return rules.flatMap((rule) =>
    rule.check(render, context).map((finding) => ({ ...finding, rule: rule.id })),
  );
}
