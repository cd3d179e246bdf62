import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from '@appdist/catalogue';
import { eventually } from '@appdist/testing/eventually';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawResponse, rawExchange } from './raw-http.js';
import {
  allLinks,
  counterValue,
  JSON_HEADERS,
  type StoredLink,
  startTestStack,
  type TestStack,
} from './support.js';

describe('security cases, by name, against the stack as processes', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ logLevel: 'error' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });

  /** A GET written byte for byte, so the target reaches the service exactly as given. */
  const rawGet = async (
    service: ServiceName,
    target: string,
    headers = '',
  ): Promise<RawResponse> => {
    const result = await rawExchange(
      stack.ports[service],
      [Buffer.from(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`)],
      { timeoutMs: 10_000 },
    );
    if (result.kind !== 'response') throw new Error(`${service} GET ${target}: ${result.kind}`);
    return result.response;
  };

  const errorCode = async (response: Response) =>
    ((await response.json()) as { error?: { code?: string } }).error?.code;

  it('rejects javascript: and data: URLs, in the API and in the form', async () => {
    const hostile = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      ' javascript:alert(1)',
      '\tjavascript:alert(1)',
      'java\nscript:alert(1)',
      'javascript://example.com/%0Aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
    ];
    const answers: string[] = [];
    for (const [n, url] of hostile.entries()) {
      for (const [where, endpoint] of [
        ['frontend /api', `${stack.urls.frontend}/api/links`],
        ['backend', `${stack.urls.backend}/api/links`],
        ['database', `${stack.urls.database}/v1/links`],
      ] as const) {
        const res = await post(endpoint, { url, code: `xss-${n}` });
        answers.push(`${where} ${JSON.stringify(url)}: ${res.status} ${await errorCode(res)}`);
      }
      const form = await fetch(`${stack.urls.frontend}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ url, code: `xss-form-${n}` }).toString(),
        redirect: 'manual',
      });
      answers.push(
        `form ${JSON.stringify(url)}: ${form.status} ${form.headers.get('content-type')}`,
      );
      await form.arrayBuffer();
    }
    expect(answers.filter((a) => !/: 400 (invalid_url|text\/html)/.test(a))).toEqual([]);
    const stored = [...(await allLinks(stack.urls.database)).values()];
    expect(stored.filter((link) => !/^https?:\/\//.test(link.url))).toEqual([]);
    // And no code that was tried resolves to anything.
    const follow = await fetch(`${stack.urls.frontend}/xss-0`, { redirect: 'manual' });
    expect(follow.status).toBe(404);
  });

  it('rejects CR/LF in codes and never reflects them into a header', async () => {
    const injected = /^(set-cookie|x-injected|location):/im;
    const created = await post(`${stack.urls.backend}/api/links`, {
      code: 'abc\r\nSet-Cookie: session=stolen',
      url: 'https://example.com/',
    });
    expect(created.status).toBe(400);
    expect(await errorCode(created)).toBe('invalid_code');
    expect(created.headers.get('set-cookie')).toBeNull();

    const cases: [ServiceName, string][] = [
      ['frontend', '/abc%0d%0aSet-Cookie:%20session=stolen'],
      ['frontend', '/abc%0D%0ALocation:%20https://evil.example'],
      ['frontend', '/api/resolve/abc%0d%0aX-Injected:%201'],
      ['backend', '/api/resolve/abc%0d%0aLocation:%20https://evil.example'],
      ['backend', '/api/links/abc%0d%0aX-Injected:%201'],
      ['cache', '/v1/keys/link:abc%0d%0aX-Injected:%201'],
      ['database', '/v1/links/abc%0d%0aX-Injected:%201'],
    ];
    const seen: string[] = [];
    for (const [service, target] of cases) {
      const response = await rawGet(service, target);
      seen.push(
        `${service} ${target}: ${response.status}${injected.test(response.head) ? ' INJECTED' : ''}`,
      );
    }
    expect(seen.filter((line) => !/: 4\d\d$/.test(line))).toEqual([]);

    // A request id with CR/LF (percent-encoded: Node refuses raw ones) is replaced, never echoed.
    const echoed = await rawGet('backend', '/healthz', 'X-Request-Id: a%0d%0aX-Injected: 1\r\n');
    expect(echoed.headers.get('x-request-id')?.[0]).not.toContain('%0d%0a');
    expect(injected.test(echoed.head)).toBe(false);

    // CR/LF inside a target URL: stored without them (the URL parser drops them), so the
    // redirect's Location stays one header.
    for (const [code, url] of [
      ['crlf-raw', 'https://example.com/\r\nSet-Cookie: session=stolen'],
      ['crlf-encoded', 'https://example.com/%0d%0aSet-Cookie:%20session=stolen'],
    ]) {
      const res = await post(`${stack.urls.frontend}/api/links`, { code, url });
      expect([201, 400]).toContain(res.status);
      if (res.status !== 201) continue;
      const redirect = await rawGet('frontend', `/${code}`);
      expect(redirect.status).toBe(302);
      expect(injected.test(redirect.head.replace(/^location:.*$/im, ''))).toBe(false);
      expect(redirect.headers.get('location')?.[0]).not.toMatch(/[\r\n]/);
    }
  });

  it('treats path traversal in cache keys as a plain key or rejects it, never as a path', async () => {
    const put = (rawKey: string, value: unknown) =>
      fetch(`${stack.urls.cache}/v1/keys/${rawKey}`, {
        method: 'PUT',
        headers: JSON_HEADERS,
        body: JSON.stringify({ value }),
      });
    expect((await put('safe-key', 'mine')).status).toBe(200);
    // Encoded slashes decode into the key, which may not contain one.
    for (const key of ['%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..%2fsafe-key', '%2e%2e%2fsafe-key']) {
      const res = await put(key, 'theirs');
      expect(res.status, key).toBe(400);
      expect(await errorCode(res)).toBe('invalid_key');
    }
    // Unencoded `../` is never collapsed by the service: it is a path with more segments, which
    // no route has.
    for (const target of [
      '/v1/keys/../../etc/passwd',
      '/v1/keys/../keys/safe-key',
      '/v1/keys/./safe-key',
    ]) {
      const response = await rawGet('cache', target);
      expect(response.status, target).toBe(404);
    }
    // `..` alone is a legal key (dots are allowed); it names a Redis key, not a directory, and
    // leaves every other key alone.
    const dots = await rawExchange(
      stack.ports.cache,
      [
        Buffer.from(
          'PUT /v1/keys/.. HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n' +
            'Content-Length: 18\r\n\r\n{"value":"dotdot"}',
        ),
      ],
      { timeoutMs: 10_000 },
    );
    expect(dots.kind === 'response' ? dots.response.status : dots.kind).toBe(200);
    expect(JSON.parse((await rawGet('cache', '/v1/keys/..')).body.toString())).toMatchObject({
      value: 'dotdot',
    });
    expect(
      ((await (await fetch(`${stack.urls.cache}/v1/keys/safe-key`)).json()) as { value: string })
        .value,
    ).toBe('mine');

    // The backend builds cache keys only from valid codes: traversal never reaches the cache.
    // (Reads only: the backend stores resolved links in the background, which may land now.)
    const keyRequests = () =>
      Promise.all([
        counterValue(stack.urls.cache, 'http_requests_total', {
          method: 'GET',
          route: '/v1/keys/:key',
        }),
        counterValue(stack.urls.cache, 'http_requests_total', {
          route: '/v1/keys/:key',
          status: '400',
        }),
      ]);
    const before = await keyRequests();
    for (const target of [
      '/api/resolve/..%2f..%2fv1%2fkeys%2fsafe-key',
      '/api/resolve/%2e%2e',
      '/api/links/..%2fx',
    ]) {
      expect((await rawGet('backend', target)).status, target).toBe(404);
    }
    expect(await keyRequests()).toEqual(before);

    // The frontend's static files are a fixed map, not a directory.
    for (const target of [
      '/static/..%2f..%2fpackage.json',
      '/static/../../package.json',
      '/static/%2e%2e%2fapp.js',
    ]) {
      const response = await rawGet('frontend', target);
      expect(response.status, target).toBe(404);
      expect(response.body.toString()).not.toContain('"dependencies"');
    }
  });

  it('stores SQL metacharacters in URLs verbatim and reads them back exactly', async () => {
    // The database service stores what it is given, byte for byte.
    const verbatim = "https://example.com/?q=1';DROP/**/TABLE/**/links;--&r=\"\\'%27";
    const direct = await post(`${stack.urls.database}/v1/links`, {
      code: 'sql-direct',
      url: verbatim,
    });
    expect(direct.status).toBe(201);
    expect(((await direct.json()) as StoredLink).url).toBe(verbatim);
    const readBack = (await (
      await fetch(`${stack.urls.database}/v1/links/sql-direct`)
    ).json()) as StoredLink;
    expect(readBack.url).toBe(verbatim);

    // Through the API the URL is stored as the URL parser serialises it (documented: spaces and
    // quotes percent-encoded), and read back and redirected to exactly as stored.
    const classic = "https://example.com/?q='; DROP TABLE links;--";
    const created = await post(`${stack.urls.frontend}/api/links`, {
      code: 'sql-api',
      url: classic,
    });
    expect(created.status).toBe(201);
    const stored = ((await created.json()) as StoredLink).url;
    expect(stored).toBe(new URL(classic).href);
    const viaApi = (await (
      await fetch(`${stack.urls.frontend}/api/links/sql-api`)
    ).json()) as StoredLink;
    expect(viaApi.url).toBe(stored);
    const redirect = await fetch(`${stack.urls.frontend}/sql-api`, { redirect: 'manual' });
    expect(redirect.headers.get('location')).toBe(stored);

    // Metacharacters where only a code or a cursor belongs are refused before any query.
    const badCode = await post(`${stack.urls.frontend}/api/links`, {
      code: "x'; DROP TABLE links;--",
      url: 'https://example.com/',
    });
    expect(badCode.status).toBe(400);
    expect(await errorCode(badCode)).toBe('invalid_code');
    const badCursor = await fetch(
      `${stack.urls.frontend}/api/links?cursor=${encodeURIComponent("1' OR '1'='1")}`,
    );
    expect(badCursor.status).toBe(400);
    expect(await errorCode(badCursor)).toBe('invalid_cursor');

    // And the table is still there, with both rows.
    const links = await allLinks(stack.urls.database);
    expect(links.get('sql-direct')?.url).toBe(verbatim);
    expect(links.get('sql-api')?.url).toBe(stored);
  });

  // Last: before the fix it leaves the backend sending click batches in a loop.
  it('counts codes named like Object.prototype members (__proto__, toString, constructor) as any other', async () => {
    const codes = ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf'];
    for (const code of codes) {
      expect(
        (
          await post(`${stack.urls.frontend}/api/links`, {
            code,
            url: `https://example.com/${code}`,
          })
        ).status,
      ).toBe(201);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${stack.urls.frontend}/${code}`, { redirect: 'manual' });
        expect(res.status).toBe(302);
      }
    }
    // While clicks are buffered and delivered, each link reads with a numeric click count, and
    // the home page, which lists them, renders.
    const clickTypes = new Set<string>();
    const homeStatuses = new Set<number>();
    for (let round = 0; round < 8; round++) {
      for (const code of codes) {
        const link = (await (await fetch(`${stack.urls.backend}/api/links/${code}`)).json()) as {
          clicks: unknown;
        };
        clickTypes.add(typeof link.clicks);
      }
      const home = await fetch(`${stack.urls.frontend}/`);
      await home.arrayBuffer();
      homeStatuses.add(home.status);
      await sleep(150);
    }
    expect([...clickTypes]).toEqual(['number']);
    expect([...homeStatuses]).toEqual([200]);

    await eventually(async () => {
      const links = await allLinks(stack.urls.database);
      expect(Object.fromEntries(codes.map((code) => [code, links.get(code)?.clicks]))).toEqual(
        Object.fromEntries(codes.map((code) => [code, 3])),
      );
    }, 5_000);
    // Once delivered, the buffer is empty: at most one batch per flush interval (1 s) follows.
    const batches = () =>
      counterValue(stack.urls.database, 'http_requests_total', {
        method: 'POST',
        route: '/v1/clicks',
      });
    const from = await batches();
    await sleep(2_000);
    expect((await batches()) - from).toBeLessThanOrEqual(2);
  });
});
