import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@appdist/testing/postgres';
import { createTestRedis } from '@appdist/testing/redis';
import { describe, expect, it } from 'vitest';
import { renderQuery, runLocalE2E } from '../src/e2e.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('renderQuery', () => {
  it('fills Flagger template variables and refuses unknown ones', () => {
    expect(
      renderQuery('rate(x{ns="{{ namespace }}", pod=~"{{target}}-.*"}[{{ interval }}])', {
        namespace: 'app',
        target: 'backend',
        interval: '15s',
      }),
    ).toBe('rate(x{ns="app", pod=~"backend-.*"}[15s])');
    expect(() => renderQuery('{{ variables.direction }}', {})).toThrow(/variables.direction/);
  });
});

describe('local end-to-end run (npm run e2e:local)', () => {
  it('proves the release gates against the running services and a real Prometheus', {
    timeout: 300_000,
  }, async () => {
    // On PostgreSQL and Redis here; npm run e2e:local runs on embedded stores of its own.
    const [database, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
    const lines: string[] = [];
    try {
      const results = await runLocalE2E({
        root: ROOT,
        databaseUrl: database.url,
        redisUrl: redis.url,
        redisKeyPrefix: redis.keyPrefix,
        log: (line) => lines.push(line),
      });
      const failed = results.filter((result) => !result.ok);
      expect(failed, lines.join('\n')).toEqual([]);
      expect(results.map((result) => result.name)).toEqual([
        'render dist/app-kubernetes: Canaries and MetricTemplates',
        'start the services, the tester and Prometheus',
        'conformance hook for frontend (pre-rollout)',
        'conformance hook for backend (pre-rollout)',
        'conformance hook for cache (pre-rollout)',
        'conformance hook for database (pre-rollout)',
        'load through the tester (rollout hooks)',
        'SLO queries within thresholds while healthy',
        'backend with FAULT_ERROR_RATE=0.5 crosses the success-rate threshold',
        'backend with FAULT_DELAY_MS=800 crosses the latency threshold',
        'approval gate: closed, opened, approved',
      ]);
    } finally {
      await redis.cleanup();
      await database.drop();
    }
  });
});
