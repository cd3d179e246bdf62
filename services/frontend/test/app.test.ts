import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningServer } from '@appdist/service-kit/serve';
import { freePort } from '@appdist/testing/ports';
import { afterEach, describe, expect, it } from 'vitest';
import { STATIC_ASSETS } from '../src/static-assets.js';
import { rawRequest } from './raw-request.js';
import { startFrontend } from './start-frontend.js';
import { json, type StubBackend, type StubHandler, startStubBackend } from './stub-backend.js';

const LINK = {
  code: 'abc123',
  url: 'https://example.com/target',
  createdAt: '2025-01-02T03:04:05.000Z',
  clicks: 4,
};

/** A backend that knows LINK and answers the calls the pages make. */
const linkBackend: StubHandler = (req, res) => {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/api/links')
    return json(res, 200, { items: [LINK], nextCursor: null });
  if (req.method === 'GET' && path === `/api/links/${LINK.code}`) return json(res, 200, LINK);
  if (req.method === 'GET' && path === `/api/resolve/${LINK.code}`)
    return json(res, 200, { url: LINK.url });
  if (req.method === 'POST' && path === '/api/links') {
    const input = JSON.parse(req.body.toString()) as { url: string; code?: string };
    if (input.code === 'taken') {
      return json(res, 409, { error: { code: 'code_taken', message: 'code is taken' } });
    }
    if (!/^https?:\/\//.test(input.url)) {
      return json(res, 400, { error: { code: 'invalid_url', message: 'url must be http(s)' } });
    }
    return json(res, 201, { ...LINK, code: input.code ?? 'gen123', url: input.url });
  }
  return json(res, 404, { error: { code: 'not_found', message: 'not found' } });
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: StubHandler = linkBackend, env: Record<string, string> = {}) {
  const backend = await startStubBackend(handler);
  cleanups.push(() => backend.close());
  const frontend = await startFrontend({ BACKEND_URL: backend.url, ...env });
  cleanups.push(() => frontend.shutdown());
  return { backend, frontend, url: frontend.url };
}

async function setupWithoutBackend(): Promise<{ frontend: RunningServer; url: string }> {
  const frontend = await startFrontend({
    BACKEND_URL: `http://127.0.0.1:${await freePort()}`,
    BACKEND_TIMEOUT_MS: '500',
  });
  cleanups.push(() => frontend.shutdown());
  return { frontend, url: frontend.url };
}

function pathsCalled(backend: StubBackend): string[] {
  return backend.requests.map((r) => `${r.method} ${r.url}`);
}

describe('pages (stub backend: a recording HTTP server)', () => {
  it('renders the home page with recent links and strict security headers', async () => {
    const { url, backend } = await setup();
    const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'home-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await res.text();
    expect(page).toContain(`<a href="${url}/abc123">${url}/abc123</a>`);
    expect(page).toContain('<td data-label="Clicks" class="num">4</td>');
    expect(backend.requests).toHaveLength(1);
    expect(backend.requests[0]?.url).toBe('/api/links?limit=10');
    expect(backend.requests[0]?.headers['x-request-id']).toBe('home-1');
  });

  it('builds short URLs from PUBLIC_URL, else from the forwarded protocol and host', async () => {
    const { url } = await setup();
    const forwarded = await fetch(`${url}/`, {
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sho.rt' },
    });
    expect(await forwarded.text()).toContain('href="https://sho.rt/abc123"');

    const configured = await setup(linkBackend, {
      PUBLIC_URL: 'https://go.example/',
      RECENT_LINKS: '3',
    });
    const page = await (await fetch(`${configured.url}/`)).text();
    expect(page).toContain('href="https://go.example/abc123"');
    expect(configured.backend.requests[0]?.url).toBe('/api/links?limit=3');
  });

  it('creates a link from the form and redirects with 303 to the page that shows it', async () => {
    const { url, backend } = await setup();
    const res = await fetch(`${url}/`, {
      method: 'POST',
      body: new URLSearchParams({ url: ' https://example.com/new ', code: 'mine_1' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/?created=mine_1');
    const created = backend.requests.find((r) => r.method === 'POST');
    expect(created?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(created?.body.toString() ?? '')).toEqual({
      url: 'https://example.com/new',
      code: 'mine_1',
    });

    const withoutCode = await fetch(`${url}/`, {
      method: 'POST',
      body: new URLSearchParams({ url: 'https://example.com/new', code: '' }),
      redirect: 'manual',
    });
    expect(withoutCode.headers.get('location')).toBe('/?created=gen123');
    expect(JSON.parse(backend.requests.at(-1)?.body.toString() ?? '')).toEqual({
      url: 'https://example.com/new',
    });

    const shown = await (await fetch(`${url}/?created=abc123`)).text();
    expect(shown).toContain(`<a id="short-url" class="short-url" href="${url}/abc123">`);
  });

  it('ignores a created parameter that cannot be a code', async () => {
    const { url, backend } = await setup();
    const page = await (await fetch(`${url}/?created=${encodeURIComponent('../x')}`)).text();
    expect(page).not.toContain('id="short-url"');
    expect(pathsCalled(backend)).toEqual(['GET /api/links?limit=10']);
  });

  it('re-renders the form with 400 and the escaped input when the backend rejects it', async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/`, {
      method: 'POST',
      body: new URLSearchParams({ url: 'javascript:"><script>alert(1)</script>', code: '' }),
    });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('role="alert"');
    expect(page).toContain('starting with http:// or https://');
    expect(page).toContain('value="javascript:&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).not.toContain('<script>alert(1)</script>');
  });

  it('words a body the backend refused as users have always read it', async () => {
    const { url } = await setup((req, res) =>
      req.method === 'POST'
        ? json(res, 400, {
            error: { code: 'invalid_body', message: 'body: must be a JSON object' },
          })
        : linkBackend(req, res),
    );
    const res = await fetch(`${url}/`, {
      method: 'POST',
      body: new URLSearchParams({ url: 'https://example.com/x' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('>request body must be a JSON object</div>');
  });

  it('answers 409 for a taken code and keeps the values', async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/`, {
      method: 'POST',
      body: new URLSearchParams({ url: 'https://example.com/x', code: 'taken' }),
    });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).toContain('The code “taken” is already taken');
    expect(page).toMatch(
      /value="taken"\s+aria-describedby="form-error code-hint" aria-invalid="true"/,
    );
  });

  it('answers 413 as a page for a form that is too large', async () => {
    const { url, backend } = await setup();
    const res = await fetch(`${url}/`, {
      method: 'POST',
      body: new URLSearchParams({ url: `https://example.com/${'a'.repeat(20_000)}` }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(backend.requests).toHaveLength(0);
  });
});

describe('redirects (stub backend: a recording HTTP server)', () => {
  it('redirects a known code with 302 and no caching', async () => {
    const { url, backend } = await setup();
    const res = await fetch(`${url}/abc123`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(LINK.url);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    // The target learns nothing of where the click came from; page-only headers are left out.
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(pathsCalled(backend)).toEqual(['GET /api/resolve/abc123']);
  });

  it('answers an HTML 404 for an unknown code', async () => {
    const { url } = await setup();
    const res = await fetch(`${url}/nope_404`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('<h1>Link not found</h1>');
  });

  it('answers 404 without asking the backend for paths that cannot be codes', async () => {
    const { url, backend } = await setup();
    for (const path of [
      '/ab',
      `/${'a'.repeat(33)}`,
      '/a.b',
      '/static',
      '/healthz/x',
      '/x/y',
      '/%3Cscript%3E',
    ]) {
      const res = await fetch(`${url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('text/html');
    }
    const post = await fetch(`${url}/abc123`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(backend.requests).toHaveLength(0);
  });

  it('lets the shared endpoints take precedence over codes', async () => {
    const { url, backend } = await setup();
    expect(await (await fetch(`${url}/version`)).json()).toMatchObject({ name: 'frontend' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(backend.requests).toHaveLength(0);
  });

  it('refuses to redirect to anything but http(s)', async () => {
    const { url } = await setup((_req, res) => json(res, 200, { url: 'javascript:alert(1)' }));
    const res = await fetch(`${url}/abc123`, { redirect: 'manual' });
    expect(res.status).toBe(502);
    expect(res.headers.get('location')).toBeNull();
  });

  it('shows a 502 page when the backend fails', async () => {
    const { url } = await setup((_req, res) =>
      json(res, 500, { error: { code: 'internal', message: 'x' } }),
    );
    const res = await fetch(`${url}/abc123`, { redirect: 'manual' });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('Something went wrong');
  });
});

describe('backend down (stub backend: a recording HTTP server)', () => {
  it('serves friendly 503 pages with Retry-After and keeps readiness', async () => {
    const { url } = await setupWithoutBackend();
    for (const [path, init] of [
      ['/', {}],
      ['/abc123', { redirect: 'manual' }],
      ['/', { method: 'POST', body: new URLSearchParams({ url: 'https://example.com' }) }],
    ] as const) {
      const res = await fetch(`${url}${path}`, init);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('Back in a moment');
    }
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('passes on a 503 from the backend with its Retry-After', async () => {
    const { url } = await setup((_req, res) => {
      res.writeHead(503, { 'retry-after': '7', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'service_unavailable', message: 'db down' } }));
    });
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('answers forwarded API calls with a JSON 503', async () => {
    const { url } = await setupWithoutBackend();
    const res = await fetch(`${url}/api/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"url":"https://example.com"}',
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      error: {
        code: 'backend_unavailable',
        message: 'the backend is unavailable, try again shortly',
      },
    });
  });

  it('gives up on a backend that does not answer in time', async () => {
    const { url } = await setup(
      async (_req, res) => {
        await sleep(1_000);
        json(res, 200, {});
      },
      { BACKEND_TIMEOUT_MS: '200' },
    );
    const res = await fetch(`${url}/api/links`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'backend_unavailable',
    );
  });
});

describe('/api forwarding (stub backend: a recording HTTP server)', () => {
  it('forwards method, path, query, body bytes and end-to-end headers unchanged', async () => {
    const { url, backend } = await setup((_req, res) => json(res, 201, { ok: true }));
    // Spacing, key order and escapes a re-serialisation would lose; and a non-JSON body.
    const body = '{ "url" : "https://example.com/ü?a=1",\n  "code":"x\\u0041" }';
    const res = await rawRequest(url, {
      method: 'POST',
      path: '/api/links?a=1&b=%2F',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-custom': 'kept',
        connection: 'keep-alive, x-hop',
        'x-hop': 'dropped because Connection lists it',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        'x-request-id': 'rid-42',
        'x-forwarded-for': '203.0.113.9',
      },
      body,
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('rid-42');
    const seen = backend.requests[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/api/links?a=1&b=%2F');
    expect(seen?.body.toString()).toBe(body);
    expect(seen?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(seen?.headers['x-custom']).toBe('kept');
    expect(seen?.headers['x-request-id']).toBe('rid-42');
    expect(seen?.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen?.headers['x-forwarded-proto']).toBe('http');
    expect(seen?.headers['x-forwarded-host']).toBe(new URL(url).host);
    expect(seen?.headers['x-hop']).toBeUndefined();
    expect(seen?.headers['keep-alive']).toBeUndefined();
    expect(seen?.headers['proxy-authorization']).toBeUndefined();
    expect(seen?.headers.host).toBe(new URL(backend.url).host);
  });

  it('forwards bodies of any type and size byte for byte, including malformed JSON', async () => {
    const { url, backend } = await setup((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(req.body);
    });
    const binary = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7) % 256));
    const echoed = await rawRequest(url, {
      method: 'PUT',
      path: '/api/blob',
      headers: { 'content-type': 'application/octet-stream' },
      body: binary,
    });
    expect(echoed.body.equals(binary)).toBe(true);
    const malformed = await rawRequest(url, {
      method: 'POST',
      path: '/api/links',
      headers: { 'content-type': 'application/json' },
      body: '{"url":',
    });
    expect(malformed.body.toString()).toBe('{"url":');
    expect(backend.requests.map((r) => r.body.length)).toEqual([40_000, 7]);
  });

  it('copies status, headers and body back, minus hop-by-hop headers', async () => {
    const { url } = await setup((_req, res) => {
      res.writeHead(418, {
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
        'x-backend': 'yes',
        'x-request-id': 'from-backend',
        'keep-alive': 'timeout=99',
      });
      res.end('teapot');
    });
    const res = await rawRequest(url, {
      path: '/api/anything',
      headers: { 'x-request-id': 'rid-7' },
    });
    expect(res.status).toBe(418);
    expect(res.body.toString()).toBe('teapot');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-backend']).toBe('yes');
    expect(res.headers['x-request-id']).toBe('from-backend');
    expect(res.headers['keep-alive']).not.toBe('timeout=99');
  });

  it('streams the answer instead of buffering it', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { url } = await setup(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first;');
      await released;
      res.end('second');
    });
    const res = await fetch(`${url}/api/stream`);
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toBe('first;');
    release();
    let rest = '';
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe('second');
  });

  it('labels forwarded requests and redirects by route template in the metrics', async () => {
    const { url } = await setup();
    await fetch(`${url}/api/links/abc123`);
    await fetch(`${url}/api/links?limit=2`);
    await fetch(`${url}/abc123`, { redirect: 'manual' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('http_requests_total{method="GET",route="/api/*",status="200"} 2');
    expect(metrics).toContain('http_requests_total{method="GET",route="/:code",status="302"} 1');
    expect(metrics).not.toContain('abc123');
  });
});

describe('static assets (stub backend: a recording HTTP server)', () => {
  it('serves the stylesheet with a long cache when versioned and revalidates by ETag', async () => {
    const { url } = await setup();
    const css = STATIC_ASSETS.get('app.css');
    const versioned = await fetch(`${url}/static/app.css?v=${css?.hash}`);
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await versioned.text()).toContain(':focus-visible');

    const plain = await fetch(`${url}/static/app.css`);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = plain.headers.get('etag') ?? '';
    expect(etag).toBe(`"${css?.hash}"`);
    // node:http, because fetch adds Cache-Control: no-cache to a conditional request.
    const revalidated = await rawRequest(url, {
      path: '/static/app.css',
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);

    const missing = await fetch(`${url}/static/missing.css`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
  });
});
