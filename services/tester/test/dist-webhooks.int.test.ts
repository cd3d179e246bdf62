import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '@appdist/kustomize/kustomize';
import type { RunningServer } from '@appdist/service-kit/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTester } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Webhook {
  name: string;
  type: string;
  url: string;
  metadata?: Record<string, string>;
}

// What each webhook type may answer when the tester accepted its endpoint and metadata: a
// 400 (bad payload) or 404 (no such route) would mean the manifests and the tester disagree.
const ACCEPTED: Record<string, number[]> = {
  'pre-rollout': [200, 412],
  rollout: [202],
  'confirm-promotion': [200, 403],
  'confirm-rollout': [200, 403],
  rollback: [200, 403],
  event: [200],
};

/** Every distribution, with the manual-approval option, as a provider would compose them. */
async function renderedWebhooks(): Promise<
  Array<{ distribution: string; canary: string; hook: Webhook }>
> {
  const workdir = await mkdtemp(join(tmpdir(), 'appdist-webhooks-'));
  try {
    const found = [];
    for (const distribution of ['app-kubernetes', 'app-istio', 'app-linkerd']) {
      const dir = join(workdir, distribution);
      await mkdir(dir);
      await writeFile(
        join(dir, 'kustomization.yaml'),
        JSON.stringify({
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          resources: [relative(dir, join(ROOT, 'dist', distribution))],
          components: [relative(dir, join(ROOT, 'dist', 'components', 'manual-approval'))],
        }),
      );
      for (const object of await build(dir, { loadRestrictor: 'LoadRestrictionsNone' })) {
        if (object.kind !== 'Canary') continue;
        const analysis = (object.spec as { analysis?: { webhooks?: Webhook[] } }).analysis;
        for (const hook of analysis?.webhooks ?? []) {
          found.push({ distribution, canary: object.metadata.name, hook });
        }
      }
    }
    return found;
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

describe('the webhooks of every rendered Canary against the tester', () => {
  let tester: RunningServer;
  let webhooks: Awaited<ReturnType<typeof renderedWebhooks>>;
  beforeAll(async () => {
    // Conformance against the unresolvable in-cluster URLs fails fast: a 412, still an accepted call.
    tester = await startTester({ CONFORMANCE_TIMEOUT_MS: '5000' });
    webhooks = await renderedWebhooks();
  });
  afterAll(async () => {
    await tester?.shutdown();
  });

  it('finds the hooks the contract promises', () => {
    const types = new Set(webhooks.map(({ hook }) => hook.type));
    expect([...types].sort()).toEqual(['confirm-promotion', 'pre-rollout', 'rollout']);
    expect(webhooks.length).toBe(3 * 4 * 3);
  });

  it('calls only tester routes that exist, with metadata the tester accepts', async () => {
    const rejected: string[] = [];
    for (const { distribution, canary, hook } of webhooks) {
      const url = new URL(hook.url);
      expect(url.host, `${distribution} ${canary} ${hook.name}`).toBe('tester.app');
      const response = await fetch(`${tester.url}${url.pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: canary,
          namespace: 'app',
          phase: 'Progressing',
          checksum: `${distribution}-${canary}`,
          ...(hook.metadata ? { metadata: hook.metadata } : {}),
        }),
      });
      const accepted = ACCEPTED[hook.type] ?? [];
      if (!accepted.includes(response.status)) {
        rejected.push(
          `${distribution} ${canary} ${hook.type} ${url.pathname}: ${response.status} ${await response.text()}`,
        );
      }
    }
    expect(rejected).toEqual([]);
  });
});
