import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bakeDefaultsToChange, writeBakeDefaults } from '../src/bake-sync.js';
import { sampleBakeFile } from './temp-repository.js';

let root = '';

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'appdist-bake-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('keeping docker-bake.hcl with the versions', () => {
  it('changes only the defaults that differ, one line each', async () => {
    const before = sampleBakeFile({ backend: '0.1.0', cache: '0.1.1', frontend: '1.0.0' });
    await writeFile(join(root, 'docker-bake.hcl'), before);

    const edit = await bakeDefaultsToChange(root, [
      { name: 'backend', version: '0.2.0' },
      { name: 'cache', version: '0.1.1' },
      { name: 'frontend', version: '1.0.1' },
    ]);
    expect(edit).toEqual({
      file: 'docker-bake.hcl',
      variables: [
        { variable: 'BACKEND_VERSION', from: '0.1.0', to: '0.2.0' },
        { variable: 'FRONTEND_VERSION', from: '1.0.0', to: '1.0.1' },
      ],
    });
    if (!edit) throw new Error('no edit');
    await writeBakeDefaults(root, edit);

    const after = (await readFile(join(root, 'docker-bake.hcl'), 'utf8')).split('\n');
    const old = before.split('\n');
    expect(after.filter((line, index) => line !== old[index])).toEqual([
      '  default = "0.2.0"',
      '  default = "1.0.1"',
    ]);
  });

  it('is null without a bake file, and refuses a service the bake file does not know', async () => {
    expect(await bakeDefaultsToChange(root, [{ name: 'backend', version: '0.2.0' }])).toBeNull();
    await writeFile(join(root, 'docker-bake.hcl'), 'variable "REGISTRY" {\n  default = "x"\n}\n');
    await expect(
      bakeDefaultsToChange(root, [{ name: 'backend', version: '0.2.0' }]),
    ).rejects.toThrow(/declares no variable "BACKEND_VERSION"/);
  });
});
