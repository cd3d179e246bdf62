import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startOnPostgres, type TestService } from './support.js';

let service: TestService;
beforeAll(async () => {
  service = await startOnPostgres();
  // Some codes that exist, so generated click batches also take the update path.
  for (const code of ['abc', 'known-1', 'Known_2']) {
    await postJson(`${service.url}/v1/links`, { code, url: 'https://example.com' });
  }
});
afterAll(async () => {
  await service.stop();
});

// Characters that break naive SQL, URL or UTF-8 handling, dense enough to show up in every run.
const nasty = fc.string({
  maxLength: 30,
  unit: fc.constantFrom(
    '\u0000',
    '\n',
    '\t',
    ' ',
    "'",
    '"',
    '\\',
    ';',
    '%',
    '$',
    'a',
    'é',
    '\ud800',
    '😀',
  ),
});
const code = fc.oneof(
  nasty,
  fc.constantFrom('abc', 'known-1', 'Known_2'),
  fc.stringMatching(/^[A-Za-z0-9_-]{3,32}$/),
  fc.string({ maxLength: 40, unit: 'binary' }),
);
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ maxLength: 60, unit: 'binary' }).map((s) => `https://example.com/${s}`),
  fc.string({ maxLength: 60, unit: 'binary' }),
  nasty.map((s) => `https://example.com/${s}`),
  fc.constantFrom("https://x.example/';DROP TABLE links;--", 'javascript:alert(1)', 'http://[::1'),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const linkBody = fc.oneof(
  anyJson,
  fc.record({ code: fc.oneof(code, anyJson), url: fc.oneof(url, anyJson) }),
);
const count = fc.oneof(
  fc.integer({ min: -5, max: 1_000_000 }),
  fc.constantFrom(0, 2 ** 53, Number.MAX_SAFE_INTEGER, 1.5, -0),
  anyJson,
);
const clickBody = fc.oneof(
  anyJson,
  fc.record({
    batchId: fc.oneof(fc.uuid(), fc.constant(randomUUID()), fc.string({ maxLength: 40 }), anyJson),
    counts: fc.oneof(fc.dictionary(code, count, { maxKeys: 20 }), anyJson),
  }),
);

describe('random JSON bodies', () => {
  it('never make POST /v1/links answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(linkBody, async (body) => {
        const res = await postJson(`${service.url}/v1/links`, body);
        await res.arrayBuffer();
        expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('never make POST /v1/clicks answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(clickBody, async (body) => {
        const res = await postJson(`${service.url}/v1/clicks`, body);
        await res.arrayBuffer();
        expect(res.status, JSON.stringify(body)).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});
