import type { RunningServer } from '@appdist/service-kit/serve';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { send, startTester } from './helpers.js';

const POST_ENDPOINTS = [
  '/hooks/conformance',
  '/hooks/load',
  '/hooks/event',
  '/gate/check',
  '/gate/open',
  '/gate/close',
  '/gate/approve',
  '/gate/halt',
  '/rollback/check',
  '/rollback/open',
  '/rollback/close',
];

// Mostly valid values and near misses, so the generator gets past the first checks and deep into
// each parser and hook; URLs point at a closed local port: nothing outside the test is called.
function nearly(valid: readonly string[], invalid: readonly string[]) {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 12 },
    { arbitrary: fc.constantFrom(...invalid), weight: 2 },
    { arbitrary: fc.string(), weight: 1 },
    { arbitrary: fc.jsonValue(), weight: 1 },
  );
}
const name = nearly(['backend', 'frontend'], ['a.b', 'A', '-x', '']);
const namespace = nearly(['app', 'staging'], ['a.b', 'UPPER']);
const METADATA_VALUES: Record<string, readonly [readonly string[], readonly string[]]> = {
  service: [
    ['backend', 'cache', 'database', 'frontend'],
    ['billing', ''],
  ],
  url: [
    ['http://127.0.0.1:1', 'https://127.0.0.1:1/x'],
    ['ftp://x', 'backend', ''],
  ],
  rps: [
    ['10', '0.5'],
    ['0', '-1', '1e9', '201', 'ten'],
  ],
  duration: [
    ['1s', '30s', '1m30s'],
    ['0s', '99h', '30'],
  ],
  path: [
    ['/api/links', '/v1/keys/x?y=1'],
    ['api', '//x'],
  ],
  method: [['GET', 'post'], ['FETCH']],
  headers: [
    ['{"x-canary":"insider"}', '{}'],
    ['{"connection":"close"}', '[]', '{'],
  ],
  eventType: [['Normal', 'Warning'], ['']],
  eventMessage: [['Starting canary analysis'], ['']],
};
const metadata = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      Object.fromEntries(
        Object.entries(METADATA_VALUES).map(([key, [valid, invalid]]) => [
          key,
          nearly(valid, invalid),
        ]),
      ),
      // Absent keys are a case of their own (optional ones, and the required ones missing).
      { requiredKeys: ['service', 'url', 'rps', 'duration'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);
const payload = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        name,
        namespace,
        phase: nearly(['Progressing', 'Waiting'], ['']),
        checksum: nearly(['85d557f47b', 'next'], ['']),
        metadata,
      },
      { requiredKeys: ['name', 'namespace'] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);

describe('random payloads', () => {
  // A tester of its own per test: gates opened and load jobs started by one run must not
  // change what the next one can reach.
  let server: RunningServer;
  beforeEach(async () => {
    server = await startTester({ CONFORMANCE_TIMEOUT_MS: '2000', LOAD_MAX_JOBS: '5' });
  });
  afterEach(async () => {
    await server.shutdown();
  });

  async function neverA5xx(parameters: fc.Parameters<[string, unknown]>) {
    const answered = new Map<string, Set<number>>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ENDPOINTS), payload, async (path, json) => {
        const res = await send(server.url, 'POST', path, { json });
        expect(res.status, `${path} ${JSON.stringify(json)} → ${res.text}`).toBeLessThan(500);
        answered.set(path, (answered.get(path) ?? new Set()).add(res.status));
      }),
      parameters,
    );
    return answered;
  }

  it('never get a 5xx from any POST endpoint', async () => {
    await neverA5xx({ numRuns: 400 });
  });

  it('reach past validation into every hook (fixed seed, so the coverage is stable)', async () => {
    const answered = await neverA5xx({ numRuns: 400, seed: 20261126 });
    expect(answered.get('/hooks/conformance')).toContain(412);
    expect(answered.get('/hooks/load')).toContain(202);
    expect(answered.get('/hooks/event')).toContain(200);
    // Open or closed depends on which random /gate/open and /gate/close came first.
    expect(
      [...(answered.get('/gate/check') ?? [])].some((status) => status === 200 || status === 403),
    ).toBe(true);
    expect(answered.get('/gate/open')).toContain(202);
  });

  it('never get a 5xx as raw text of any content type', async () => {
    const body = fc.oneof(fc.string(), fc.json());
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POST_ENDPOINTS),
        body,
        contentType,
        async (path, raw, type) => {
          const res = await send(server.url, 'POST', path, { raw, contentType: type });
          expect(res.status, `${path} ${type} ${JSON.stringify(raw)} → ${res.text}`).toBeLessThan(
            500,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
