import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { RenderIndex } from './render.js';
import type { PolicyRule, RuleContext, RuleFinding } from './rule.js';
import * as alertRules from './rules/alert-rules.js';
import * as apiRules from './rules/api-rules.js';
import * as canaryRules from './rules/canary-rules.js';
import * as containerRules from './rules/container-rules.js';
import * as deploymentRules from './rules/deployment-rules.js';
import * as ingressRules from './rules/ingress-rules.js';
import * as namespaceRules from './rules/namespace-rules.js';
import * as networkRules from './rules/network-rules.js';
import * as podRules from './rules/pod-rules.js';
import * as serviceRules from './rules/service-rules.js';
import * as webhookRules from './rules/webhook-rules.js';

/** Every policy rule, in the order their findings are reported: module by module, each in its written order. */
export const POLICY_RULES: readonly PolicyRule[] = [
  apiRules,
  canaryRules,
  webhookRules,
  alertRules,
  deploymentRules,
  containerRules,
  podRules,
  serviceRules,
  ingressRules,
  networkRules,
  namespaceRules,
].flatMap(({ RULES }) => Object.entries(RULES).map(([id, check]) => ({ id, check })));

/** Runs `rules` (all by default) over one render. */
export function checkPolicy(
  objects: readonly KubernetesObject[],
  context: RuleContext,
  rules: readonly PolicyRule[] = POLICY_RULES,
): Array<RuleFinding & { rule: string }> {
  const render = new RenderIndex(objects);
  const findings: Array<RuleFinding & { rule: string }> = [];
  for (const { id, check } of rules) {
    check(
      render,
      (object, field, message) => findings.push({ object, field, message, rule: id }),
      context,
    );
  }
  return findings;
}
