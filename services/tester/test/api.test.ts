import { createLogger } from '@appdist/service-kit/logger';
import type { RunningServer } from '@appdist/service-kit/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flaggerPayload, post, send, startTester } from './helpers.js';

describe('tester API surface', () => {
  const logLines: Array<Record<string, unknown>> = [];
  const logger = createLogger(
    { name: 'tester', level: 'info' },
    { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTester({}, { logger });
  });
  afterAll(async () => {
    await server.shutdown();
  });

  it('logs a Flagger event as JSON and answers 200', async () => {
    const res = await post(
      server.url,
      '/hooks/event',
      flaggerPayload(
        {
          eventMessage: 'Halt advancement no values found for metric request-success-rate',
          eventType: 'Warning',
          timestamp: '1700000000000',
          team: 'links',
        },
        { phase: 'Progressing' },
      ),
    );
    expect(res.status).toBe(200);
    const logged = logLines.find((line) => line.msg === 'flagger event');
    expect(logged).toMatchObject({
      level: 'info',
      flaggerEvent: {
        canary: 'app/backend',
        name: 'backend',
        namespace: 'app',
        phase: 'Progressing',
        eventType: 'Warning',
        eventMessage: 'Halt advancement no values found for metric request-success-rate',
        timestamp: '1700000000000',
        metadata: { team: 'links' },
      },
    });
  });

  it('has the shared runtime’s health, readiness, version and JSON 404', async () => {
    expect((await send(server.url, 'GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await send(server.url, 'GET', '/readyz')).json).toEqual({
      status: 'ok',
      checks: { gates: 'ok' },
    });
    expect((await send(server.url, 'GET', '/version')).json).toEqual({
      name: 'tester',
      version: '0.0.0-test',
      commit: 'test',
    });
    const missing = await send(server.url, 'GET', '/hooks/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: { code: 'not_found', message: 'no route for GET /hooks/nothing' },
    });
    expect((await send(server.url, 'GET', '/hooks/load')).status).toBe(404);
  });

  it('echoes a safe request id and makes one up otherwise', async () => {
    const echoed = await fetch(`${server.url}/gates`, { headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${server.url}/gates`, { headers: { 'x-request-id': 'bad id\t' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves its own metric families with the shared ones on /metrics', async () => {
    await send(server.url, 'GET', '/gates');
    const res = await send(server.url, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('http_requests_total{method="GET",route="/gates",status="200"}');
    expect(res.text).toContain('# TYPE tester_conformance_runs_total counter');
    expect(res.text).toContain('# TYPE tester_load_requests_total counter');
    expect(res.text).toContain('# TYPE tester_load_request_duration_seconds histogram');
    expect(res.text).toContain('# TYPE tester_load_jobs gauge');
    expect(res.text).toContain('tester_load_jobs 0');
    // Each family once: the two registries never collide.
    const types = res.text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
