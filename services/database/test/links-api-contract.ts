import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf, jsonOf, type LinkBody, postJson, type TestService } from './support.js';

interface LinkPageBody {
  items: LinkBody[];
  nextCursor: string | null;
}

let sequence = 0;
/** A code no other test in the run uses. */
function uniqueCode(prefix = 'c'): string {
  sequence += 1;
  return `${prefix}${sequence}_${randomUUID().slice(0, 8)}`;
}

/**
 * The database service contract of docs/services.md, run against each way the service can
 * store data. `start` returns a service on an empty database each time it is called.
 */
export function describeLinksApi(start: () => Promise<TestService>): void {
  let service: TestService;
  const at = (path: string) => `${service.url}${path}`;

  beforeAll(async () => {
    service = await start();
  });
  afterAll(async () => {
    await service.stop();
  });

  it('is ready and reports its migrations', async () => {
    expect((await fetch(at('/readyz'))).status).toBe(200);
    const res = await fetch(at('/v1/migrations'));
    expect(res.status).toBe(200);
    const body = await jsonOf<{
      version: number;
      applied: { version: number; name: string; appliedAt: string }[];
    }>(res);
    expect(body.version).toBe(1);
    expect(body.applied).toEqual([
      { version: 1, name: 'links and click batches', appliedAt: expect.any(String) },
    ]);
    expect(new Date(body.applied[0]?.appliedAt ?? '').getTime()).not.toBeNaN();
  });

  it('creates, reads and deletes a link', async () => {
    const code = uniqueCode();
    const created = await postJson(at('/v1/links'), { code, url: 'https://example.com/a' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/links/${code}`);
    const link = await jsonOf<LinkBody>(created);
    expect(link).toEqual({
      code,
      url: 'https://example.com/a',
      createdAt: expect.any(String),
      clicks: 0,
    });
    expect(new Date(link.createdAt).toISOString()).toBe(link.createdAt);
    expect(Math.abs(Date.parse(link.createdAt) - Date.now())).toBeLessThan(60_000);

    const read = await fetch(at(`/v1/links/${code}`));
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(link);

    expect((await fetch(at(`/v1/links/${code}`), { method: 'DELETE' })).status).toBe(204);
    const gone = await fetch(at(`/v1/links/${code}`));
    expect(gone.status).toBe(404);
    expect(await errorCodeOf(gone)).toBe('not_found');
    const again = await fetch(at(`/v1/links/${code}`), { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await errorCodeOf(again)).toBe('not_found');
  });

  it('answers 409 code_taken for a code in use and keeps the first url', async () => {
    const code = uniqueCode();
    expect((await postJson(at('/v1/links'), { code, url: 'https://one.example' })).status).toBe(
      201,
    );
    const taken = await postJson(at('/v1/links'), { code, url: 'https://two.example' });
    expect(taken.status).toBe(409);
    expect(await errorCodeOf(taken)).toBe('code_taken');
    expect((await jsonOf<LinkBody>(await fetch(at(`/v1/links/${code}`)))).url).toBe(
      'https://one.example',
    );
  });

  it('stores urls with SQL metacharacters verbatim', async () => {
    const urls = [
      `https://example.com/a'b"c;--/*x*/?q='OR'1'='1';DROP%20TABLE%20links;--`,
      "http://example.com/$1/%27%00/\\path?x=$$quoted$$&y=E'\\n'",
    ];
    for (const url of urls) {
      const code = uniqueCode('sql-');
      const created = await postJson(at('/v1/links'), { code, url });
      expect(created.status).toBe(201);
      expect((await jsonOf<LinkBody>(created)).url).toBe(url);
      expect((await jsonOf<LinkBody>(await fetch(at(`/v1/links/${code}`)))).url).toBe(url);
    }
    expect((await fetch(at('/v1/links'))).status).toBe(200);
  });

  it('applies a click batch once, however often it is sent, and ignores unknown codes', async () => {
    const code = uniqueCode();
    const other = uniqueCode();
    for (const c of [code, other]) {
      expect(
        (await postJson(at('/v1/links'), { code: c, url: 'https://example.com' })).status,
      ).toBe(201);
    }
    const batch = { batchId: randomUUID(), counts: { [code]: 3, [other]: 1, nosuchcode: 7 } };
    const first = await postJson(at('/v1/clicks'), batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ applied: true });
    const repeat = await postJson(at('/v1/clicks'), batch);
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toEqual({ applied: false });
    // The same id in upper case is the same UUID.
    const shouted = await postJson(at('/v1/clicks'), {
      ...batch,
      batchId: batch.batchId.toUpperCase(),
    });
    expect(await shouted.json()).toEqual({ applied: false });

    const next = await postJson(at('/v1/clicks'), { batchId: randomUUID(), counts: { [code]: 2 } });
    expect(await next.json()).toEqual({ applied: true });
    expect((await jsonOf<LinkBody>(await fetch(at(`/v1/links/${code}`)))).clicks).toBe(5);
    expect((await jsonOf<LinkBody>(await fetch(at(`/v1/links/${other}`)))).clicks).toBe(1);
    const empty = await postJson(at('/v1/clicks'), { batchId: randomUUID(), counts: {} });
    expect(await empty.json()).toEqual({ applied: true });
  });

  describe('rejects invalid input with 400 and a precise code', () => {
    const longUrl = (n: number) =>
      `https://example.com/${'a'.repeat(n - 'https://example.com/'.length)}`;
    const tooManyCounts = Object.fromEntries(
      Array.from({ length: 1001 }, (_, i) => [`c${String(i).padStart(4, '0')}`, 1]),
    );
    const postCases: [string, string, unknown, string][] = [
      ['links', 'an array body', [], 'invalid_body'],
      ['links', 'no code', { url: 'https://example.com' }, 'invalid_code'],
      ['links', 'a numeric code', { code: 12345, url: 'https://example.com' }, 'invalid_code'],
      ['links', 'a short code', { code: 'ab', url: 'https://example.com' }, 'invalid_code'],
      [
        'links',
        'a long code',
        { code: 'a'.repeat(33), url: 'https://example.com' },
        'invalid_code',
      ],
      ['links', 'a code with /', { code: 'ab/cd', url: 'https://example.com' }, 'invalid_code'],
      ['links', 'a code with a dot', { code: 'ab.cd', url: 'https://example.com' }, 'invalid_code'],
      ['links', "a code with '", { code: "ab'cd", url: 'https://example.com' }, 'invalid_code'],
      ['links', 'no url', { code: 'valid-code' }, 'invalid_url'],
      ['links', 'a numeric url', { code: 'valid-code', url: 42 }, 'invalid_url'],
      ['links', 'an ftp url', { code: 'valid-code', url: 'ftp://example.com' }, 'invalid_url'],
      [
        'links',
        'a javascript url',
        { code: 'valid-code', url: 'javascript:alert(1)' },
        'invalid_url',
      ],
      ['links', 'a relative url', { code: 'valid-code', url: '/path' }, 'invalid_url'],
      ['links', 'an unparseable url', { code: 'valid-code', url: 'http://[::1' }, 'invalid_url'],
      [
        'links',
        'a url with a space',
        { code: 'valid-code', url: 'http://a.example/b c' },
        'invalid_url',
      ],
      ['links', 'a url without host', { code: 'valid-code', url: 'http://' }, 'invalid_url'],
      [
        'links',
        'a url with a newline',
        { code: 'valid-code', url: 'https://a.example/\nx' },
        'invalid_url',
      ],
      [
        'links',
        'a url with a NUL',
        { code: 'valid-code', url: 'https://a.example/\u0000' },
        'invalid_url',
      ],
      [
        'links',
        'a url with a lone surrogate',
        { code: 'valid-code', url: 'https://a.example/\ud800' },
        'invalid_url',
      ],
      ['links', 'a url of 2049 chars', { code: 'valid-code', url: longUrl(2049) }, 'invalid_url'],
      ['clicks', 'an array body', [], 'invalid_body'],
      ['clicks', 'no batchId', { counts: {} }, 'invalid_batch'],
      ['clicks', 'a batchId that is no uuid', { batchId: 'batch-1', counts: {} }, 'invalid_batch'],
      ['clicks', 'a numeric batchId', { batchId: 1, counts: {} }, 'invalid_batch'],
      ['clicks', 'no counts', { batchId: randomUUID() }, 'invalid_counts'],
      ['clicks', 'counts as an array', { batchId: randomUUID(), counts: [1] }, 'invalid_counts'],
      ['clicks', 'null counts', { batchId: randomUUID(), counts: null }, 'invalid_counts'],
      [
        'clicks',
        'an invalid code',
        { batchId: randomUUID(), counts: { 'a b': 1 } },
        'invalid_counts',
      ],
      ['clicks', 'a zero count', { batchId: randomUUID(), counts: { abc: 0 } }, 'invalid_counts'],
      [
        'clicks',
        'a negative count',
        { batchId: randomUUID(), counts: { abc: -1 } },
        'invalid_counts',
      ],
      [
        'clicks',
        'a fractional count',
        { batchId: randomUUID(), counts: { abc: 1.5 } },
        'invalid_counts',
      ],
      [
        'clicks',
        'a string count',
        { batchId: randomUUID(), counts: { abc: '1' } },
        'invalid_counts',
      ],
      [
        'clicks',
        'an unsafe count',
        { batchId: randomUUID(), counts: { abc: 2 ** 53 } },
        'invalid_counts',
      ],
      [
        'clicks',
        '1001 entries',
        { batchId: randomUUID(), counts: tooManyCounts },
        'invalid_counts',
      ],
    ];
    it.each(postCases)('POST /v1/%s with %s', async (resource, _case, body, code) => {
      const res = await postJson(at(`/v1/${resource}`), body);
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe(code);
    });

    it('POST /v1/links with a body that is not JSON', async () => {
      const res = await fetch(at('/v1/links'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'code=abc',
      });
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_body');
    });

    it('accepts a url of exactly 2048 characters', async () => {
      const res = await postJson(at('/v1/links'), { code: uniqueCode(), url: longUrl(2048) });
      expect(res.status).toBe(201);
    });

    const getCases: [string, string][] = [
      ['/v1/links?limit=0', 'invalid_limit'],
      ['/v1/links?limit=101', 'invalid_limit'],
      ['/v1/links?limit=-1', 'invalid_limit'],
      ['/v1/links?limit=1.5', 'invalid_limit'],
      ['/v1/links?limit=ten', 'invalid_limit'],
      ['/v1/links?limit=', 'invalid_limit'],
      ['/v1/links?limit=1&limit=2', 'invalid_limit'],
      ['/v1/links?cursor=!!!', 'invalid_cursor'],
      [`/v1/links?cursor=${Buffer.from('abc').toString('base64url')}`, 'invalid_cursor'],
      [`/v1/links?cursor=${Buffer.from('0').toString('base64url')}`, 'invalid_cursor'],
      [`/v1/links?cursor=${Buffer.from('-5').toString('base64url')}`, 'invalid_cursor'],
      [
        `/v1/links?cursor=${Buffer.from('99999999999999999999').toString('base64url')}`,
        'invalid_cursor',
      ],
      ['/v1/links?cursor=a&cursor=b', 'invalid_cursor'],
      ['/v1/links/ab', 'invalid_code'],
      [`/v1/links/${'x'.repeat(33)}`, 'invalid_code'],
      ['/v1/links/a%20bc', 'invalid_code'],
    ];
    it.each(getCases)('GET %s', async (path, code) => {
      const res = await fetch(at(path));
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe(code);
    });

    it('DELETE with an invalid code', async () => {
      const res = await fetch(at('/v1/links/a.b'), { method: 'DELETE' });
      expect(res.status).toBe(400);
      expect(await errorCodeOf(res)).toBe('invalid_code');
    });
  });

  it('answers 400 invalid_json, 413 payload_too_large and a JSON 404 for unknown routes', async () => {
    const malformed = await fetch(at('/v1/links'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code": "abc",',
    });
    expect(malformed.status).toBe(400);
    expect(await errorCodeOf(malformed)).toBe('invalid_json');

    const large = await postJson(at('/v1/links'), {
      code: 'large-body',
      url: `https://example.com/${'a'.repeat(17 * 1024)}`,
    });
    expect(large.status).toBe(413);
    expect(await errorCodeOf(large)).toBe('payload_too_large');

    const unknown = await fetch(at('/v1/nothing-here'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await errorCodeOf(unknown)).toBe('not_found');
  });

  describe('pagination on an empty database', () => {
    let fresh: TestService;
    beforeAll(async () => {
      fresh = await start();
    });
    afterAll(async () => {
      await fresh.stop();
    });

    it('pages 25 links newest first, 10 at a time, without duplicates', async () => {
      const codes: string[] = [];
      for (let i = 0; i < 25; i++) {
        const code = `page-${String(i).padStart(2, '0')}`;
        codes.push(code);
        const res = await postJson(`${fresh.url}/v1/links`, {
          code,
          url: `https://example.com/${i}`,
        });
        expect(res.status).toBe(201);
      }
      const pages: LinkPageBody[] = [];
      let cursor: string | null = '';
      while (cursor !== null && pages.length < 10) {
        const res = await fetch(`${fresh.url}/v1/links?limit=10&cursor=${cursor}`);
        expect(res.status).toBe(200);
        const page: LinkPageBody = await jsonOf<LinkPageBody>(res);
        pages.push(page);
        cursor = page.nextCursor;
      }
      expect(pages.map((page) => page.items.length)).toEqual([10, 10, 5]);
      expect(pages.map((page) => page.nextCursor === null)).toEqual([false, false, true]);
      const seen = pages.flatMap((page) => page.items.map((link) => link.code));
      expect(seen).toEqual([...codes].reverse());

      const all = await jsonOf<LinkPageBody>(await fetch(`${fresh.url}/v1/links`));
      expect(all.items).toHaveLength(20);
      const exact = await jsonOf<LinkPageBody>(await fetch(`${fresh.url}/v1/links?limit=25`));
      expect(exact.items).toHaveLength(25);
      expect(exact.nextCursor).toBeNull();
    });
  });
}
