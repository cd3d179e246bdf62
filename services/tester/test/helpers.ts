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

import { type Answer, send } from '@appdist/testing/http';

export type { Answer, RequestBody } from '@appdist/testing/http';
export { send };

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
