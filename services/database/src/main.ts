import { runService } from '@appdist/service-kit/serve';
import { createApp } from './app.js';
import { configSchema } from './config.js';

// If PostgreSQL is down at start, createApp retries with backoff for DATABASE_STARTUP_TIMEOUT_MS
// before failing, rather than exiting at once and crash-looping.
await runService({ entryUrl: import.meta.url, schema: configSchema, createApp });
