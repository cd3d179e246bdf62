import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { describeLinksApi } from './links-api-contract.js';
import {
  jsonOf,
  type LinkBody,
  postJson,
  startEmbedded,
  startService,
  tempDir,
} from './support.js';

describe('links API on embedded PGlite', () => {
  describeLinksApi(startEmbedded);
});

describe('embedded PGlite data directory', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps links and clicks across a close and a new app on the same directory', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const first = await startService({ EMBEDDED_DATA_DIR: dir });
    expect(
      (await postJson(`${first.url}/v1/links`, { code: 'kept', url: 'https://example.com/kept' }))
        .status,
    ).toBe(201);
    const batch = { batchId: '7d1c2f8e-1b2a-4c3d-8e4f-5a6b7c8d9e0f', counts: { kept: 4 } };
    expect(await (await postJson(`${first.url}/v1/clicks`, batch)).json()).toEqual({
      applied: true,
    });
    await first.stop();

    const second = await startService({ EMBEDDED_DATA_DIR: dir });
    try {
      const link = await jsonOf<LinkBody>(await fetch(`${second.url}/v1/links/kept`));
      expect(link).toMatchObject({ code: 'kept', url: 'https://example.com/kept', clicks: 4 });
      // The remembered batch id survives too, so a retry after the restart is still a no-op.
      expect(await (await postJson(`${second.url}/v1/clicks`, batch)).json()).toEqual({
        applied: false,
      });
      const migrations = await jsonOf<{ applied: unknown[] }>(
        await fetch(`${second.url}/v1/migrations`),
      );
      expect(migrations.applied).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });

  it('creates a missing data directory, nested', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const service = await startService({ EMBEDDED_DATA_DIR: `${dir}/a/b/pglite` });
    try {
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });
});
