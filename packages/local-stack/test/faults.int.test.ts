import { eventually } from '@appdist/testing/eventually';
import {
  startThrowawayPostgres,
  startThrowawayRedis,
  type ThrowawayServer,
} from '@appdist/testing/throwaway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeServicePorts, type LocalStack, startLocalStack } from '../src/stack.js';

const json = { 'content-type': 'application/json' };

describe('dependency outages, with throwaway PostgreSQL and Redis servers', () => {
  let postgres: ThrowawayServer;
  let redis: ThrowawayServer;
  let stack: LocalStack;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
    stack = await startLocalStack({
      ports: await freeServicePorts(),
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      logLevel: 'error',
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([postgres?.dispose(), redis?.dispose()]);
  });

  const create = (url: string, code: string) =>
    fetch(`${stack.urls.frontend}/api/links`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ url, code }),
    });
  const follow = (code: string) => fetch(`${stack.urls.frontend}/${code}`, { redirect: 'manual' });

  it('keeps redirecting while Redis is down, and uses it again when it is back', async () => {
    expect((await create('https://example.com/a', 'redis-a')).status).toBe(201);
    expect((await follow('redis-a')).status).toBe(302);

    await redis.kill();
    await eventually(async () => {
      expect((await fetch(`${stack.urls.cache}/readyz`)).status).toBe(503);
    }, 5_000);
    for (let i = 0; i < 20; i++) {
      const response = await follow('redis-a');
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe('https://example.com/a');
    }
    expect((await create('https://example.com/b', 'redis-b')).status).toBe(201);
    expect((await follow('redis-b')).status).toBe(302);

    await redis.start();
    await eventually(async () => {
      expect((await fetch(`${stack.urls.cache}/readyz`)).status).toBe(200);
    }, 10_000);
    expect((await follow('redis-b')).status).toBe(302);
  });

  it('turns readiness false and writes into 503 while PostgreSQL is down, and recovers by itself', async () => {
    expect((await create('https://example.com/pg', 'pg-a')).status).toBe(201);
    // Warm the cache (the backend may still be skipping it after the Redis test), so the link
    // stays resolvable during the outage.
    let clicks = 0;
    await eventually(async () => {
      expect((await follow('pg-a')).status).toBe(302);
      clicks += 1;
      expect((await fetch(`${stack.urls.cache}/v1/keys/link:pg-a`)).status).toBe(200);
    }, 5_000);

    await postgres.kill();
    const notReadyAfterMs = await eventually(async () => {
      expect((await fetch(`${stack.urls.backend}/readyz`)).status).toBe(503);
    }, 5_000);
    expect(notReadyAfterMs).toBeLessThan(5_000);

    const refused = await create('https://example.com/pg-b', 'pg-b');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'service_unavailable',
    );
    // Clicks during the outage are buffered, not lost.
    expect((await follow('pg-a')).status).toBe(302);
    clicks += 1;

    await postgres.start();
    await eventually(async () => {
      expect((await fetch(`${stack.urls.backend}/readyz`)).status).toBe(200);
    }, 15_000);
    expect((await create('https://example.com/pg-b', 'pg-b')).status).toBe(201);
    await eventually(async () => {
      const link = (await (await fetch(`${stack.urls.database}/v1/links/pg-a`)).json()) as {
        clicks: number;
      };
      expect(link.clicks).toBe(clicks);
    }, 10_000);
  });
});
