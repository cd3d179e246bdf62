import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appdist, brokenFixture, FIXTURE } from './run-cli.js';

describe('appdist render', () => {
  it('prints the rendered YAML of a distribution', async () => {
    const result = await appdist(['render', join(FIXTURE, 'app-istio')]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^apiVersion: v1\nkind: Namespace\n/);
    expect(result.stdout).toContain('image: ghcr.io/appdist/backend:0.1.0');
    expect(result.stdout).toContain('provider: istio');
  });

  it('prints the objects as JSON with --format json', async () => {
    const result = await appdist(['render', join(FIXTURE, 'app-linkerd'), '--format', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const objects = JSON.parse(result.stdout) as Array<{
      kind: string;
      spec?: { provider?: string };
    }>;
    expect(objects.find((object) => object.kind === 'Canary')?.spec?.provider).toBe(
      'gatewayapi:v1beta1',
    );
  });

  it('shows kustomize stderr and the folder when the distribution does not render', async () => {
    const dist = await brokenFixture('base/kustomization.yaml', (text) =>
      text.replace('  - tester\n', '  - tester\n  - ../missing\n'),
    );
    const result = await appdist(['render', join(dist, 'app-kubernetes')]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `appdist: kustomize cannot render ${join(dist, 'app-kubernetes')}`,
    );
    expect(result.stderr).toContain('missing');
  });

  it('exits 2 without a distribution', async () => {
    const result = await appdist(['render']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/missing required argument 'dist'/);
  });
});

describe('--help', () => {
  it.each([[[]], [['validate']], [['render']]])(
    'explains appdist %j with examples',
    async (command) => {
      const result = await appdist([...command, '--help']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/^Usage: appdist/);
      expect(result.stdout).toContain('Examples:');
    },
  );
});
