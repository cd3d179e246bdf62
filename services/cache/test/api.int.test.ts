import { createTestRedis, type TestRedis } from '@appdist/testing/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CacheTarget, cacheContract } from './cache-contract.js';
import { errorCode, incrPath, keyPath, send, startCache } from './helpers.js';

const redis: CacheTarget = {
  name: 'Redis',
  async start() {
    const testRedis = await createTestRedis();
    const server = await startCache({
      REDIS_URL: testRedis.url,
      REDIS_KEY_PREFIX: testRedis.keyPrefix,
    });
    return {
      url: server.url,
      async stop() {
        await server.shutdown();
        await testRedis.cleanup();
      },
    };
  },
};

describe.each([redis])('cache API on $name', cacheContract);

describe('cache API on Redis, as Redis sees it', () => {
  let testRedis: TestRedis;
  let client: Redis;
  let url = '';
  let stop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    testRedis = await createTestRedis();
    client = new Redis(testRedis.url);
    const server = await startCache({
      REDIS_URL: testRedis.url,
      REDIS_KEY_PREFIX: testRedis.keyPrefix,
    });
    url = server.url;
    stop = () => server.shutdown();
  });
  afterAll(async () => {
    await stop();
    await testRedis.cleanup();
    client.disconnect();
  });

  it('prefixes every key with REDIS_KEY_PREFIX and stores JSON text', async () => {
    await send(url, 'PUT', keyPath('raw:doc'), {
      json: { value: { a: [1, 'b'] }, ttlSeconds: 30 },
    });
    await send(url, 'POST', incrPath('raw:counter'), { json: { by: 3 } });
    expect(await client.get(`${testRedis.keyPrefix}raw:doc`)).toBe('{"a":[1,"b"]}');
    expect(await client.ttl(`${testRedis.keyPrefix}raw:doc`)).toBeGreaterThan(28);
    expect(await client.get(`${testRedis.keyPrefix}raw:counter`)).toBe('3');
    expect(await client.exists('raw:doc')).toBe(0);
  });

  it('answers 409 counter_overflow past a 64-bit integer and keeps the value', async () => {
    await client.set(`${testRedis.keyPrefix}raw:max`, '9223372036854775807');
    const res = await send(url, 'POST', incrPath('raw:max'));
    expect(res.status).toBe(409);
    expect(errorCode(res)).toBe('counter_overflow');
    expect(await client.get(`${testRedis.keyPrefix}raw:max`)).toBe('9223372036854775807');
  });
});
