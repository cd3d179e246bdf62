import { createServer, type Server, type Socket } from 'node:net';
import { loadConfig } from '@appdist/service-kit/config';
import { startThrowawayPostgres, type ThrowawayServer } from '@appdist/testing/throwaway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { configSchema } from '../src/config.js';
import { errorCodeOf, postJson, silentLogger, startService, type TestService } from './support.js';

// A PostgreSQL cluster of this file's own, since the test stops it; never the shared server.
let postgres: ThrowawayServer;
let service: TestService | undefined;

beforeAll(async () => {
  postgres = await startThrowawayPostgres();
});
afterAll(async () => {
  await service?.stop();
  await postgres?.dispose();
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

const info = { name: 'database', version: '0.0.0-test', commit: 'test' };

describe('PostgreSQL outage', () => {
  it('answers 503 with Retry-After while PostgreSQL is down and recovers without a restart', async () => {
    service = await startService({
      DATABASE_URL: postgres.url,
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      READINESS_TIMEOUT_MS: '1000',
    });
    const { url } = service;
    expect(
      (await postJson(`${url}/v1/links`, { code: 'before', url: 'https://a.example' })).status,
    ).toBe(201);

    await postgres.kill();

    const started = performance.now();
    const write = await postJson(`${url}/v1/links`, { code: 'during', url: 'https://b.example' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(await errorCodeOf(write)).toBe('service_unavailable');
    const clicks = await postJson(`${url}/v1/clicks`, {
      batchId: '0b8a4c1e-2d3f-4a5b-8c6d-7e8f9a0b1c2d',
      counts: { before: 1 },
    });
    expect(clicks.status).toBe(503);
    const read = await fetch(`${url}/v1/links/before`);
    expect(read.status).toBe(503);
    expect(read.headers.get('retry-after')).not.toBeNull();
    const list = await fetch(`${url}/v1/links`);
    expect(list.status).toBe(503);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    await postgres.start();

    const recoveredMs = await waitFor(
      async () => (await fetch(`${url}/readyz`)).status === 200,
      5_000,
    );
    expect(recoveredMs).toBeLessThan(5_000);
    expect(
      (await postJson(`${url}/v1/links`, { code: 'after', url: 'https://c.example' })).status,
    ).toBe(201);
    expect((await fetch(`${url}/v1/links/before`)).status).toBe(200);
    expect((await fetch(`${url}/v1/links/during`)).status).toBe(404);

    await service.stop();
    service = undefined;
  });

  it('waits for PostgreSQL at start-up instead of failing at once', async () => {
    await postgres.kill();
    const config = loadConfig(configSchema, {
      PORT: '0',
      DATABASE_URL: postgres.url,
      DATABASE_CONNECT_TIMEOUT_MS: '500',
      DATABASE_STARTUP_TIMEOUT_MS: '20000',
    });
    const starting = createApp({ config, logger: silentLogger, info });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await postgres.start();
    const handle = await starting;
    await handle.close();
  });
});

describe('start-up against a PostgreSQL that never answers', () => {
  let blackHole: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts TCP connections and never speaks, like a server behind a dropped route.
    blackHole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const address = blackHole.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('retries until DATABASE_STARTUP_TIMEOUT_MS, then fails', async () => {
    const config = loadConfig(configSchema, {
      PORT: '0',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
      DATABASE_CONNECT_TIMEOUT_MS: '200',
      DATABASE_STARTUP_TIMEOUT_MS: '1500',
    });
    const started = performance.now();
    await expect(createApp({ config, logger: silentLogger, info })).rejects.toThrow(
      /database unavailable/,
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(700);
    expect(elapsed).toBeLessThan(3_000);
  });
});
