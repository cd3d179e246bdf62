import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appdist, brokenFixture, FIXTURE } from './run-cli.js';

const REPOSITORY = join(import.meta.dirname, '..', '..', '..');
const MESHES = ['app-kubernetes', 'app-istio', 'app-linkerd'];

const withoutPreRollout = (text: string) =>
  text.replace(/ {6}- name: conformance\n(?: {8}.*\n)+/, '');

describe('appdist validate', () => {
  it('exits 0 with a summary when the distributions are clean', async () => {
    const result = await appdist(['validate', ...MESHES.map((mesh) => join(FIXTURE, mesh))]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^ok: 3 renders \(app-kubernetes, app-istio, app-linkerd\), 42 objects, 0 findings in \d+ ms$/,
    );
  });

  it('prints one line per finding naming distribution, object, field and rule, and exits 1', async () => {
    const dist = await brokenFixture('base/backend/backend.yaml', withoutPreRollout);
    const result = await appdist(['validate', join(dist, 'app-istio')]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      'app-istio  Canary/backend  spec.analysis.webhooks: no pre-rollout webhook: add {name: conformance, type: pre-rollout, url: http://tester.app/hooks/conformance} (rule canary.pre-rollout-webhook)',
      expect.stringMatching(/^FAILED: 1 render \(app-istio\), 14 objects, 1 finding in \d+ ms$/),
    ]);
  });

  it('reports findings as JSON with --format json', async () => {
    const dist = await brokenFixture('base/backend/backend.yaml', (text) =>
      text.replace('    threshold: 5\n', '    threshold: 5\n    treshold: 5\n'),
    );
    const result = await appdist(['validate', join(dist, 'app-linkerd'), '--format', 'json']);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; findings: unknown[] };
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([
      {
        distribution: 'app-linkerd',
        kind: 'Canary',
        name: 'backend',
        namespace: 'app',
        field: 'spec.analysis.treshold',
        rule: 'schema.unknown-field',
        message: 'unknown field "treshold"',
      },
    ]);
  });

  it('shows kustomize stderr and the folder when a kustomization does not render, and exits 1', async () => {
    const dist = await brokenFixture('app-istio/kustomization.yaml', (text) =>
      text.replace('../components/istio', '../components/consul'),
    );
    const result = await appdist(['validate', join(dist, 'app-istio')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `app-istio  kustomize cannot render ${join(dist, 'app-istio')}: fix the kustomization there`,
    );
    expect(result.stderr).toContain('components/consul');
    expect(result.stdout).toMatch(
      /^FAILED: 0 renders \(none\), 0 objects, 0 findings, 1 render failed/,
    );
  });

  it('validates every distribution and the provider example by default, from the repository', async () => {
    const result = await appdist(['validate'], REPOSITORY);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^ok: 6 renders \(app-kubernetes, app-istio, app-linkerd, examples\/provider, examples\/provider\/flux, examples\/provider \(Flux Kustomization appdist\)\)/,
    );
  });

  describe('usage errors exit 2', () => {
    it('rejects an unknown format', async () => {
      const result = await appdist(['validate', '--format', 'xml']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/argument 'xml' is invalid. Allowed choices are text, json/);
    });

    it('names a folder that does not exist', async () => {
      const result = await appdist(['validate', 'app-nowhere']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toBe(
        'appdist: no such directory: app-nowhere (pass a folder holding a kustomization.yaml, or a distribution name such as app-istio)',
      );
    });

    it('says how to provide the CRDs', async () => {
      const result = await appdist([
        'validate',
        join(FIXTURE, 'app-istio'),
        '--crds',
        '/nonexistent',
      ]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/CRD folder \/nonexistent does not exist/);
      expect(result.stderr).toMatch(/set APPDIST_CRDS_DIR, or download .*\/fetch-crds.sh/);
    });

    it('names a CRD file that is not YAML, without a stack trace', async () => {
      const crds = await mkdtemp(join(tmpdir(), 'appdist-crds-'));
      await writeFile(join(crds, 'broken.yaml'), 'kind: CustomResourceDefinition\nspec: [open\n');
      const result = await appdist(['validate', join(FIXTURE, 'app-istio'), '--crds', crds]);
      await rm(crds, { recursive: true });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^appdist: CRD file ${crds}/broken.yaml is not valid YAML \\(.*\\(3:1\\)\\): replace it`,
        ),
      );
      expect(result.stderr).not.toMatch(/\bat /);
    });

    it('says how to provide the CRDs when the folder holds none', async () => {
      const crds = await mkdtemp(join(tmpdir(), 'appdist-crds-'));
      const result = await appdist(['validate', join(FIXTURE, 'app-istio'), '--crds', crds]);
      await rm(crds, { recursive: true });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^appdist: no CustomResourceDefinitions under ${crds}\\. .*fetch-crds\\.sh`),
      );
    });

    it('needs the repository for its default targets', async () => {
      const result = await appdist(['validate'], '/');
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/not inside the appdist repository/);
    });

    it('needs a checkout for a provider example, which pulls appdist by URL', async () => {
      const example = await mkdtemp(join(tmpdir(), 'appdist-example-'));
      await cp(join(REPOSITORY, 'examples', 'provider'), example, { recursive: true });
      const validated = await appdist(
        ['validate', example, '--crds', join(REPOSITORY, '..', 'shared', 'crds')],
        '/',
      );
      const rendered = await appdist(['render', example], '/');
      await rm(example, { recursive: true });
      expect(validated.exitCode).toBe(2);
      expect(validated.stderr).toBe(
        `appdist: ${example} pulls appdist by URL; it is rendered against a local checkout: run inside the repository`,
      );
      expect(rendered.exitCode).toBe(2);
      expect(rendered.stderr).toBe(
        `appdist: ${example} pulls appdist by URL: run inside the repository to render it against the checkout`,
      );
    });

    it('rejects an unknown command', async () => {
      const result = await appdist(['valdate']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/unknown command 'valdate'\n\(Did you mean validate\?\)/);
    });
  });
});

describe('appdist validate --options', () => {
  it('also composes every option component with every distribution', async () => {
    const result = await appdist(['validate', '--options'], REPOSITORY);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ok: 21 renders, \d+ objects, 0 findings in \d+ ms$/);
  });
});
