import { createServiceClient } from '@appdist/service-kit/http-client';
import {
  type AppHandle,
  type AppOptions,
  createServiceApp,
} from '@appdist/service-kit/service-app';
import { createBackendApi } from './backend-api.js';
import type { FrontendConfig } from './config.js';
import { apiForwarder } from './forwarder.js';
import { securityHeaders } from './security.js';
import { mountFallbacks, mountPages, mountStatic, redirectRoute } from './site.js';

export async function createApp({
  config,
  logger,
  info,
}: AppOptions<FrontendConfig>): Promise<AppHandle> {
  const backend = createServiceClient({
    name: 'backend',
    baseUrl: config.BACKEND_URL,
    timeoutMs: config.BACKEND_TIMEOUT_MS,
    retries: 1,
  });
  // No readiness check on the backend: pages keep answering (with a friendly 503) while it
  // is down, and failing readiness here would take the whole entry point out of rotation.
  const backendApi = createBackendApi(backend);
  const service = createServiceApp({
    info,
    config,
    logger,
    directRoutes: [redirectRoute({ backend: backendApi, logger })],
    // /api bodies are forwarded byte for byte, so the shared JSON parser must not read them.
    rawBodyPrefixes: ['/api'],
    routes: (app) => {
      app.use(securityHeaders());
      mountStatic(app);
      app.use('/api', apiForwarder({ backend, timeoutMs: config.BACKEND_TIMEOUT_MS, logger }));
      mountPages(app, { backend: backendApi, config });
      mountFallbacks(app, logger);
    },
  });
  return {
    ...service,
    close: () => backend.close(),
  };
}
