import type { DirectRoute } from '@appdist/service-kit/direct-route';
import { HttpError, ServiceUnavailableError } from '@appdist/service-kit/errors';
import type { Logger } from '@appdist/service-kit/logger';
import { sendJson } from '@appdist/service-kit/response';
import {
  type AppHandle,
  createServiceApp,
  type ServiceInfo,
} from '@appdist/service-kit/service-app';
import type { ErrorRequestHandler, Express } from 'express';
import type { Config } from './config.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import { parseIncrBody, parseKey, parsePutBody } from './requests.js';
import {
  CounterOverflowError,
  type KeyValueStore,
  NotACounterError,
  StoreUnavailableError,
} from './store.js';

export interface CreateAppOptions {
  config: Config;
  logger: Logger;
  info: ServiceInfo;
  /** For tests; built from config when absent. */
  store?: KeyValueStore;
}

export async function createApp(options: CreateAppOptions): Promise<AppHandle> {
  const { config, logger, info } = options;
  const store = options.store ?? (await createStore(config, logger));
  const service = createServiceApp({
    info,
    config,
    logger,
    readiness: [{ name: 'store', check: () => store.ping() }],
    directRoutes: [readKeyRoute(store)],
    routes: (app) => cacheRoutes(app, store),
  });
  return { ...service, close: () => store.close() };
}

async function createStore(config: Config, logger: Logger): Promise<KeyValueStore> {
  if (config.REDIS_URL === undefined) {
    logger.info({ maxKeys: config.MEMORY_MAX_KEYS }, 'store: in-process (REDIS_URL unset)');
    return new MemoryStore({ maxKeys: config.MEMORY_MAX_KEYS });
  }
  const store = new RedisStore({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
  });
  // Start even when Redis is down: readiness reports it and the client keeps reconnecting.
  await store.connect().catch(() => undefined);
  logger.info({ keyPrefix: config.REDIS_KEY_PREFIX }, 'store: redis');
  return store;
}

/** The read behind every cached redirect: served without Express (see DirectRoute). */
function readKeyRoute(store: KeyValueStore): DirectRoute {
  return {
    route: '/v1/keys/:key',
    async handle(param, _req, res) {
      const key = parseKey(param);
      const stored = await fromStore(() => store.get(key));
      if (!stored) throw new HttpError(404, 'not_found', `no value for key ${key}`);
      sendJson(res, 200, { key, value: stored.value, ttlSeconds: stored.ttlSeconds });
    },
  };
}

function cacheRoutes(app: Express, store: KeyValueStore): void {
  app.put('/v1/keys/:key', async (req, res) => {
    const key = parseKey(req.params.key);
    const { value, ttlSeconds } = parsePutBody(req.body);
    await fromStore(() => store.set(key, value, ttlSeconds));
    res.json({ key, value, ttlSeconds: ttlSeconds ?? null });
  });

  app.delete('/v1/keys/:key', async (req, res) => {
    const key = parseKey(req.params.key);
    if (!(await fromStore(() => store.delete(key)))) {
      throw new HttpError(404, 'not_found', `no value for key ${key}`);
    }
    res.status(204).end();
  });

  app.post('/v1/counters/:key/incr', async (req, res) => {
    const key = parseKey(req.params.key);
    const by = parseIncrBody(req.body);
    const value = await fromStore(() => store.incr(key, by));
    res.json({ key, value });
  });

  app.use('/v1', undecodableKey);
}

/** A key with broken percent-encoding (`%zz`) fails in the router, before parseKey sees it. */
const undecodableKey: ErrorRequestHandler = (err, _req, _res, next) => {
  next(
    err instanceof URIError
      ? new HttpError(400, 'invalid_key', 'key is not valid URL encoding')
      : err,
  );
};

/** Store failures as HTTP answers: an outage is a 503 to retry later, never a 500. */
async function fromStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      throw new ServiceUnavailableError('the cache store is unavailable');
    }
    if (error instanceof NotACounterError) throw new HttpError(409, 'not_a_counter', error.message);
    if (error instanceof CounterOverflowError) {
      throw new HttpError(409, 'counter_overflow', error.message);
    }
    throw error;
  }
}
