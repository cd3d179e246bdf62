import type { ServiceName } from '@appdist/catalogue';
import { freeServicePorts, type LocalStack, startLocalStack } from '@appdist/local-stack/stack';
import pg from 'pg';

export interface BenchStack {
  stack: LocalStack;
  databaseUrl: string;
  pid(name: ServiceName): number;
  stop(): Promise<void>;
}

// The servers production would use; a benchmark on embedded stores would measure those instead.
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The services as processes, as `npm start` runs them but on PostgreSQL and Redis: a database
 * of this run's own, dropped by stop(), and keys under a prefix of its own (the only ones it
 * writes are cache entries, which expire). Logs stay at info, as in production, so every request
 * is logged, measured and carries a request id.
 */
export async function startBenchStack(
  env: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<BenchStack> {
  const name = `appdist_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      await client.query(sql);
    } catch (error) {
      throw new Error(
        `PostgreSQL at BENCH_POSTGRES_URL (${POSTGRES.replace(/:[^:@/]+@/, ':***@')}) refused "${sql}": ${(error as Error).message}`,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  const drop = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      ports: await freeServicePorts(),
      databaseUrl: url.toString(),
      redisUrl: REDIS,
      redisKeyPrefix: `appdist-bench:${process.pid}:`,
      logLevel: 'info',
      env,
    });
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    stack,
    databaseUrl: url.toString(),
    pid(service) {
      const pid = stack.services.get(service)?.child.pid;
      if (pid === undefined) throw new Error(`${service} is not running`);
      return pid;
    },
    async stop() {
      try {
        await stack.stop();
      } finally {
        await drop();
      }
    },
  };
}
