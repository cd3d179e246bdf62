import type { RunningServer } from '@appdist/service-kit/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, flaggerPayload, type RequestBody, send, startTester } from './helpers.js';

/** Every endpoint that takes Flagger's payload, and the metadata that makes it valid. */
const WEBHOOKS: Record<string, Record<string, string>> = {
  '/hooks/conformance': { service: 'backend', url: 'http://127.0.0.1:1' },
  '/hooks/load': { url: 'http://127.0.0.1:1', rps: '1', duration: '1s' },
  '/hooks/event': {},
  '/gate/check': {},
  '/rollback/check': {},
};
const SWITCHES = ['/gate/open', '/gate/close', '/rollback/open', '/rollback/close'];

interface BadCase {
  what: string;
  body: RequestBody;
  field: string;
}

/** Bad bodies every endpoint rejects, naming the field. */
function envelopeCases(metadata: Record<string, string>): BadCase[] {
  const valid = flaggerPayload(metadata);
  return [
    { what: 'an array', body: { json: [valid] }, field: 'body' },
    { what: 'a JSON string', body: { raw: '"backend"', contentType: 'text/plain' }, field: 'body' },
    { what: 'null', body: { raw: 'null', contentType: 'text/plain' }, field: 'body' },
    { what: 'no body', body: {}, field: 'body' },
    { what: 'no name', body: { json: { ...valid, name: undefined } }, field: 'name' },
    { what: 'a numeric name', body: { json: { ...valid, name: 5 } }, field: 'name' },
    { what: 'an invalid name', body: { json: { ...valid, name: 'Back end' } }, field: 'name' },
    {
      what: 'no namespace',
      body: { json: { ...valid, namespace: undefined } },
      field: 'namespace',
    },
    {
      what: 'a namespace with a dot',
      body: { json: { ...valid, namespace: 'a.b' } },
      field: 'namespace',
    },
  ];
}

function webhookCases(metadata: Record<string, string>): BadCase[] {
  const valid = flaggerPayload(metadata);
  return [
    ...envelopeCases(metadata),
    { what: 'a numeric phase', body: { json: { ...valid, phase: 1 } }, field: 'phase' },
    { what: 'an object checksum', body: { json: { ...valid, checksum: {} } }, field: 'checksum' },
    { what: 'a string metadata', body: { json: { ...valid, metadata: 'x' } }, field: 'metadata' },
    { what: 'an array metadata', body: { json: { ...valid, metadata: [] } }, field: 'metadata' },
    {
      what: 'a number in metadata',
      body: { json: { ...valid, metadata: { ...metadata, timeout: 5 } } },
      field: 'metadata.timeout',
    },
    {
      what: 'null in metadata',
      body: { json: { ...valid, metadata: { ...metadata, note: null } } },
      field: 'metadata.note',
    },
    {
      // JSON.parse makes it an own key; a record schema would have dropped it unchecked.
      what: 'a number under __proto__ in metadata',
      body: {
        raw: JSON.stringify({ ...valid, metadata: { ...metadata, PROTO: 5 } }).replace(
          '"PROTO"',
          '"__proto__"',
        ),
      },
      field: 'metadata.__proto__',
    },
  ];
}

const conformance = WEBHOOKS['/hooks/conformance'] ?? {};
const load = WEBHOOKS['/hooks/load'] ?? {};

function withMetadata(base: Record<string, string>, change: Record<string, string | undefined>) {
  const metadata: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete metadata[key];
    else metadata[key] = value;
  }
  return { json: flaggerPayload(metadata) };
}

const CONFORMANCE_CASES: BadCase[] = [
  {
    what: 'no service',
    body: withMetadata(conformance, { service: undefined }),
    field: 'metadata.service',
  },
  {
    what: 'an unknown service',
    body: withMetadata(conformance, { service: 'billing' }),
    field: 'metadata.service',
  },
  { what: 'no url', body: withMetadata(conformance, { url: undefined }), field: 'metadata.url' },
  { what: 'an empty url', body: withMetadata(conformance, { url: ' ' }), field: 'metadata.url' },
  {
    what: 'an ftp url',
    body: withMetadata(conformance, { url: 'ftp://backend' }),
    field: 'metadata.url',
  },
  {
    what: 'a bare host',
    body: withMetadata(conformance, { url: 'backend-canary.app:8080' }),
    field: 'metadata.url',
  },
  {
    what: 'a relative url',
    body: withMetadata(conformance, { url: '/api' }),
    field: 'metadata.url',
  },
  {
    what: 'a url with credentials',
    body: withMetadata(conformance, { url: 'http://user:secret@backend-canary.app:8080' }),
    field: 'metadata.url',
  },
];

const LOAD_CASES: BadCase[] = [
  { what: 'no url', body: withMetadata(load, { url: undefined }), field: 'metadata.url' },
  {
    what: 'a file url',
    body: withMetadata(load, { url: 'file:///etc/passwd' }),
    field: 'metadata.url',
  },
  { what: 'no rps', body: withMetadata(load, { rps: undefined }), field: 'metadata.rps' },
  ...['ten', '0', '-1', '201', '1e2', '0x10', 'Infinity', 'NaN', '1.'].map((rps) => ({
    what: `rps ${rps}`,
    body: withMetadata(load, { rps }),
    field: 'metadata.rps',
  })),
  {
    what: 'no duration',
    body: withMetadata(load, { duration: undefined }),
    field: 'metadata.duration',
  },
  ...['30', '1d', '30 s', 'm', '0s', '0m0s', '11m', '1h', '-5s', '1s30m', '1.5s'].map(
    (duration) => ({
      what: `duration ${duration}`,
      body: withMetadata(load, { duration }),
      field: 'metadata.duration',
    }),
  ),
  {
    what: 'an unknown method',
    body: withMetadata(load, { method: 'FETCH' }),
    field: 'metadata.method',
  },
  ...[
    'x-canary: insider',
    '["x-canary"]',
    '{"x-canary":1}',
    '{"bad name":"v"}',
    '{"connection":"close"}',
    '{"Transfer-Encoding":"chunked"}',
    '{"x-a":"one\\ntwo"}',
  ].map((headers) => ({
    what: `headers ${headers}`,
    body: withMetadata(load, { headers }),
    field: 'metadata.headers',
  })),
  ...['api/links', '//evil.example/x', '/a b', '/x#frag'].map((path) => ({
    what: `path ${path}`,
    body: withMetadata(load, { path }),
    field: 'metadata.path',
  })),
  {
    what: 'a path after a url with a query',
    body: withMetadata(load, { url: 'http://127.0.0.1:1/api?limit=5', path: '/links' }),
    field: 'metadata.path',
  },
];

describe('payload validation', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTester();
  });
  afterAll(async () => {
    await server.shutdown();
  });

  async function expectRejected(path: string, bad: BadCase): Promise<void> {
    const res = await send(server.url, 'POST', path, bad.body);
    const label = `${path} with ${bad.what}`;
    expect(res.status, label).toBe(400);
    expect(errorOf(res)?.code, label).toBe('invalid_payload');
    expect(String(errorOf(res)?.message), label).toMatch(
      new RegExp(`^${escapeRegExp(bad.field)}: `),
    );
  }

  for (const [path, metadata] of Object.entries(WEBHOOKS)) {
    it(`${path} names the bad field of Flagger's payload`, async () => {
      for (const bad of webhookCases(metadata)) await expectRejected(path, bad);
    });
  }

  it('checks a __proto__ key of metadata like any other key', async () => {
    const raw = (value: string) =>
      `{"name":"backend","namespace":"app","metadata":{"__proto__":${value}}}`;
    const bad = await send(server.url, 'POST', '/hooks/event', { raw: raw('5') });
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toEqual({
      code: 'invalid_payload',
      message: 'metadata.__proto__: must be a string (Flagger sends metadata values as strings)',
    });
    const good = await send(server.url, 'POST', '/hooks/event', { raw: raw('"x"') });
    expect(good.status).toBeLessThan(300);
  });

  it('the gate switches name the bad field of {name, namespace}', async () => {
    for (const path of SWITCHES) {
      for (const bad of envelopeCases({})) await expectRejected(path, bad);
    }
  });

  it('/hooks/conformance names the bad metadata', async () => {
    for (const bad of CONFORMANCE_CASES) await expectRejected('/hooks/conformance', bad);
  });

  it('/hooks/load names the bad metadata and starts nothing', async () => {
    for (const bad of LOAD_CASES) await expectRejected('/hooks/load', bad);
    const loads = await send(server.url, 'GET', '/loads');
    expect(loads.json).toEqual({ jobs: [] });
  });

  it('says which URLs it takes, in the words of the error shape', async () => {
    const res = await send(
      server.url,
      'POST',
      '/hooks/conformance',
      withMetadata(conformance, { url: 'ftp://backend' }),
    );
    expect(res.json).toEqual({
      error: {
        code: 'invalid_payload',
        message: 'metadata.url: must be an http:// or https:// URL',
      },
    });
  });

  it('answers 400 invalid_json to a body that is not JSON, whatever its content type', async () => {
    for (const path of [...Object.keys(WEBHOOKS), ...SWITCHES]) {
      for (const contentType of [
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
      ]) {
        const res = await send(server.url, 'POST', path, { raw: '{"name":', contentType });
        expect(res.status, `${path} ${contentType}`).toBe(400);
        expect(errorOf(res)?.code, `${path} ${contentType}`).toBe('invalid_json');
      }
    }
  });

  it('answers 413 to a body over 16 KiB', async () => {
    const res = await send(server.url, 'POST', '/gate/check', {
      json: flaggerPayload({ padding: 'x'.repeat(17 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(errorOf(res)?.code).toBe('payload_too_large');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
