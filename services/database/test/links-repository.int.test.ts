import { randomUUID } from 'node:crypto';
import { HttpError } from '@appdist/service-kit/errors';
import { createTestDatabase, type TestDatabase } from '@appdist/testing/postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../src/connection.js';
import {
  createLinksRepository,
  decodeCursor,
  encodeCursor,
  type LinksRepository,
} from '../src/links-repository.js';
import { migrate } from '../src/migrations.js';
import { connectTo } from './support.js';

let database: TestDatabase;
let connection: Connection;
let pool: pg.Pool;
let links: LinksRepository;

beforeAll(async () => {
  database = await createTestDatabase();
  connection = await connectTo(database.url, { DATABASE_POOL_MAX: '8' });
  pool = connection.pool;
  await migrate(pool);
  links = createLinksRepository(pool);
});
afterAll(async () => {
  await connection.close();
  await database.drop();
});

const code = () => `r-${randomUUID().slice(0, 12)}`;

async function clicksOf(linkCode: string): Promise<number | undefined> {
  return (await links.get(linkCode))?.clicks;
}

describe('links repository', () => {
  it('creates, gets and deletes', async () => {
    const c = code();
    const created = await links.create(c, 'https://example.com/x');
    expect(created).toEqual({
      code: c,
      url: 'https://example.com/x',
      createdAt: expect.any(Date),
      clicks: 0,
    });
    expect(await links.get(c)).toEqual(created);
    expect(await links.delete(c)).toBe(true);
    expect(await links.get(c)).toBeUndefined();
    expect(await links.delete(c)).toBe(false);
  });

  it('throws 409 code_taken for a duplicate code, and the pool stays usable', async () => {
    const c = code();
    await links.create(c, 'https://example.com/1');
    const error = await links.create(c, 'https://example.com/2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 409, code: 'code_taken' });
    expect((await links.get(c))?.url).toBe('https://example.com/1');
  });

  it('pages newest first from a cursor and rejects cursors it did not make', async () => {
    const made = [code(), code(), code()];
    for (const c of made) await links.create(c, 'https://example.com');
    const first = await links.list(2);
    expect(first.items.map((l) => l.code)).toEqual([made[2], made[1]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await links.list(1, first.nextCursor ?? undefined);
    expect(second.items.map((l) => l.code)).toEqual([made[0]]);
    await expect(links.list(10, 'bm90LWFuLWlk')).rejects.toMatchObject({
      status: 400,
      code: 'invalid_cursor',
    });
  });

  it('accepts only canonical cursors of positive ids', () => {
    expect(decodeCursor(encodeCursor('42'))).toBe('42');
    expect(decodeCursor(encodeCursor('9223372036854775807'))).toBe('9223372036854775807');
    for (const bad of ['', 'NDI=', 'NDI.', `${encodeCursor('42')}A`, encodeCursor('042')]) {
      expect(() => decodeCursor(bad), bad).toThrow(HttpError);
    }
    expect(() => decodeCursor(encodeCursor('9223372036854775808'))).toThrow(HttpError);
  });

  it('applies a batch id once even when it arrives concurrently', async () => {
    const c = code();
    await links.create(c, 'https://example.com');
    const batchId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => links.applyClicks(batchId, new Map([[c, 2]]))),
    );
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await clicksOf(c)).toBe(2);
  });

  it('counts every click of concurrent batches over the same links, in any order', async () => {
    const codes = [code(), code(), code()];
    for (const c of codes) await links.create(c, 'https://example.com');
    const batches = Array.from({ length: 12 }, (_, i) => {
      const ordered = i % 2 === 0 ? codes : [...codes].reverse();
      return links.applyClicks(randomUUID(), new Map(ordered.map((c) => [c, 1])));
    });
    expect((await Promise.all(batches)).every((r) => r.applied)).toBe(true);
    for (const c of codes) expect(await clicksOf(c)).toBe(12);
  });

  it('saturates clicks at the largest exact JSON integer', async () => {
    const c = code();
    await links.create(c, 'https://example.com');
    await links.applyClicks(randomUUID(), new Map([[c, Number.MAX_SAFE_INTEGER]]));
    await links.applyClicks(randomUUID(), new Map([[c, Number.MAX_SAFE_INTEGER]]));
    expect(await clicksOf(c)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('forgets batch ids older than a day, and only those', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await pool.query(
      `INSERT INTO click_batches (batch_id, applied_at)
       VALUES ($1, now() - interval '25 hours'), ($2, now() - interval '23 hours')`,
      [old, recent],
    );
    // A new repository has never pruned, so its first batch prunes.
    await createLinksRepository(pool).applyClicks(randomUUID(), new Map());
    const { rows } = await pool.query<{ batch_id: string }>(
      'SELECT batch_id FROM click_batches WHERE batch_id = ANY($1::uuid[])',
      [[old, recent]],
    );
    expect(rows.map((r) => r.batch_id)).toEqual([recent]);
  });
});
