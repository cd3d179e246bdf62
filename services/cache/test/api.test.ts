import { StoreUnavailableError } from '@appdist/service-kit/redis';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue, KeyValueStore } from '../src/store.js';
import { type CacheTarget, cacheContract } from './cache-contract.js';
import { errorCode, incrPath, keyPath, send, startCache } from './helpers.js';

const memory: CacheTarget = {
  name: 'the in-process store',
  async start() {
    const server = await startCache();
    return { url: server.url, stop: () => server.shutdown() };
  },
};

describe.each([memory])('cache API on $name', cacheContract);

/** A store whose backend is down: every call fails the way RedisStore does during an outage. */
class DownStore implements KeyValueStore {
  closed = false;
  #fail(): never {
    throw new StoreUnavailableError('redis: connection refused');
  }
  async get(_key: string) {
    return this.#fail();
  }
  async set(_key: string, _value: JsonValue, _ttlSeconds?: number) {
    this.#fail();
  }
  async delete(_key: string) {
    return this.#fail();
  }
  async incr(_key: string, _by: number) {
    return this.#fail();
  }
  async ping() {
    this.#fail();
  }
  async close() {
    this.closed = true;
  }
}

describe('cache API wiring', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  it('answers 503 with Retry-After, never 500, when the store is down', async () => {
    const store = new DownStore();
    const server = await startCache({}, store);
    stops.push(() => server.shutdown());
    for (const [method, path] of [
      ['GET', keyPath('k')],
      ['PUT', keyPath('k')],
      ['DELETE', keyPath('k')],
      ['POST', incrPath('k')],
    ] as const) {
      const res = await send(server.url, method, path, { json: { value: 1 } });
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(errorCode(res)).toBe('service_unavailable');
    }
    const ready = await send(server.url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({
      status: 'unavailable',
      checks: { store: 'redis: connection refused' },
    });
    await server.shutdown();
    expect(store.closed).toBe(true);
  });

  it('still validates input before touching a down store', async () => {
    const server = await startCache({}, new DownStore());
    stops.push(() => server.shutdown());
    const res = await send(server.url, 'PUT', keyPath('k'), { json: { nothing: 1 } });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('invalid_value');
  });

  it('bounds the in-process store by MEMORY_MAX_KEYS', async () => {
    const server = await startCache({ MEMORY_MAX_KEYS: '2' });
    stops.push(() => server.shutdown());
    for (const key of ['first', 'second', 'third']) {
      await send(server.url, 'PUT', keyPath(key), { json: { value: key } });
    }
    expect((await send(server.url, 'GET', keyPath('first'))).status).toBe(404);
    expect((await send(server.url, 'GET', keyPath('second'))).status).toBe(200);
    expect((await send(server.url, 'GET', keyPath('third'))).status).toBe(200);
  });

  it('counts requests by route template', async () => {
    const server = await startCache();
    stops.push(() => server.shutdown());
    await send(server.url, 'GET', keyPath('metric:a'));
    await send(server.url, 'GET', keyPath('metric:b'));
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain(
      'http_requests_total{method="GET",route="/v1/keys/:key",status="404"} 2',
    );
    expect(text).not.toContain('metric:a');
  });
});
