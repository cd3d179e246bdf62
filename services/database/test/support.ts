import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@appdist/service-kit/config';
import type { ErrorBody } from '@appdist/service-kit/errors';
import { createTestDatabase } from '@appdist/testing/postgres';
import { serveService, silentLogger } from '@appdist/testing/serve-service';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { type Connection, openConnection } from '../src/connection.js';

export { silentLogger };

export interface TestService {
  url: string;
  /** Drains and closes the service, then removes what the fixture created for it. */
  stop(): Promise<void>;
}

export interface LinkBody {
  code: string;
  url: string;
  createdAt: string;
  clicks: number;
}

/** The service in-process on a free port; env is on top of test defaults. */
export async function startService(env: Record<string, string>): Promise<TestService> {
  const server = await serveService({ name: 'database', configSchema, createApp }, env);
  return { url: server.url, stop: server.shutdown };
}

/** A pool as the service opens it, for tests below the HTTP layer. */
export function connectTo(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<Connection> {
  const config = loadConfig(configSchema, { DATABASE_URL: databaseUrl, ...env });
  return openConnection(config, silentLogger, 'database-test');
}

/** On a PostgreSQL database of its own, dropped on stop. */
export async function startOnPostgres(env: Record<string, string> = {}): Promise<TestService> {
  const database = await createTestDatabase();
  const service = await startService({ DATABASE_URL: database.url, ...env });
  return {
    url: service.url,
    async stop() {
      await service.stop();
      await database.drop();
    },
  };
}

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'appdist-pglite-'));
}

/** On embedded PGlite in a fresh directory, deleted on stop. */
export async function startEmbedded(): Promise<TestService> {
  const dir = await tempDir();
  const service = await startService({ EMBEDDED_DATA_DIR: dir });
  return {
    url: service.url,
    async stop() {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function jsonOf<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function errorCodeOf(res: Response): Promise<string> {
  return (await jsonOf<ErrorBody>(res)).error.code;
}
