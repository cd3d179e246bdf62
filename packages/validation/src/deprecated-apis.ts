/** An apiVersion a current cluster (Kubernetes 1.35, Flagger 1.44, Flux 2.9) no longer serves. */
interface DeprecatedApi {
  apiVersion: string;
  /** Kinds it applies to; every kind of the apiVersion when absent. */
  kinds?: readonly string[];
  fix: string;
}

function retired(apiVersions: string[], fix: string, kinds?: string[]): DeprecatedApi[] {
  return apiVersions.map((apiVersion) => ({ apiVersion, fix, ...(kinds ? { kinds } : {}) }));
}

/** `<group>.toolkit.fluxcd.io/<major>beta1` and `beta2`, retired for `<group>…/<target>`. */
function fluxBetas(group: string, major: string, target: string, kinds?: string[]) {
  const betas = ['beta1', 'beta2'].map((beta) => `${group}.toolkit.fluxcd.io/${major}${beta}`);
  return retired(betas, `use ${group}.toolkit.fluxcd.io/${target}`, kinds);
}

const DEPRECATED_APIS: readonly DeprecatedApi[] = [
  ...retired(
    ['autoscaling/v2beta1', 'autoscaling/v2beta2'],
    'use autoscaling/v2 (metrics[].resource.target: {type: Utilization, averageUtilization: N}); Flagger 1.44 removed the v2beta2 fallback',
    ['HorizontalPodAutoscaler'],
  ),
  ...retired(['extensions/v1beta1'], 'use apps/v1', ['Deployment', 'DaemonSet', 'ReplicaSet']),
  ...retired(['extensions/v1beta1'], 'use networking.k8s.io/v1', ['Ingress', 'NetworkPolicy']),
  ...retired(['apps/v1beta1', 'apps/v1beta2'], 'use apps/v1'),
  ...retired(['policy/v1beta1'], 'use policy/v1', ['PodDisruptionBudget']),
  ...retired(
    ['policy/v1beta1'],
    'PodSecurityPolicy is gone: use Pod Security Admission labels on the Namespace',
    ['PodSecurityPolicy'],
  ),
  ...retired(['networking.k8s.io/v1beta1'], 'use networking.k8s.io/v1'),
  ...retired(['batch/v1beta1'], 'use batch/v1', ['CronJob']),
  ...retired(['rbac.authorization.k8s.io/v1beta1'], 'use rbac.authorization.k8s.io/v1'),
  ...retired(
    ['flagger.app/v1alpha3'],
    'use flagger.app/v1beta1 (spec.analysis replaces spec.canaryAnalysis, metrics use thresholdRange)',
  ),
  ...fluxBetas('kustomize', 'v1', 'v1'),
  ...fluxBetas('source', 'v1', 'v1'),
  ...fluxBetas('image', 'v1', 'v1'),
  ...fluxBetas('helm', 'v2', 'v2'),
  ...fluxBetas('notification', 'v1', 'v1beta3', ['Alert', 'Provider']),
  ...fluxBetas('notification', 'v1', 'v1', ['Receiver']),
];

export function deprecatedApi(apiVersion: string, kind: string): DeprecatedApi | undefined {
  return DEPRECATED_APIS.find(
    (entry) => entry.apiVersion === apiVersion && (!entry.kinds || entry.kinds.includes(kind)),
  );
}
