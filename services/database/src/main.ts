import { readPackageInfo } from '@appdist/service-kit/package-info';
import { runService } from '@appdist/service-kit/serve';
import { createApp } from './app.js';
import { configSchema } from './config.js';

// If PostgreSQL is down at start, createApp retries with backoff for DATABASE_STARTUP_TIMEOUT_MS
// before failing, rather than exiting at once and crash-looping.
await runService({
  info: readPackageInfo(import.meta.url),
  schema: configSchema,
  createApp: (config, logger, info) => createApp({ config, logger, info }),
});
