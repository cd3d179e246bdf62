import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@appdist/testing/eventually';
import { createTestDatabase, type TestDatabase } from '@appdist/testing/postgres';
import { startThrowawayRedis, type ThrowawayServer } from '@appdist/testing/throwaway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeServicePorts, type LocalStack, startLocalStack } from '../src/stack.js';
import { type Outcome, type RunningLoad, startLoad } from './load.js';
import { counterValue, JSON_HEADERS, printReport } from './support.js';

const CODES = 20;

/**
 * The cache's own request counter tells hits from misses: the backend asks GET /v1/keys/:key
 * once per redirect (unless it is skipping a failing cache), 200 is a hit, 404 a miss; the
 * database service's GET /v1/links/:code counts what fell through to PostgreSQL.
 */
interface CacheCounters {
  hits: number;
  misses: number;
  databaseReads: number;
}

describe('the cache lost under redirect load (throwaway Redis)', () => {
  let redis: ThrowawayServer;
  let database: TestDatabase;
  let stack: LocalStack;
  const targets = new Map<string, string>();

  beforeAll(async () => {
    [redis, database] = await Promise.all([startThrowawayRedis(), createTestDatabase()]);
    stack = await startLocalStack({
      ports: await freeServicePorts(),
      databaseUrl: database.url,
      redisUrl: redis.url,
      logLevel: 'error',
    });
    for (let n = 0; n < CODES; n++) {
      const code = `cache-${n}`;
      const url = `https://example.com/cached/${n}`;
      const res = await fetch(`${stack.urls.frontend}/api/links`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ code, url }),
      });
      expect(res.status).toBe(201);
      targets.set(code, url);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.dispose();
    await database?.drop();
  });

  const counters = async (): Promise<CacheCounters> => {
    const keyRoute = { method: 'GET', route: '/v1/keys/:key' };
    const [hits, misses, databaseReads] = await Promise.all([
      counterValue(stack.urls.cache, 'http_requests_total', { ...keyRoute, status: '200' }),
      counterValue(stack.urls.cache, 'http_requests_total', { ...keyRoute, status: '404' }),
      counterValue(stack.urls.database, 'http_requests_total', {
        method: 'GET',
        route: '/v1/links/:code',
      }),
    ]);
    return { hits, misses, databaseReads };
  };

  const redirectLoad = (): RunningLoad => {
    const codes = [...targets.keys()];
    return startLoad({
      concurrency: 4,
      maxRequests: 20_000,
      maxDurationMs: 40_000,
      maxRatePerSecond: 100,
      requestTimeoutMs: 5_000,
      nameOf: () => 'redirect',
      async send(i, signal): Promise<Outcome> {
        const code = codes[i % codes.length] ?? 'cache-0';
        const res = await fetch(`${stack.urls.frontend}/${code}`, { redirect: 'manual', signal });
        await res.arrayBuffer();
        const location = res.headers.get('location');
        const ok = res.status === 302 && location === targets.get(code);
        return { ok, label: `redirect ${res.status}`, detail: `${code} → ${location}` };
      },
    });
  };

  /** Share of redirects answered from the cache between two counter readings. */
  const hitRate = (from: CacheCounters, to: CacheCounters, redirects: number) =>
    redirects === 0 ? 0 : (to.hits - from.hits) / redirects;

  /** Waits until, over a 500 ms window, at least 90 % of redirects are cache hits; resolves with ms. */
  const untilHitRateRecovers = async (load: RunningLoad, timeoutMs: number) => {
    let from = await counters();
    let served = load.snapshot().ok;
    return eventually(
      async () => {
        await sleep(500);
        const to = await counters();
        const now = load.snapshot().ok;
        const rate = hitRate(from, to, now - served);
        [from, served] = [to, now];
        expect(rate).toBeGreaterThanOrEqual(0.9);
      },
      timeoutMs,
      0,
    );
  };

  it('keeps redirecting from the database while Redis is down, then hits the cache again', async () => {
    const load = redirectLoad();
    try {
      await untilHitRateRecovers(load, 10_000);
      // The steady state before the outage, for the printout.
      const start = await counters();
      const servedAtStart = load.snapshot().ok;
      await sleep(1_000);

      await redis.kill();
      const down = await counters();
      const servedAtKill = load.snapshot().ok;
      const notReadyMs = await eventually(async () => {
        expect((await fetch(`${stack.urls.cache}/readyz`)).status).toBe(503);
      }, 5_000);
      await sleep(3_000);
      const outage = await counters();
      const servedInOutage = load.snapshot().ok - servedAtKill;

      await redis.start();
      const back = performance.now();
      await eventually(async () => {
        expect((await fetch(`${stack.urls.cache}/readyz`)).status).toBe(200);
      }, 10_000);
      const cacheReadyMs = performance.now() - back;
      await untilHitRateRecovers(load, 10_000);
      const recoveredMs = performance.now() - back;
      const report = await load.stop();

      printReport('redirects while Redis was lost', report);
      console.log(
        `warm hit rate ${Math.min(1, hitRate(start, down, servedAtKill - servedAtStart)).toFixed(2)}; ` +
          `cache not ready ${Math.round(notReadyMs)} ms after the kill; during 3 s of outage ` +
          `${servedInOutage} redirects, ${outage.hits - down.hits} cache hits, ` +
          `${outage.databaseReads - down.databaseReads} database reads; Redis back: cache ready ` +
          `in ${Math.round(cacheReadyMs)} ms, hit rate ≥ 0.9 again within ${Math.round(recoveredMs)} ms`,
      );
      expect(report.failures).toEqual([]);
      expect(servedInOutage).toBeGreaterThan(50);
      // Served by the database, not by a cache that somehow survived. (The counters and the
      // load's count are read a few milliseconds apart: a handful of redirects of slack.)
      expect(outage.hits - down.hits).toBe(0);
      expect(outage.databaseReads - down.databaseReads).toBeGreaterThanOrEqual(
        servedInOutage * 0.95,
      );
      expect(recoveredMs).toBeLessThan(10_000);
    } finally {
      await load.stop();
    }
  }, 60_000);

  it('keeps redirecting while the cache service itself is killed and replaced', async () => {
    const load = redirectLoad();
    try {
      await untilHitRateRecovers(load, 10_000);
      const cache = stack.services.get('cache');
      if (!cache) throw new Error('the stack runs no cache service');
      const exited = once(cache.child, 'exit');
      // SIGKILL: no drain, as an OOM kill or a lost node would do it.
      cache.child.kill('SIGKILL');
      await exited;
      const killedAt = load.snapshot().ok;
      await sleep(2_000);
      const servedWithoutCache = load.snapshot().ok - killedAt;
      await stack.restart('cache');
      const back = performance.now();
      // Redis kept the entries, so hits come back as soon as the backend tries the cache again.
      await untilHitRateRecovers(load, 10_000);
      const recoveredMs = performance.now() - back;
      const report = await load.stop();
      printReport('redirects while the cache service was killed', report);
      console.log(
        `${servedWithoutCache} redirects in 2 s without a cache service; hit rate ≥ 0.9 again ` +
          `within ${Math.round(recoveredMs)} ms of its replacement being ready`,
      );
      expect(report.failures).toEqual([]);
      expect(servedWithoutCache).toBeGreaterThan(30);
      expect(recoveredMs).toBeLessThan(5_000);
    } finally {
      await load.stop();
    }
  }, 60_000);
});
