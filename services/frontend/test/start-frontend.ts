import type { RunningServer } from '@appdist/service-kit/serve';
import { serveService } from '@appdist/testing/serve-service';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

/** The frontend in-process on a free port, as main.ts would run it. */
export function startFrontend(env: Record<string, string>): Promise<RunningServer> {
  return serveService({ name: 'frontend', configSchema, createApp }, env);
}
