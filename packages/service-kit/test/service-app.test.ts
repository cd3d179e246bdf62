import { afterEach, describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from '../src/config.js';
import { type ErrorBody, HttpError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { type RunningServer, serve } from '../src/serve.js';
import { createServiceApp } from '../src/service-app.js';
import { capturedLogger } from './captured-logger.js';

async function errorOf(res: Response) {
  return ((await res.json()) as ErrorBody).error;
}

const silent = createLogger({ name: 'test', level: 'silent' });
const info = { name: 'demo', version: '1.2.3', commit: 'abc' };

function demoApp(env: Record<string, string> = {}, readyFails = false) {
  const config = loadConfig(baseConfigSchema, {
    PORT: '0',
    HOST: '127.0.0.1',
    SHUTDOWN_DELAY_MS: '0',
    ...env,
  });
  const { listener, lifecycle } = createServiceApp({
    info,
    config,
    logger: silent,
    readiness: [
      {
        name: 'dependency',
        check: async () => {
          if (readyFails) throw new Error('dependency down');
        },
      },
    ],
    random: () => 0.25,
    routes: (app) => {
      app.get('/items/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      app.post('/items', (req, res) => {
        if (typeof req.body?.name !== 'string')
          throw new HttpError(400, 'invalid_name', 'name is required');
        res.status(201).json({ name: req.body.name });
      });
    },
  });
  return { handle: { listener, lifecycle, close: async () => {} }, config };
}

const running: RunningServer[] = [];
async function start(env: Record<string, string> = {}, readyFails = false) {
  const { handle, config } = demoApp(env, readyFails);
  const server = await serve(handle, config, silent);
  running.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.shutdown()));
});

describe('createServiceApp', () => {
  it('answers probes, version and JSON errors', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({
      status: 'ok',
      checks: { dependency: 'ok' },
    });
    expect(await (await fetch(`${url}/version`)).json()).toEqual(info);

    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /nope' },
    });

    const malformed = await fetch(`${url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe('invalid_json');

    const large = await fetch(`${url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(17 * 1024) }),
    });
    expect(large.status).toBe(413);
    expect((await errorOf(large)).code).toBe('payload_too_large');

    const invalid = await fetch(`${url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(invalid.status).toBe(400);
    expect((await errorOf(invalid)).code).toBe('invalid_name');
  });

  it('counts requests by route template and leaves probes out', async () => {
    const { url } = await start();
    await fetch(`${url}/items/1`);
    await fetch(`${url}/items/2`);
    await fetch(`${url}/healthz`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('http_requests_total{method="GET",route="/items/:id",status="200"} 2');
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/items/:id",status="200"}',
    );
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="10",method="GET",route="/items/:id",status="200"} 2',
    );
    expect(text).not.toContain('route="/healthz"');
    expect(text).not.toContain('/items/1');
  });

  it('propagates a safe request id and replaces an unsafe one', async () => {
    const { url } = await start();
    const kept = await fetch(`${url}/items/1`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await fetch(`${url}/items/1`, {
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fails readiness when a dependency check fails', async () => {
    const { url } = await start({}, true);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'unavailable',
      checks: { dependency: 'dependency down' },
    });
  });

  it('injects errors at the configured rate but keeps probes healthy', async () => {
    const { url } = await start({ FAULT_ERROR_RATE: '0.5' });
    const res = await fetch(`${url}/items/1`);
    expect(res.status).toBe(500);
    expect((await errorOf(res)).code).toBe('fault_injected');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});

describe('loadConfig', () => {
  it('names the variable, the rule and the value it rejected', () => {
    expect(() => loadConfig(baseConfigSchema, { PORT: '6379', FAULT_ERROR_RATE: '2' })).toThrow(
      /PORT: must not be 5432 or 6379.*\(got "6379"\)[\s\S]*FAULT_ERROR_RATE: .*\(got "2"\)/,
    );
  });

  it('applies defaults', () => {
    const config = loadConfig(baseConfigSchema, {});
    expect(config.PORT).toBe(8080);
    expect(config.SHUTDOWN_DELAY_MS).toBe(5000);
    expect(config.FAULT_ERROR_RATE).toBe(0);
  });
});

describe('logs', () => {
  it('writes one JSON line per request with the request id', async () => {
    const { logger, lines } = capturedLogger();
    const config = loadConfig(baseConfigSchema, {
      PORT: '0',
      HOST: '127.0.0.1',
      SHUTDOWN_DELAY_MS: '0',
    });
    const { listener, lifecycle } = createServiceApp({
      info,
      config,
      logger,
      routes: (app) => app.get('/x', (_req, res) => void res.json({})),
    });
    const server = await serve({ listener, lifecycle, close: async () => {} }, config, logger);
    running.push(server);
    await fetch(`${server.url}/x`, { headers: { 'x-request-id': 'rid-1' } });
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
    expect(entry).toMatchObject({
      service: 'demo',
      level: 'info',
      requestId: 'rid-1',
      method: 'GET',
      path: '/x',
      status: 200,
    });
  });
});
