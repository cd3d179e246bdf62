import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadStats {
  /** Completed requests. */
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Milliseconds. */
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
}

/** Closed-loop load: each connection sends its next request as soon as the answer arrives. */
export async function runLoad(options: LoadOptions): Promise<LoadStats> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    method: options.method ?? 'GET',
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
    timeout: 10,
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, Number(count)]),
  );
  return {
    requests: result.requests.total,
    durationSeconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMean: result.latency.average,
    errors: result.errors,
    statuses,
  };
}

/** Requests answered with a status other than `expected`, plus connection errors. */
export function unexpectedAnswers(stats: LoadStats, expected: number): number {
  const others = Object.entries(stats.statuses)
    .filter(([status]) => Number(status) !== expected)
    .reduce((sum, [, count]) => sum + count, 0);
  return others + stats.errors;
}
