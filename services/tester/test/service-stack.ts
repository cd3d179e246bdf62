import { createApp as createBackendApp } from '@appdist/backend/app';
import { configSchema as backendConfigSchema } from '@appdist/backend/config';
import { createApp as createCacheApp } from '@appdist/cache/app';
import { configSchema as cacheConfigSchema } from '@appdist/cache/config';
import { createApp as createDatabaseApp } from '@appdist/database/app';
import { configSchema as databaseConfigSchema } from '@appdist/database/config';
import { createApp as createFrontendApp } from '@appdist/frontend/app';
import { configSchema as frontendConfigSchema } from '@appdist/frontend/config';
import type { RunningServer } from '@appdist/service-kit/serve';
import { createTestDatabase } from '@appdist/testing/postgres';
import { createTestRedis } from '@appdist/testing/redis';
import { serveService } from '@appdist/testing/serve-service';

/** The four services, as the conformance suites expect to find them behind a canary URL. */
export interface ServiceStack {
  urls: Record<'frontend' | 'backend' | 'cache' | 'database', string>;
  /** A second backend on the same stores, answering 500 to everything but probes. */
  startFaultyBackend(): Promise<string>;
  close(): Promise<void>;
}

/** database on its own PostgreSQL database, cache on its own Redis prefix, backend, frontend. */
export async function startServiceStack(): Promise<ServiceStack> {
  const database = await createTestDatabase();
  const redis = await createTestRedis();
  const servers: RunningServer[] = [];
  const serve = async (server: Promise<RunningServer>) => {
    const running = await server;
    servers.push(running);
    return running.url;
  };
  try {
    const databaseUrl = await serve(
      serveService(
        { name: 'database', configSchema: databaseConfigSchema, createApp: createDatabaseApp },
        { DATABASE_URL: database.url },
      ),
    );
    const cacheUrl = await serve(
      serveService(
        { name: 'cache', configSchema: cacheConfigSchema, createApp: createCacheApp },
        { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix },
      ),
    );
    const backendEnv = {
      CACHE_SERVICE_URL: cacheUrl,
      DATABASE_SERVICE_URL: databaseUrl,
      CLICK_FLUSH_INTERVAL_MS: '50',
    };
    const backend = (env: Record<string, string> = {}) =>
      serve(
        serveService(
          { name: 'backend', configSchema: backendConfigSchema, createApp: createBackendApp },
          { ...backendEnv, ...env },
        ),
      );
    const backendUrl = await backend();
    const frontendUrl = await serve(
      serveService(
        { name: 'frontend', configSchema: frontendConfigSchema, createApp: createFrontendApp },
        { BACKEND_URL: backendUrl },
      ),
    );
    return {
      urls: { frontend: frontendUrl, backend: backendUrl, cache: cacheUrl, database: databaseUrl },
      startFaultyBackend: () => backend({ FAULT_ERROR_RATE: '1' }),
      async close() {
        // Callers first: the backend delivers buffered clicks to a database still running.
        for (const server of [...servers].reverse()) await server.shutdown();
        await Promise.all([database.drop(), redis.cleanup()]);
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => server.shutdown()));
    await Promise.all([database.drop(), redis.cleanup()]);
    throw error;
  }
}
