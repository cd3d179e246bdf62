import { runService } from '@appdist/service-kit/serve';
import { createApp } from './app.js';
import { configSchema } from './config.js';

await runService({ entryUrl: import.meta.url, schema: configSchema, createApp });
