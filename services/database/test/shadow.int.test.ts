import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isShadowHost } from '../src/shadow.js';
import { jsonOf, postJson, startOnPostgres, type TestService } from './support.js';

/** node:http, because fetch may not set Host, which is what Envoy rewrites for mirrored requests. */
function send(url: string, method: string, path: string, host: string, body?: unknown) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const target = new URL(path, url);
    const req = request(
      target,
      { method, headers: { host, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('requests mirrored by Istio (host with -shadow)', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startOnPostgres();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('recognises the shadow host with and without a port', () => {
    expect(isShadowHost('database-shadow:8080')).toBe(true);
    expect(isShadowHost('database.app-shadow')).toBe(true);
    expect(isShadowHost('database:8080')).toBe(false);
    expect(isShadowHost('shadow-database:8080')).toBe(false);
    expect(isShadowHost(undefined)).toBe(false);
  });

  it('answers mirrored writes without applying them', async () => {
    const mirrored = await send(
      service.url,
      'POST',
      '/v1/links',
      'database-canary.app-shadow:8080',
      {
        code: 'mirrored',
        url: 'https://example.com/',
      },
    );
    expect(mirrored.status).toBe(202);
    expect(JSON.parse(mirrored.body)).toEqual({ shadow: true, applied: false });
    expect((await fetch(`${service.url}/v1/links/mirrored`)).status).toBe(404);
  });

  it('serves mirrored reads as usual', async () => {
    expect(
      (
        await postJson(`${service.url}/v1/links`, {
          code: 'readable',
          url: 'https://example.com/r',
        })
      ).status,
    ).toBe(201);
    const read = await send(service.url, 'GET', '/v1/links/readable', 'database-shadow:8080');
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ code: 'readable' });
    const direct = await jsonOf<{ code: string }>(await fetch(`${service.url}/v1/links/readable`));
    expect(direct.code).toBe('readable');
  });
});
