import { createTestDatabase, type TestDatabase } from '@appdist/testing/postgres';
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../src/connection.js';
import { appliedMigrations, migrate, migrations } from '../src/migrations.js';
import { connectTo } from './support.js';

const databases: TestDatabase[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => connection.close()));
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

/** A pool of its own, as one replica of the service would have. */
async function poolFor(database: TestDatabase): Promise<pg.Pool> {
  const connection = await connectTo(database.url, { DATABASE_POOL_MAX: '2' });
  connections.push(connection);
  return connection.pool;
}

describe('migrate', () => {
  it('lets five replicas migrate a fresh database at once, applying each migration once', async () => {
    const database = await freshDatabase();
    const replicas = await Promise.all(Array.from({ length: 5 }, () => poolFor(database)));
    const results = await Promise.all(replicas.map((pool) => migrate(pool)));
    const all = migrations.map((m) => m.version);
    // Exactly one replica applied everything; the others waited on the lock and found it done.
    expect(results.filter((applied) => applied.length > 0)).toEqual([all]);
    const recorded = await appliedMigrations(replicas[0] ?? (await poolFor(database)));
    expect(recorded.map((m) => m.version)).toEqual(all);
    const { rows } = await (replicas[1] ?? (await poolFor(database))).query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('links', 'click_batches')",
    );
    expect(rows[0]?.n).toBe('2');
  });

  it('is a no-op the second time', async () => {
    const pool = await poolFor(await freshDatabase());
    expect(await migrate(pool)).toEqual(migrations.map((m) => m.version));
    expect(await migrate(pool)).toEqual([]);
  });

  it('leaves versions it does not know alone, as an older release beside a newer one must', async () => {
    const pool = await poolFor(await freshDatabase());
    const next = {
      version: 1_000,
      name: 'from a newer release',
      sql: 'CREATE TABLE newer (id int)',
    };
    expect(await migrate(pool, [...migrations, next])).toContain(1_000);
    expect(await migrate(pool)).toEqual([]);
    expect((await appliedMigrations(pool)).map((m) => m.version)).toContain(1_000);
  });

  it('rolls back every migration of a run when one fails', async () => {
    const pool = await poolFor(await freshDatabase());
    const broken = { version: 2, name: 'broken', sql: 'CREATE TABLE links (id int)' };
    await expect(migrate(pool, [...migrations, broken])).rejects.toMatchObject({ code: '42P07' });
    const { rows } = await pool.query<{ present: string | null }>(
      "SELECT to_regclass('schema_migrations')::text AS present",
    );
    expect(rows[0]?.present).toBeNull();
  });
});
