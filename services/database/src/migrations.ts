import type pg from 'pg';
import { inTransaction, query } from './sql.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: Date;
}

/**
 * The schema, in order. Append only, never edit a released entry.
 *
 * Every migration must stay backward compatible with the previous release: during a blue/green
 * or canary rollout the old and the new release serve traffic side by side on this schema, and
 * a rollback sends everything back to the old one. So expand, then contract: add tables, nullable
 * or defaulted columns and indexes; drop or rename only in a later release, once no running
 * release reads the old shape. The old release also ignores versions it does not know.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'links and click batches',
    // Newest-first keyset paging (`WHERE id < $1 ORDER BY id DESC LIMIT n`) walks the primary
    // key index backwards; a second index on id would only slow down inserts.
    sql: `
      CREATE TABLE links (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code text NOT NULL UNIQUE,
        url text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        clicks bigint NOT NULL DEFAULT 0
      );
      CREATE TABLE click_batches (
        batch_id uuid PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX click_batches_applied_at_idx ON click_batches (applied_at);
    `,
  },
];

// Any constant works, as long as nothing else in the database uses it for an advisory lock.
const MIGRATION_LOCK = 8_311_042_017;

/**
 * Applies the migrations this release knows and the database lacks, all in one transaction.
 * Replicas start together: the transaction-scoped advisory lock makes the others wait, and they
 * then find everything applied. Returns the versions applied by this call.
 */
export async function migrate(
  pool: pg.Pool,
  list: readonly Migration[] = migrations,
): Promise<number[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version int PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations',
    );
    const present = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (present.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}

export async function appliedMigrations(pool: pg.Pool): Promise<AppliedMigration[]> {
  const { rows } = await query<{ version: number; name: string; applied_at: Date }>(
    pool,
    'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
  );
  return rows.map((row) => ({ version: row.version, name: row.name, appliedAt: row.applied_at }));
}
