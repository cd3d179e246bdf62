import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from '@appdist/kustomize/kustomize';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  pointRemoteBasesAt,
  prepareProviderExample,
  referencesRemoteBase,
} from '../src/provider-example.js';
import { fluxOverlay } from '../src/validate-example.js';
import { writeTree } from './tree.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('pointRemoteBasesAt', () => {
  it('rewrites remote bases on this repository to checkout paths relative to the file', () => {
    const text = [
      'resources:',
      '  - https://github.com/appdist/appdist//dist/app-istio?ref=1.0.0',
      '  - github.com/appdist/appdist.git//dist/components/alerts-slack?ref=v1.0.0 # option',
      '  - https://github.com/other/repo//dist?ref=1.0.0',
    ].join('\n');
    expect(pointRemoteBasesAt(text, '/src/appdist', '/tmp/example')).toBe(
      [
        'resources:',
        '  - ../../src/appdist/dist/app-istio',
        '  - ../../src/appdist/dist/components/alerts-slack # option',
        '  - https://github.com/other/repo//dist?ref=1.0.0',
      ].join('\n'),
    );
    expect(referencesRemoteBase(text)).toBe(true);
    expect(referencesRemoteBase('resources: [../base]')).toBe(false);
  });
});

describe('prepareProviderExample', () => {
  it('copies the example with its remote base on the checkout, leaving the original alone', async () => {
    const checkout = await writeTree({
      'dist/app/kustomization.yaml': 'resources: [configmap.yaml]\n',
      'dist/app/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
      'examples/provider/kustomization.yaml':
        'resources:\n  - https://github.com/appdist/appdist//dist/app?ref=1.0.0\nnamespace: provider\n',
    });
    const example = await prepareProviderExample(checkout);
    try {
      const objects = await build(example.dir, { loadRestrictor: 'LoadRestrictionsNone' });
      expect(objects).toEqual([
        expect.objectContaining({
          kind: 'ConfigMap',
          metadata: { name: 'settings', namespace: 'provider' },
        }),
      ]);
      expect(
        await readFile(join(checkout, 'examples/provider/kustomization.yaml'), 'utf8'),
      ).toContain('https://github.com/appdist/appdist//dist/app?ref=1.0.0');
    } finally {
      await example.cleanup();
    }
    await expect(readFile(join(example.dir, 'kustomization.yaml'))).rejects.toThrow(/ENOENT/);
  });
});

describe('fluxOverlay', () => {
  const source = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'appdist' },
    spec: { url: 'https://github.com/appdist/appdist' },
  };
  const kustomization = (spec: Record<string, unknown>) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'app' },
    spec: {
      sourceRef: { kind: 'GitRepository', name: 'appdist' },
      path: 'dist/app-istio',
      ...spec,
    },
  });

  it('writes only the fields the Flux Kustomization sets', async () => {
    const workdir = await mkdtemp(join(tmpdir(), 'appdist-flux-'));
    try {
      const bare = await fluxOverlay(workdir, ROOT, kustomization({ targetNamespace: '' }), [
        source,
      ]);
      expect(load(await readFile(join(bare ?? '', 'kustomization.yaml'), 'utf8'))).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [relative(bare ?? '', join(ROOT, 'dist', 'app-istio'))],
      });
      const full = await fluxOverlay(
        workdir,
        ROOT,
        kustomization({ components: ['../components/alerts-slack'], targetNamespace: 'shop' }),
        [source],
      );
      expect(load(await readFile(join(full ?? '', 'kustomization.yaml'), 'utf8'))).toMatchObject({
        components: [relative(full ?? '', join(ROOT, 'dist', 'components', 'alerts-slack'))],
        namespace: 'shop',
      });
    } finally {
      await rm(workdir, { recursive: true, force: true });
    }
  });
});
