import { createTestRedis, type TestRedis } from '@appdist/testing/redis';
import { silentLogger } from '@appdist/testing/serve-service';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisGateStore } from '../src/redis-gate-store.js';
import { gateApiContract, type TesterTarget } from './gate-api-contract.js';
import { type GateStoreTarget, gateStoreContract } from './gate-store-contract.js';
import { flaggerPayload, post, send, startTester } from './helpers.js';

const redisStore: GateStoreTarget = {
  name: 'Redis',
  async create(now) {
    const redis = await createTestRedis();
    const store = new RedisGateStore({
      url: redis.url,
      keyPrefix: redis.keyPrefix,
      commandTimeoutMs: 1_000,
      logger: silentLogger,
      now,
    });
    await store.connect();
    return {
      store,
      async dispose() {
        await store.close();
        await redis.cleanup();
      },
    };
  },
};

const redisTester: TesterTarget = {
  name: 'Redis',
  async start() {
    const redis = await createTestRedis();
    const server = await startTester({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix });
    return {
      url: server.url,
      async stop() {
        await server.shutdown();
        await redis.cleanup();
      },
    };
  },
};

describe.each([redisStore])('gate store contract on $name', gateStoreContract);
describe.each([redisTester])('gate API on $name', gateApiContract);

describe('gates on Redis, as Redis sees them', () => {
  let redis: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    redis = await createTestRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.cleanup();
  });
  const env = () => ({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix });

  it('keeps an opened gate and rollback across a tester restart', async () => {
    const first = await startTester(env());
    expect(
      (await post(first.url, '/gate/open', { name: 'backend', namespace: 'app' })).status,
    ).toBe(202);
    expect(
      (await post(first.url, '/rollback/open', { name: 'cache', namespace: 'app' })).status,
    ).toBe(202);
    await first.shutdown();

    const second = await startTester(env());
    try {
      expect((await post(second.url, '/gate/check', flaggerPayload())).status).toBe(200);
      expect(
        (await post(second.url, '/rollback/check', flaggerPayload({}, { name: 'cache' }))).status,
      ).toBe(200);
      expect(
        (await post(second.url, '/gate/check', flaggerPayload({}, { name: 'cache' }))).status,
      ).toBe(403);
      expect((await send(second.url, 'GET', '/readyz')).status).toBe(200);
    } finally {
      await second.shutdown();
    }
  });

  it('stores one hash per kind under REDIS_KEY_PREFIX', async () => {
    const tester = await startTester(env());
    try {
      await post(tester.url, '/gate/open', { name: 'frontend', namespace: 'web' });
      const stored = await client.hget(`${redis.keyPrefix}gates`, 'web/frontend');
      expect(JSON.parse(stored ?? 'null')).toEqual({ open: true, updatedAt: expect.any(String) });
      expect(await client.exists('gates')).toBe(0);
    } finally {
      await tester.shutdown();
    }
  });

  it('answers 503, never 500 or a 2xx, when its key holds something else', async () => {
    const isolated = await createTestRedis();
    await client.set(`${isolated.keyPrefix}rollbacks`, 'a string, not a hash');
    const tester = await startTester({
      REDIS_URL: isolated.url,
      REDIS_KEY_PREFIX: isolated.keyPrefix,
    });
    try {
      const res = await post(tester.url, '/rollback/check', flaggerPayload());
      expect(res.status).toBe(503);
      expect((await post(tester.url, '/gate/check', flaggerPayload())).status).toBe(403);
    } finally {
      await tester.shutdown();
      await isolated.cleanup();
    }
  });

  it('reads a value it cannot parse as a closed gate, not as an error', async () => {
    await client.hset(`${redis.keyPrefix}gates`, 'app/broken', 'not json');
    const tester = await startTester(env());
    try {
      const res = await post(tester.url, '/gate/check', flaggerPayload({}, { name: 'broken' }));
      expect(res.status).toBe(403);
      const gates = (await send(tester.url, 'GET', '/gates')).json as { gates: unknown[] };
      expect(gates.gates).toContainEqual({
        name: 'broken',
        namespace: 'app',
        open: false,
        updatedAt: '',
      });
    } finally {
      await tester.shutdown();
    }
  });
});
