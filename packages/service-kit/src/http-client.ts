import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { currentRequestId, REQUEST_ID_HEADER } from './request-context.js';

/** The dependency could not be reached or did not answer in time (as opposed to answering with an error). */
export class UpstreamUnavailableError extends Error {
  constructor(upstream: string, reason: string, options?: { cause?: unknown }) {
    super(`${upstream} unavailable: ${reason}`, options);
    this.name = 'UpstreamUnavailableError';
  }
}

export interface ServiceClientOptions {
  /** Used in errors and logs, e.g. "database". */
  name: string;
  baseUrl: string;
  timeoutMs: number;
  /** Extra attempts for idempotent calls only. */
  retries: number;
}

export interface ClientRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'POST' | 'PATCH';
  path: string;
  body?: unknown;
  /** Defaults to true for GET, HEAD, PUT and DELETE. A POST is idempotent only if the caller says so. */
  idempotent?: boolean;
  timeoutMs?: number;
}

export interface ClientResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T | undefined;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
// Statuses where the server (or a proxy in front of it) did not act on the request.
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

export interface ServiceClient {
  readonly pool: Pool;
  request<T = unknown>(request: ClientRequest): Promise<ClientResponse<T>>;
  close(): Promise<void>;
}

/**
 * A keep-alive connection pool to one service, with a timeout on every call and retries
 * (with backoff) only where repeating the call cannot change the outcome.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const pool = new Pool(options.baseUrl, {
    connections: 64,
    keepAliveTimeout: 10_000,
    connectTimeout: options.timeoutMs,
    pipelining: 1,
  });

  async function attempt<T>(request: ClientRequest): Promise<ClientResponse<T>> {
    const timeoutMs = request.timeoutMs ?? options.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json' };
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    // One timer per call, cleared when the answer is read. AbortSignal.timeout() would leave
    // its timer running to the end and then build an abort exception for a call long finished:
    // thousands of them a second on the redirect path.
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
        ),
      timeoutMs,
    );
    let response: Awaited<ReturnType<Pool['request']>>;
    let text: string;
    try {
      response = await pool.request({
        method: request.method,
        path: request.path,
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: deadline.signal,
      });
      text = await response.body.text();
    } catch (error) {
      throw new UpstreamUnavailableError(options.name, describe(error), { cause: error });
    } finally {
      clearTimeout(timer);
    }
    const contentType = String(response.headers['content-type'] ?? '');
    let parsed: T | undefined;
    if (text.length > 0 && contentType.includes('json')) {
      try {
        parsed = JSON.parse(text) as T;
      } catch {
        throw new UpstreamUnavailableError(
          options.name,
          `invalid JSON in a ${response.statusCode} answer`,
        );
      }
    }
    return { status: response.statusCode, headers: response.headers, body: parsed };
  }

  return {
    pool,
    async request<T>(request: ClientRequest): Promise<ClientResponse<T>> {
      const idempotent = request.idempotent ?? IDEMPOTENT_METHODS.has(request.method);
      const attempts = idempotent ? options.retries + 1 : 1;
      for (let i = 1; ; i++) {
        try {
          const response = await attempt<T>(request);
          if (i < attempts && RETRYABLE_STATUSES.has(response.status)) {
            await sleep(backoffMs(i));
            continue;
          }
          return response;
        } catch (error) {
          if (i >= attempts) throw error;
          await sleep(backoffMs(i));
        }
      }
    },
    close: () => pool.close(),
  };
}

function backoffMs(attempt: number): number {
  // 25 ms, 50 ms, 100 ms … with jitter, so replicas do not retry in lockstep.
  return 25 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}

const TIMEOUTS = new Set(['TimeoutError', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (TIMEOUTS.has(error.name) || TIMEOUTS.has(String(code))) return 'timed out';
  return typeof code === 'string' ? `${code} ${error.message}` : error.message;
}
