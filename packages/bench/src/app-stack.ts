import type { ServiceName } from '@appdist/catalogue';
import {
  freeServicePorts,
  type LocalStack,
  startLocalStack,
  startReadyProcess,
} from '@appdist/local-stack/stack';
import getPort from 'get-port';
import pg from 'pg';

// The servers production would use; a benchmark on embedded stores would measure those instead.
// The database is the caller's: the benchmarks may run on it again (one fixed link, random
// codes otherwise), and the smoke test passes one of its own.
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/appdist_bench';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect().catch(async (error: unknown) => {
    await client.end().catch(() => undefined);
    throw error;
  });
  return client;
}

/**
 * The benchmark database, created on first use, so `npm run bench` needs nothing set up; fails at
 * once, naming the fix, where the database service would wait for an unreachable server.
 */
async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  try {
    await (await connect(url)).end();
  } catch (error) {
    const missing = (error as { code?: string }).code === '3D000'; // invalid_catalog_name
    if (!missing) {
      throw new Error(
        `PostgreSQL at ${url.replace(/:[^:@/]+@/, ':***@')}: ${(error as Error).message}. ` +
          'Start it, or set BENCH_DATABASE_URL to one that runs.',
      );
    }
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const client = await connect(admin.href);
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
  }
}

/**
 * The services as processes, as `npm start` runs them but on PostgreSQL and Redis, with Redis
 * keys under a prefix of this run's own (the only ones it writes are cache entries, which
 * expire). Logs stay at info, as in production, so every request is logged, measured and
 * carries a request id.
 */
export async function startBenchStack(
  databaseUrl: string,
  env: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<LocalStack> {
  await ensureDatabase(databaseUrl);
  return startLocalStack({
    ports: await freeServicePorts(),
    databaseUrl,
    redisUrl: REDIS,
    redisKeyPrefix: `appdist-bench:${process.pid}:`,
    logLevel: 'info',
    env,
  });
}

/** The process ids of the named services, for their CPU time. */
export function pidsOf(stack: LocalStack, names: readonly ServiceName[]): Record<string, number> {
  return Object.fromEntries(
    names.map((name) => {
      const pid = stack.services.get(name)?.child.pid;
      if (pid === undefined) throw new Error(`${name} is not running`);
      return [name, pid];
    }),
  );
}

// Often enough that polling adds at most this much to a measured start.
export const POLL_INTERVAL_MS = 5;

/**
 * `node <script> <args>` on a free PORT, once GET /readyz answers 200 (readyMs after the spawn),
 * without this shell's environment or flags (a profiler, say): what a container runs.
 */
export async function startNode(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
) {
  const port = await getPort({ host: '127.0.0.1' });
  const ready = await startReadyProcess({
    name: [script, ...args].join(' '),
    argv: [script, ...args],
    env: { ...env, HOST: '127.0.0.1', PORT: String(port), NODE_OPTIONS: '' },
    timeoutMs: 30_000,
    pollMs: POLL_INTERVAL_MS,
    // Production writes logs to stdout for the container runtime; here nobody reads them.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { ...ready, port };
}
