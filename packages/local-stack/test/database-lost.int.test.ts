import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@appdist/testing/eventually';
import { startThrowawayPostgres, type ThrowawayServer } from '@appdist/testing/throwaway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeServicePorts, type LocalStack, startLocalStack } from '../src/stack.js';
import { type Outcome, startLoad } from './load.js';
import { allLinks, JSON_HEADERS, printReport } from './support.js';
import { startTcpRelay, type TcpRelay } from './tcp-relay.js';

interface Write {
  code: string;
  startedAt: number;
  endedAt: number;
  status: number;
}

interface Outage {
  /** Makes PostgreSQL unreachable. */
  lose(): Promise<void>;
  /** Makes it reachable again. */
  restore(): Promise<void>;
}

describe('PostgreSQL lost under write load (throwaway cluster behind a TCP relay)', () => {
  let postgres: ThrowawayServer;
  let relay: TcpRelay;
  let stack: LocalStack;
  let run = 0;

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    relay = await startTcpRelay({ host: '127.0.0.1', port: postgres.port });
    const viaRelay = new URL(postgres.url);
    viaRelay.port = String(relay.port);
    // No Redis: the cache is not what this test is about, so the in-process store serves.
    stack = await startLocalStack({
      ports: await freeServicePorts(),
      databaseUrl: viaRelay.toString(),
      logLevel: 'error',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await relay?.close();
    await postgres?.dispose();
  });

  const backendReady = async () =>
    (await fetch(`${stack.urls.backend}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;

  /**
   * Write load through the frontend; PostgreSQL lost, then back. Every write must be a 201 whose
   * row exists afterwards, or a 503 with Retry-After; readiness false within 2 s of the loss;
   * writes accepted again within 5 s of the return, and from then on all of them.
   */
  async function writeThroughOutage(title: string, outage: Outage) {
    run += 1;
    const writes: Write[] = [];
    const create = async (i: number, signal: AbortSignal): Promise<Outcome> => {
      const code = `w${run}-${i}`;
      const startedAt = performance.now();
      const res = await fetch(`${stack.urls.frontend}/api/links`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ code, url: `https://example.com/w/${i}` }),
        signal,
      });
      const text = await res.text();
      writes.push({ code, startedAt, endedAt: performance.now(), status: res.status });
      if (res.status === 201) return { ok: true, label: 'create 201' };
      const retryAfter = res.headers.get('retry-after') ?? '';
      let errorCode = '';
      try {
        errorCode = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
      } catch {
        errorCode = 'not JSON';
      }
      // The outage answer the contract promises: clients back off and retry.
      const ok = res.status === 503 && /^\d+$/.test(retryAfter) && errorCode !== 'not JSON';
      return {
        ok,
        label: `create ${res.status}${ok ? '' : ` retry-after=${retryAfter}`}`,
        detail: text.slice(0, 200),
      };
    };
    const load = startLoad({
      concurrency: 4,
      maxRequests: 20_000,
      maxDurationMs: 40_000,
      maxRatePerSecond: 80,
      requestTimeoutMs: 8_000,
      nameOf: () => 'create',
      send: create,
    });
    try {
      await eventually(async () => {
        expect(writes.filter((w) => w.status === 201).length).toBeGreaterThan(50);
      }, 10_000);
      // A busy moment just before the loss, so every connection of the pool is open when it
      // happens; each of these writes must succeed like the others.
      const busy = await Promise.all(
        Array.from({ length: 24 }, (_, n) => create(1_000_000 + n, AbortSignal.timeout(8_000))),
      );
      expect(busy.filter((outcome) => !outcome.ok)).toEqual([]);

      await outage.lose();
      const lost = performance.now();
      // Polled as a kubelet would, only faster, to measure the delay.
      const notReadyMs = await eventually(
        async () => expect(await backendReady()).toBe(503),
        5_000,
        50,
      );
      await sleep(4_000);

      // PostgreSQL may accept connections a little before pg_ctl says so: the outage is over
      // from the moment it is being restored.
      const restoring = performance.now();
      await outage.restore();
      const back = performance.now();
      // Answered while PostgreSQL was unreachable, so each must be a 503.
      const duringOutage = writes.filter((w) => w.startedAt > lost && w.endedAt < restoring);
      const firstWriteMs = await eventually(
        async () => {
          const ok = writes.find((w) => w.startedAt > back && w.status === 201);
          expect(ok).toBeDefined();
        },
        8_000,
        20,
      );
      const readyMs = await eventually(async () => expect(await backendReady()).toBe(200), 5_000);
      // Then it stays recovered: a further second of writes, every one accepted.
      const settled = performance.now();
      await sleep(1_000);
      const report = await load.stop();
      const afterRecovery = writes.filter((w) => w.startedAt > settled);

      const acknowledged = writes.filter((w) => w.status === 201).map((w) => w.code);
      const refused = writes.filter((w) => w.status === 503).map((w) => w.code);
      const stored = await allLinks(stack.urls.database);
      const missing = acknowledged.filter((code) => !stored.has(code));
      // A 503 may still have been committed (the answer was lost, not the write): allowed, counted.
      const refusedButStored = refused.filter((code) => stored.has(code));

      printReport(title, report);
      console.log(
        `${title}: backend not ready ${Math.round(notReadyMs)} ms after the loss; ` +
          `${duringOutage.length} writes answered during the outage, ` +
          `${duringOutage.filter((w) => w.status === 503).length} × 503; PostgreSQL back: ` +
          `first write accepted after ${Math.round(firstWriteMs)} ms, backend ready after ` +
          `${Math.round(firstWriteMs + readyMs)} ms; ${acknowledged.length} acknowledged, ` +
          `${missing.length} of them missing; ${refused.length} refused, ` +
          `${refusedButStored.length} of them stored anyway`,
      );

      expect(report.failures).toEqual([]);
      expect(missing).toEqual([]);
      expect(notReadyMs).toBeLessThan(2_000);
      // Even when every write hangs until the backend's 2 s timeout, a few are answered.
      expect(duringOutage.length).toBeGreaterThanOrEqual(4);
      expect(duringOutage.filter((w) => w.status !== 503)).toEqual([]);
      expect(firstWriteMs).toBeLessThan(5_000);
      expect(afterRecovery.length).toBeGreaterThan(20);
      expect(afterRecovery.filter((w) => w.status !== 201)).toEqual([]);
    } finally {
      await load.stop();
    }
  }

  it('PostgreSQL stopped and started again (connections refused)', async () => {
    await writeThroughOutage('PostgreSQL stopped', {
      lose: () => postgres.kill(),
      restore: () => postgres.start(),
    });
  }, 60_000);

  it('a network partition, healed with the connections intact (nothing refused, nothing answers)', async () => {
    await writeThroughOutage('network partition', {
      lose: async () => relay.partition(),
      restore: async () => relay.heal('resume'),
    });
  }, 60_000);

  it('a failover behind a partition: the old connections are gone without a reset', async () => {
    await writeThroughOutage('failover', {
      lose: async () => relay.partition(),
      // PostgreSQL restarts meanwhile, so every connection the pool holds is dead but silent.
      restore: async () => {
        await postgres.kill();
        await postgres.start();
        relay.heal('dead');
      },
    });
  }, 60_000);
});
