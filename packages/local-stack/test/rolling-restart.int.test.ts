/**
 * A rolling update of each service in turn under keep-alive load, as Kubernetes runs one with
 * maxSurge 1 and maxUnavailable 0: a second replica starts and becomes ready, then the first gets
 * SIGTERM and drains.
 *
 * Real: the service processes as the stack runs them, on PostgreSQL and Redis, with the drain
 * delay the distributions ship (SHUTDOWN_DELAY_MS=1000); a keep-alive HTTP client (fetch).
 * Not real: the Service in front. The client spreads its requests over the replicas' addresses
 * itself and takes a replica out of its rotation PROPAGATION_MS after that replica's /readyz
 * fails, which is what the endpoints controller and kube-proxy do, late (in a cluster the
 * preStop sleep covers that delay; here it is left uncovered on purpose). Until then it keeps
 * sending to the old replica on the keep-alive connections it holds. The services' calls to each
 * other keep their one address, so the callers are replaced first and each hop is loaded from
 * the client directly.
 *
 * Not covered (the earlier run had a proxy per Service, a stand-in this run no longer has): the
 * service-to-service hops during a rollout of the callee. Nothing calls the old cache or database
 * from a backend while they drain, so a backend's connections refused or reset by a draining cache
 * (which it would hide by falling back to the database) or database (a 503 to its caller) would
 * not show here; only the client's own hops to each service are measured.
 */
import { type ServiceName, startOrder } from '@appdist/catalogue';
import { eventually } from '@appdist/testing/eventually';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Outcome, startLoad } from './load.js';
import { allLinks, JSON_HEADERS, printReport, startTestStack, type TestStack } from './support.js';

const DRAIN = { SHUTDOWN_DELAY_MS: '1000', SHUTDOWN_TIMEOUT_MS: '10000' };
const PROPAGATION_MS = 300;
// Callers before the services they call: nobody is left calling a replica that has gone.
const ROLLOUT_ORDER = (startOrder() as ServiceName[][]).reverse().flat();
const SEEDED = 20;
const seed = (i: number) => `seed-${i % SEEDED}`;
const target = (code: string) => `https://example.com/${code}`;
const canary = { name: 'backend', namespace: 'app' };

/** What a caller of each service sends it, judged by what it must answer. */
const REQUESTS: Record<ServiceName, (url: string, i: number) => [string, RequestInit, number]> = {
  // A redirect counts as answered only with the Location of its link (checked in send).
  frontend: (url, i) => [`${url}/${seed(i)}`, { redirect: 'manual' }, 302],
  backend: (url, i) =>
    i % 5 === 0
      ? [`${url}/api/links`, post({ code: `rr-${i}`, url: target(`rr-${i}`) }), 201]
      : [`${url}/api/resolve/${seed(i)}`, {}, 200],
  cache: (url, i) => [`${url}/v1/keys/${seed(i)}`, {}, 200],
  database: (url, i) => [`${url}/v1/links/${seed(i)}`, {}, 200],
  tester: (url) => [
    `${url}/gate/check`,
    post({ ...canary, phase: 'Progressing', checksum: 'c1' }),
    200,
  ],
};

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) };
}

describe('a rolling update of each service under keep-alive load (the Service is the client)', () => {
  let stack: TestStack;
  const problems: string[] = [];
  const clicks = new Map<string, number>();
  const created: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      logLevel: 'warn',
      env: Object.fromEntries(ROLLOUT_ORDER.map((name) => [name, DRAIN])),
      onLog: (service, line) => {
        // Warnings and errors explain a failure; keep the first ones.
        if (/"level":"(warn|error|fatal)"/.test(line) && problems.length < 40)
          problems.push(`${service} ${line}`);
      },
    });
    const { frontend, cache, tester } = stack.urls;
    for (let i = 0; i < SEEDED; i++) {
      const link = await fetch(
        `${frontend}/api/links`,
        post({ code: seed(i), url: target(seed(i)) }),
      );
      expect(link.status).toBe(201);
      const key = await fetch(`${cache}/v1/keys/${seed(i)}`, {
        ...post({ value: 'v' }),
        method: 'PUT',
      });
      expect(key.status).toBe(200);
    }
    expect((await fetch(`${tester}/gate/open`, post(canary))).status).toBe(202);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it.each(ROLLOUT_ORDER)(
    '%s: no request fails; readiness fails first, then the old replica drains and exits 0',
    async (name) => {
      const old = stack.services.get(name);
      if (!old) throw new Error(`the stack runs no ${name}`);
      const rotation = [old.url];
      const answeredBy = new Map<string, number>();
      let terminated = false;
      let closedAfterTerm = 0;
      const load = startLoad({
        concurrency: 6,
        maxRequests: 100_000,
        maxDurationMs: 30_000,
        maxRatePerSecond: 150,
        requestTimeoutMs: 5_000,
        nameOf: () => name,
        async send(i, signal): Promise<Outcome> {
          const url = rotation[i % rotation.length] ?? old.url;
          const [address, init, expected] = REQUESTS[name](url, i);
          const res = await fetch(address, { ...init, signal });
          const body = await res.text();
          const location = res.headers.get('location');
          const ok =
            res.status === expected && (name !== 'frontend' || location === target(seed(i)));
          answeredBy.set(url, (answeredBy.get(url) ?? 0) + 1);
          if (url === old.url && terminated && res.headers.get('connection') === 'close')
            closedAfterTerm += 1;
          if (ok && expected === 201) created.push(`rr-${i}`);
          else if (ok && (name === 'backend' || name === 'frontend'))
            clicks.set(seed(i), (clicks.get(seed(i)) ?? 0) + 1);
          return {
            ok,
            label: `${name} ${res.status}`,
            detail: `${location ? `→ ${location} ` : ''}${body.slice(0, 200)}`,
          };
        },
      });

      let unreadyMs = Number.NaN;
      let exitMs = Number.NaN;
      const replica = await stack.replica(name);
      try {
        await eventually(async () => expect(load.snapshot().requests).toBeGreaterThan(50), 10_000);
        rotation.push(replica.url);
        const exited = new Promise<number | null>((resolve) => old.child.once('exit', resolve));
        const termAt = performance.now();
        terminated = true;
        old.child.kill('SIGTERM');
        // The endpoints drop the replica when its readiness fails; until then it keeps its place.
        await eventually(
          async () => {
            const readyz = await fetch(`${old.url}/readyz`);
            await readyz.arrayBuffer();
            expect(readyz.status).toBe(503);
          },
          5_000,
          20,
        );
        unreadyMs = performance.now() - termAt;
        await new Promise((resolve) => setTimeout(resolve, PROPAGATION_MS));
        rotation.splice(rotation.indexOf(old.url), 1);
        const code = await exited;
        exitMs = performance.now() - termAt;
        expect(code, `${name} exit code`).toBe(0);
        // Load keeps running on the new replica for a moment, so a late failure shows too.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        await load.stop();
        await replica.stop();
      }
      const report = await load.done;
      printReport(
        `${name} replaced: unready ${Math.round(unreadyMs)} ms after SIGTERM, exited after ${Math.round(exitMs)} ms`,
        report,
      );
      if (report.failed > 0) console.log(problems.join('\n'));

      expect(report.failures).toEqual([]);
      // Readiness failed first: the client had moved on before the listener closed.
      expect(unreadyMs + PROPAGATION_MS).toBeLessThan(Number(DRAIN.SHUTDOWN_DELAY_MS));
      // Meanwhile the old replica answered on the connections the client held, telling it to go.
      expect(closedAfterTerm).toBeGreaterThan(0);
      expect(answeredBy.get(replica.url) ?? 0).toBeGreaterThan(20);

      if (name === 'backend') {
        // Every 201 is a row, and every redirect and resolve a click: the old backend flushed its
        // buffer. Every seed is compared, so a click counted twice or on the wrong code shows too.
        const stored = await allLinks(stack.urls.database);
        expect(created.filter((code) => !stored.has(code))).toEqual([]);
        const seeds = Array.from({ length: SEEDED }, (_, i) => seed(i));
        await eventually(async () => {
          const links = await allLinks(stack.urls.database);
          const counted = Object.fromEntries(
            seeds.map((code) => [code, links.get(code)?.clicks ?? 0]),
          );
          expect(counted).toEqual(Object.fromEntries(seeds.map((c) => [c, clicks.get(c) ?? 0])));
        }, 10_000);
      }
    },
    60_000,
  );
});
