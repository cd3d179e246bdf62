import type { RunningServer } from '@appdist/service-kit/serve';
import { serveService } from '@appdist/testing/serve-service';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import type { KeyValueStore } from '../src/store.js';

/** The cache on a real listener (port 0), as runService would run it. */
export async function startCache(
  env: Record<string, string> = {},
  store?: KeyValueStore,
): Promise<RunningServer> {
  return serveService(
    { name: 'cache', configSchema, createApp: (options) => createApp({ ...options, store }) },
    env,
  );
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
}

export interface RequestBody {
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is, with `contentType` (default application/json). */
  raw?: string;
  contentType?: string;
}

export async function send(
  baseUrl: string,
  method: string,
  path: string,
  body: RequestBody = {},
): Promise<ApiResponse> {
  // fetch refuses a body on GET and HEAD, so tests may pass one to every route alike.
  const text =
    method === 'GET' || method === 'HEAD'
      ? undefined
      : (body.raw ?? (body.json === undefined ? undefined : JSON.stringify(body.json)));
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...(text === undefined
      ? {}
      : { body: text, headers: { 'content-type': body.contentType ?? 'application/json' } }),
  });
  const received = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: received === '' ? undefined : (JSON.parse(received) as unknown),
  };
}

export function errorCode(response: ApiResponse): unknown {
  return (response.body as { error?: { code?: unknown } } | undefined)?.error?.code;
}

export function keyPath(key: string): string {
  return `/v1/keys/${encodeURIComponent(key)}`;
}

export function incrPath(key: string): string {
  return `/v1/counters/${encodeURIComponent(key)}/incr`;
}
