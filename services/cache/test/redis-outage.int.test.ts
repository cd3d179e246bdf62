import type { RunningServer } from '@appdist/service-kit/serve';
import { eventually } from '@appdist/testing/eventually';
import { startThrowawayRedis, type ThrowawayServer } from '@appdist/testing/throwaway';
import { afterAll, describe, expect, it } from 'vitest';
import { type Answer, errorCode, incrPath, keyPath, send, startCache } from './helpers.js';

function expectUnavailable(res: Answer, what: string) {
  expect(res.status, what).toBe(503);
  expect(res.headers.get('retry-after'), what).toMatch(/^\d+$/);
  expect(errorCode(res), what).toBe('service_unavailable');
}

describe('cache API when Redis goes down and comes back', () => {
  const redisServers: ThrowawayServer[] = [];
  const caches: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.shutdown()));
    await Promise.all(redisServers.map((redis) => redis.dispose()));
  });

  async function cacheOn(redisUrl: string): Promise<string> {
    const cache = await startCache({
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: 'outage-test:',
    });
    caches.push(cache);
    return cache.url;
  }

  it('answers 503 within a second while Redis is down, and 200 again once it is back', async () => {
    const redis = await startThrowawayRedis();
    redisServers.push(redis);
    const url = await cacheOn(redis.url);
    expect((await send(url, 'PUT', keyPath('k'), { json: { value: 1 } })).status).toBe(200);
    expect((await send(url, 'GET', '/readyz')).status).toBe(200);

    await redis.kill();
    for (const [method, path] of [
      ['GET', keyPath('k')],
      ['PUT', keyPath('k')],
      ['DELETE', keyPath('k')],
      ['POST', incrPath('k')],
    ] as const) {
      const start = performance.now();
      const res = await send(url, method, path, { json: { value: 2 } });
      expect(performance.now() - start, `${method} ${path}`).toBeLessThan(1_000);
      expectUnavailable(res, `${method} ${path}`);
    }
    const notReady = await send(url, 'GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json).toMatchObject({ status: 'unavailable' });

    await redis.start();
    await eventually(
      async () => expect((await send(url, 'GET', '/readyz')).status).toBe(200),
      5_000,
    );
    const put = await send(url, 'PUT', keyPath('k'), { json: { value: 3 } });
    expect(put.status).toBe(200);
    expect((await send(url, 'GET', keyPath('k'))).json).toEqual({
      key: 'k',
      value: 3,
      ttlSeconds: null,
    });
  });

  it('starts while Redis is down, answers 503 at once, and serves once Redis is up', async () => {
    const redis = await startThrowawayRedis();
    redisServers.push(redis);
    await redis.kill();
    const start = performance.now();
    const url = await cacheOn(redis.url);
    expect(performance.now() - start).toBeLessThan(3_000);
    const startTime = performance.now();
    expectUnavailable(await send(url, 'GET', keyPath('k')), 'GET while down');
    expect(performance.now() - startTime).toBeLessThan(1_000);
    expect((await send(url, 'GET', '/readyz')).status).toBe(503);

    await redis.start();
    await eventually(
      async () => expect((await send(url, 'POST', incrPath('n'))).status).toBe(200),
      5_000,
    );
    expect((await send(url, 'GET', '/readyz')).status).toBe(200);
  });
});
