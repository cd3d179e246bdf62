import { type BaseConfig, loadConfig } from '@appdist/service-kit/config';
import { createLogger, type Logger } from '@appdist/service-kit/logger';
import { type RunningServer, serve } from '@appdist/service-kit/serve';
import type { AppHandle, AppOptions } from '@appdist/service-kit/service-app';
import type { z } from 'zod';

export const silentLogger = createLogger({ name: 'test', level: 'silent' });

/** A service under test listens on a free loopback port and stops without a drain delay. */
const TEST_LISTEN_ENV: Readonly<Record<string, string>> = {
  PORT: '0',
  HOST: '127.0.0.1',
  SHUTDOWN_DELAY_MS: '0',
  SHUTDOWN_TIMEOUT_MS: '2000',
};

export interface ServiceUnderTest<S extends z.ZodType<BaseConfig>> {
  name: string;
  configSchema: S;
  createApp(options: AppOptions<z.infer<S>>): Promise<AppHandle>;
}

/** Builds a service from env (on top of TEST_LISTEN_ENV) and serves it in-process, as main.ts would. */
export async function serveService<S extends z.ZodType<BaseConfig>>(
  service: ServiceUnderTest<S>,
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
): Promise<RunningServer> {
  const config = loadConfig(service.configSchema, { ...TEST_LISTEN_ENV, ...env });
  const info = { name: service.name, version: '0.0.0-test', commit: 'test' };
  return serve(await service.createApp({ config, logger, info }), config, logger);
}
