import { join } from 'node:path';
import { DISTRIBUTIONS } from '@appdist/catalogue';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { build } from '@appdist/kustomize/kustomize';
import { beforeAll, describe, expect, it } from 'vitest';
import { RENDERED_KINDS } from '../src/models.js';
import { SchemaValidator } from '../src/schema.js';
import { validateDirectory } from '../src/validate-directory.js';
import { validateProviderExample } from '../src/validate-example.js';
import { validateObjects } from '../src/validate-objects.js';
import { validateOptionComponents } from '../src/validate-options.js';
import { NAMED_FAILURES } from './named-failures.js';
import { formatSummary, summarizeRender } from './render-summary.js';

// The manifests providers receive: dist/ and examples/ of this repository.
const ROOT = findRepositoryRoot(import.meta.dirname) ?? '';

let schemas: SchemaValidator;
beforeAll(async () => {
  schemas = await SchemaValidator.create();
});

describe.each(DISTRIBUTIONS)('dist/%s', (distribution) => {
  it('has no findings', async () => {
    const result = await validateDirectory(join(ROOT, 'dist', distribution), { schemas });
    expect(result.findings).toEqual([]);
  });

  it('renders the workloads, strategies and images of the golden summary', async () => {
    const objects = await build(join(ROOT, 'dist', distribution));
    const summary = formatSummary(summarizeRender(objects));
    expect(JSON.parse(summary)).toEqual(summarizeRender(objects));
    await expect(summary).toMatchFileSnapshot(join('golden', `${distribution}.json`));
  });

  it.each(NAMED_FAILURES)('reports $name precisely', async (failure) => {
    const objects = await build(join(ROOT, 'dist', distribution));
    failure.breakIt(objects);
    const findings = await validateObjects(objects, { distribution, schemas });
    expect(findings).toContainEqual(
      expect.objectContaining({ distribution, namespace: 'app', ...failure.expected }),
    );
  });
});

describe('examples/provider', () => {
  it('renders against the local checkout, with its Flux manifests, without findings', async () => {
    const results = await validateProviderExample(ROOT, { schemas });
    expect(results.map((result) => result.distribution)).toEqual([
      'examples/provider',
      'examples/provider/flux',
      'examples/provider (Flux Kustomization appdist)',
    ]);
    for (const result of results) {
      expect({ distribution: result.distribution, findings: result.findings }).toEqual({
        distribution: result.distribution,
        findings: [],
      });
    }
  });

  it('renders the same folders without validating them, for the pipeline benchmark', async () => {
    const validated = await validateProviderExample(ROOT, { schemas });
    const rendered = await validateProviderExample(ROOT, { validate: false });
    expect(rendered.map((result) => [result.distribution, result.objects.length])).toEqual(
      validated.map((result) => [result.distribution, result.objects.length]),
    );
    expect(rendered.every((result) => result.validateMs === 0)).toBe(true);
    const istio = await validateDirectory(join(ROOT, 'dist', 'app-istio'), { validate: false });
    expect(istio.objects.length).toBeGreaterThan(0);
    expect(istio.validateMs).toBe(0);
  });

  it('renders, with the distributions, only kinds that SchemaValidator makes ready ahead', async () => {
    const rendered = [
      ...(await Promise.all(DISTRIBUTIONS.map((name) => build(join(ROOT, 'dist', name))))).flat(),
      ...(await validateProviderExample(ROOT, { schemas })).flatMap((result) => result.objects),
    ];
    const ahead = new Set(RENDERED_KINDS.map(([apiVersion, kind]) => `${apiVersion} ${kind}`));
    const missing = rendered.filter(({ apiVersion, kind }) => !ahead.has(`${apiVersion} ${kind}`));
    expect(
      [...new Set(missing.map(({ apiVersion, kind }) => `${apiVersion} ${kind}`))],
      'add these to RENDERED_KINDS (packages/validation/src/models.ts)',
    ).toEqual([]);
  });

  it('applies the provider patches and the manual-approval component in both forms', async () => {
    const results = await validateProviderExample(ROOT, { schemas });
    for (const result of [results[0], results[2]]) {
      const canaries = result?.objects.filter((object) => object.kind === 'Canary') ?? [];
      expect(canaries.length).toBe(4);
      for (const canary of canaries) {
        expect(JSON.stringify(canary.spec)).toContain('"type":"confirm-promotion"');
      }
      const hpas = result?.objects.filter((object) => object.kind === 'HorizontalPodAutoscaler');
      expect(hpas?.map((hpa) => (hpa.spec as { minReplicas: number }).minReplicas)).toEqual([
        3, 3, 3, 3,
      ]);
    }
  });
});

describe('dist/components options', () => {
  it('composes every option with every distribution without findings', async () => {
    const results = await validateOptionComponents(ROOT, { schemas });
    expect(results.map((result) => result.distribution)).toEqual([
      'app-kubernetes + manual-approval',
      'app-kubernetes + alerts-slack',
      'app-kubernetes + alerts-msteams',
      'app-kubernetes + external-postgres',
      'app-kubernetes + external-redis',
      'app-istio + manual-approval',
      'app-istio + alerts-slack',
      'app-istio + alerts-msteams',
      'app-istio + external-postgres',
      'app-istio + external-redis',
      'app-linkerd + manual-approval',
      'app-linkerd + alerts-slack',
      'app-linkerd + alerts-msteams',
      'app-linkerd + external-postgres',
      'app-linkerd + external-redis',
    ]);
    for (const result of results) {
      expect({ distribution: result.distribution, findings: result.findings }).toEqual({
        distribution: result.distribution,
        findings: [],
      });
    }
  });
});
