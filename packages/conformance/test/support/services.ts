import { createApp as createBackendApp } from '@appdist/backend/app';
import { configSchema as backendConfigSchema } from '@appdist/backend/config';
import { createApp as createCacheApp } from '@appdist/cache/app';
import { configSchema as cacheConfigSchema } from '@appdist/cache/config';
import type { KeyValueStore } from '@appdist/cache/store';
import { createApp as createDatabaseApp } from '@appdist/database/app';
import { configSchema as databaseConfigSchema } from '@appdist/database/config';
import { createApp as createFrontendApp } from '@appdist/frontend/app';
import { configSchema as frontendConfigSchema } from '@appdist/frontend/config';
import type { RunningServer } from '@appdist/service-kit/serve';
import { createTestDatabase } from '@appdist/testing/postgres';
import { serveService } from '@appdist/testing/serve-service';
import { afterAll, beforeAll } from 'vitest';

export type Env = Record<string, string>;

/** Starts a fixture before the file's tests and closes it after them; the getter reads it. */
export function sharedFixture<T extends { close(): Promise<void> }>(
  start: () => Promise<T>,
): () => T {
  let fixture: T | undefined;
  beforeAll(async () => {
    fixture = await start();
  });
  afterAll(async () => {
    await fixture?.close();
  });
  return () => {
    if (!fixture) throw new Error('the fixture has not started (it starts in beforeAll)');
    return fixture;
  };
}

/** The database service on a PostgreSQL database of its own; close() drops it. */
export interface DatabaseService {
  url: string;
  close(): Promise<void>;
}

export async function startDatabaseService(env: Env = {}): Promise<DatabaseService> {
  const database = await createTestDatabase();
  try {
    const server = await serveService(
      { name: 'database', configSchema: databaseConfigSchema, createApp: createDatabaseApp },
      { DATABASE_URL: database.url, ...env },
    );
    return {
      url: server.url,
      async close() {
        await server.shutdown();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** The cache service; on the given store (Redis or in-process), else on a fresh in-process one. */
export function startCacheService(env: Env = {}, store?: KeyValueStore): Promise<RunningServer> {
  return serveService(
    {
      name: 'cache',
      configSchema: cacheConfigSchema,
      createApp: (options) => createCacheApp(store ? { ...options, store } : options),
    },
    env,
  );
}

/** The real backend on a real cache service (in-process store) and database service (PostgreSQL). */
export interface BackendStack {
  backendUrl: string;
  databaseUrl: string;
  /** Another backend on the same cache and database, e.g. one with faults injected. */
  startBackend(env: Env): Promise<RunningServer>;
  close(): Promise<void>;
}

export async function startBackendStack(): Promise<BackendStack> {
  const database = await startDatabaseService();
  const servers: RunningServer[] = [];
  const startBackend = async (env: Env) => {
    const server = await serveService(
      { name: 'backend', configSchema: backendConfigSchema, createApp: createBackendApp },
      {
        CACHE_SERVICE_URL: cache.url,
        DATABASE_SERVICE_URL: database.url,
        // Short, so clicks reach the database quickly when another instance reads them.
        CLICK_FLUSH_INTERVAL_MS: '50',
        ...env,
      },
    );
    servers.push(server);
    return server;
  };
  const cache = await startCacheService();
  try {
    const backend = await startBackend({});
    return {
      backendUrl: backend.url,
      databaseUrl: database.url,
      startBackend,
      async close() {
        // Backends first: they deliver buffered clicks while the database still runs.
        for (const server of servers.reverse()) await server.shutdown();
        await cache.shutdown();
        await database.close();
      },
    };
  } catch (error) {
    await cache.shutdown();
    await database.close();
    throw error;
  }
}

/** The four real services, the frontend in front. */
export interface FrontendStack {
  frontendUrl: string;
  databaseUrl: string;
  /** Another frontend on the same backend. */
  startFrontend(env: Env): Promise<RunningServer>;
  close(): Promise<void>;
}

export async function startFrontendStack(): Promise<FrontendStack> {
  const backend = await startBackendStack();
  const frontends: RunningServer[] = [];
  const startFrontend = async (env: Env) => {
    const server = await serveService(
      { name: 'frontend', configSchema: frontendConfigSchema, createApp: createFrontendApp },
      { BACKEND_URL: backend.backendUrl, ...env },
    );
    frontends.push(server);
    return server;
  };
  try {
    const frontend = await startFrontend({});
    return {
      frontendUrl: frontend.url,
      databaseUrl: backend.databaseUrl,
      startFrontend,
      async close() {
        for (const server of frontends) await server.shutdown();
        await backend.close();
      },
    };
  } catch (error) {
    await backend.close();
    throw error;
  }
}
