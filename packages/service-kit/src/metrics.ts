import type { Request } from 'express';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** Probe and scrape paths are neither counted nor delayed: they describe the process, not traffic. */
export const OPERATIONAL_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

// 5 ms to 10 s: Flagger's latency checks read quantiles of this histogram.
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HttpMetrics {
  /** Process metrics and build info. */
  registry: Registry;
  /** The HTTP families in the Prometheus text format, rendered at scrape time. */
  render(): string;
  /** A counted request began; pair with requestFinished. */
  requestStarted(): void;
  requestFinished(method: string, route: string, status: number, durationSeconds: number): void;
}

interface Series {
  labels: string;
  count: number;
  sum: number;
  /** Observations per bucket, not yet cumulative. */
  buckets: number[];
}

const escapeLabel = (value: string) =>
  value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

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
  new Gauge({
    name: 'app_build_info',
    help: 'Build information of the running service; always 1.',
    labelNames: ['service', 'version', 'commit'],
    registers: [registry],
  })
    .labels(info.name, info.version, info.commit)
    .set(1);

  // The request families are kept here rather than in prom-client: every request records
  // into them, and prom-client's label hashing and validation cost each hop of a redirect
  // about 5 µs (docs/performance.md). The text is the same as prom-client's.
  const series = new Map<string, Series>();
  let inFlight = 0;

  function render(): string {
    const all = [...series.values()];
    const lines = [
      '# HELP http_requests_total HTTP requests served, by method, route template and status code.',
      '# TYPE http_requests_total counter',
      ...all.map((s) => `http_requests_total{${s.labels}} ${s.count}`),
      '',
      '# HELP http_request_duration_seconds HTTP request duration in seconds, by method, route template and status code.',
      '# TYPE http_request_duration_seconds histogram',
    ];
    for (const s of all) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += s.buckets[i] ?? 0;
        lines.push(`http_request_duration_seconds_bucket{le="${bound}",${s.labels}} ${cumulative}`);
      });
      lines.push(`http_request_duration_seconds_bucket{le="+Inf",${s.labels}} ${s.count}`);
      lines.push(`http_request_duration_seconds_sum{${s.labels}} ${s.sum}`);
      lines.push(`http_request_duration_seconds_count{${s.labels}} ${s.count}`);
    }
    lines.push(
      '',
      '# HELP http_requests_in_flight HTTP requests being served.',
      '# TYPE http_requests_in_flight gauge',
      `http_requests_in_flight ${inFlight}`,
      '',
    );
    return lines.join('\n');
  }

  return {
    registry,
    render,
    requestStarted: () => {
      inFlight += 1;
    },
    requestFinished(method, route, status, durationSeconds) {
      inFlight -= 1;
      const key = `${method} ${status} ${route}`;
      let entry = series.get(key);
      if (entry === undefined) {
        entry = {
          labels: `method="${escapeLabel(method)}",route="${escapeLabel(route)}",status="${status}"`,
          count: 0,
          sum: 0,
          buckets: DURATION_BUCKETS.map(() => 0),
        };
        series.set(key, entry);
      }
      entry.count += 1;
      entry.sum += durationSeconds;
      const bucket = DURATION_BUCKETS.findIndex((bound) => durationSeconds <= bound);
      if (bucket !== -1) entry.buckets[bucket] = (entry.buckets[bucket] ?? 0) + 1;
    },
  };
}
