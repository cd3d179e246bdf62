import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from '@appdist/service-kit/logger';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import type { Config } from './config.js';

export interface Connection {
  pool: pg.Pool;
  /** Ends the pool first, then whatever serves it. */
  close(): Promise<void>;
}

type ConnectionConfig = Pick<
  Config,
  | 'DATABASE_URL'
  | 'EMBEDDED_DATA_DIR'
  | 'DATABASE_POOL_MAX'
  | 'DATABASE_STATEMENT_TIMEOUT_MS'
  | 'DATABASE_CONNECT_TIMEOUT_MS'
>;

/**
 * A pg Pool to DATABASE_URL or, when it is unset, to an embedded PGlite served over TCP, so both
 * modes run exactly the same pg code: same queries, same errors, same transactions.
 */
export async function openConnection(
  config: ConnectionConfig,
  logger: Logger,
  applicationName: string,
): Promise<Connection> {
  if (config.DATABASE_URL) {
    const pool = new pg.Pool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_MAX,
      statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS,
      // Also bounds the wait for a free client when the pool is exhausted.
      connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
      // statement_timeout is enforced by the server, so it cannot end a query whose server is
      // gone without a reset (a failover, a partition): that query would hold its client, and
      // readiness and every request with it, forever. This client-side bound fails it after the
      // server's own limit, and the failed client is then discarded (see sql.ts).
      query_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS + 1_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: applicationName,
    });
    const close = watchClients(pool, logger);
    const target = new URL(config.DATABASE_URL);
    logger.info({ host: target.host, database: target.pathname.slice(1) }, 'using PostgreSQL');
    return { pool, close };
  }

  const dataDir = resolve(config.EMBEDDED_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  // PGlite is a single backend: one connection, and a pool of one so nothing waits on a
  // connection the socket server would refuse.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const port = Number(server.getServerConn().split(':').pop());
  const pool = new pg.Pool({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
    // PGlite has no statement timeout (no timers in its single backend); only connects are bounded.
    connectionTimeoutMillis: config.DATABASE_CONNECT_TIMEOUT_MS,
    // Keep the one connection: reconnecting gains nothing in-process.
    idleTimeoutMillis: 0,
  });
  const closePool = watchClients(pool, logger);
  logger.info(
    { dataDir },
    `DATABASE_URL is unset: running on embedded PGlite, data in ${dataDir} (one connection; not for replicas)`,
  );
  return {
    pool,
    async close() {
      await closePool();
      await server.stop();
      await db.close();
    },
  };
}

/**
 * Keeps connection errors from crashing the process and returns a close() that resolves once
 * every connection is really closed.
 *
 * pg emits 'error' on a client whose server goes away even while a query of it is failing, and
 * pg-pool listens only on idle clients, not on checked-out or ending ones: without a listener of
 * our own such an error would be an uncaught exception. The failed query still rejects, and
 * pg-pool drops the broken client, so the next checkout reconnects. pool.end() resolves before
 * the sockets close, so close() also waits (briefly) for each client's 'end'.
 */
function watchClients(pool: pg.Pool, logger: Logger): () => Promise<void> {
  const open = new Set<Promise<void>>();
  pool.on('error', (error) => {
    logger.warn({ err: error }, 'idle PostgreSQL connection failed; it will be replaced');
  });
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      logger.debug({ err: error }, 'PostgreSQL connection failed');
    });
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    open.add(ended);
    void ended.then(() => open.delete(ended));
  });
  return async () => {
    await pool.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(open),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 5_000);
      }),
    ]);
    clearTimeout(timer);
  };
}
