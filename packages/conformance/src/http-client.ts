import { NoAnswerError } from './check.js';

export interface RequestOptions {
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is, with its content-type header: a form, or text a JSON encoder would never produce. */
  body?: string;
  headers?: Record<string, string>;
}

/** A complete answer: status, headers and the whole body, read within the request timeout. */
export interface Answer {
  /** `POST /api/links`, the prefix of every message about this answer. */
  request: string;
  status: number;
  headers: Headers;
  text: string;
}

/** What fetch's `TypeError: fetch failed` hides in its cause, e.g. `connect ECONNREFUSED 127.0.0.1:1`. */
function transportError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Requests against one service's base URL, each bounded by its own timeout and by the run's signal. */
export class HttpClient {
  readonly #baseUrl: string;
  readonly #options: { signal: AbortSignal; timeoutMs: number };

  /** When `signal` (the run's) aborts, requests in flight reject with its reason. */
  constructor(baseUrl: string, options: { signal: AbortSignal; timeoutMs: number }) {
    // Paths are appended, so a base URL with a path prefix (behind a gateway) keeps it.
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#options = options;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const { signal: runSignal, timeoutMs } = this.#options;
    const label = `${method} ${path}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const { json, body = json === undefined ? undefined : JSON.stringify(json) } = options;
    const headers =
      json === undefined
        ? options.headers
        : { ...options.headers, 'content-type': 'application/json' };
    try {
      const res = await fetch(`${this.#baseUrl}${path}`, {
        method,
        ...(headers && { headers }),
        ...(body !== undefined && { body }),
        // Redirects are part of the contracts under test (303 after a form, 302 for a code).
        redirect: 'manual',
        signal: AbortSignal.any([runSignal, timeout]),
      });
      // The body is read under the same signal, so a server that stalls mid-body times out too.
      const text = await res.text();
      return { request: label, status: res.status, headers: res.headers, text };
    } catch (error) {
      // The run's abort is the runner's business: it reports it as `aborted: <reason>`.
      if (runSignal.aborted) throw runSignal.reason;
      if (timeout.aborted) throw new NoAnswerError(`${label}: no answer within ${timeoutMs} ms`);
      throw new NoAnswerError(`${label}: no answer (${transportError(error)})`);
    }
  }
}
