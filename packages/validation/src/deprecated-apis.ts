/** An apiVersion a current cluster (Kubernetes 1.35, Flagger 1.44, Flux 2.9) no longer serves. */
export interface DeprecatedApi {
  apiVersion: string;
  /** Kinds it applies to; every kind of the apiVersion when absent. */
  kinds?: readonly string[];
  fix: string;
}

const HPA_FIX =
  'use autoscaling/v2 (metrics[].resource.target: {type: Utilization, averageUtilization: N}); Flagger 1.44 removed the v2beta2 fallback';

export const DEPRECATED_APIS: readonly DeprecatedApi[] = [
  { apiVersion: 'autoscaling/v2beta1', kinds: ['HorizontalPodAutoscaler'], fix: HPA_FIX },
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], fix: HPA_FIX },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Deployment', 'DaemonSet', 'ReplicaSet'],
    fix: 'use apps/v1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Ingress', 'NetworkPolicy'],
    fix: 'use networking.k8s.io/v1',
  },
  { apiVersion: 'apps/v1beta1', fix: 'use apps/v1' },
  { apiVersion: 'apps/v1beta2', fix: 'use apps/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], fix: 'use policy/v1' },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodSecurityPolicy'],
    fix: 'PodSecurityPolicy is gone: use Pod Security Admission labels on the Namespace',
  },
  { apiVersion: 'networking.k8s.io/v1beta1', fix: 'use networking.k8s.io/v1' },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], fix: 'use batch/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', fix: 'use rbac.authorization.k8s.io/v1' },
  {
    apiVersion: 'flagger.app/v1alpha3',
    fix: 'use flagger.app/v1beta1 (spec.analysis replaces spec.canaryAnalysis, metrics use thresholdRange)',
  },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta1', fix: 'use kustomize.toolkit.fluxcd.io/v1' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2', fix: 'use kustomize.toolkit.fluxcd.io/v1' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1beta1', fix: 'use source.toolkit.fluxcd.io/v1' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1beta2', fix: 'use source.toolkit.fluxcd.io/v1' },
  { apiVersion: 'helm.toolkit.fluxcd.io/v2beta1', fix: 'use helm.toolkit.fluxcd.io/v2' },
  { apiVersion: 'helm.toolkit.fluxcd.io/v2beta2', fix: 'use helm.toolkit.fluxcd.io/v2' },
  { apiVersion: 'image.toolkit.fluxcd.io/v1beta1', fix: 'use image.toolkit.fluxcd.io/v1' },
  { apiVersion: 'image.toolkit.fluxcd.io/v1beta2', fix: 'use image.toolkit.fluxcd.io/v1' },
  {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta1',
    kinds: ['Alert', 'Provider'],
    fix: 'use notification.toolkit.fluxcd.io/v1beta3',
  },
  {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta2',
    kinds: ['Alert', 'Provider'],
    fix: 'use notification.toolkit.fluxcd.io/v1beta3',
  },
  {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta1',
    kinds: ['Receiver'],
    fix: 'use notification.toolkit.fluxcd.io/v1',
  },
  {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta2',
    kinds: ['Receiver'],
    fix: 'use notification.toolkit.fluxcd.io/v1',
  },
];

export function deprecatedApi(apiVersion: string, kind: string): DeprecatedApi | undefined {
  return DEPRECATED_APIS.find(
    (entry) => entry.apiVersion === apiVersion && (!entry.kinds || entry.kinds.includes(kind)),
  );
}
