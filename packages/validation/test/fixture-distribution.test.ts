import { join } from 'node:path';
import { KustomizeError } from '@appdist/kustomize/errors';
import { build } from '@appdist/kustomize/kustomize';
import { beforeAll, describe, expect, it } from 'vitest';
import { CrdsNotFoundError } from '../src/crds.js';
import { SchemaValidator } from '../src/schema.js';
import { validateDirectory } from '../src/validate-directory.js';
import { validateObjects } from '../src/validate-objects.js';
import { NAMED_FAILURES } from './named-failures.js';
import { writeTree } from './tree.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'distribution');
const DISTRIBUTIONS = ['app-kubernetes', 'app-istio', 'app-linkerd'] as const;

let schemas: SchemaValidator;
beforeAll(async () => {
  schemas = await SchemaValidator.create();
});

describe.each(DISTRIBUTIONS)('fixture %s', (distribution) => {
  it('renders with real kustomize and has no findings', async () => {
    const result = await validateDirectory(join(FIXTURE, distribution), { schemas });
    expect(result.distribution).toBe(distribution);
    expect(result.objects.length).toBeGreaterThan(10);
    expect(result.findings).toEqual([]);
  });

  it.each(NAMED_FAILURES)('reports $name precisely', async (failure) => {
    const objects = await build(join(FIXTURE, distribution));
    failure.breakIt(objects);
    const findings = await validateObjects(objects, { distribution, schemas });
    expect(findings).toContainEqual(
      expect.objectContaining({ distribution, namespace: 'app', ...failure.expected }),
    );
  });
});

describe('validateDirectory failures', () => {
  it('passes on kustomize stderr and the folder when a kustomization does not render', async () => {
    const root = await writeTree({
      'app-broken/kustomization.yaml': 'resources:\n  - ../base\n',
    });
    const error = await validateDirectory(join(root, 'app-broken'), { schemas }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(KustomizeError);
    expect(error).toMatchObject({
      dir: join(root, 'app-broken'),
      stderr: expect.stringContaining('base'),
    });
  });

  it('says how to provide CRDs when the configured folder is missing', async () => {
    await expect(SchemaValidator.create({ crdsDir: '/nonexistent/crds' })).rejects.toThrow(
      CrdsNotFoundError,
    );
  });
});
