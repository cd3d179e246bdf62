import { ServiceUnavailableError } from '@appdist/service-kit/errors';
import { createTestDatabase, type TestDatabase } from '@appdist/testing/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../src/connection.js';
import { inTransaction, query } from '../src/sql.js';
import { connectTo } from './support.js';

let database: TestDatabase;
let connection: Connection;
let admin: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  connection = await connectTo(database.url, {
    DATABASE_POOL_MAX: '4',
    DATABASE_STATEMENT_TIMEOUT_MS: '200',
  });
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await connection.close();
  await database.drop();
});

/** Kills this database's other sessions, as a failover or an operator would. */
async function terminateSessions(): Promise<number> {
  const { rowCount } = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return rowCount ?? 0;
}

describe('connection to PostgreSQL', () => {
  it('turns a statement over the timeout into 503 and keeps the pool usable', async () => {
    const error = await query(connection.pool, 'SELECT pg_sleep(2)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    const { rows } = await query<{ one: number }>(connection.pool, 'SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('survives idle sessions being terminated and reconnects', async () => {
    await Promise.all([1, 2, 3].map(() => query(connection.pool, 'SELECT pg_sleep(0.05)')));
    expect(connection.pool.idleCount).toBeGreaterThan(0);
    expect(await terminateSessions()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { rows } = await query<{ one: number }>(connection.pool, 'SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('answers 503, not a crash, when the session dies inside a transaction', async () => {
    const error = await inTransaction(connection.pool, async (client) => {
      await client.query('SELECT 1');
      await terminateSessions();
      // Let the server's goodbye arrive while this client is checked out and idle: pg emits it
      // as an 'error' event that pg-pool does not listen for.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await client.query('SELECT 1');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    const { rows } = await query<{ one: number }>(connection.pool, 'SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
  });
});
