import type { RunningServer } from '@appdist/service-kit/serve';
import { eventually } from '@appdist/testing/eventually';
import { startThrowawayRedis, type ThrowawayServer } from '@appdist/testing/throwaway';
import { afterAll, describe, expect, it } from 'vitest';
import { type Answer, errorOf, flaggerPayload, post, send, startTester } from './helpers.js';

function expectUnavailable(res: Answer, what: string): void {
  expect(res.status, what).toBe(503);
  expect(res.headers.get('retry-after'), what).toMatch(/^\d+$/);
  expect(errorOf(res)?.code, what).toBe('service_unavailable');
}

const backend = { name: 'backend', namespace: 'app' };

describe('gates when Redis goes down and comes back', () => {
  const redisServers: ThrowawayServer[] = [];
  const testers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(testers.map((tester) => tester.shutdown()));
    await Promise.all(redisServers.map((redis) => redis.dispose()));
  });

  async function testerOn(redisUrl: string): Promise<string> {
    const tester = await startTester({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: 'outage-test:' });
    testers.push(tester);
    return tester.url;
  }

  it('answers 503 (which Flagger retries), never 500 or a 2xx, until Redis is back', async () => {
    const redis = await startThrowawayRedis();
    redisServers.push(redis);
    const url = await testerOn(redis.url);
    expect((await post(url, '/gate/open', backend)).status).toBe(202);
    expect((await post(url, '/rollback/open', backend)).status).toBe(202);
    expect((await post(url, '/gate/check', flaggerPayload())).status).toBe(200);

    // --save '' and no AOF: the restarted Redis is empty, as after losing its volume.
    await redis.kill();
    for (const path of [
      '/gate/check',
      '/rollback/check',
      '/gate/open',
      '/gate/close',
      '/rollback/open',
    ]) {
      const start = performance.now();
      const res = await post(url, path, flaggerPayload());
      expect(performance.now() - start, path).toBeLessThan(1_000);
      expectUnavailable(res, path);
    }
    expectUnavailable(await send(url, 'GET', '/gates'), 'GET /gates');
    const notReady = await send(url, 'GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.json).toMatchObject({ status: 'unavailable' });
    // Load and events do not need Redis.
    expect((await post(url, '/hooks/event', flaggerPayload())).status).toBe(200);

    await redis.start();
    await eventually(
      async () => expect((await send(url, 'GET', '/readyz')).status).toBe(200),
      5_000,
    );
    expect((await post(url, '/gate/check', flaggerPayload())).status).toBe(403);
    expect((await post(url, '/gate/open', backend)).status).toBe(202);
    expect((await post(url, '/gate/check', flaggerPayload())).status).toBe(200);
  });

  it('starts while Redis is down and serves gates once it is up', async () => {
    const redis = await startThrowawayRedis();
    redisServers.push(redis);
    await redis.kill();
    const start = performance.now();
    const url = await testerOn(redis.url);
    expect(performance.now() - start).toBeLessThan(3_000);
    expectUnavailable(await post(url, '/gate/check', flaggerPayload()), 'check while down');
    expect((await send(url, 'GET', '/readyz')).status).toBe(503);

    await redis.start();
    await eventually(
      async () => expect((await post(url, '/gate/open', backend)).status).toBe(202),
      5_000,
    );
    expect((await post(url, '/gate/check', flaggerPayload())).status).toBe(200);
  });
});
