import { describe, expect, it } from 'vitest';
import { runConformance } from '../src/run.js';
import { checkNamed, failedNames, failures, leftovers, testPrefix } from './support/report.js';
import { sharedFixture, startDatabaseService } from './support/services.js';
import { startStandIn, type UpstreamAnswer } from './support/stand-in.js';

const service = sharedFixture(startDatabaseService);

describe('database suite', () => {
  it('passes against the real database service on PostgreSQL, with its default prefix, and cleans up', async () => {
    const report = await runConformance({ service: 'database', url: service().url });
    expect(failures(report)).toEqual([]);
    expect(report).toMatchObject({ service: 'database', url: service().url, ok: true });
    expect(report.checks.map((check) => check.name)).toEqual([
      'healthz',
      'readyz',
      'version',
      'create',
      'read',
      'list',
      'delete',
      'pagination',
      'migrations',
      'unknown route',
      'metrics',
      'cleanup',
    ]);
    expect(await leftovers(service().url, 'conformance-')).toEqual([]);
  });

  it('fails, naming the create check, when every API call answers 500 (FAULT_ERROR_RATE=1)', async () => {
    const faulty = await startDatabaseService({ FAULT_ERROR_RATE: '1' });
    try {
      const report = await runConformance({ service: 'database', url: faulty.url });
      expect(report.ok).toBe(false);
      expect(checkNamed(report, 'create').message).toBe(
        'POST /v1/links: expected 201, got 500 (fault_injected)',
      );
      expect(checkNamed(report, 'migrations').message).toBe(
        'GET /v1/migrations: expected 200, got 500 (fault_injected)',
      );
    } finally {
      await faulty.close();
    }
  });

  it('fails the migrations check on a schema behind this release (stand-in server with a wrong contract)', async () => {
    const standIn = await startStandIn(service().url, {
      alter: ({ path }, answer) =>
        path === '/v1/migrations'
          ? { ...answer, body: JSON.stringify({ version: 0, applied: [] }) }
          : undefined,
    });
    try {
      const report = await runConformance({ service: 'database', url: standIn.url });
      expect(failedNames(report)).toEqual(['migrations']);
      expect(checkNamed(report, 'migrations').message).toBe(
        'GET /v1/migrations: expected schema version ≥ 1, got 0',
      );
    } finally {
      await standIn.close();
    }
  });

  it('fails the pagination check when a page repeats a link (stand-in server with a wrong contract)', async () => {
    const prefix = testPrefix();
    let pages = 0;
    // Every page after the first answers the first page again, as if the cursor were ignored.
    let firstPage: string | undefined;
    const standIn = await startStandIn(service().url, {
      alter: ({ method, path }, answer) => {
        if (method !== 'GET' || !path.startsWith('/v1/links?limit=2')) return undefined;
        pages += 1;
        firstPage ??= answer.body;
        return { ...answer, body: firstPage };
      },
    });
    try {
      const report = await runConformance({ service: 'database', url: standIn.url, prefix });
      expect(failedNames(report)).toEqual(['pagination']);
      expect(checkNamed(report, 'pagination').message).toBe(
        `GET /v1/links?limit=2&cursor=${encodeURIComponent(JSON.parse(firstPage ?? '{}').nextCursor)}: expected every link on one page only, got ${prefix}-page-3 again`,
      );
      expect(pages).toBe(2);
    } finally {
      await standIn.close();
    }
    expect(await leftovers(service().url, prefix)).toEqual([]);
  });

  const METRIC_LINE = /^http_requests_total\{.*$/m;
  // Each case breaks one part of the shared contract, the rest of the service staying real.
  const brokenCommonContracts: {
    name: string;
    check: string;
    alter: (prefix: string, path: string, body: string) => UpstreamAnswer | undefined;
    message: (prefix: string) => RegExp;
  }[] = [
    {
      name: 'readiness failing',
      check: 'readyz',
      alter: (_prefix, path) => (path === '/readyz' ? { status: 503, body: '{}' } : undefined),
      message: () => /^GET \/readyz: expected 200, got 503$/,
    },
    {
      name: 'another name in /version',
      check: 'version',
      alter: (_prefix, path, body) =>
        path === '/version'
          ? { status: 200, body: body.replace('"database"', '"backend"') }
          : undefined,
      message: () => /^GET \/version: expected name "database", got "backend"$/,
    },
    {
      name: 'an HTML 404 for an unknown route',
      check: 'unknown route',
      alter: (prefix, path) =>
        path === `/${prefix}/no-such-route`
          ? { status: 404, body: '<h1>Not found</h1>' }
          : undefined,
      message: (prefix) =>
        new RegExp(
          `^GET /${prefix}/no-such-route: expected a JSON body, got "<h1>Not found</h1>"$`,
        ),
    },
    {
      name: 'a route label that is a raw path',
      check: 'metrics',
      alter: (prefix, path, body) =>
        path === '/metrics'
          ? { status: 200, body: body.replaceAll('/v1/links/:code', `/v1/links/${prefix}-link`) }
          : undefined,
      message: (prefix) =>
        new RegExp(
          `^GET /metrics: expected route labels that are templates, got http_requests_total\\{method="(GET|DELETE)",route="/v1/links/${prefix}-link",status="\\d{3}"\\}$`,
        ),
    },
    {
      name: 'probes counted as traffic',
      check: 'metrics',
      alter: (_prefix, path, body) =>
        path === '/metrics'
          ? {
              status: 200,
              body: body.replace(
                METRIC_LINE,
                (line) =>
                  `${line}\nhttp_requests_total{method="GET",route="/healthz",status="200"} 9`,
              ),
            }
          : undefined,
      message: () =>
        /^GET \/metrics: expected probes and scrapes not counted, got http_requests_total\{method="GET",route="\/healthz",status="200"\}$/,
    },
    {
      name: 'a histogram without its +Inf bucket',
      check: 'metrics',
      alter: (_prefix, path, body) =>
        path === '/metrics'
          ? {
              status: 200,
              body: body.replaceAll(/^http_request_duration_seconds_bucket\{le="\+Inf".*$/gm, ''),
            }
          : undefined,
      message: () =>
        /^GET \/metrics: expected a http_request_duration_seconds_bucket with le="\+Inf" for http_request_duration_seconds\{method=/,
    },
    {
      name: 'the request counter typed as a gauge',
      check: 'metrics',
      alter: (_prefix, path, body) =>
        path === '/metrics'
          ? {
              status: 200,
              body: body.replace(
                '# TYPE http_requests_total counter',
                '# TYPE http_requests_total gauge',
              ),
            }
          : undefined,
      message: () => /^GET \/metrics: expected http_requests_total of type counter, got gauge$/,
    },
    {
      name: 'no request counted at all',
      check: 'metrics',
      alter: (_prefix, path, body) =>
        path === '/metrics'
          ? { status: 200, body: body.replaceAll(/^http_requests_total\{.*$/gm, '') }
          : undefined,
      message: () =>
        /^GET \/metrics: expected http_requests_total samples after the suite's requests, got none$/,
    },
  ];

  it.each(brokenCommonContracts)(
    'fails the $check check on $name (stand-in server with a wrong contract)',
    async ({ check, alter, message }) => {
      const prefix = testPrefix();
      const standIn = await startStandIn(service().url, {
        alter: ({ path }, answer) => alter(prefix, path, answer.body),
      });
      try {
        const report = await runConformance({ service: 'database', url: standIn.url, prefix });
        expect(failedNames(report)).toEqual([check]);
        expect(checkNamed(report, check).message).toMatch(message(prefix));
      } finally {
        await standIn.close();
      }
    },
  );

  it('stops promptly when aborted while a create is applied, and still leaves nothing behind', async () => {
    const controller = new AbortController();
    const prefix = testPrefix();
    const standIn = await startStandIn(service().url, {
      // The create is on its way to PostgreSQL when the deadline passes: cleanup must not
      // delete before it lands and then leave it there.
      onRequest: ({ method, path }) => {
        if (method === 'POST' && path === '/v1/links') {
          controller.abort(new DOMException('deadline', 'TimeoutError'));
        }
      },
    });
    try {
      const started = performance.now();
      const report = await runConformance({
        service: 'database',
        url: standIn.url,
        prefix,
        signal: controller.signal,
      });
      // Promptly: the suite stops at the abort; cleanup may wait 1 s for an interrupted create.
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(report.ok).toBe(false);
      expect(checkNamed(report, 'create').message).toBe('aborted: timeout');
      expect(checkNamed(report, 'cleanup')).toMatchObject({ ok: true });
    } finally {
      await standIn.close();
    }
    expect(await leftovers(service().url, prefix)).toEqual([]);
  });
});
