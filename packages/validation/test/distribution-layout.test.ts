import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { build, setImage } from '@appdist/kustomize/kustomize';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const ROOT = findRepositoryRoot(import.meta.dirname) ?? '';

async function kustomizationFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await kustomizationFiles(path)));
    else if (entry.name === 'kustomization.yaml') found.push(path);
  }
  return found;
}

async function renderedImages(dir: string): Promise<string[]> {
  return (await build(dir)).flatMap((object) => {
    const spec = (
      object as { spec?: { template?: { spec?: { containers?: { image: string }[] } } } }
    ).spec;
    return spec?.template?.spec?.containers?.map((container) => container.image) ?? [];
  });
}

interface Patch {
  patch?: string;
  path?: string;
}

describe('the shape of dist/', () => {
  it('repeats no patch three times', async () => {
    const seen = new Map<string, string[]>();
    for (const file of await kustomizationFiles(join(ROOT, 'dist'))) {
      const kustomization = load(await readFile(file, 'utf8')) as { patches?: Patch[] };
      for (const patch of kustomization.patches ?? []) {
        const body =
          patch.patch ?? (patch.path ? await readFile(join(file, '..', patch.path), 'utf8') : '');
        // Same operations on other targets are the same patch, so only the body counts.
        const key = body.replace(/\s+/g, ' ').trim();
        seen.set(key, [...(seen.get(key) ?? []), relative(ROOT, file)]);
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    const repeated = [...seen.values()].filter((places) => places.length >= 3);
    expect(repeated).toEqual([]);
  });

  it('changes one service image tag with a one-line edit of one file', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'appdist-dist-'));
    try {
      await cp(join(ROOT, 'dist'), copy, { recursive: true });
      const file = join(copy, 'base', 'kustomization.yaml');
      const before = (await readFile(file, 'utf8')).split('\n');
      await setImage(join(copy, 'base'), 'ghcr.io/appdist/backend', '9.9.9');
      const after = (await readFile(file, 'utf8')).split('\n');
      expect(after).toHaveLength(before.length);
      const changed = after.filter((line, i) => line !== before[i]);
      expect(changed).toEqual([expect.stringContaining('9.9.9')]);

      const original = await renderedImages(join(ROOT, 'dist', 'app-istio'));
      const bumped = await renderedImages(join(copy, 'app-istio'));
      expect(bumped.filter((image) => !original.includes(image))).toEqual([
        'ghcr.io/appdist/backend:9.9.9',
      ]);
      expect(original.filter((image) => !bumped.includes(image))).toEqual([
        expect.stringMatching(/^ghcr\.io\/appdist\/backend:/),
      ]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
