import { loadConfig } from '@appdist/service-kit/config';
import { createLogger } from '@appdist/service-kit/logger';
import { type RunningServer, serve } from '@appdist/service-kit/serve';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import type { KeyValueStore } from '../src/store.js';

export const silent = createLogger({ name: 'cache-test', level: 'silent' });

/** The cache on a real listener (port 0), as runService would run it. */
export async function startCache(
  env: Record<string, string> = {},
  store?: KeyValueStore,
): Promise<RunningServer> {
  const config = loadConfig(configSchema, {
    PORT: '0',
    HOST: '127.0.0.1',
    SHUTDOWN_DELAY_MS: '0',
    ...env,
  });
  const info = { name: 'cache', version: '0.0.0', commit: 'test' };
  const handle = await createApp({ config, logger: silent, info, store });
  return serve(handle, config, silent);
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
