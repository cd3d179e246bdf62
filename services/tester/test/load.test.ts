import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from '@appdist/service-kit/serve';
import { eventually } from '@appdist/testing/eventually';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoadJobStatus } from '../src/load-job.js';
import {
  type Answer,
  errorOf,
  flaggerPayload,
  post,
  sampleValue,
  send,
  startTester,
} from './helpers.js';
import { startTargetServer, type TargetServer } from './target-server.js';

function loadPayload(
  target: TargetServer,
  metadata: Record<string, string> = {},
  overrides: Record<string, unknown> = {},
) {
  return flaggerPayload({ url: target.url, rps: '20', duration: '1s', ...metadata }, overrides);
}

async function jobs(url: string): Promise<LoadJobStatus[]> {
  return ((await send(url, 'GET', '/loads')).json as { jobs: LoadJobStatus[] }).jobs;
}

function outcome(answer: Answer): { status?: unknown; message?: unknown; replaced?: unknown } {
  return answer.json as { status?: unknown; message?: unknown; replaced?: unknown };
}

describe('load hook', () => {
  let target: TargetServer;
  let tester: RunningServer;
  const stops: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    target = await startTargetServer();
    tester = await startTester({ LOAD_MAX_JOBS: '3' });
    stops.push(
      () => tester.shutdown(),
      () => target.close(),
    );
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('answers 202 at once and sends about rps × duration requests at a steady rate', async () => {
    // Warm the route first: the first request of a cold process on a busy CI machine can take
    // most of a second, which says nothing about answering before the load runs.
    await fetch(`${tester.url}/loads`);
    const res = await post(
      tester.url,
      '/hooks/load',
      loadPayload(target, {
        path: '/api/links?limit=5',
        method: 'post',
        headers: '{"x-canary":"insider"}',
      }),
    );
    expect(res.status).toBe(202);
    // At once: the answer came while the one-second load was still being sent.
    expect(target.requests.length).toBeLessThan(15);
    expect(outcome(res).status).toBe('started');
    const [running] = await jobs(tester.url);
    expect(running).toMatchObject({
      canary: 'app/backend',
      checksum: '85d557f47b',
      method: 'POST',
      target: `${target.url}/api/links?limit=5`,
      rps: 20,
    });
    expect(Date.parse(running?.endsAt ?? '') - Date.parse(running?.started ?? '')).toBe(1000);

    await eventually(async () => expect(await jobs(tester.url)).toEqual([]), 3_000);
    const count = target.requests.length;
    expect(count).toBeGreaterThanOrEqual(15);
    expect(count).toBeLessThanOrEqual(25);
    for (const request of target.requests) {
      expect(request).toMatchObject({ method: 'POST', url: '/api/links?limit=5' });
      expect(request.headers['x-canary']).toBe('insider');
    }
    // Steady: spread over the second, not a burst at its start.
    const times = target.requests.map((request) => request.at);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(700);
    // Keep-alive: a healthy target is served over very few connections.
    expect(new Set(target.requests.map((request) => request.remotePort)).size).toBeLessThan(5);
    await sleep(200);
    expect(target.requests.length).toBe(count);
  });

  it('does not stack a second job for a repeat call with the same checksum', async () => {
    const payload = loadPayload(target, { duration: '2s' });
    expect((await post(tester.url, '/hooks/load', payload)).status).toBe(202);
    await sleep(300);
    const again = await post(tester.url, '/hooks/load', payload);
    expect(again.status).toBe(202);
    expect(outcome(again).status).toBe('already_running');
    expect(String(outcome(again).message)).toMatch(/already running.*not started again/);
    expect(await jobs(tester.url)).toHaveLength(1);
    await eventually(async () => expect(await jobs(tester.url)).toEqual([]), 4_000);
    expect(target.requests.length).toBeGreaterThanOrEqual(32);
    expect(target.requests.length).toBeLessThanOrEqual(48);
  });

  it('starts the next run of the same hook once the previous one has sent everything', async () => {
    const payload = loadPayload(target, { rps: '10', duration: '1s' });
    expect(outcome(await post(tester.url, '/hooks/load', payload)).status).toBe('started');
    await eventually(async () => expect(target.requests.length).toBe(10), 2_000);
    await sleep(100);
    // Flagger's next analysis tick: the load goes on, for the same revision.
    expect(outcome(await post(tester.url, '/hooks/load', payload)).status).toBe('started');
    await eventually(async () => expect(target.requests.length).toBe(20), 2_000);
  });

  it('runs two load hooks of one canary side by side', async () => {
    const first = await post(tester.url, '/hooks/load', loadPayload(target, { path: '/' }));
    const second = await post(
      tester.url,
      '/hooks/load',
      loadPayload(target, { path: '/api/links' }),
    );
    expect([outcome(first).status, outcome(second).status]).toEqual(['started', 'started']);
    expect((await jobs(tester.url)).map((job) => job.target).sort()).toEqual([
      `${target.url}/`,
      `${target.url}/api/links`,
    ]);
    await eventually(async () => expect(await jobs(tester.url)).toEqual([]), 3_000);
    const paths = target.requests.map((request) => request.url);
    expect(paths.filter((path) => path === '/').length).toBeGreaterThanOrEqual(15);
    expect(paths.filter((path) => path === '/api/links').length).toBeGreaterThanOrEqual(15);
  });

  it('replaces the job of a canary when its checksum changes', async () => {
    await post(tester.url, '/hooks/load', loadPayload(target, { duration: '10s' }));
    await sleep(300);
    const replacing = await post(
      tester.url,
      '/hooks/load',
      loadPayload(target, { duration: '1s' }, { checksum: 'new-revision' }),
    );
    expect(replacing.status).toBe(202);
    expect(outcome(replacing)).toMatchObject({ status: 'started', replaced: ['85d557f47b'] });
    const running = await jobs(tester.url);
    expect(running.map((job) => job.checksum)).toEqual(['new-revision']);
    // The old 10 s job is gone: only about 0.3 s + 1 s of load arrives in all.
    await eventually(async () => expect(await jobs(tester.url)).toEqual([]), 3_000);
    await sleep(300);
    expect(target.requests.length).toBeLessThanOrEqual(35);
  });

  it('runs the load hooks of different canaries side by side, and answers 429 past LOAD_MAX_JOBS', async () => {
    for (const name of ['frontend', 'backend', 'cache']) {
      const res = await post(
        tester.url,
        '/hooks/load',
        loadPayload(target, { rps: '1', duration: '5s' }, { name }),
      );
      expect(res.status, name).toBe(202);
    }
    const refused = await post(
      tester.url,
      '/hooks/load',
      loadPayload(target, { rps: '1', duration: '5s' }, { name: 'database' }),
    );
    expect(refused.status).toBe(429);
    expect(errorOf(refused)).toEqual({
      code: 'too_many_load_jobs',
      message:
        '3 load jobs are running, the most LOAD_MAX_JOBS allows; load for app/database was not started',
    });
    expect((await jobs(tester.url)).map((job) => job.canary).sort()).toEqual([
      'app/backend',
      'app/cache',
      'app/frontend',
    ]);
    // A new revision of a running canary replaces its job, so it is never refused.
    const newRevision = await post(
      tester.url,
      '/hooks/load',
      loadPayload(target, { rps: '1', duration: '5s' }, { name: 'cache', checksum: 'next' }),
    );
    expect(newRevision.status).toBe(202);
  });

  it('counts requests by canary and status class, their latency, and the running jobs', async () => {
    target.status = 503;
    await post(tester.url, '/hooks/load', loadPayload(target, { rps: '10', duration: '2s' }));
    await eventually(async () => expect(target.requests.length).toBeGreaterThanOrEqual(5), 2_000);
    const during = await send(tester.url, 'GET', '/metrics');
    expect(sampleValue(during.text, 'tester_load_jobs')).toBe(1);
    expect(during.text).toContain(
      'http_requests_total{method="POST",route="/hooks/load",status="202"} 1',
    );
    await eventually(async () => expect(await jobs(tester.url)).toEqual([]), 4_000);
    const sent = target.requests.length;
    const after = (await send(tester.url, 'GET', '/metrics')).text;
    expect(
      sampleValue(after, 'tester_load_requests_total{canary="app/backend",status="5xx"}'),
    ).toBe(sent);
    expect(
      sampleValue(after, 'tester_load_request_duration_seconds_count{canary="app/backend"}'),
    ).toBe(sent);
    expect(sampleValue(after, 'tester_load_jobs')).toBe(0);
  });

  it('counts unanswered requests as errors and reports them in /loads', async () => {
    const closed = await startTargetServer();
    await closed.close();
    await post(tester.url, '/hooks/load', loadPayload(closed, { rps: '10', duration: '2s' }));
    await eventually(async () => {
      const [job] = await jobs(tester.url);
      expect(job?.errors).toBeGreaterThanOrEqual(3);
      expect(job?.errors).toBe(job?.sent);
    }, 2_000);
    const text = (await send(tester.url, 'GET', '/metrics')).text;
    expect(
      sampleValue(text, 'tester_load_requests_total{canary="app/backend",status="error"}'),
    ).toBeGreaterThanOrEqual(3);
  });

  it('caps requests in flight on a slow target and skips, not queues, the rest', async () => {
    target.delayMs = 3_000;
    await post(tester.url, '/hooks/load', loadPayload(target, { rps: '10', duration: '4s' }));
    // Two seconds' worth of requests (20) wait for answers; what falls due meanwhile is skipped.
    await eventually(async () => {
      const [job] = await jobs(tester.url);
      expect(job?.inFlight).toBe(20);
      expect(job?.skipped).toBeGreaterThanOrEqual(5);
    }, 3_000);
    expect(target.requests.length).toBe(20);
    const [job] = await jobs(tester.url);
    const text = (await send(tester.url, 'GET', '/metrics')).text;
    expect(
      sampleValue(text, 'tester_load_skipped_total{canary="app/backend"}'),
    ).toBeGreaterThanOrEqual(job?.skipped ?? Number.NaN);
  });

  it('stops the load when the tester shuts down', async () => {
    await post(tester.url, '/hooks/load', loadPayload(target, { rps: '20', duration: '30s' }));
    await eventually(async () => expect(target.requests.length).toBeGreaterThan(3), 2_000);
    await tester.shutdown();
    const count = target.requests.length;
    await sleep(500);
    expect(target.requests.length).toBe(count);
  });
});
