import { MemoryStore } from '@appdist/cache/memory-store';
import { RedisStore } from '@appdist/cache/redis-store';
import type { KeyValueStore } from '@appdist/cache/store';
import type { RunningServer } from '@appdist/service-kit/serve';
import { createTestRedis, type TestRedis } from '@appdist/testing/redis';
import { silentLogger } from '@appdist/testing/serve-service';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../src/run.js';
import { checkNamed, failedNames, failures, testPrefix } from './support/report.js';
import { startCacheService } from './support/services.js';
import { startStandIn, type TestServer } from './support/stand-in.js';

/** A store that remembers every key written to it, so a test can ask whether each is gone. */
function recordingStore(inner: KeyValueStore): { store: KeyValueStore; written: Set<string> } {
  const written = new Set<string>();
  const store: KeyValueStore = {
    get: (key) => inner.get(key),
    set: (key, value, ttlSeconds) => {
      written.add(key);
      return inner.set(key, value, ttlSeconds);
    },
    delete: (key) => inner.delete(key),
    incr: (key, by) => {
      written.add(key);
      return inner.incr(key, by);
    },
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return { store, written };
}

async function leftovers(store: KeyValueStore, written: Iterable<string>): Promise<string[]> {
  const left: string[] = [];
  for (const key of written) if ((await store.get(key)) !== undefined) left.push(key);
  return left;
}

const CHECK_NAMES = [
  'healthz',
  'readyz',
  'version',
  'set/get/delete',
  'ttl expiry',
  'counters',
  'unknown route',
  'metrics',
  'cleanup',
];

const running: (RunningServer | TestServer)[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) {
    await ('shutdown' in server ? server.shutdown() : server.close());
  }
});

describe('cache suite on Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis();
  });
  afterAll(async () => {
    await redis?.cleanup();
  });

  it('passes against the real cache service on Redis, writes only its own keys, and cleans up', async () => {
    const redisStore = new RedisStore({
      url: redis.url,
      keyPrefix: redis.keyPrefix,
      commandTimeoutMs: 1_000,
      logger: silentLogger,
    });
    await redisStore.connect();
    const { store, written } = recordingStore(redisStore);
    const cache = await startCacheService({}, store);
    running.push(cache);
    const prefix = testPrefix();

    const report = await runConformance({ service: 'cache', url: cache.url, prefix });
    expect(failures(report)).toEqual([]);
    expect(report).toMatchObject({ service: 'cache', url: cache.url, ok: true });
    expect(report.checks.map((check) => check.name)).toEqual(CHECK_NAMES);
    expect([...written].sort()).toEqual([`${prefix}-counter`, `${prefix}-ttl`, `${prefix}-value`]);
    expect(await leftovers(redisStore, written)).toEqual([]);
  });
});

describe('cache suite on the in-process store', () => {
  it('passes and leaves the store empty', async () => {
    const store = new MemoryStore({ maxKeys: 1_000 });
    const cache = await startCacheService({}, store);
    running.push(cache);
    const report = await runConformance({ service: 'cache', url: cache.url });
    expect(failures(report)).toEqual([]);
    expect(report.checks.map((check) => check.name)).toEqual(CHECK_NAMES);
    expect(store.size).toBe(0);
  });

  it('fails, naming the set/get/delete check, when every API call answers 500 (FAULT_ERROR_RATE=1)', async () => {
    const cache = await startCacheService({ FAULT_ERROR_RATE: '1' });
    running.push(cache);
    const prefix = testPrefix();
    const report = await runConformance({ service: 'cache', url: cache.url, prefix });
    expect(report.ok).toBe(false);
    expect(checkNamed(report, 'set/get/delete').message).toBe(
      `PUT /v1/keys/${prefix}-value: expected 200, got 500 (fault_injected)`,
    );
    expect(checkNamed(report, 'counters').ok).toBe(false);
  });

  it('fails the counters check when a counter comes back as a string (stand-in server with a wrong contract)', async () => {
    const store = new MemoryStore({ maxKeys: 1_000 });
    const cache = await startCacheService({}, store);
    running.push(cache);
    // Redis replies to INCRBY in text; a service passing that through breaks every client's arithmetic.
    const standIn = await startStandIn(cache.url, {
      alter: ({ path }, answer) => {
        if (!path.startsWith('/v1/counters/')) return undefined;
        const body = JSON.parse(answer.body) as { key: string; value: number };
        return { ...answer, body: JSON.stringify({ ...body, value: String(body.value) }) };
      },
    });
    running.push(standIn);
    const prefix = testPrefix();
    const report = await runConformance({ service: 'cache', url: standIn.url, prefix });
    expect(failedNames(report)).toEqual(['counters']);
    expect(checkNamed(report, 'counters').message).toBe(
      `POST /v1/counters/${prefix}-counter/incr: expected {key: "${prefix}-counter", value: 1}, got {"key":"${prefix}-counter","value":"1"}`,
    );
    // The check stopped before its own delete: cleanup removed the counter.
    expect(store.size).toBe(0);
  });

  it('fails the ttl check when a key outlives its TTL (stand-in server with a wrong contract)', async () => {
    const cache = await startCacheService();
    running.push(cache);
    const prefix = testPrefix();
    // After its expiry the key keeps being answered, as by a store that ignores TTLs.
    const standIn = await startStandIn(cache.url, {
      alter: ({ method, path }, answer) =>
        method === 'GET' && path === `/v1/keys/${prefix}-ttl` && answer.status === 404
          ? {
              status: 200,
              body: JSON.stringify({ key: `${prefix}-ttl`, value: 'expires', ttlSeconds: null }),
            }
          : undefined,
    });
    running.push(standIn);
    const report = await runConformance({ service: 'cache', url: standIn.url, prefix });
    expect(failedNames(report)).toEqual(['ttl expiry']);
    expect(checkNamed(report, 'ttl expiry').message).toBe(
      `GET /v1/keys/${prefix}-ttl: expected 404 within 3000 ms of a PUT with ttlSeconds 1, got 200`,
    );
  });
});
