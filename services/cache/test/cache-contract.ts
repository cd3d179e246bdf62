import { setTimeout as sleep } from 'node:timers/promises';
import { isRecord } from '@appdist/catalogue/repository';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Answer, errorCode, incrPath, keyPath, type RequestBody, send } from './helpers.js';

export interface CacheTarget {
  name: string;
  start(): Promise<{ url: string; stop(): Promise<void> }>;
}

const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

/** The cache contract from docs/services.md; every store must pass all of it. */
export function cacheContract(target: CacheTarget): void {
  let url = '';
  let stop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ({ url, stop } = await target.start());
  });
  afterAll(async () => {
    await stop();
  });
  const api = (method: string, path: string, body?: RequestBody): Promise<Answer> =>
    send(url, method, path, body);

  it('stores any JSON value and reads it back', async () => {
    const values = [null, false, true, 0, -1.5, '', 'text', [1, 'a', null], { a: { b: [true] } }];
    for (const [index, value] of values.entries()) {
      const key = `any:${index}`;
      const put = await api('PUT', keyPath(key), { json: { value } });
      expect(put.status).toBe(200);
      expect(put.json).toEqual({ key, value, ttlSeconds: null });
      const got = await api('GET', keyPath(key));
      expect(got.status).toBe(200);
      expect(got.json).toEqual({ key, value, ttlSeconds: null });
    }
  });

  it('accepts the widest key and ignores unknown fields', async () => {
    const key = `A-z_0.9:${'x'.repeat(192)}`;
    const put = await api('PUT', keyPath(key), { json: { value: 1, extra: 'ignored' } });
    expect(put.status).toBe(200);
    expect((await api('GET', keyPath(key))).json).toEqual({ key, value: 1, ttlSeconds: null });
  });

  it('reports the time to live, and a later PUT without one clears it', async () => {
    const put = await api('PUT', keyPath('ttl:long'), { json: { value: 'v', ttlSeconds: 60 } });
    expect(put.json).toEqual({ key: 'ttl:long', value: 'v', ttlSeconds: 60 });
    expect((await api('GET', keyPath('ttl:long'))).json).toEqual({
      key: 'ttl:long',
      value: 'v',
      ttlSeconds: 60,
    });
    await api('PUT', keyPath('ttl:long'), { json: { value: 'w' } });
    expect((await api('GET', keyPath('ttl:long'))).json).toEqual({
      key: 'ttl:long',
      value: 'w',
      ttlSeconds: null,
    });
    const max = await api('PUT', keyPath('ttl:max'), { json: { value: 1, ttlSeconds: 2592000 } });
    expect(max.status).toBe(200);
  });

  it('expires a key after its ttlSeconds', async () => {
    await api('PUT', keyPath('ttl:short'), { json: { value: 'soon gone', ttlSeconds: 1 } });
    await api('POST', incrPath('ttl:counter'));
    await api('PUT', keyPath('ttl:counter'), { json: { value: 5, ttlSeconds: 1 } });
    expect((await api('POST', incrPath('ttl:counter'))).json).toEqual({
      key: 'ttl:counter',
      value: 6,
    });
    expect((await api('GET', keyPath('ttl:short'))).json).toMatchObject({ ttlSeconds: 1 });
    await sleep(1_200);
    expect((await api('GET', keyPath('ttl:short'))).status).toBe(404);
    expect((await api('DELETE', keyPath('ttl:short'))).status).toBe(404);
    // The increment kept the counter's expiry, so it expired too and starts again from 0.
    expect((await api('GET', keyPath('ttl:counter'))).status).toBe(404);
    expect((await api('POST', incrPath('ttl:counter'))).json).toEqual({
      key: 'ttl:counter',
      value: 1,
    });
  });

  it('deletes a key once', async () => {
    await api('PUT', keyPath('del:me'), { json: { value: 1 } });
    const deleted = await api('DELETE', keyPath('del:me'));
    expect(deleted.status).toBe(204);
    expect(deleted.json).toBeUndefined();
    const again = await api('DELETE', keyPath('del:me'));
    expect(again.status).toBe(404);
    expect(errorCode(again)).toBe('not_found');
    expect((await api('GET', keyPath('del:me'))).status).toBe(404);
  });

  it('answers 404 not_found for a missing key', async () => {
    const res = await api('GET', keyPath('missing:key'));
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      error: { code: 'not_found', message: 'no value for key missing:key' },
    });
  });

  it('counts, and a counter reads back as a number', async () => {
    const incr = (body?: RequestBody) => api('POST', incrPath('count:a'), body);
    expect((await incr()).json).toEqual({ key: 'count:a', value: 1 });
    expect((await incr({ json: {} })).json).toEqual({ key: 'count:a', value: 2 });
    expect((await incr({ json: { by: 5, note: 'extra' } })).json).toEqual({
      key: 'count:a',
      value: 7,
    });
    expect((await incr({ json: { by: -10 } })).json).toEqual({ key: 'count:a', value: -3 });
    expect((await api('GET', keyPath('count:a'))).json).toEqual({
      key: 'count:a',
      value: -3,
      ttlSeconds: null,
    });
  });

  it('counts on an integer written by PUT and keeps its expiry', async () => {
    await api('PUT', keyPath('count:b'), { json: { value: 41, ttlSeconds: 60 } });
    expect((await api('POST', incrPath('count:b'))).json).toEqual({ key: 'count:b', value: 42 });
    expect((await api('GET', keyPath('count:b'))).json).toEqual({
      key: 'count:b',
      value: 42,
      ttlSeconds: 60,
    });
    const big = Number.MAX_SAFE_INTEGER;
    expect((await api('POST', incrPath('count:c'), { json: { by: big } })).json).toEqual({
      key: 'count:c',
      value: big,
    });
    expect((await api('POST', incrPath('count:c'), { json: { by: -big } })).json).toEqual({
      key: 'count:c',
      value: 0,
    });
  });

  it('answers 409 not_a_counter for a value that is not an integer, and keeps it', async () => {
    const values = ['text', '5', 1.5, 1e21, true, null, [1], { n: 1 }];
    for (const [index, value] of values.entries()) {
      const key = `not-counter:${index}`;
      await api('PUT', keyPath(key), { json: { value } });
      const res = await api('POST', incrPath(key));
      expect(res.status, JSON.stringify(value)).toBe(409);
      expect(errorCode(res)).toBe('not_a_counter');
      expect((await api('GET', keyPath(key))).json).toEqual({ key, value, ttlSeconds: null });
    }
  });

  it('answers 400 invalid_key on every route', async () => {
    const keys = ['a b', 'a/b', 'ä', 'a*', 'x'.repeat(201), '{}'];
    for (const key of keys) {
      for (const [method, path] of [
        ['GET', keyPath(key)],
        ['PUT', keyPath(key)],
        ['DELETE', keyPath(key)],
        ['POST', incrPath(key)],
      ] as const) {
        const res = await api(method, path, { json: { value: 1 } });
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(errorCode(res)).toBe('invalid_key');
      }
    }
    const undecodable = await api('GET', '/v1/keys/%zz');
    expect(undecodable.status).toBe(400);
    expect(errorCode(undecodable)).toBe('invalid_key');
  });

  it('answers 400 invalid_value for a PUT body without a value', async () => {
    const bodies: RequestBody[] = [
      {},
      { json: {} },
      { json: { val: 1 } },
      { json: [] },
      { json: [{ value: 1 }] },
      { raw: 'value=1', contentType: 'text/plain' },
    ];
    for (const body of bodies) {
      const res = await api('PUT', keyPath('bad:value'), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(res)).toBe('invalid_value');
    }
    expect((await api('GET', keyPath('bad:value'))).status).toBe(404);
  });

  it('answers 400 invalid_ttl outside 1..2592000 whole seconds', async () => {
    for (const ttlSeconds of [0, -1, 1.5, 2592001, '10', null, true, [10], 1e300]) {
      const res = await api('PUT', keyPath('bad:ttl'), { json: { value: 1, ttlSeconds } });
      expect(res.status, JSON.stringify(ttlSeconds)).toBe(400);
      expect(errorCode(res)).toBe('invalid_ttl');
    }
    expect((await api('GET', keyPath('bad:ttl'))).status).toBe(404);
  });

  it('answers 400 invalid_by for anything but a safe integer', async () => {
    const bodies: RequestBody[] = [
      { json: { by: 1.5 } },
      { json: { by: '1' } },
      { json: { by: null } },
      { json: { by: true } },
      { json: { by: 2 ** 53 } },
      { json: { by: -(2 ** 53) } },
      { raw: '{"by": 1e30}' },
      { json: [] },
    ];
    for (const body of bodies) {
      const res = await api('POST', incrPath('bad:by'), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorCode(res)).toBe('invalid_by');
    }
    expect((await api('GET', keyPath('bad:by'))).status).toBe(404);
  });

  it('answers 413 for a body over 16 KiB and accepts one just under', async () => {
    const large = await api('PUT', keyPath('big'), { json: { value: 'x'.repeat(16 * 1024) } });
    expect(large.status).toBe(413);
    expect(errorCode(large)).toBe('payload_too_large');
    const fits = await api('PUT', keyPath('big'), { json: { value: 'x'.repeat(16 * 1024 - 20) } });
    expect(fits.status).toBe(200);
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    for (const raw of ['{"value":', '{value: 1}', '"just a string"']) {
      const res = await api('PUT', keyPath('bad:json'), { raw });
      expect(res.status, raw).toBe(400);
      expect(errorCode(res)).toBe('invalid_json');
    }
  });

  it('answers 404 not_found as JSON for an unknown route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['POST', '/v1/keys/a'],
      ['GET', '/v1/counters/a/incr'],
    ] as const) {
      const res = await api(method, path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(errorCode(res)).toBe('not_found');
    }
  });

  it('is ready', async () => {
    const res = await api('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok', checks: { store: 'ok' } });
  });

  const anyKey = fc.oneof(
    fc.stringMatching(KEY_PATTERN),
    fc.string({ unit: 'grapheme', maxLength: 210 }),
    fc.string({ unit: 'binary-ascii', maxLength: 20 }),
  );
  const ttl = fc.oneof(
    fc.integer({ min: 1, max: 2592000 }),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.constant(null),
  );
  // What the server receives, so the expectations judge the same JSON the API does.
  const asSent = (json: unknown): unknown => JSON.parse(JSON.stringify(json));

  it('never answers 5xx to random PUTs, and stores every valid one exactly', async () => {
    const body = fc.oneof(
      fc.record({ value: fc.jsonValue(), ttlSeconds: ttl }, { requiredKeys: ['value'] }),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(anyKey, body, async (randomKey, json) => {
        // The prefix keeps keys apart from other tests and away from "." and "..", which
        // WHATWG URLs resolve as path segments before they reach the server.
        const key = `put:${randomKey}`;
        const put = await api('PUT', keyPath(key), { json });
        expect(put.status).toBeLessThan(500);
        const sent = asSent(json);
        const ttlSeconds = isRecord(sent) ? sent.ttlSeconds : undefined;
        const valid =
          KEY_PATTERN.test(key) &&
          isRecord(sent) &&
          Object.hasOwn(sent, 'value') &&
          (ttlSeconds === undefined ||
            (typeof ttlSeconds === 'number' &&
              Number.isInteger(ttlSeconds) &&
              ttlSeconds >= 1 &&
              ttlSeconds <= 2592000));
        expect(put.status).toBe(valid ? 200 : 400);
        if (!valid || !isRecord(sent)) return;
        const got = await api('GET', keyPath(key));
        expect(got.status).toBe(200);
        expect(got.json).toEqual({ key, value: sent.value, ttlSeconds: ttlSeconds ?? null });
      }),
      { numRuns: 100 },
    );
  });

  it('never answers 5xx to random increments', async () => {
    const by = fc.oneof(
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      fc.string(),
      fc.constant(null),
      fc.jsonValue(),
    );
    const body = fc.oneof(fc.record({ by }, { requiredKeys: [] }), fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(anyKey, body, async (randomKey, json) => {
        const key = `incr:${randomKey}`;
        const res = await api('POST', incrPath(key), { json });
        expect(res.status).toBeLessThan(500);
        const sent = asSent(json);
        const valid =
          KEY_PATTERN.test(key) &&
          isRecord(sent) &&
          (sent.by === undefined || Number.isSafeInteger(sent.by));
        // Only these keys are ever incremented, so a 409 can only be a counter pushed past 64 bits.
        expect(valid ? [200, 409] : [400]).toContain(res.status);
      }),
      { numRuns: 100 },
    );
  });
}
