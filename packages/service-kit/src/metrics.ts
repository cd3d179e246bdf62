import type { Request } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Probe and scrape paths are neither counted nor delayed: they describe the process, not traffic. */
export const OPERATIONAL_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

// 5 ms to 10 s: Flagger's latency checks read quantiles of this histogram.
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HttpMetrics {
  registry: Registry;
  /** A counted request began; pair with requestFinished. */
  requestStarted(): void;
  requestFinished(method: string, route: string, status: number, durationSeconds: number): void;
}

/** The route template of a request (`/api/links/:code`), never its raw path, so label cardinality stays bounded. */
export function routeTemplate(req: Request, res: { locals: Record<string, unknown> }): string {
  const explicit = res.locals.route;
  if (typeof explicit === 'string') return explicit;
  const path = req.route?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}` || '/';
  return 'unmatched';
}

export function createHttpMetrics(info: {
  name: string;
  version: string;
  commit: string;
}): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  new Gauge({
    name: 'app_build_info',
    help: 'Build information of the running service; always 1.',
    labelNames: ['service', 'version', 'commit'],
    registers: [registry],
  })
    .labels(info.name, info.version, info.commit)
    .set(1);

  return {
    registry,
    requestStarted: () => inFlight.inc(),
    requestFinished(method, route, status, durationSeconds) {
      inFlight.dec();
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, durationSeconds);
    },
  };
}
