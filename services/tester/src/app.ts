import { runConformance } from '@appdist/conformance/run';
import { openStore } from '@appdist/service-kit/redis';
import {
  type AppHandle,
  type AppOptions,
  createServiceApp,
} from '@appdist/service-kit/service-app';
import { jsonOfAnyContentType } from './body.js';
import type { Config } from './config.js';
import { conformanceHook, type RunConformance } from './conformance-hook.js';
import { eventHook } from './event-hook.js';
import { gateRoutes } from './gate-routes.js';
import type { GateStore } from './gate-store.js';
import { loadHook } from './load-hook.js';
import { LoadJobs } from './load-jobs.js';
import { MemoryGateStore } from './memory-gate-store.js';
import { RedisGateStore } from './redis-gate-store.js';
import { createTesterMetrics } from './tester-metrics.js';

export interface CreateAppOptions extends AppOptions<Config> {
  /** For tests; built from config when absent. */
  store?: GateStore;
  /** For tests; the suites of @appdist/conformance when absent. */
  runConformance?: RunConformance;
}

export async function createApp(options: CreateAppOptions): Promise<AppHandle> {
  const { config, logger, info } = options;
  const store =
    options.store ??
    (await openStore<GateStore>(config, logger, {
      label: 'gates',
      inMemory: () => {
        logger.info('gates: in memory (REDIS_URL unset); a restart closes every gate');
        return new MemoryGateStore();
      },
      inRedis: (redis) => new RedisGateStore(redis),
    }));
  const metrics = createTesterMetrics();
  const loads = new LoadJobs({
    maxJobs: config.LOAD_MAX_JOBS,
    requestTimeoutMs: config.LOAD_REQUEST_TIMEOUT_MS,
    metrics,
    logger,
  });
  const shutdown = new AbortController();
  const service = createServiceApp({
    info,
    config,
    logger,
    readiness: [{ name: 'gates', check: () => store.ping() }],
    registries: [metrics.registry],
    routes: (app) => {
      app.use(['/hooks', '/gate', '/rollback'], jsonOfAnyContentType);
      conformanceHook(app, {
        run: options.runConformance ?? runConformance,
        timeoutMs: config.CONFORMANCE_TIMEOUT_MS,
        metrics,
        logger,
        shutdownSignal: shutdown.signal,
      });
      loadHook(app, loads, {
        maxRps: config.LOAD_MAX_RPS,
        maxDurationSeconds: config.LOAD_MAX_DURATION_SECONDS,
      });
      gateRoutes(app, store);
      eventHook(app, logger);
    },
  });
  return {
    ...service,
    async close() {
      shutdown.abort(new Error('the tester is shutting down'));
      await loads.close();
      await store.close();
    },
  };
}
