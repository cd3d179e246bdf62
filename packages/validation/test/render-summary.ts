import type { CanaryStrategy } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { asString, at } from '../src/access.js';
import { canaryStrategy } from '../src/canary-view.js';
import { RenderIndex } from '../src/render.js';

/**
 * The golden summary of a render (test/golden): what a release changes when it changes a
 * distribution, its workloads, rollouts and images.
 */
export interface RenderSummary {
  /** `Kind/name` of every workload. */
  workloads: string[];
  /** Per Canary: its provider and Flagger's strategy. */
  canaries: Record<string, { provider: string; strategy: CanaryStrategy | 'none' }>;
  images: string[];
}

export function summarizeRender(objects: readonly KubernetesObject[]): RenderSummary {
  const render = new RenderIndex(objects);
  const canaries = render
    .ofKind('Canary')
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return {
    workloads: render.workloads
      .map((workload) => `${workload.object.kind}/${workload.object.metadata.name}`)
      .sort(),
    canaries: Object.fromEntries(
      canaries.map((canary) => [
        canary.metadata.name,
        {
          provider: asString(at(canary, 'spec', 'provider')) ?? '',
          strategy: canaryStrategy(canary) ?? 'none',
        },
      ]),
    ),
    images: [
      ...new Set(
        render.workloads.flatMap((workload) =>
          workload.containers.flatMap((ref) => asString(ref.container.image) ?? []),
        ),
      ),
    ].sort(),
  };
}

/**
 * The summary as JSON with one line per entry, so a diff shows exactly what changed; each
 * Canary's line spaced as Biome formats JSON, so formatting the golden files changes nothing.
 */
export function formatSummary(summary: RenderSummary): string {
  const json = JSON.stringify(summary, null, 2).replace(
    /\{\n\s+("provider": [^\n]+),\n\s+("strategy": [^\n]+)\n\s+\}/g,
    '{ $1, $2 }',
  );
  return `${json}\n`;
}
