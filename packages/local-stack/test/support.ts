import type { ServiceName } from '@appdist/catalogue';
import { createTestDatabase } from '@appdist/testing/postgres';
import { createTestRedis } from '@appdist/testing/redis';
import {
  freeServicePorts,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../src/stack.js';
import type { LoadReport } from './load.js';

/** The stack on free ports; stop() also drops its PostgreSQL database and its Redis keys. */
export interface TestStack extends LocalStack {
  ports: Record<ServiceName, number>;
}

/** The stack as processes on a PostgreSQL database and Redis keys of its own. */
export async function startTestStack(
  options: Omit<LocalStackOptions, 'ports' | 'databaseUrl' | 'redisUrl' | 'redisKeyPrefix'>,
): Promise<TestStack> {
  const [database, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  const removeServers = () => Promise.all([redis.cleanup(), database.drop()]);
  try {
    const ports = await freeServicePorts();
    const stack = await startLocalStack({
      ...options,
      ports,
      databaseUrl: database.url,
      redisUrl: redis.url,
      redisKeyPrefix: redis.keyPrefix,
    });
    return {
      ...stack,
      ports,
      async stop() {
        await stack.stop();
        await removeServers();
      },
    };
  } catch (error) {
    await removeServers();
    throw error;
  }
}

export interface StoredLink {
  code: string;
  url: string;
  clicks: number;
}

/** Every link the database service holds, page by page, keyed by code. */
export async function allLinks(databaseUrl: string): Promise<Map<string, StoredLink>> {
  const links = new Map<string, StoredLink>();
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100' });
    if (cursor) query.set('cursor', cursor);
    const response = await fetch(`${databaseUrl}/v1/links?${query}`);
    if (response.status !== 200) {
      throw new Error(`listing links: ${response.status} ${await response.text()}`);
    }
    const page = (await response.json()) as { items: StoredLink[]; nextCursor: string | null };
    for (const link of page.items) links.set(link.code, link);
    cursor = page.nextCursor;
  } while (cursor);
  return links;
}

/** One Prometheus counter from a /metrics text: the sum over series whose labels include `labels`. */
export async function counterValue(
  serviceUrl: string,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const labelText = line.slice(name.length + 1, close);
    const matches = Object.entries(labels).every(([key, value]) =>
      labelText.includes(`${key}="${value}"`),
    );
    if (matches) total += Number(line.slice(close + 1).trim());
  }
  return total;
}

/** The counts a load run ends with, as one block in the test output. */
export function printReport(title: string, report: LoadReport): void {
  const lines = [
    `${title}: ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s, ` +
      `${report.ok} ok, ${report.failed} failed; latency p50 ${report.latencyMs.p50} ms, ` +
      `p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`,
    ...Object.entries(report.byLabel).map(([label, n]) => `  ${label}: ${n}`),
    ...report.failures.slice(0, 10).map((f) => `  failed at ${f.atMs} ms: ${f.label} ${f.detail}`),
  ];
  console.log(lines.join('\n'));
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
