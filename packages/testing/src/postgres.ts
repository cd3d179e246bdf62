import pg from 'pg';
import { dockerAvailable } from './docker.js';
import { uniqueSuffix } from './ports.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

let server: Promise<string> | undefined;

/**
 * The PostgreSQL server tests use: TEST_DATABASE_URL when set, else a testcontainers
 * PostgreSQL where Docker runs, else the local server on 127.0.0.1:5432.
 */
export function postgresServerUrl(): Promise<string> {
  server ??= (async () => {
    const explicit = process.env.TEST_DATABASE_URL;
    if (explicit) return explicit;
    if (await dockerAvailable()) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:17-alpine').start();
      return container.getConnectionUri();
    }
    return DEFAULT_TEST_DATABASE_URL;
  })();
  return server;
}

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
