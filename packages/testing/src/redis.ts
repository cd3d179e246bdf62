import { Redis } from 'ioredis';
import { testServer } from './docker.js';
import { uniqueSuffix } from './ports.js';

/** TEST_REDIS_URL when set, else a testcontainers Redis where Docker runs, else 127.0.0.1:6379. */
const redisServerUrl = testServer('TEST_REDIS_URL', 'redis://127.0.0.1:6379', async () => {
  const { RedisContainer } = await import('@testcontainers/redis');
  return (await new RedisContainer('redis:7-alpine').start()).getConnectionUrl();
});

export interface TestRedis {
  url: string;
  /** Every key this run writes starts with it; cleanup() deletes exactly those. */
  keyPrefix: string;
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const url = await redisServerUrl();
  const keyPrefix = `appdist-test:${uniqueSuffix()}:`;
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Redis is not reachable at ${url} (${(error as Error).message}). ` +
        'Start it (Debian: apt-get install -y redis-server && redis-server --daemonize yes), ' +
        'set TEST_REDIS_URL, or run Docker for testcontainers.',
    );
  }
  return {
    url,
    keyPrefix,
    async cleanup() {
      try {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await client.del(...keys);
        } while (cursor !== '0');
      } finally {
        client.disconnect();
      }
    },
  };
}
