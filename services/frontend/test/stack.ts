import { createApp as createBackendApp } from '@appdist/backend/app';
import { configSchema as backendConfigSchema } from '@appdist/backend/config';
import { createApp as createCacheApp } from '@appdist/cache/app';
import { configSchema as cacheConfigSchema } from '@appdist/cache/config';
import { createApp as createDatabaseApp } from '@appdist/database/app';
import { configSchema as databaseConfigSchema } from '@appdist/database/config';
import type { RunningServer } from '@appdist/service-kit/serve';
import { createTestDatabase } from '@appdist/testing/postgres';
import { serveService } from '@appdist/testing/serve-service';
import { startFrontend } from './start-frontend.js';

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
    const databaseServer = await serveService(
      { name: 'database', configSchema: databaseConfigSchema, createApp: createDatabaseApp },
      { DATABASE_URL: database.url },
    );
    servers.push(databaseServer);

    const cacheServer = await serveService({
      name: 'cache',
      configSchema: cacheConfigSchema,
      createApp: createCacheApp,
    });
    servers.push(cacheServer);

    const backendServer = await serveService(
      { name: 'backend', configSchema: backendConfigSchema, createApp: createBackendApp },
      {
        CACHE_SERVICE_URL: cacheServer.url,
        DATABASE_SERVICE_URL: databaseServer.url,
        CLICK_FLUSH_INTERVAL_MS: '50',
      },
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
