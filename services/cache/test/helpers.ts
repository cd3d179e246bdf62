import type { RunningServer } from '@appdist/service-kit/serve';
import type { Answer } from '@appdist/testing/http';
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

export type { Answer, RequestBody } from '@appdist/testing/http';
export { send } from '@appdist/testing/http';

export function errorCode(response: Answer): unknown {
  return (response.json as { error?: { code?: unknown } } | undefined)?.error?.code;
}

export function keyPath(key: string): string {
  return `/v1/keys/${encodeURIComponent(key)}`;
}

export function incrPath(key: string): string {
  return `/v1/counters/${encodeURIComponent(key)}/incr`;
}
