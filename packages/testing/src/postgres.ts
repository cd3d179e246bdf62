import pg from 'pg';
import { testServer } from './docker.js';
import { uniqueSuffix } from './ports.js';

/**
 * The PostgreSQL server tests use: TEST_DATABASE_URL when set, else a testcontainers
 * PostgreSQL where Docker runs, else the local server on 127.0.0.1:5432.
 */
const postgresServerUrl = testServer(
  'TEST_DATABASE_URL',
  'postgres://postgres@127.0.0.1:5432/postgres',
  async () => {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    return (await new PostgreSqlContainer('postgres:17-alpine').start()).getConnectionUri();
  },
);

export interface TestDatabase {
  /** Connection URL of a database created for this test run only. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database of its own, so test runs never see each other's rows. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = await postgresServerUrl();
  const name = `appdist_test_${uniqueSuffix()}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${redact(serverUrl)} (${(error as Error).message}). ` +
        'Start it (Debian: apt-get install -y postgresql && pg_ctlcluster 15 main start), ' +
        'set TEST_DATABASE_URL to a server where the user may CREATE DATABASE, or run Docker for testcontainers.',
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
