import type { ConformanceReport } from '@appdist/conformance/run';
import type { RunningServer } from '@appdist/service-kit/serve';
import { afterEach, describe, expect, it } from 'vitest';
import { failureText, type RunConformance } from '../src/conformance-hook.js';
import { flaggerPayload, post, sampleValue, send, startTester } from './helpers.js';

const conformancePayload = (service = 'backend') =>
  flaggerPayload({ service, url: 'http://backend-canary.app:8080' });

function report(checks: ConformanceReport['checks']): ConformanceReport {
  return {
    service: 'backend',
    url: 'http://backend-canary.app:8080',
    ok: checks.every((check) => check.ok),
    durationMs: 12,
    checks,
  };
}

describe('conformance failure text', () => {
  it('puts the first failing check on the first line, then one line per further failure', () => {
    const text = failureText(
      report([
        { name: 'healthz', ok: true, durationMs: 1 },
        { name: 'create link', ok: false, durationMs: 3, message: 'expected 201, got 500' },
        {
          name: 'read link',
          ok: false,
          durationMs: 0,
          message: 'skipped: needs "create link", which failed',
        },
        { name: 'list links', ok: false, durationMs: 2, message: 'expected 200,\ngot 503' },
        {
          name: 'delete link',
          ok: false,
          durationMs: 0,
          message: 'skipped: needs "create link", which failed',
        },
        { name: 'cleanup', ok: true, durationMs: 1 },
      ]),
    );
    expect(text).toBe(
      [
        'backend conformance failed: create link: expected 201, got 500',
        'list links: expected 200, got 503',
        '2 checks skipped',
      ].join('\n'),
    );
  });

  it('stays short whatever the report holds', () => {
    const checks = Array.from({ length: 40 }, (_, i) => ({
      name: `check ${i}`,
      ok: false,
      durationMs: 1,
      message: 'x'.repeat(1_000),
    }));
    const lines = failureText(report(checks)).split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[8]).toBe('… 32 more failing checks');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(200);
    expect(lines[0]).toMatch(/^backend conformance failed: check 0: x+…$/);
  });
});

describe('conformance hook', () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.shutdown()));
  });

  async function testerWith(run: RunConformance, env: Record<string, string> = {}) {
    const server = await startTester(env, { runConformance: run });
    servers.push(server);
    return server.url;
  }

  it('passes the service and URL to the suite with a signal', async () => {
    const calls: Array<{ service: string; url: string; signal: boolean }> = [];
    const url = await testerWith(async (options) => {
      calls.push({
        service: options.service,
        url: options.url,
        signal: options.signal !== undefined,
      });
      return report([{ name: 'healthz', ok: true, durationMs: 1 }]);
    });
    const res = await post(url, '/hooks/conformance', {
      ...conformancePayload('cache'),
      metadata: { service: 'cache', url: 'http://cache-canary.app:8080/' },
    });
    expect(res.status).toBe(200);
    expect(calls).toEqual([
      { service: 'cache', url: 'http://cache-canary.app:8080', signal: true },
    ]);
  });

  it('answers 412 at CONFORMANCE_TIMEOUT_MS, aborting the suite, and counts a timeout', async () => {
    let aborted: unknown;
    const url = await testerWith(
      (options) =>
        new Promise<ConformanceReport>((resolve) => {
          options.signal?.addEventListener('abort', () => {
            aborted = options.signal?.reason;
            // Cleanup takes a while after the abort: the answer must not wait for it.
            setTimeout(() => resolve(report([])), 1_000);
          });
        }),
      { CONFORMANCE_TIMEOUT_MS: '300' },
    );
    const start = performance.now();
    const res = await post(url, '/hooks/conformance', conformancePayload());
    expect(performance.now() - start).toBeLessThan(900);
    expect(res.status).toBe(412);
    expect(res.text).toBe('backend conformance failed: timed out after 300 ms\n');
    expect(String(aborted)).toContain('timed out after 300 ms');
    const metrics = (await send(url, 'GET', '/metrics')).text;
    expect(
      sampleValue(metrics, 'tester_conformance_runs_total{service="backend",result="timeout"}'),
    ).toBe(1);
  });

  it('answers 412 saying why when the suite cannot run at all', async () => {
    const url = await testerWith(() => {
      throw new TypeError('prefix must be 1 to 20 letters');
    });
    const res = await post(url, '/hooks/conformance', conformancePayload());
    expect(res.status).toBe(412);
    expect(res.text).toBe('backend conformance could not run: prefix must be 1 to 20 letters\n');
    const metrics = (await send(url, 'GET', '/metrics')).text;
    expect(
      sampleValue(metrics, 'tester_conformance_runs_total{service="backend",result="error"}'),
    ).toBe(1);
  });

  it('aborts a running suite when the tester shuts down', async () => {
    let abortedWith: unknown;
    const server = await startTester(
      {},
      {
        runConformance: (options) =>
          new Promise<ConformanceReport>((resolve) => {
            options.signal?.addEventListener('abort', () => {
              abortedWith = options.signal?.reason;
              resolve(report([{ name: 'healthz', ok: false, durationMs: 1, message: 'aborted' }]));
            });
          }),
      },
    );
    const pending = post(server.url, '/hooks/conformance', conformancePayload()).catch(
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.shutdown();
    await pending;
    expect(String(abortedWith)).toMatch(/shutting down|closed the connection/);
  });
});
