import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';

/** One problem in a rendered distribution, named so a reader can find and fix it. */
export interface Finding {
  /** The distribution or example the object was rendered from, e.g. `app-istio`. */
  distribution: string;
  kind: string;
  name: string;
  /** null for cluster-scoped objects and objects rendered without a namespace. */
  namespace: string | null;
  /** Path inside the object, e.g. `spec.analysis.webhooks`; empty for the object as a whole. */
  field: string;
  /** Stable rule id, e.g. `canary.pre-rollout-webhook`. */
  rule: string;
  message: string;
}

export function findingOf(
  distribution: string,
  object: KubernetesObject,
  { field, rule, message }: { field: string; rule: string; message: string },
): Finding {
  const { kind, metadata } = object;
  return {
    distribution,
    kind,
    name: metadata.name,
    namespace: metadata.namespace ?? null,
    field,
    rule,
    message,
  };
}

export function formatFinding(finding: Finding): string {
  const location = finding.field ? `${finding.field}: ` : '';
  return `${finding.distribution}  ${finding.kind}/${finding.name}  ${location}${finding.message} (rule ${finding.rule})`;
}
