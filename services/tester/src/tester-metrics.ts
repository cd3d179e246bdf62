import { DURATION_BUCKETS } from '@appdist/service-kit/metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The tester's own metrics, per app instance (never the global registry), so tests can run several. */
export interface TesterMetrics {
  registry: Registry;
  /** result: passed | failed | timeout | error. */
  conformanceRuns: Counter<'service' | 'result'>;
  /** canary is `namespace/name`; status is a class (2xx … 5xx) or `error` (no answer). */
  loadRequests: Counter<'canary' | 'status'>;
  loadRequestDuration: Histogram<'canary'>;
  /** Requests a job did not send because its in-flight cap was reached (the target is too slow). */
  loadSkipped: Counter<'canary'>;
  loadJobs: Gauge;
}

export function createTesterMetrics(): TesterMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    conformanceRuns: new Counter({
      name: 'tester_conformance_runs_total',
      help: 'Conformance suite runs by service and result (passed, failed, timeout, error).',
      labelNames: ['service', 'result'],
      registers,
    }),
    loadRequests: new Counter({
      name: 'tester_load_requests_total',
      help: 'Load requests sent, by canary and answer (status class, or error when none came).',
      labelNames: ['canary', 'status'],
      registers,
    }),
    loadRequestDuration: new Histogram({
      name: 'tester_load_request_duration_seconds',
      help: 'Duration of load requests as the load generator saw them, by canary.',
      labelNames: ['canary'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    loadSkipped: new Counter({
      name: 'tester_load_skipped_total',
      help: 'Load requests not sent because too many were still waiting for an answer.',
      labelNames: ['canary'],
      registers,
    }),
    loadJobs: new Gauge({
      name: 'tester_load_jobs',
      help: 'Load jobs running.',
      registers,
    }),
  };
}

/** `2xx` … `5xx`: a bounded label whatever the target answers. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
