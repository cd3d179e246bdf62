import { eventually } from '@appdist/testing/eventually';
import { createTestDatabase, type TestDatabase } from '@appdist/testing/postgres';
import { createTestRedis, type TestRedis } from '@appdist/testing/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, type RolloutStep, startCluster } from '../src/cluster.js';
import { type Outcome, startLoad } from '../src/load.js';
import type { ServiceName } from '../src/stack.js';
import { allLinks, JSON_HEADERS, printReport } from './support.js';

// The drain settings the distributions ship (dist/base/*/kustomization.yaml); the preStop sleep
// is scaled down from 5 s, which only has to outlast the endpoint propagation modelled here.
const SHUTDOWN_DELAY_MS = '1000';
const PRE_STOP_MS = 300;
// Every service on the request path, then the tester, which Flagger calls while a rollout runs.
const ROLLOUT_ORDER: readonly ServiceName[] = [
  'database',
  'cache',
  'backend',
  'frontend',
  'tester',
];
const SEEDED = 40;

describe('a rolling update of every service while load runs through the frontend', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  let cluster: Cluster;
  const problems: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await createTestRedis();
    cluster = await startCluster({
      databaseUrl: database.url,
      redisUrl: redis.url,
      redisKeyPrefix: redis.keyPrefix,
      commonEnv: { SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS: '10000' },
      onLog: (replica, line) => {
        // Warnings and errors explain a failure; keep the first ones.
        if (/"level":"(warn|error|fatal)"/.test(line) && problems.length < 40)
          problems.push(`${replica} ${line}`);
      },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await redis?.cleanup();
    await database?.drop();
  });

  it('loses no request and no acknowledged write or click', async () => {
    const { frontend, tester } = cluster.urls;
    const targets = new Map<string, string>();
    for (let n = 0; n < SEEDED; n++) {
      const code = `seed-${n}`;
      const url = `https://example.com/seed/${n}?q=${n}`;
      const created = await fetch(`${frontend}/api/links`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ code, url }),
      });
      expect(created.status).toBe(201);
      targets.set(code, url);
    }
    const canary = { name: 'backend', namespace: 'app' };
    expect(
      (
        await fetch(`${tester}/gate/open`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify(canary),
        })
      ).status,
    ).toBe(202);

    const redirects = new Map<string, number>();
    const created: string[] = [];
    const seeds = [...targets.keys()];
    // A mix of what users do: mostly follow links, sometimes list and create.
    const kindOf = (i: number) => (i % 10 < 7 ? 'redirect' : i % 10 < 8 ? 'list' : 'create');
    const users = startLoad({
      concurrency: 6,
      maxRequests: 40_000,
      maxDurationMs: 50_000,
      maxRatePerSecond: 150,
      requestTimeoutMs: 5_000,
      nameOf: kindOf,
      async send(i, signal): Promise<Outcome> {
        const kind = kindOf(i);
        if (kind === 'redirect') {
          const code = seeds[i % seeds.length] ?? 'seed-0';
          const res = await fetch(`${frontend}/${code}`, { redirect: 'manual', signal });
          await res.arrayBuffer();
          const location = res.headers.get('location');
          if (res.status === 302 && location === targets.get(code)) {
            redirects.set(code, (redirects.get(code) ?? 0) + 1);
            return { ok: true, label: 'redirect 302' };
          }
          return { ok: false, label: `redirect ${res.status}`, detail: `${code} → ${location}` };
        }
        if (kind === 'list') {
          const res = await fetch(`${frontend}/api/links?limit=10`, { signal });
          const body = await res.text();
          const ok = res.status === 200 && body.includes('"items"');
          return { ok, label: `list ${res.status}`, detail: body.slice(0, 200) };
        }
        const code = `rr-${i}`;
        const res = await fetch(`${frontend}/api/links`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify({ code, url: `https://example.com/rr/${i}` }),
          signal,
        });
        const body = await res.text();
        if (res.status === 201) created.push(code);
        return {
          ok: res.status === 201,
          label: `create ${res.status}`,
          detail: body.slice(0, 200),
        };
      },
    });
    // Flagger calls the tester during every analysis; its gates must answer across its restart.
    const flagger = startLoad({
      concurrency: 2,
      maxRequests: 10_000,
      maxDurationMs: 50_000,
      maxRatePerSecond: 20,
      requestTimeoutMs: 5_000,
      nameOf: () => 'gate check',
      async send(_i, signal): Promise<Outcome> {
        const res = await fetch(`${tester}/gate/check`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify({ ...canary, phase: 'Progressing', checksum: 'c1', metadata: {} }),
          signal,
        });
        const body = await res.text();
        return { ok: res.status === 200, label: `gate check ${res.status}`, detail: body };
      },
    });

    const steps: (RolloutStep & { requestsDuring: number })[] = [];
    try {
      await eventually(async () => expect(users.snapshot().requests).toBeGreaterThan(100), 10_000);
      for (const service of ROLLOUT_ORDER) {
        const before = users.snapshot().requests + flagger.snapshot().requests;
        const step = await cluster.rollingUpdate(service, { preStopMs: PRE_STOP_MS });
        steps.push({
          ...step,
          requestsDuring: users.snapshot().requests + flagger.snapshot().requests - before,
        });
      }
      // Load keeps running on the new replicas for a moment, so a late failure shows too.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      await Promise.all([users.stop(), flagger.stop()]);
    }
    const [userReport, flaggerReport] = await Promise.all([users.done, flagger.done]);

    console.log(
      [
        'rolling update (maxSurge 1, maxUnavailable 0):',
        ...steps.map(
          (s) =>
            `  ${s.service}: ${s.from} → ${s.to}; new ready in ${Math.round(s.startedMs)} ms, ` +
            `in rotation in ${Math.round(s.inRotationMs)} ms; old drained and exited ` +
            `(code ${s.exitCode ?? s.exitSignal}) in ${Math.round(s.drainMs)} ms; ` +
            `${s.requestsDuring} requests during the replacement`,
        ),
      ].join('\n'),
    );
    const refused = Object.fromEntries(
      ROLLOUT_ORDER.map((service) => [service, cluster.fronts[service].refused]),
    );
    console.log(
      `connections refused by the fronts (no ready replica to take them): ${JSON.stringify(refused)}`,
    );
    printReport('user load through the frontend', userReport);
    printReport('gate checks on the tester', flaggerReport);
    if (userReport.failed + flaggerReport.failed > 0) console.log(problems.join('\n'));

    expect(userReport.failures).toEqual([]);
    expect(flaggerReport.failures).toEqual([]);
    // Also on the hops users never see (the backend falls back when the cache fails): no
    // connection was ever sent to a replica that had stopped listening.
    expect(
      Object.values(refused).every((n) => n === 0),
      JSON.stringify(refused),
    ).toBe(true);
    for (const step of steps) {
      // A clean drain exits 0 by itself, well before the SIGKILL of the grace period.
      expect(step.exitCode, `${step.from} exit`).toBe(0);
      // The load really ran through each replacement.
      expect(step.requestsDuring, step.service).toBeGreaterThan(50);
    }

    // Every 201 is a row, and every redirect a click: the old backend flushed its buffer.
    const dbUrl = cluster.urls.database;
    const stored = await allLinks(dbUrl);
    expect(created.filter((code) => !stored.has(code))).toEqual([]);
    await eventually(async () => {
      const links = await allLinks(dbUrl);
      const clicks = Object.fromEntries(seeds.map((code) => [code, links.get(code)?.clicks ?? 0]));
      const expected = Object.fromEntries(seeds.map((code) => [code, redirects.get(code) ?? 0]));
      expect(clicks).toEqual(expected);
    }, 10_000);
  }, 90_000);
});
