import { isDeepStrictEqual } from 'node:util';
import { expectJsonError, expectJsonObject, expectStatus, fail, snippet } from './expect.js';
import type { Answer, HttpClient } from './http-client.js';
import { poll } from './poll.js';
import type { ServiceSuite, SuiteContext } from './suite.js';

// Every key the suite writes expires on its own, in case cleanup cannot reach the service.
const SAFETY_TTL_SECONDS = 300;
const SHORT_TTL_SECONDS = 1;
// Redis expires a key within milliseconds of its TTL; the rest is slack for slow networks.
const EXPIRY_WITHIN_MS = 3_000;
const POLL_INTERVAL_MS = 100;

function keyPath(key: string): string {
  return `/v1/keys/${encodeURIComponent(key)}`;
}

/** Writes a key that expires within `ttlSeconds`, registered for cleanup before it is sent. */
function put({ http, cleanup }: SuiteContext, key: string, value: unknown, ttlSeconds: number) {
  const write = { label: `key ${key}`, deletePath: keyPath(key) };
  return cleanup.write(http, write, {
    method: 'PUT',
    path: keyPath(key),
    json: { value, ttlSeconds },
  });
}

/** A 200 `{key, value, ttlSeconds}` answer for this key and value, ttlSeconds within min..max. */
function expectEntry(answer: Answer, key: string, value: unknown, [min, max]: number[]): void {
  expectStatus(answer, 200);
  const body = expectJsonObject(answer);
  if (body.key !== key || !isDeepStrictEqual(body.value, value) || !('ttlSeconds' in body)) {
    fail(
      answer,
      `{key: ${JSON.stringify(key)}, value: ${snippet(value)}, ttlSeconds}`,
      snippet(body),
    );
  }
  if (min === undefined || max === undefined) return;
  const ttl = body.ttlSeconds;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < min || ttl > max) {
    fail(answer, `ttlSeconds ${min === max ? min : `${min}..${max}`}`, snippet(ttl));
  }
}

async function incr(http: HttpClient, key: string, json: object, expected: number) {
  const answer = await http.request('POST', `/v1/counters/${encodeURIComponent(key)}/incr`, {
    json,
  });
  expectStatus(answer, 200);
  const body = expectJsonObject(answer);
  if (body.key !== key || body.value !== expected) {
    fail(answer, `{key: ${JSON.stringify(key)}, value: ${expected}}`, snippet(body));
  }
}

/** Keys: set, get, delete, expiry and counters. */
export const cacheSuite: ServiceSuite = {
  checks(context) {
    const { http, prefix, signal } = context;
    return [
      {
        name: 'set/get/delete',
        run: async () => {
          const key = `${prefix}-value`;
          // Any JSON: nesting, mixed arrays and null must come back as they went in.
          const value = { suite: 'conformance', list: [1, 'two', true, null], nested: { n: 1.5 } };
          const stored = await put(context, key, value, SAFETY_TTL_SECONDS);
          expectEntry(stored, key, value, [SAFETY_TTL_SECONDS, SAFETY_TTL_SECONDS]);
          const read = await http.request('GET', keyPath(key));
          expectEntry(read, key, value, [1, SAFETY_TTL_SECONDS]);
          expectStatus(await http.request('DELETE', keyPath(key)), 204);
          expectJsonError(await http.request('GET', keyPath(key)), 404, 'not_found');
          expectJsonError(await http.request('DELETE', keyPath(key)), 404, 'not_found');
        },
      },
      {
        name: 'ttl expiry',
        run: async () => {
          const key = `${prefix}-ttl`;
          const value = 'expires';
          const sentAt = performance.now();
          const stored = await put(context, key, value, SHORT_TTL_SECONDS);
          expectEntry(stored, key, value, [SHORT_TTL_SECONDS, SHORT_TTL_SECONDS]);
          const read = await http.request('GET', keyPath(key));
          // Unless the network alone took the whole TTL, the key must still be there.
          if (performance.now() - sentAt < SHORT_TTL_SECONDS * 1000 - 100) {
            expectEntry(read, key, value, [1, SHORT_TTL_SECONDS]);
          }
          let last = read;
          const gone = await poll(
            async () => {
              last = await http.request('GET', keyPath(key));
              if (last.status === 404) return true;
              expectStatus(last, 200);
              return undefined;
            },
            {
              withinMs: EXPIRY_WITHIN_MS - (performance.now() - sentAt),
              intervalMs: POLL_INTERVAL_MS,
              signal,
            },
          );
          if (!gone) {
            fail(
              last,
              `404 within ${EXPIRY_WITHIN_MS} ms of a PUT with ttlSeconds 1`,
              String(last.status),
            );
          }
        },
      },
      {
        name: 'counters',
        run: async () => {
          const key = `${prefix}-counter`;
          // Written first so the counter carries the safety TTL; incr keeps a key's expiry.
          expectStatus(await put(context, key, 0, SAFETY_TTL_SECONDS), 200);
          await incr(http, key, {}, 1);
          await incr(http, key, { by: 5 }, 6);
          expectEntry(await http.request('GET', keyPath(key)), key, 6, []);
          expectStatus(await http.request('DELETE', keyPath(key)), 204);
        },
      },
    ];
  },
};
