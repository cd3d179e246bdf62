import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createHttpMetrics, DURATION_BUCKETS } from '../src/metrics.js';

const observations: Array<[string, string, number, number]> = [
  ['GET', '/v1/keys/:key', 200, 0.0004],
  ['GET', '/v1/keys/:key', 200, 0.005],
  ['GET', '/v1/keys/:key', 404, 0.02],
  ['PUT', '/v1/keys/:key', 200, 0.3],
  ['GET', 'unmatched', 404, 12],
  ['GET', 'odd "route"\\ with\nnewline', 500, 0.07],
];

describe('createHttpMetrics', () => {
  it('renders the HTTP families exactly as prom-client would', async () => {
    const ours = createHttpMetrics({ name: 'demo', version: '1', commit: 'x' });
    const registry = new Registry();
    const labelNames = ['method', 'route', 'status'] as const;
    const requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames,
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route template and status code.',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    const inFlight = new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served.',
      registers: [registry],
    });
    for (const [method, route, status, seconds] of observations) {
      ours.requestStarted();
      ours.requestFinished(method, route, status, seconds);
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    }
    ours.requestStarted();
    inFlight.inc();

    expect(ours.render()).toBe(await registry.metrics());
  });

  it('keeps process metrics and build info in its prom-client registry', async () => {
    const text = await createHttpMetrics({
      name: 'demo',
      version: '1.2.3',
      commit: 'abc',
    }).registry.metrics();
    expect(text).toContain('app_build_info{service="demo",version="1.2.3",commit="abc"} 1');
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).not.toContain('http_requests_total');
  });
});
