import type { DirectRoute } from '@appdist/service-kit/direct-route';
import { HttpError, ServiceUnavailableError } from '@appdist/service-kit/errors';
import { createServiceClient } from '@appdist/service-kit/http-client';
import { parsePageQuery } from '@appdist/service-kit/page-query';
import { sendJson } from '@appdist/service-kit/response';
import {
  type AppHandle,
  type AppOptions,
  createServiceApp,
} from '@appdist/service-kit/service-app';
import type { Express } from 'express';
import { ClickBuffer } from './click-buffer.js';
import type { Config } from './config.js';
import { createDatabaseService, type DatabaseService, type Link } from './database-service.js';
import { createLinkCache, type LinkCache } from './link-cache.js';
import { generateCode, isValidCode, parseCreateLink } from './link-input.js';

// A generated code collides only when the table is crowded; past this many tries, back off.
const GENERATED_CODE_ATTEMPTS = 6;

export async function createApp({ config, logger, info }: AppOptions<Config>): Promise<AppHandle> {
  const database = createDatabaseService(
    createServiceClient({
      name: 'database',
      baseUrl: config.DATABASE_SERVICE_URL,
      timeoutMs: config.DATABASE_TIMEOUT_MS,
      retries: config.DATABASE_RETRIES,
    }),
  );
  const cache = createLinkCache({
    // No retries: on the hot path a failing cache is skipped, never waited for twice.
    client: createServiceClient({
      name: 'cache',
      baseUrl: config.CACHE_SERVICE_URL,
      timeoutMs: config.CACHE_TIMEOUT_MS,
      retries: 0,
    }),
    logger,
    ttlSeconds: config.CACHE_TTL_SECONDS,
    cooldownMs: config.CACHE_COOLDOWN_MS,
  });
  const clicks = new ClickBuffer({
    send: (batch) => database.applyClicks(batch),
    intervalMs: config.CLICK_FLUSH_INTERVAL_MS,
    logger,
  });

  const service = createServiceApp({
    info,
    config,
    logger,
    // Only the database gates readiness: without the cache the backend still serves.
    readiness: [
      {
        name: 'database',
        check: () =>
          database.checkReady(Math.min(config.READINESS_TIMEOUT_MS, config.DATABASE_TIMEOUT_MS)),
      },
    ],
    directRoutes: [resolveRoute({ database, cache, clicks })],
    routes: (app) => addRoutes(app, { database, cache, clicks }),
  });
  clicks.start();

  return {
    ...service,
    async close() {
      // Clicks go out before the pools they travel on are closed; the drain timeout bounds it.
      await clicks.close(config.SHUTDOWN_TIMEOUT_MS);
      await Promise.all([database.close(), cache.close()]);
    },
  };
}

interface Dependencies {
  database: DatabaseService;
  cache: LinkCache;
  clicks: ClickBuffer;
}

function addRoutes(app: Express, { database, cache, clicks }: Dependencies): void {
  // Clicks this instance has counted but not yet delivered, so a client sees its own click at once.
  const withUnapplied = (link: Link): Link => ({
    ...link,
    clicks: link.clicks + clicks.unapplied(link.code),
  });

  app.post('/api/links', async (req, res) => {
    const input = parseCreateLink(req.body);
    if (input.code !== undefined) {
      res.status(201).json(await database.createLink({ code: input.code, url: input.url }));
      return;
    }
    for (let attempt = 1; attempt <= GENERATED_CODE_ATTEMPTS; attempt++) {
      try {
        res.status(201).json(await database.createLink({ code: generateCode(), url: input.url }));
        return;
      } catch (error) {
        if (!(error instanceof HttpError && error.status === 409)) throw error;
      }
    }
    throw new ServiceUnavailableError('could not find a free code; try again');
  });

  app.get('/api/links', async (req, res) => {
    const page = await database.listLinks(parsePageQuery(req.query));
    res.json({ items: page.items.map(withUnapplied), nextCursor: page.nextCursor });
  });

  app.get('/api/links/:code', async (req, res) => {
    res.json(withUnapplied(await database.getLink(knownCode(req.params.code))));
  });

  app.delete('/api/links/:code', async (req, res) => {
    const code = knownCode(req.params.code);
    await database.deleteLink(code);
    await cache.forget(code);
    res.status(204).end();
  });
}

// A code outside the pattern cannot exist; answering here spares the dependencies.
function knownCode(code: string): string {
  if (!isValidCode(code)) throw new HttpError(404, 'not_found', 'link not found');
  return code;
}

/** What every redirect asks: served without Express (see DirectRoute). */
function resolveRoute({ database, cache, clicks }: Dependencies): DirectRoute {
  return {
    route: '/api/resolve/:code',
    async handle(param, _req, res) {
      const code = knownCode(param);
      let url = await cache.getUrl(code);
      if (url === undefined) {
        url = (await database.getLink(code)).url;
        cache.remember(code, url);
      }
      clicks.add(code);
      sendJson(res, 200, { url });
    },
  };
}
