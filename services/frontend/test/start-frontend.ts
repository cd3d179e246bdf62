import { loadConfig } from '@appdist/service-kit/config';
import { createLogger } from '@appdist/service-kit/logger';
import { type RunningServer, serve } from '@appdist/service-kit/serve';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';

/** The frontend in-process on a free port, as main.ts would run it. */
export async function startFrontend(env: Record<string, string>): Promise<RunningServer> {
  const config = loadConfig(configSchema, {
    PORT: '0',
    HOST: '127.0.0.1',
    SHUTDOWN_DELAY_MS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = createLogger({ name: 'frontend', level: config.LOG_LEVEL });
  const handle = await createApp({
    config,
    logger,
    info: { name: 'frontend', version: '0.0.0-test', commit: 'test' },
  });
  return serve(handle, config, logger);
}
