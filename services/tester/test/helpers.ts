import type { Logger } from '@appdist/service-kit/logger';
import type { RunningServer } from '@appdist/service-kit/serve';
import { serveService, silentLogger } from '@appdist/testing/serve-service';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import type { RunConformance } from '../src/conformance-hook.js';
import type { GateStore } from '../src/gate-store.js';

export interface TesterOverrides {
  store?: GateStore;
  runConformance?: RunConformance;
  logger?: Logger;
}

/** The tester on a real listener (port 0), as runService would run it. */
export async function startTester(
  env: Record<string, string> = {},
  overrides: TesterOverrides = {},
): Promise<RunningServer> {
  const { logger = silentLogger, ...deps } = overrides;
  return serveService(
    {
      name: 'tester',
      configSchema,
      createApp: (options) => createApp({ ...options, ...deps }),
    },
    env,
    logger,
  );
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed when the answer is JSON, else undefined. */
  json: unknown;
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
): Promise<Answer> {
  const text = body.raw ?? (body.json === undefined ? undefined : JSON.stringify(body.json));
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...(text === undefined
      ? {}
      : { body: text, headers: { 'content-type': body.contentType ?? 'application/json' } }),
  });
  const received = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return {
    status: res.status,
    headers: res.headers,
    text: received,
    json: isJson && received !== '' ? (JSON.parse(received) as unknown) : undefined,
  };
}

export function post(baseUrl: string, path: string, json: unknown): Promise<Answer> {
  return send(baseUrl, 'POST', path, { json });
}

/** The `{"error": {"code", "message"}}` of an answer, or undefined. */
export function errorOf(answer: Answer): { code?: unknown; message?: unknown } | undefined {
  return (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
}

/** What Flagger POSTs to a webhook. */
export function flaggerPayload(
  metadata: Record<string, string> = {},
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name: 'backend',
    namespace: 'app',
    phase: 'Progressing',
    checksum: '85d557f47b',
    metadata,
    ...overrides,
  };
}

/** The value of one sample in a Prometheus text exposition, or undefined when absent. */
export function sampleValue(metricsText: string, series: string): number | undefined {
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
