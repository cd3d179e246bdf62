import { createApp as createCacheApp } from '@appdist/cache/app';
import { configSchema as cacheConfigSchema } from '@appdist/cache/config';
import { createApp as createDatabaseApp } from '@appdist/database/app';
import { configSchema as databaseConfigSchema } from '@appdist/database/config';
import { loadConfig } from '@appdist/service-kit/config';
import { createLogger } from '@appdist/service-kit/logger';
import { type RunningServer, serve } from '@appdist/service-kit/serve';
import { createTestDatabase } from '@appdist/testing/postgres';
import { createTestRedis } from '@appdist/testing/redis';
import { createApp } from '../../src/app.js';
import { configSchema } from '../../src/config.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const info = (name: string) => ({ name, version: '0.0.0-test', commit: 'test' });
// Port 0 picks a free port; no drain delay, so stopping a service is immediate.
const listen = {
  PORT: '0',
  HOST: '127.0.0.1',
  SHUTDOWN_DELAY_MS: '0',
  SHUTDOWN_TIMEOUT_MS: '2000',
};

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
    const config = loadConfig(databaseConfigSchema, {
      ...listen,
      PORT: port,
      DATABASE_URL: database.url,
    });
    const server = await serve(
      await createDatabaseApp({ config, logger, info: info('database') }),
      config,
      logger,
    );
    servers.push(server);
    return server;
  }

  const cacheConfig = loadConfig(cacheConfigSchema, {
    ...listen,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    ...options.cache,
  });
  const cacheServer = await serve(
    await createCacheApp({ config: cacheConfig, logger, info: info('cache') }),
    cacheConfig,
    logger,
  );
  servers.push(cacheServer);
  let databaseServer = await serveDatabase('0');
  const databaseUrl = databaseServer.url;

  const backendConfig = loadConfig(configSchema, {
    ...listen,
    CACHE_SERVICE_URL: cacheServer.url,
    DATABASE_SERVICE_URL: databaseUrl,
    CLICK_FLUSH_INTERVAL_MS: '50',
    ...options.backend,
  });
  const backendServer = await serve(
    await createApp({ config: backendConfig, logger, info: info('backend') }),
    backendConfig,
    logger,
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
