import autocannon from 'autocannon';
import { sum } from './stats.js';

export type LoadRequest = Pick<autocannon.Options, 'url' | 'method' | 'headers' | 'body'>;

/** One run's completed requests, its seconds, latencies in milliseconds, failures. */
export interface LoadStats {
  requests: number;
  durationSeconds: number;
  latencyP50: number;
  latencyP99: number;
  /** Connection errors and timeouts. */
  errors: number;
  statuses: Record<string, number>;
}

/** Closed-loop load: each connection sends its next request as soon as the answer arrives. */
export const httpLoad =
  (request: LoadRequest, connections: number) =>
  async (seconds: number): Promise<LoadStats> => {
    const result = await autocannon({ ...request, connections, duration: seconds, timeout: 10 });
    const statuses = Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, Number(count)]),
    );
    return {
      requests: result.requests.total,
      durationSeconds: result.duration,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      errors: result.errors,
      statuses,
    };
  };

/** Requests answered with a status other than `expected`, plus connection errors, over runs. */
export function unexpectedAnswers(runs: readonly { stats: LoadStats }[], expected: number): number {
  const unexpected = ({ statuses, errors }: LoadStats) =>
    errors +
    sum(Object.entries(statuses).map(([status, n]) => (Number(status) === expected ? 0 : n)));
  return sum(runs.map((run) => unexpected(run.stats)));
}
