import type { ServiceName } from '@appdist/catalogue';
import { freeServicePorts, type LocalStack, startLocalStack } from '@appdist/local-stack/stack';
import pg from 'pg';

// The servers production would use; a benchmark on embedded stores would measure those instead.
// The database is the caller's: the benchmarks may run on it again (one fixed link, random
// codes otherwise), and the smoke test passes one of its own.
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/appdist_bench';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails at once, naming the fix, where the database service would wait for the database. */
async function checkDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${url.replace(/:[^:@/]+@/, ':***@')}: ${(error as Error).message}. ` +
        `Create it (createdb ${new URL(url).pathname.slice(1)}) or set BENCH_DATABASE_URL.`,
    );
  } finally {
    await client.end().catch(() => undefined);
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
  await checkDatabase(databaseUrl);
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
