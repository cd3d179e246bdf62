import {
  freeServicePorts,
  type LocalStack,
  type ServiceName,
  startLocalStack,
} from '@appdist/local-stack/stack';
import { createTestDatabase } from '@appdist/testing/postgres';
import { createTestRedis } from '@appdist/testing/redis';

export interface BenchStack {
  stack: LocalStack;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  pid(name: ServiceName): number;
  stop(): Promise<void>;
}

/**
 * The services as processes, as `npm start` runs them but on PostgreSQL and Redis: a database
 * and a key prefix of this run's own, dropped and deleted again by stop(). Logs stay at info,
 * as in production, so every request is logged, measured and carries a request id.
 */
export async function startBenchStack(
  env: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<BenchStack> {
  const database = await createTestDatabase();
  const redis = await createTestRedis().catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      ports: await freeServicePorts(),
      databaseUrl: database.url,
      redisUrl: redis.url,
      redisKeyPrefix: redis.keyPrefix,
      logLevel: 'info',
      env,
    });
  } catch (error) {
    await redis.cleanup();
    await database.drop();
    throw error;
  }
  return {
    stack,
    databaseUrl: database.url,
    redisUrl: redis.url,
    redisKeyPrefix: redis.keyPrefix,
    pid(name) {
      const pid = stack.services.get(name)?.child.pid;
      if (pid === undefined) throw new Error(`${name} is not running`);
      return pid;
    },
    async stop() {
      try {
        await stack.stop();
      } finally {
        await redis.cleanup();
        await database.drop();
      }
    },
  };
}
