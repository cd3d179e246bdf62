import { readPackageInfo } from '@appdist/service-kit/package-info';
import { runService } from '@appdist/service-kit/serve';
import { createApp } from './app.js';
import { configSchema } from './config.js';

await runService({
  info: readPackageInfo(import.meta.url),
  schema: configSchema,
  createApp: (config, logger, info) => createApp({ config, logger, info }),
});
