import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { RawPart } from './raw-http.js';

export type TargetService = 'backend' | 'cache' | 'database' | 'tester' | 'frontend';

/** One generated request, kept as data so a violation can be printed and replayed. */
export interface BadRequest {
  service: TargetService;
  /** What kind of junk it is, for the counts: route, path, method, encoding, oversized, … */
  family: string;
  method: string;
  /** The request-target exactly as sent (UTF-8), e.g. `/v1/keys/%zz` or `http://x/api`. */
  target: string;
  version: string;
  headers: [string, string][];
  body: Buffer;
  framing: 'length' | 'chunked' | 'none';
  /** Spread the request over this long, in a few pieces (a slow client). */
  slowMs: number;
  /** Send half the body, then close the connection (a client that goes away). */
  abort: boolean;
}

// URLs the tester may be told to test or load: a closed local port, or no URL at all. Nothing
// this generator makes can send the tester's traffic anywhere else.
const SAFE_TARGETS = [
  'http://127.0.0.1:1',
  'https://127.0.0.1:1/x',
  'http://127.0.0.1:1/api/links?limit=5',
  'http://user:pw@127.0.0.1:1',
  'ftp://127.0.0.1:1',
  'backend',
  '',
];

const SEEDED_CODES = ['known-1', 'known_2', 'Known-3'];

// Path segments where a code or key goes: valid ones, seeded ones, and junk that breaks naive
// decoding, routing or storage.
const junkSegment = fc.constantFrom(
  '..',
  '.',
  '%2e%2e',
  '%2e%2e%2f',
  '..%2f..%2fetc%2fpasswd',
  '%2F',
  '%00',
  '%zz',
  '%',
  '%e0%80',
  '%c0%af',
  '%ff%fe',
  '%0d%0aSet-Cookie:%20x=1',
  '%E2%80%AE',
  '%ud800',
  '%F0%9F%98%80',
  'a%2Fb',
  "'%3B--",
  "';DROP%20TABLE%20links;--",
  '*',
  '~',
  ';',
  ':',
  'link:known-1',
  'x'.repeat(201),
  'é',
  '😀',
  '',
);
const segment = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), weight: 4 },
  { arbitrary: fc.constantFrom(...SEEDED_CODES), weight: 2 },
  { arbitrary: junkSegment, weight: 4 },
  {
    arbitrary: fc
      .string({ maxLength: 12 })
      .filter((s) => s.isWellFormed())
      .map(encodeURIComponent),
    weight: 2,
  },
  {
    arbitrary: fc.string({
      maxLength: 20,
      unit: fc.constantFrom(..."abc%./;:@!$&'()*+,=~-_".split('')),
    }),
    weight: 2,
  },
);

const queryValue = fc.oneof(
  fc.constantFrom('1', '20', '100', '101', '0', '-1', '1e2', '0x10', '', '%zz', '1&limit=2'),
  fc.constantFrom("' OR 1=1--", 'eyJhIjoxfQ', 'MQ', 'OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5'),
  fc
    .string({ maxLength: 30 })
    .filter((s) => s.isWellFormed())
    .map(encodeURIComponent),
);
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'cursor', 'limit[]', 'cursor[a]', 'created', 'v', 'x'),
      queryValue,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

const anyJson = fc.jsonValue({ maxDepth: 4 });
const junkNumber = fc.oneof(
  fc.integer({ min: -10, max: 1_000_000 }),
  fc.constantFrom(0, 1.5, -0, 2 ** 53, 2 ** 63, -(2 ** 63), Number.MAX_SAFE_INTEGER, 1e308),
  fc.constantFrom('1', '10', null, true, [], {}),
);
const junkUrl = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:x',
    'file:///etc/passwd',
    'http://',
    'https://[::1',
    'https://example.com/\r\nSet-Cookie: x=1',
    "https://example.com/?q='; DROP TABLE links;--",
    'https://例え.テスト/パス',
    'https://example.com/\ud800',
    `https://example.com/${'a'.repeat(2100)}`,
    '//example.com',
    'https:example.com',
  ),
  fc.string({ maxLength: 40 }).map((s) => `https://example.com/${s}`),
);
// Nesting deeper than any real payload, within the 16 KiB body limit.
const deepJson = fc
  .integer({ min: 100, max: 7000 })
  .chain((depth) =>
    fc.constantFrom(
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `${'{"a":'.repeat(depth / 5)}1${'}'.repeat(depth / 5)}`,
    ),
  );

const canary = fc.record(
  {
    name: fc.oneof(fc.constantFrom('backend', 'frontend', 'a.b', 'UPPER', '-x', ''), anyJson),
    namespace: fc.oneof(fc.constantFrom('app', 'staging', 'a.b', ''), anyJson),
  },
  { requiredKeys: [] },
);
const metadata = fc.dictionary(
  fc.constantFrom('service', 'url', 'rps', 'duration', 'path', 'method', 'headers', 'eventType'),
  fc.oneof(
    { arbitrary: fc.constantFrom(...SAFE_TARGETS), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        'backend',
        'cache',
        '10',
        '0.5',
        '1e9',
        '30s',
        '99h',
        '/api',
        'GET',
      ),
      weight: 3,
    },
    { arbitrary: fc.constantFrom('{"x-a":"b"}', '[]', '{', '{"connection":"close"}'), weight: 1 },
    { arbitrary: fc.constantFrom(1, null, ['a'], { a: 1 }), weight: 1 },
  ),
  { maxKeys: 6 },
);
// Only metadata.url can point the tester somewhere, and it only ever comes from SAFE_TARGETS.
const webhook = fc
  .tuple(canary, fc.record({ phase: anyJson, checksum: anyJson, metadata }, { requiredKeys: [] }))
  .map(([ref, rest]) => ({ ...ref, ...rest }));

type BodyKind = 'link' | 'cacheValue' | 'incr' | 'clicks' | 'webhook' | 'canary' | 'form' | 'none';

const bodyValue: Record<BodyKind, fc.Arbitrary<unknown>> = {
  link: fc.record(
    { code: fc.oneof(segment, anyJson), url: fc.oneof(junkUrl, anyJson) },
    { requiredKeys: [] },
  ),
  cacheValue: fc.record({ value: anyJson, ttlSeconds: junkNumber }, { requiredKeys: [] }),
  incr: fc.record({ by: junkNumber }, { requiredKeys: [] }),
  clicks: fc.record(
    {
      batchId: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
      counts: fc.oneof(fc.dictionary(segment, junkNumber, { maxKeys: 10 }), anyJson),
    },
    { requiredKeys: [] },
  ),
  webhook,
  canary,
  form: fc.record({ code: segment, url: junkUrl }, { requiredKeys: [] }),
  none: fc.constant(undefined),
};

interface Route {
  method: string;
  path: fc.Arbitrary<string>;
  body: BodyKind;
}

const route = (method: string, path: fc.Arbitrary<string>, body: BodyKind = 'none'): Route => ({
  method,
  path,
  body,
});
const fixed = (path: string) => fc.constant(path);
const withSegment = (prefix: string, suffix = '') => segment.map((s) => `${prefix}${s}${suffix}`);

const backendRoutes: Route[] = [
  route('POST', fixed('/api/links'), 'link'),
  route(
    'GET',
    query.map((q) => `/api/links${q}`),
  ),
  route('GET', withSegment('/api/links/')),
  route('DELETE', withSegment('/api/links/')),
  route('GET', withSegment('/api/resolve/')),
];

const ROUTES: Record<TargetService, Route[]> = {
  backend: backendRoutes,
  cache: [
    route('GET', withSegment('/v1/keys/')),
    route('PUT', withSegment('/v1/keys/'), 'cacheValue'),
    route('DELETE', withSegment('/v1/keys/')),
    route('POST', withSegment('/v1/counters/', '/incr'), 'incr'),
  ],
  database: [
    route('POST', fixed('/v1/links'), 'link'),
    route(
      'GET',
      query.map((q) => `/v1/links${q}`),
    ),
    route('GET', withSegment('/v1/links/')),
    route('DELETE', withSegment('/v1/links/')),
    route('POST', fixed('/v1/clicks'), 'clicks'),
    route('GET', fixed('/v1/migrations')),
  ],
  tester: [
    ...['/hooks/conformance', '/hooks/load', '/hooks/event', '/gate/check', '/rollback/check'].map(
      (path) => route('POST', fixed(path), 'webhook'),
    ),
    ...['/gate/open', '/gate/close', '/rollback/open', '/rollback/close'].map((path) =>
      route('POST', fixed(path), 'canary'),
    ),
    route('POST', fc.constantFrom('/gate/approve', '/gate/halt'), 'webhook'),
    route('GET', fc.constantFrom('/gates', '/loads')),
  ],
  frontend: [
    route('GET', withSegment('/')),
    route('GET', withSegment('/?created=')),
    route('POST', fixed('/'), 'form'),
    route('GET', withSegment('/static/')),
    ...backendRoutes,
  ],
};

const OPERATIONAL = fc.constantFrom('/healthz', '/readyz', '/version', '/metrics');
const METHODS = fc.constantFrom(
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'PROPFIND',
  'SEARCH',
  'QUERY',
  'PURGE',
  'TRACE',
  'CONNECT',
  'FETCH',
  'get',
);
const randomPath = fc
  .array(segment, { minLength: 0, maxLength: 5 })
  .map((segments) => `/${segments.join('/')}`);
// Request targets that only a hand-written client sends.
const oddTarget = fc.constantFrom(
  '*',
  'http://evil.example/api/links',
  'http://evil.example/',
  '//api/links',
  '/api/../v1/keys/x',
  '/api/%2e%2e/x',
  '/./healthz',
  '/healthz#x',
  '/api/links?limit=1#x',
  '/a b',
  `/${'a'.repeat(9000)}`,
  `/${'a'.repeat(20000)}`,
  '/%',
  '/é',
  '/\u0000',
);

const headerPair = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['x-request-id', 'evil id with spaces'],
    ['x-request-id', 'a'.repeat(300)],
    ['x-request-id', 'ok-id_1.2:3'],
    ['accept', '*/*'],
    ['accept', 'text/html;q=0.1, application/json'],
    ['accept-encoding', 'gzip, br, zstd'],
    ['cookie', 'a=b; c'],
    ['x-forwarded-for', 'not an ip, 999.1.1.1'],
    ['x-forwarded-proto', 'javascript'],
    ['x-forwarded-host', 'evil.example"><script>'],
    ['host', 'database-shadow:8080'],
    ['host', 'evil.example'],
    ['host', ''],
    ['expect', '100-continue'],
    ['expect', 'bogus'],
    ['upgrade', 'websocket'],
    ['content-length', '5'],
    ['transfer-encoding', 'gzip, chunked'],
    ['te', 'trailers'],
    ['x-bin', 'caf\u00e9'],
    ['x-long', 'v'.repeat(8000)],
    ['range', 'bytes=0-1'],
    ['if-none-match', '*'],
  ),
  fc.tuple(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    fc.string({ maxLength: 40, unit: fc.constantFrom(...' abc;=,"\'/\\{}<>é'.split('')) }),
  ),
  // Invalid header bytes: Node's parser rejects these before any app code runs.
  fc.constantFrom<[string, string]>(['x bad', 'v'], ['x-a', 'a\u0001b'], ['x-\u00e9', 'v']),
);

const CONTENT_TYPES = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset="utf-16"',
  'application/json; charset=bogus',
  'application/json;charset=',
  'application/vnd.api+json',
  'text/plain',
  'text/plain; charset=iso-8859-1',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '*/*',
  '',
);

type Encoding =
  | 'none'
  | 'gzip'
  | 'deflate'
  | 'br'
  | 'gzip-junk'
  | 'deflate-junk'
  | 'br-junk'
  | 'odd';
const ENCODINGS = fc.constantFrom<Encoding>(
  'none',
  'none',
  'none',
  'gzip',
  'deflate',
  'br',
  'gzip-junk',
  'deflate-junk',
  'br-junk',
  'odd',
);

function encodeBody(
  body: Buffer,
  encoding: Encoding,
  odd: string,
): { body: Buffer; header?: string } {
  switch (encoding) {
    case 'none':
      return { body };
    case 'gzip':
      return { body: gzipSync(body), header: 'gzip' };
    case 'deflate':
      return { body: deflateSync(body), header: 'deflate' };
    case 'br':
      return { body: brotliCompressSync(body), header: 'br' };
    case 'gzip-junk':
      return { body, header: 'gzip' };
    case 'deflate-junk':
      return { body, header: 'deflate' };
    case 'br-junk':
      return { body, header: 'br' };
    case 'odd':
      return { body, header: odd };
  }
}

/** Byte-level damage to a body: invalid UTF-8, a BOM, NUL bytes, truncation. */
const mutation = fc.constantFrom(
  'none',
  'none',
  'none',
  'invalid-utf8',
  'overlong-utf8',
  'bom',
  'nul',
  'truncate',
  'lone-surrogate-escape',
);
function mutate(body: Buffer, how: string): Buffer {
  const middle = Math.floor(body.length / 2);
  switch (how) {
    case 'invalid-utf8':
      return Buffer.concat([
        body.subarray(0, middle),
        Buffer.from([0xff, 0xfe, 0x80]),
        body.subarray(middle),
      ]);
    case 'overlong-utf8':
      return Buffer.concat([
        body.subarray(0, middle),
        Buffer.from([0xc0, 0xaf, 0xe2, 0x82]),
        body.subarray(middle),
      ]);
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    case 'nul':
      return Buffer.concat([body.subarray(0, middle), Buffer.from([0]), body.subarray(middle)]);
    case 'truncate':
      return body.subarray(0, middle);
    case 'lone-surrogate-escape':
      return Buffer.from(body.toString('utf8').replace(/"(\w)/, '"\\ud800$1'));
    default:
      return body;
  }
}

function formBody(value: unknown): string {
  if (typeof value !== 'object' || value === null)
    return `url=${encodeURIComponent(String(value))}`;
  return Object.entries(value)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'string' && v.isWellFormed() ? encodeURIComponent(v) : '%zz'}`,
    )
    .join('&');
}

/** Every service, its routes with junk in every field, and junk around them. */
export function badRequest(service: TargetService): fc.Arbitrary<BadRequest> {
  const routes = ROUTES[service];
  const family = fc.constantFrom(
    'route',
    'route',
    'route',
    'route',
    'encoding',
    'encoding',
    'json',
    'path',
    'method',
    'headers',
    'oversized',
    'operational',
    'odd-target',
  );
  const routeAndPath = fc
    .constantFrom(...routes)
    .chain((route) => route.path.map((path) => ({ route, path })));
  return fc
    .record({
      family,
      chosen: routeAndPath,
      routeIndex: fc.nat(),
      method: METHODS,
      randomPath,
      oddTarget,
      operational: OPERATIONAL,
      query,
      headers: fc.array(headerPair, { maxLength: 3 }),
      contentType: CONTENT_TYPES,
      encoding: ENCODINGS,
      oddEncoding: fc.constantFrom(
        'identity',
        'compress',
        'gzip, gzip',
        'GZIP',
        'x-gzip',
        'zstd',
        '',
      ),
      mutation,
      deep: deepJson,
      deepField: fc.constantFrom('value', 'url', 'code', 'by', 'counts', 'metadata', 'name'),
      random: anyJson,
      chunked: fc.boolean(),
      oversizeBytes: fc.integer({ min: 16 * 1024 + 1, max: 48 * 1024 }),
      // Rare on purpose: a slow request holds a connection for up to 1.6 s. noBias, because
      // fast-check otherwise favours 0, the very value that selects them.
      http10: fc.noBias(fc.integer({ min: 0, max: 40 })).map((n) => n === 0),
      slow: fc.noBias(fc.integer({ min: 0, max: 120 })),
      abort: fc.noBias(fc.integer({ min: 0, max: 120 })).map((n) => n === 0),
    })
    .chain((r) =>
      bodyValue[r.chosen.route.body].map((value): BadRequest => {
        const { route } = r.chosen;
        let path = r.chosen.path;
        let method = route.method;
        switch (r.family) {
          case 'path':
            path = r.randomPath;
            break;
          case 'operational':
            path = `${r.operational}${r.query}`;
            break;
          case 'odd-target':
            path = r.oddTarget;
            break;
        }
        if (r.family === 'method') method = r.method;
        let json: string;
        if (r.family === 'json') {
          // Deep nesting where each route reads its input, or any JSON value as the whole body.
          json = r.routeIndex % 2 === 0 ? `{"${r.deepField}":${r.deep}}` : JSON.stringify(r.random);
        } else if (route.body === 'form') {
          json = formBody(value);
        } else if (route.body === 'none') {
          json = '';
        } else {
          json = JSON.stringify(value ?? null);
        }
        if (r.family === 'oversized') {
          json = JSON.stringify({ url: 'https://example.com/', pad: 'x'.repeat(r.oversizeBytes) });
        }
        let body = mutate(Buffer.from(json), r.family === 'encoding' ? r.mutation : 'none');
        const headers: [string, string][] = [];
        if (body.length > 0 || r.family === 'encoding') {
          const type =
            r.family === 'encoding'
              ? r.contentType
              : route.body === 'form'
                ? 'application/x-www-form-urlencoded'
                : 'application/json';
          if (type) headers.push(['content-type', type]);
        }
        if (r.family === 'encoding' && body.length > 0) {
          const encoded = encodeBody(body, r.encoding, r.oddEncoding);
          body = encoded.body;
          if (encoded.header !== undefined) headers.push(['content-encoding', encoded.header]);
        }
        if (r.family === 'headers') headers.push(...r.headers);
        return {
          service,
          family: r.slow === 0 ? 'slow' : r.abort && body.length > 1 ? 'aborted' : r.family,
          method,
          target: path,
          version: r.http10 ? 'HTTP/1.0' : 'HTTP/1.1',
          headers,
          body,
          framing: body.length === 0 ? 'none' : r.chunked ? 'chunked' : 'length',
          slowMs: r.slow === 0 ? 400 + (r.routeIndex % 1200) : 0,
          abort: r.abort && body.length > 1,
        };
      }),
    );
}

/** The bytes of a request, in pieces when it is slow or aborted. */
export function toParts(request: BadRequest): RawPart[] {
  const lines = [`${request.method} ${request.target} ${request.version}`];
  if (!request.headers.some(([name]) => name.toLowerCase() === 'host'))
    lines.push('Host: 127.0.0.1');
  lines.push('Connection: close');
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  let body = request.body;
  if (request.framing === 'length') lines.push(`Content-Length: ${body.length}`);
  if (request.framing === 'chunked') {
    lines.push('Transfer-Encoding: chunked');
    body = Buffer.concat([
      Buffer.from(`${body.length.toString(16)}\r\n`),
      body,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
  }
  // Header values are latin1 on the wire; the target is UTF-8, as browsers would never send it.
  const head = Buffer.concat([
    Buffer.from(`${lines[0]}\r\n`, 'utf8'),
    Buffer.from(`${lines.slice(1).join('\r\n')}\r\n\r\n`, 'latin1'),
  ]);
  if (request.abort) {
    return [head, body.subarray(0, Math.floor(body.length / 2)), { pauseMs: 20 }, { abort: true }];
  }
  const whole = Buffer.concat([head, body]);
  if (request.slowMs === 0) return [whole];
  const pieces = 6;
  const parts: RawPart[] = [];
  for (let i = 0; i < pieces; i++) {
    parts.push(
      whole.subarray(
        Math.floor((i * whole.length) / pieces),
        Math.floor(((i + 1) * whole.length) / pieces),
      ),
    );
    if (i < pieces - 1) parts.push({ pauseMs: request.slowMs / (pieces - 1) });
  }
  return parts;
}
