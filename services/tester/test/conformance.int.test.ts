import { type ConformanceReport, runConformance } from '@appdist/conformance/run';
import type { RunningServer } from '@appdist/service-kit/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, flaggerPayload, post, sampleValue, send, startTester } from './helpers.js';
import { type ServiceStack, startServiceStack } from './service-stack.js';

/** The conformance hook against the four real services, served in-process on real stores. */
describe('conformance hook against the real services', () => {
  let stack: ServiceStack;
  let tester: RunningServer;
  beforeAll(async () => {
    stack = await startServiceStack();
    tester = await startTester();
  });
  afterAll(async () => {
    await tester?.shutdown();
    await stack?.close();
  });

  const hook = (service: string, url: string, name = service) =>
    post(tester.url, '/hooks/conformance', flaggerPayload({ service, url }, { name }));

  for (const service of ['database', 'cache', 'backend', 'frontend'] as const) {
    it(`passes a healthy ${service} with 200 and the JSON report`, async () => {
      const res = await hook(service, stack.urls[service]);
      expect(res.status, res.text).toBe(200);
      const report = res.json as ConformanceReport;
      expect(report).toMatchObject({ service, url: stack.urls[service], ok: true });
      expect(report.checks.length).toBeGreaterThan(5);
      for (const check of report.checks) expect(check, check.name).toMatchObject({ ok: true });
    });
  }

  it('fails a backend that answers 500 with 412, the first failing check on the first line', async () => {
    const faulty = await stack.startFaultyBackend();
    const res = await hook('backend', faulty);
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = res.text.trimEnd().split('\n');
    // The same suite run directly says which check fails first; the hook's first line names it.
    const direct = await runConformance({ service: 'backend', url: faulty });
    const first = direct.checks.find((check) => !check.ok);
    expect(lines[0]).toMatch(new RegExp(`^backend conformance failed: ${first?.name}: .*got 500`));
    expect(lines.length).toBeLessThanOrEqual(9);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(200);
  });

  it('fails a service that does not keep the contract it is tested for', async () => {
    // The database's API where the cache's is expected: reachable and healthy, but the wrong contract.
    const res = await hook('cache', stack.urls.database);
    expect(res.status).toBe(412);
    expect(res.text).toMatch(/^cache conformance failed: /);
  });

  it('fails an unreachable canary with 412 at once, not at the timeout', async () => {
    const start = performance.now();
    const res = await hook('backend', 'http://127.0.0.1:1');
    expect(performance.now() - start).toBeLessThan(10_000);
    expect(res.status).toBe(412);
    expect(res.text).toMatch(/^backend conformance failed: healthz: /);
  });

  it('answers 400 to an unknown service, naming the field', async () => {
    const res = await hook('billing', stack.urls.backend);
    expect(res.status).toBe(400);
    expect(errorOf(res)).toEqual({
      code: 'invalid_payload',
      message: 'metadata.service: must be one of frontend, backend, cache, database',
    });
  });

  it('counts the runs by service and result', async () => {
    const text = (await send(tester.url, 'GET', '/metrics')).text;
    const runs = (service: string, result: string) =>
      sampleValue(text, `tester_conformance_runs_total{service="${service}",result="${result}"}`);
    expect(runs('database', 'passed')).toBe(1);
    expect(runs('frontend', 'passed')).toBe(1);
    expect(runs('backend', 'passed')).toBe(1);
    expect(runs('backend', 'failed')).toBe(2);
    expect(runs('cache', 'failed')).toBe(1);
  });
});
