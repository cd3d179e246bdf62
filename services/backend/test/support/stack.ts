import { createApp as createCacheApp } from '@appdist/cache/app';
import { configSchema as cacheConfigSchema } from '@appdist/cache/config';
import { createApp as createDatabaseApp } from '@appdist/database/app';
import { configSchema as databaseConfigSchema } from '@appdist/database/config';
import type { RunningServer } from '@appdist/service-kit/serve';
import { createTestDatabase } from '@appdist/testing/postgres';
import { createTestRedis } from '@appdist/testing/redis';
import { serveService } from '@appdist/testing/serve-service';
import { createApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';

export interface StackOptions {
  backend?: Record<string, string>;
  cache?: Record<string, string>;
}

/** Real cache and database services on real Redis and PostgreSQL, and the backend in front. */
export interface Stack {
  backendUrl: string;
  cacheUrl: string;
  databaseUrl: string;
  /** Drains the backend; its close() delivers the clicks it still holds. */
  stopBackend(): Promise<void>;
  /** Stops the cache service, as a crashed pod would be gone. */
  stopCache(): Promise<void>;
  stopDatabase(): Promise<void>;
  /** A new database service on the same port and the same PostgreSQL database. */
  startDatabase(): Promise<void>;
  close(): Promise<void>;
}

function portOf(url: string): string {
  return new URL(url).port;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const database = await createTestDatabase();
  const redis = await createTestRedis();
  const servers: RunningServer[] = [];

  async function serveDatabase(port: string): Promise<RunningServer> {
    const server = await serveService(
      { name: 'database', configSchema: databaseConfigSchema, createApp: createDatabaseApp },
      { PORT: port, DATABASE_URL: database.url },
    );
    servers.push(server);
    return server;
  }

  const cacheServer = await serveService(
    { name: 'cache', configSchema: cacheConfigSchema, createApp: createCacheApp },
    { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix, ...options.cache },
  );
  servers.push(cacheServer);
  let databaseServer = await serveDatabase('0');
  const databaseUrl = databaseServer.url;

  const backendServer = await serveService(
    { name: 'backend', configSchema, createApp },
    {
      CACHE_SERVICE_URL: cacheServer.url,
      DATABASE_SERVICE_URL: databaseUrl,
      CLICK_FLUSH_INTERVAL_MS: '50',
      ...options.backend,
    },
  );

  return {
    backendUrl: backendServer.url,
    cacheUrl: cacheServer.url,
    databaseUrl,
    stopBackend: () => backendServer.shutdown(),
    stopCache: () => cacheServer.shutdown(),
    stopDatabase: () => databaseServer.shutdown(),
    async startDatabase() {
      databaseServer = await serveDatabase(portOf(databaseUrl));
    },
    async close() {
      // The backend first: its close() delivers buffered clicks to a database still running.
      await backendServer.shutdown();
      await Promise.all(servers.map((server) => server.shutdown()));
      await Promise.all([database.drop(), redis.cleanup()]);
    },
  };
}
