import { HttpError } from '@appdist/service-kit/errors';
import type { Logger } from '@appdist/service-kit/logger';
import { parsePageQuery } from '@appdist/service-kit/page-query';
import {
  type AppHandle,
  type AppOptions,
  createServiceApp,
} from '@appdist/service-kit/service-app';
import type pg from 'pg';
import type { Config } from './config.js';
import { openConnection } from './connection.js';
import { parseClickBatch, parseCode, parseNewLink } from './input.js';
import { createLinksRepository, type Link } from './links-repository.js';
import { appliedMigrations, migrate } from './migrations.js';
import { ignoreShadowWrites } from './shadow.js';
import { isDatabaseUnavailable, query } from './sql.js';

function linkJson(link: Link) {
  return {
    code: link.code,
    url: link.url,
    createdAt: link.createdAt.toISOString(),
    clicks: link.clicks,
  };
}

const notFound = (code: string) => new HttpError(404, 'not_found', `no link with code ${code}`);

/** Connects (PostgreSQL or embedded PGlite), migrates, and serves the links API of the contract. */
export async function createApp({ config, logger, info }: AppOptions<Config>): Promise<AppHandle> {
  const connection = await openConnection(config, logger, info.name);
  try {
    await migrateWhenReachable(connection.pool, config.DATABASE_STARTUP_TIMEOUT_MS, logger);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const { pool } = connection;
  const links = createLinksRepository(pool);

  const service = createServiceApp({
    info,
    config,
    logger,
    readiness: [
      {
        name: 'postgres',
        check: () => query(pool, 'SELECT 1'),
      },
    ],
    routes: (app) => {
      app.use(ignoreShadowWrites);
      app.post('/v1/links', async (req, res) => {
        const { code, url } = parseNewLink(req.body);
        const link = await links.create(code, url);
        res.status(201).location(`/v1/links/${code}`).json(linkJson(link));
      });
      app.get('/v1/links', async (req, res) => {
        const { limit, cursor } = parsePageQuery(req.query);
        const page = await links.list(limit, cursor);
        res.json({ items: page.items.map(linkJson), nextCursor: page.nextCursor });
      });
      app.get('/v1/links/:code', async (req, res) => {
        const code = parseCode(req.params.code);
        const link = await links.get(code);
        if (!link) throw notFound(code);
        res.json(linkJson(link));
      });
      app.delete('/v1/links/:code', async (req, res) => {
        const code = parseCode(req.params.code);
        if (!(await links.delete(code))) throw notFound(code);
        res.status(204).end();
      });
      app.post('/v1/clicks', async (req, res) => {
        const { batchId, counts } = parseClickBatch(req.body);
        res.json(await links.applyClicks(batchId, counts));
      });
      app.get('/v1/migrations', async (_req, res) => {
        const applied = await appliedMigrations(pool);
        // The highest version in the database, which may be newer than this release knows.
        const version = applied.reduce((max, m) => Math.max(max, m.version), 0);
        res.json({
          version,
          applied: applied.map((m) => ({
            version: m.version,
            name: m.name,
            appliedAt: m.appliedAt.toISOString(),
          })),
        });
      });
    },
  });
  return { ...service, close: () => connection.close() };
}

/**
 * Migrates, retrying with backoff while PostgreSQL is unreachable, for at most timeoutMs.
 * A database that is still starting (or a brief outage during a rollout) then delays this
 * replica instead of crash-looping it; past the deadline start-up fails and the orchestrator's
 * own backoff takes over. Errors in the migrations themselves are not retried.
 */
async function migrateWhenReachable(
  pool: pg.Pool,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrate(pool);
      logger.info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
      return;
    } catch (error) {
      const delayMs = Math.min(250 * 2 ** (attempt - 1), 5_000) * (0.5 + Math.random() / 2);
      if (!isDatabaseUnavailable(error) || Date.now() + delayMs > deadline) throw error;
      logger.warn({ err: error, attempt, delayMs }, 'database unreachable at start; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
