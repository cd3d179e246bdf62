/**
 * What docs/distribution.md promises about the manifests beyond the catalogue's list of what
 * exists (services, meshes, strategies, providers), as data the rules check against.
 */
import { type CanaryStrategy, type Mesh, SERVICES, type ServiceName } from '@appdist/catalogue';

/** Flagger's webhook target: the rules check the URLs Canaries address it by. */
export const TESTER: ServiceName = 'tester';

export const APP_PORT = { name: 'http', number: 8080 } as const;

/** The metric templates every mesh component ships, and the bound each check needs. */
export const SLO_METRICS = [
  { name: 'success-rate', bound: 'min' },
  { name: 'latency', bound: 'max' },
] as const;

/** The tester's endpoints and the webhook types that may call each. */
export const TESTER_ENDPOINTS: ReadonlyArray<{ path: string; types: readonly string[] }> = [
  { path: '/hooks/conformance', types: ['pre-rollout'] },
  { path: '/hooks/load', types: ['rollout'] },
  {
    path: '/gate/check',
    types: ['confirm-rollout', 'confirm-promotion', 'confirm-traffic-increase'],
  },
  { path: '/rollback/check', types: ['rollback'] },
  { path: '/hooks/event', types: ['event', 'post-rollout'] },
];

/** Service runtime defaults (README, "Running one service alone"). */
export const SHUTDOWN_DEFAULTS_MS = { SHUTDOWN_DELAY_MS: 5000, SHUTDOWN_TIMEOUT_MS: 10_000 };

/** The strategy a canaried service's Canary uses on `mesh`; undefined for other workloads. */
export function strategyOf(service: string, mesh: Mesh): CanaryStrategy | undefined {
  const entry = SERVICES.find((candidate) => candidate.name === service);
  return entry && 'canary' in entry ? entry.canary[mesh] : undefined;
}
