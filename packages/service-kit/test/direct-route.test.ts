import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from '../src/config.js';
import { directRouteParts, matchSegment } from '../src/direct-route.js';
import { type ErrorBody, HttpError } from '../src/errors.js';
import { currentRequestId } from '../src/request-context.js';
import { sendJson } from '../src/response.js';
import { type RunningServer, serve } from '../src/serve.js';
import { createServiceApp } from '../src/service-app.js';
import { capturedLogger } from './captured-logger.js';

const info = { name: 'demo', version: '1.2.3', commit: 'abc' };
const running: RunningServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.shutdown()));
});

/** A service whose `/things/:id` is a direct route; `/things/:id/parts` and POST stay in Express. */
async function start(env: Record<string, string> = {}) {
  const { logger, lines: written } = capturedLogger();
  const config = loadConfig(baseConfigSchema, {
    PORT: '0',
    HOST: '127.0.0.1',
    SHUTDOWN_DELAY_MS: '0',
    ...env,
  });
  const served: string[] = [];
  const service = createServiceApp({
    info,
    config,
    logger,
    random: () => 0.25,
    directRoutes: [
      {
        route: '/things/:id',
        accepts: (id) => id !== 'refused',
        async handle(id, req, res) {
          served.push(`${req.method} ${id}`);
          if (id === 'missing') throw new HttpError(404, 'not_found', 'no such thing');
          if (id === 'broken') throw new Error('bug');
          sendJson(res, 200, { id, requestId: currentRequestId() });
        },
      },
      {
        route: '/pages/:name',
        async handle() {
          throw new HttpError(503, 'down', 'down');
        },
        onError(error, where, res) {
          res.writeHead((error as HttpError).status, { 'content-type': 'text/html' });
          res.end(`<p>${where.method} ${where.path} failed</p>`);
        },
      },
    ],
    routes: (app) => {
      app.get('/things/:id/parts', (_req, res) => void res.json({ parts: [] }));
      app.get('/:name', (req, res) => void res.json({ express: req.params.name }));
    },
  });
  const server = await serve({ ...service, close: async () => {} }, config, logger);
  running.push(server);
  const lines = () => written.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...server, lines, served, lifecycle: service.lifecycle };
}

async function errorOf(res: Response) {
  return ((await res.json()) as ErrorBody).error;
}

describe('direct routes', () => {
  it('answer with the request id, one log line and metrics under the route template', async () => {
    const { url, lines } = await start();
    const res = await fetch(`${url}/things/a1?x=1`, { headers: { 'x-request-id': 'rid-7' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('rid-7');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ id: 'a1', requestId: 'rid-7' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(
      'http_requests_total{method="GET",route="/things/:id",status="200"} 1',
    );
    expect(metrics).not.toContain('/things/a1');
    expect(lines().find((line) => line.msg === 'request')).toMatchObject({
      requestId: 'rid-7',
      method: 'GET',
      path: '/things/a1',
      status: 200,
    });
  });

  it('decode the parameter, and leave what they do not match to Express with the same handler', async () => {
    const { url, served } = await start();
    expect(await (await fetch(`${url}/things/a%3Ab`)).json()).toMatchObject({ id: 'a:b' });
    // A trailing slash and other letter case are Express's (non-strict, case-insensitive) match.
    expect(await (await fetch(`${url}/things/c3/`)).json()).toMatchObject({ id: 'c3' });
    expect(await (await fetch(`${url}/THINGS/d4`)).json()).toMatchObject({ id: 'd4' });
    expect(served).toEqual(['GET a:b', 'GET c3', 'GET d4']);
    // Broken percent-encoding is Express's 400, never a 500.
    const broken = await fetch(`${url}/things/%zz`);
    expect(broken.status).toBe(400);
    // Deeper paths, other methods and refused parameters reach the service's own routes.
    expect(await (await fetch(`${url}/things/a1/parts`)).json()).toEqual({ parts: [] });
    expect((await fetch(`${url}/things/a1`, { method: 'DELETE' })).status).toBe(404);
    expect(await (await fetch(`${url}/things/refused`)).json()).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(served).toEqual(['GET a:b', 'GET c3', 'GET d4']);
  });

  it('answer HEAD like GET, without a body', async () => {
    const { url, served } = await start();
    const res = await fetch(`${url}/things/h1`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(served).toEqual(['HEAD h1']);
  });

  it('leave the shared probes and /version to the service', async () => {
    const { url, served } = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/version`)).json()).toEqual(info);
    expect(served).toEqual([]);
  });

  it('answer errors in the JSON error shape, or with the route’s own onError', async () => {
    const { url } = await start();
    const missing = await fetch(`${url}/things/missing`);
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toEqual({ code: 'not_found', message: 'no such thing' });
    const broken = await fetch(`${url}/things/broken`);
    expect(broken.status).toBe(500);
    expect(await errorOf(broken)).toEqual({ code: 'internal', message: 'internal error' });
    const page = await fetch(`${url}/pages/home?q=1`);
    expect(page.status).toBe(503);
    expect(await page.text()).toBe('<p>GET /pages/home failed</p>');
  });

  it('get the injected faults, which leave probes alone', async () => {
    const { url } = await start({ FAULT_ERROR_RATE: '0.5' });
    const res = await fetch(`${url}/things/a1`);
    expect(res.status).toBe(500);
    expect((await errorOf(res)).code).toBe('fault_injected');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('ask keep-alive clients to reconnect once the drain has begun', async () => {
    const { url, lifecycle } = await start();
    lifecycle.beginShutdown();
    const connection = await new Promise<string | undefined>((resolve, reject) => {
      request(
        `${url}/things/a1`,
        { agent: false, headers: { connection: 'keep-alive' } },
        (res) => {
          res.resume();
          resolve(res.headers.connection);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(connection).toBe('close');
  });
});

describe('directRouteParts and matchSegment', () => {
  it('split a template and match exactly one segment after its prefix', () => {
    expect(directRouteParts('/v1/keys/:key')).toEqual({ prefix: '/v1/keys/', param: 'key' });
    expect(directRouteParts('/:code')).toEqual({ prefix: '/', param: 'code' });
    expect(() => directRouteParts('/v1/:key/x')).toThrow(/parameter last/);
    expect(matchSegment('/v1/keys/a', '/v1/keys/')).toBe('a');
    expect(matchSegment('/v1/keys/', '/v1/keys/')).toBeUndefined();
    expect(matchSegment('/v1/keys/a/b', '/v1/keys/')).toBeUndefined();
    expect(matchSegment('/v1/key/a', '/v1/keys/')).toBeUndefined();
    expect(matchSegment('/v1/keys/%E2%9C%93', '/v1/keys/')).toBe('✓');
    expect(matchSegment('/v1/keys/%zz', '/v1/keys/')).toBeUndefined();
  });
});
