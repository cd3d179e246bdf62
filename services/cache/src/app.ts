import type { DirectRoute } from '@appdist/service-kit/direct-route';
import { HttpError } from '@appdist/service-kit/errors';
import { openStore, storeCall } from '@appdist/service-kit/redis';
import { sendJson } from '@appdist/service-kit/response';
import {
  type AppHandle,
  type AppOptions,
  createServiceApp,
} from '@appdist/service-kit/service-app';
import type { ErrorRequestHandler, Express } from 'express';
import type { Config } from './config.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import { parseIncrBody, parseKey, parsePutBody } from './requests.js';
import type { KeyValueStore } from './store.js';

export interface CreateAppOptions extends AppOptions<Config> {
  /** For tests; built from config when absent. */
  store?: KeyValueStore;
}

export async function createApp(options: CreateAppOptions): Promise<AppHandle> {
  const { config, logger, info } = options;
  const store =
    options.store ??
    (await openStore<KeyValueStore>(config, logger, {
      label: 'store',
      inMemory: () => {
        logger.info({ maxKeys: config.MEMORY_MAX_KEYS }, 'store: in-process (REDIS_URL unset)');
        return new MemoryStore({ maxKeys: config.MEMORY_MAX_KEYS });
      },
      inRedis: (redis) => new RedisStore(redis),
    }));
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

/** The read behind every cached redirect: served without Express (see DirectRoute). */
function readKeyRoute(store: KeyValueStore): DirectRoute {
  return {
    route: '/v1/keys/:key',
    async handle(param, _req, res) {
      const key = parseKey(param);
      const stored = await storeCall('cache', () => store.get(key));
      if (!stored) throw new HttpError(404, 'not_found', `no value for key ${key}`);
      sendJson(res, 200, { key, value: stored.value, ttlSeconds: stored.ttlSeconds });
    },
  };
}

function cacheRoutes(app: Express, store: KeyValueStore): void {
  app.put('/v1/keys/:key', async (req, res) => {
    const key = parseKey(req.params.key);
    const { value, ttlSeconds } = parsePutBody(req.body);
    await storeCall('cache', () => store.set(key, value, ttlSeconds));
    res.json({ key, value, ttlSeconds: ttlSeconds ?? null });
  });

  app.delete('/v1/keys/:key', async (req, res) => {
    const key = parseKey(req.params.key);
    if (!(await storeCall('cache', () => store.delete(key)))) {
      throw new HttpError(404, 'not_found', `no value for key ${key}`);
    }
    res.status(204).end();
  });

  app.post('/v1/counters/:key/incr', async (req, res) => {
    const key = parseKey(req.params.key);
    const by = parseIncrBody(req.body);
    const value = await storeCall('cache', () => store.incr(key, by));
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
