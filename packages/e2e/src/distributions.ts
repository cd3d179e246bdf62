/** The distributions the Kind run can prove, one cluster each. */
export const E2E_DISTRIBUTIONS = ['app-kubernetes', 'app-istio', 'app-linkerd'] as const;
export type E2EDistribution = (typeof E2E_DISTRIBUTIONS)[number];

export type Mesh = 'none' | 'istio' | 'linkerd';

/** What a distribution needs in its cluster (dist/<name>/README.md, "Prerequisites"). */
export interface DistributionProfile {
  dist: E2EDistribution;
  mesh: Mesh;
  /** Kind cluster name; kubectl's context is `kind-<clusterName>`. */
  clusterName: string;
  /** Which of Flagger's kustomize overlays installs it (E2E_VERSIONS.flagger.kustomize). */
  flaggerOverlay: 'kubernetes' | 'istio' | 'linkerd';
  /** Where that overlay puts the Flagger Deployment. */
  flaggerNamespace: string;
  /** The `-mesh-provider` that overlay gives Flagger: the distribution's Canaries must use it. */
  flaggerProvider: 'kubernetes' | 'istio' | 'gatewayapi:v1beta1';
}

const PROFILES: Record<E2EDistribution, DistributionProfile> = {
  'app-kubernetes': {
    dist: 'app-kubernetes',
    mesh: 'none',
    clusterName: 'appdist-kubernetes',
    flaggerOverlay: 'kubernetes',
    flaggerNamespace: 'flagger-system',
    flaggerProvider: 'kubernetes',
  },
  'app-istio': {
    dist: 'app-istio',
    mesh: 'istio',
    clusterName: 'appdist-istio',
    flaggerOverlay: 'istio',
    flaggerNamespace: 'istio-system',
    flaggerProvider: 'istio',
  },
  'app-linkerd': {
    dist: 'app-linkerd',
    mesh: 'linkerd',
    clusterName: 'appdist-linkerd',
    flaggerOverlay: 'linkerd',
    flaggerNamespace: 'flagger-system',
    flaggerProvider: 'gatewayapi:v1beta1',
  },
};

export function isE2EDistribution(value: string): value is E2EDistribution {
  return (E2E_DISTRIBUTIONS as readonly string[]).includes(value);
}

/** The name is not one of the three distributions: the message lists them. */
export class UnknownDistributionError extends Error {
  constructor(dist: string) {
    super(
      `unknown distribution ${JSON.stringify(dist)}: the Kind end-to-end run knows ${E2E_DISTRIBUTIONS.join(', ')}`,
    );
    this.name = 'UnknownDistributionError';
  }
}

export function distributionProfile(dist: string): DistributionProfile {
  if (!isE2EDistribution(dist)) throw new UnknownDistributionError(dist);
  return PROFILES[dist];
}
