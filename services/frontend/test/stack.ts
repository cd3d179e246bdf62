import { createApp as createBackendApp } from '@appdist/backend/app';
import { configSchema as backendConfigSchema } from '@appdist/backend/config';
import { createApp as createCacheApp } from '@appdist/cache/app';
import { configSchema as cacheConfigSchema } from '@appdist/cache/config';
import { createApp as createDatabaseApp } from '@appdist/database/app';
import { configSchema as databaseConfigSchema } from '@appdist/database/config';
import { loadConfig } from '@appdist/service-kit/config';
import { createLogger } from '@appdist/service-kit/logger';
import { type RunningServer, serve } from '@appdist/service-kit/serve';
import { createTestDatabase } from '@appdist/testing/postgres';
import { startFrontend } from './start-frontend.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const info = (name: string) => ({ name, version: '0.0.0-test', commit: 'test' });
// Port 0 picks a free port; no drain delay, so stopping is immediate.
const listen = {
  PORT: '0',
  HOST: '127.0.0.1',
  SHUTDOWN_DELAY_MS: '0',
  SHUTDOWN_TIMEOUT_MS: '2000',
};

export interface Stack {
  frontendUrl: string;
  backendUrl: string;
  close(): Promise<void>;
}

/**
 * The four real services in-process: database on a PostgreSQL database of its own, cache on
 * its in-process store, backend in front of both and the frontend in front of the backend.
 */
export async function startStack(): Promise<Stack> {
  const database = await createTestDatabase();
  const servers: RunningServer[] = [];
  try {
    const databaseConfig = loadConfig(databaseConfigSchema, {
      ...listen,
      DATABASE_URL: database.url,
    });
    const databaseServer = await serve(
      await createDatabaseApp({ config: databaseConfig, logger, info: info('database') }),
      databaseConfig,
      logger,
    );
    servers.push(databaseServer);

    const cacheConfig = loadConfig(cacheConfigSchema, listen);
    const cacheServer = await serve(
      await createCacheApp({ config: cacheConfig, logger, info: info('cache') }),
      cacheConfig,
      logger,
    );
    servers.push(cacheServer);

    const backendConfig = loadConfig(backendConfigSchema, {
      ...listen,
      CACHE_SERVICE_URL: cacheServer.url,
      DATABASE_SERVICE_URL: databaseServer.url,
      CLICK_FLUSH_INTERVAL_MS: '50',
    });
    const backendServer = await serve(
      await createBackendApp({ config: backendConfig, logger, info: info('backend') }),
      backendConfig,
      logger,
    );
    servers.unshift(backendServer);

    const frontendServer = await startFrontend({ BACKEND_URL: backendServer.url });
    servers.unshift(frontendServer);

    return {
      frontendUrl: frontendServer.url,
      backendUrl: backendServer.url,
      async close() {
        // Front to back: the backend delivers its buffered clicks while the database still runs.
        for (const server of servers) await server.shutdown();
        await database.drop();
      },
    };
  } catch (error) {
    for (const server of servers) await server.shutdown();
    await database.drop();
    throw error;
  }
}
