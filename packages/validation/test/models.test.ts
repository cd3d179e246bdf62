import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModel } from '../src/models.js';

describe('findModel', () => {
  it('falls back to the packages when there is no bundle (sources)', async () => {
    const found = await findModel('apps/v1', 'Deployment');
    expect(found?.source).toBe('kubernetes');
    expect(found?.model.kind).toBe('Deployment');
  });

  it('rethrows a bundle that exists but fails to load', async () => {
    // A copy of the module with a broken bundle beside it, as a bad build would leave it.
    const dir = await mkdtemp(join(tmpdir(), 'appdist-models-'));
    await copyFile(new URL('../src/models.ts', import.meta.url), join(dir, 'models.ts'));
    await writeFile(join(dir, 'models-bundle.js'), "throw new Error('broken bundle');\n");
    const copy: typeof import('../src/models.js') = await import(join(dir, 'models.ts'));
    await expect(copy.findModel('apps/v1', 'Deployment')).rejects.toThrow('broken bundle');
  });
});
