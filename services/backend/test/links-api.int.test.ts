import diagnosticsChannel from 'node:diagnostics_channel';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf, jsonOf, type LinkBody, postJson } from './support/http.js';
import { type Stack, startStack } from './support/stack.js';

let stack: Stack;
let api: string;

beforeAll(async () => {
  stack = await startStack();
  api = `${stack.backendUrl}/api`;
});

afterAll(async () => {
  await stack?.close();
});

let counter = 0;
const uniqueCode = (prefix = 'c') => `${prefix}-${process.pid}-${++counter}`;

describe('POST /api/links', () => {
  it('creates a link with a chosen code: 201 with the full link', async () => {
    const code = uniqueCode();
    const res = await postJson(`${api}/links`, { url: 'https://example.com/a?b=1', code });
    expect(res.status).toBe(201);
    const link = await jsonOf<LinkBody>(res);
    expect(link).toEqual({
      code,
      url: 'https://example.com/a?b=1',
      createdAt: expect.any(String),
      clicks: 0,
    });
    expect(Number.isNaN(Date.parse(link.createdAt))).toBe(false);
  });

  it('generates a 7-character base62 code when none is given', async () => {
    const res = await postJson(`${api}/links`, { url: 'https://example.com/generated' });
    expect(res.status).toBe(201);
    const link = await jsonOf<LinkBody>(res);
    expect(link.code).toMatch(/^[A-Za-z0-9]{7}$/);
    const fetched = await fetch(`${api}/links/${link.code}`);
    expect(fetched.status).toBe(200);
    expect((await jsonOf<LinkBody>(fetched)).url).toBe('https://example.com/generated');
  });

  it('answers 409 code_taken for a code that exists', async () => {
    const code = uniqueCode();
    expect((await postJson(`${api}/links`, { url: 'https://example.com/1', code })).status).toBe(
      201,
    );
    const again = await postJson(`${api}/links`, { url: 'https://example.com/2', code });
    expect(again.status).toBe(409);
    expect(await errorCodeOf(again)).toBe('code_taken');
    expect((await jsonOf<LinkBody>(await fetch(`${api}/links/${code}`))).url).toBe(
      'https://example.com/1',
    );
  });

  it('answers 400 invalid_url for other schemes, non-URLs and more than 2048 characters', async () => {
    const long = `https://example.com/${'a'.repeat(2049 - 'https://example.com/'.length)}`;
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://example.com/file',
      'not a url',
      long,
      42,
      null,
    ]) {
      const res = await postJson(`${api}/links`, { url });
      expect(res.status, String(url)).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_url');
    }
    const missing = await postJson(`${api}/links`, { code: uniqueCode() });
    expect(await errorCodeOf(missing)).toBe('invalid_url');
    const atLimit = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
    expect((await postJson(`${api}/links`, { url: atLimit })).status).toBe(201);
  });

  it('answers 400 invalid_code for a code outside [A-Za-z0-9_-]{3,32}', async () => {
    for (const code of ['ab', 'a'.repeat(33), 'with space', 'slash/code', 'ümlaut', 12345, null]) {
      const res = await postJson(`${api}/links`, { url: 'https://example.com', code });
      expect(res.status, String(code)).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_code');
    }
  });

  it('answers 400 when the body is not an object', async () => {
    for (const body of [[], [{ url: 'https://example.com' }]]) {
      const res = await postJson(`${api}/links`, body);
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_body');
    }
    // The JSON parser itself only takes objects and arrays at the top level.
    for (const body of ['https://example.com', 7, null]) {
      const res = await postJson(`${api}/links`, body);
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_json');
    }
    const notJson = await fetch(`${api}/links`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'url=https://example.com',
    });
    expect(notJson.status).toBe(400);
    expect(await errorCodeOf(notJson)).toBe('invalid_body');
  });

  it('answers 400 invalid_json for malformed JSON and 413 for a body over 16 KiB', async () => {
    const malformed = await fetch(`${api}/links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"url": "https://example.com",',
    });
    expect(malformed.status).toBe(400);
    expect(await errorCodeOf(malformed)).toBe('invalid_json');

    const large = await postJson(`${api}/links`, {
      url: 'https://example.com',
      padding: 'x'.repeat(17 * 1024),
    });
    expect(large.status).toBe(413);
    expect(await errorCodeOf(large)).toBe('payload_too_large');
  });

  it('never answers 5xx to any JSON body while the database is up', async () => {
    const url = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ unit: 'binary' }).map((path) => `https://example.com/${path}`),
      fc.string(),
      fc.jsonValue(),
    );
    const code = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{3,32}$/),
      fc.string({ unit: 'binary' }),
      fc.jsonValue(),
    );
    const body = fc.oneof(fc.jsonValue(), fc.record({ url, code }, { requiredKeys: [] }));
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const res = await postJson(`${api}/links`, value);
        await res.body?.cancel();
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe('GET /api/links', () => {
  it('pages through every link newest first', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const code = uniqueCode('page');
      expect(
        (await postJson(`${api}/links`, { url: `https://example.com/${i}`, code })).status,
      ).toBe(201);
      created.push(code);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const res = await fetch(`${api}/links?limit=2${query}`);
      expect(res.status).toBe(200);
      const page = await jsonOf<{ items: LinkBody[]; nextCursor: string | null }>(res);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.code));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    expect(cursor).toBeNull();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((code) => created.includes(code))).toEqual([...created].reverse());
  });

  it('answers 400 invalid_limit outside 1..100', async () => {
    for (const limit of ['0', '101', 'abc', '-5', '2.5']) {
      const res = await fetch(`${api}/links?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_limit');
    }
    expect((await fetch(`${api}/links?limit=100`)).status).toBe(200);
  });

  it("passes the database's 400 invalid_cursor through", async () => {
    const res = await fetch(`${api}/links?cursor=not-a-cursor`);
    expect(res.status).toBe(400);
    expect(await errorCodeOf(res)).toBe('invalid_cursor');
  });
});

describe('GET and DELETE /api/links/:code', () => {
  it('answers 404 not_found for an unknown or impossible code', async () => {
    for (const code of ['nope-never-created', 'x', '%E2%9C%93']) {
      const res = await fetch(`${api}/links/${code}`);
      expect(res.status, code).toBe(404);
      expect(await errorCodeOf(res)).toBe('not_found');
    }
  });

  it('deletes a link with 204, then 404, and it stops resolving although it was cached', async () => {
    const code = uniqueCode();
    await postJson(`${api}/links`, { url: 'https://example.com/gone', code });
    expect((await fetch(`${api}/resolve/${code}`)).status).toBe(200);
    // The cache write is not awaited by resolve; wait until it has landed.
    await expect
      .poll(async () => (await fetch(`${stack.cacheUrl}/v1/keys/link:${code}`)).status)
      .toBe(200);

    const deleted = await fetch(`${api}/links/${code}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await fetch(`${stack.cacheUrl}/v1/keys/link:${code}`)).status).toBe(404);
    expect((await fetch(`${api}/resolve/${code}`)).status).toBe(404);
    expect((await fetch(`${api}/links/${code}`)).status).toBe(404);
    const again = await fetch(`${api}/links/${code}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await errorCodeOf(again)).toBe('not_found');
  });
});

describe('shared surface', () => {
  it('answers 404 not_found as JSON for an unknown route', async () => {
    const res = await fetch(`${stack.backendUrl}/api/nothing-here`);
    expect(res.status).toBe(404);
    expect(await errorCodeOf(res)).toBe('not_found');
  });

  it('is ready while the database is', async () => {
    const res = await fetch(`${stack.backendUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('echoes x-request-id and sends it on its calls to the cache and the database', async () => {
    const sent: Array<{ origin: string; headers: string }> = [];
    const capture = (message: unknown) => {
      const { request, headers } = message as { request: { origin: unknown }; headers: string };
      sent.push({ origin: String(request.origin), headers });
    };
    const channel = diagnosticsChannel.channel('undici:client:sendHeaders');
    channel.subscribe(capture);
    try {
      const code = uniqueCode();
      const created = await postJson(
        `${api}/links`,
        { url: 'https://example.com/traced', code },
        { 'x-request-id': 'trace-create-1' },
      );
      expect(created.headers.get('x-request-id')).toBe('trace-create-1');
      const resolved = await fetch(`${api}/resolve/${code}`, {
        headers: { 'x-request-id': 'trace-resolve-2' },
      });
      expect(resolved.headers.get('x-request-id')).toBe('trace-resolve-2');
    } finally {
      channel.unsubscribe(capture);
    }
    const to = (origin: string, id: string) =>
      sent.some(
        (s) =>
          s.origin.includes(new URL(origin).host) &&
          s.headers.toLowerCase().includes(`x-request-id: ${id}`),
      );
    expect(to(stack.databaseUrl, 'trace-create-1')).toBe(true);
    expect(to(stack.cacheUrl, 'trace-resolve-2')).toBe(true);
    expect(to(stack.databaseUrl, 'trace-resolve-2')).toBe(true);
  });
});
