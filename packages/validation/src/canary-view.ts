import { type CanaryStrategy, type Mesh, meshOfProvider } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { asList, asNumber, asRecord, asString, at } from './access.js';
import { APP_PORT } from './appdist-contract.js';
import { namespaceOf, type RenderIndex } from './render.js';
import type { RuleContext } from './rule.js';

/** The name of the Services Flagger generates: `service.name`, defaulting to the target's. */
export function canaryServiceName(canary: KubernetesObject): string {
  return asString(at(canary, 'spec', 'service', 'name')) ?? canaryTargetName(canary);
}

export function canaryTargetName(canary: KubernetesObject): string {
  return asString(at(canary, 'spec', 'targetRef', 'name')) ?? canary.metadata.name;
}

/**
 * Does the Canary's target exist in the render? Checks that derive names from the target skip
 * when it does not, so one typo in targetRef yields one finding (canary.target-exists).
 */
export function hasTarget(render: RenderIndex, canary: KubernetesObject): boolean {
  return render.canaryTarget(canary) !== undefined;
}

/** The distribution's mesh, or for other renders the one the Canary's provider implies. */
export function canaryMesh(canary: KubernetesObject, context: RuleContext): Mesh | undefined {
  return context.mesh ?? meshOfProvider(asString(at(canary, 'spec', 'provider')));
}

/** Flagger's choice (canary.go DeploymentStrategy): match + iterations is A/B, iterations alone blue/green. */
export function canaryStrategy(canary: KubernetesObject): CanaryStrategy | undefined {
  const analysis = asRecord(at(canary, 'spec', 'analysis'));
  if (!analysis) return undefined;
  if (asNumber(analysis.iterations) !== undefined) {
    if (asList(analysis.match).length > 0) return 'ab';
    return analysis.mirror === true ? 'mirror' : 'blue-green';
  }
  if (asNumber(analysis.stepWeight) !== undefined || asList(analysis.stepWeights).length > 0)
    return 'canary';
  return undefined;
}

export interface CanaryWebhook {
  hook: Record<string, unknown>;
  index: number;
  /** Flagger treats a missing or empty type as `rollout`. */
  type: string;
  url: string;
}

export function canaryWebhooks(canary: KubernetesObject): CanaryWebhook[] {
  return asList(at(canary, 'spec', 'analysis', 'webhooks')).flatMap((hook, index) => {
    const record = asRecord(hook);
    if (!record) return [];
    return [
      {
        hook: record,
        index,
        type: asString(record.type) || 'rollout',
        url: asString(record.url) ?? '',
      },
    ];
  });
}

/** Seconds of a Flagger duration (`^[0-9]+(m|s)`), undefined when it is not one. */
export function durationSeconds(value: unknown): number | undefined {
  const match = /^(\d+)(m|s)$/.exec(asString(value) ?? '');
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

/** Where the tester reaches the canary pods: `http://<service>-canary.<namespace>:8080`. */
export function canaryUrl(canary: KubernetesObject): string {
  return `http://${serviceHost(`${canaryServiceName(canary)}-canary`, canary)}:${APP_PORT.number}`;
}

/** `http://<host>/` of a Service in the Canary's namespace, as webhooks address it. */
export function serviceHost(name: string, canary: KubernetesObject): string {
  const namespace = namespaceOf(canary);
  return namespace ? `${name}.${namespace}` : name;
}
