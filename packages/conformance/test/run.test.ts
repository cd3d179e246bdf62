import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { CONFORMANCE_SERVICES } from '@appdist/catalogue';
import { afterEach, describe, expect, it } from 'vitest';
import { isConformanceService, runConformance } from '../src/run.js';
import { checkNamed } from './support/report.js';
import { startSilentServer, type TestServer } from './support/stand-in.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function silentServer(): Promise<TestServer> {
  const server = await startSilentServer();
  servers.push(server);
  return server;
}

/** A loopback URL where nothing listens: bound, then closed again. */
async function closedPortUrl(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('the services', () => {
  it('lists the four services and recognises exactly those', () => {
    expect(CONFORMANCE_SERVICES).toEqual(['frontend', 'backend', 'cache', 'database']);
    expect(CONFORMANCE_SERVICES.every(isConformanceService)).toBe(true);
    expect(['tester', 'Backend', '', 'backend '].some(isConformanceService)).toBe(false);
  });
});

describe('runConformance options', () => {
  it('rejects what a caller got wrong with a TypeError naming it', async () => {
    const url = 'http://127.0.0.1:1';
    await expect(runConformance({ service: 'tester' as 'backend', url })).rejects.toThrow(
      new TypeError('unknown service "tester": expected one of frontend, backend, cache, database'),
    );
    for (const bad of ['ftp://host', 'backend:8080', 'http://host/?a=1', 'http://host/#top']) {
      await expect(runConformance({ service: 'backend', url: bad })).rejects.toThrow(
        `url must be an http:// or https:// URL without query or fragment, got ${JSON.stringify(bad)}`,
      );
    }
    await expect(runConformance({ service: 'backend', url, timeoutMs: 0 })).rejects.toThrow(
      /^timeoutMs must be a positive number/,
    );
    for (const prefix of ['', 'has_underscore', 'has.dot', 'x'.repeat(25)]) {
      await expect(runConformance({ service: 'backend', url, prefix })).rejects.toThrow(
        /^prefix must be 1 to 24 letters, digits or '-'/,
      );
    }
  });
});

describe('a service that cannot be reached', () => {
  it('fails healthz with the connection error and skips the rest at once', async () => {
    const url = await closedPortUrl();
    const report = await runConformance({ service: 'backend', url });
    expect(report.ok).toBe(false);
    expect(checkNamed(report, 'healthz').message).toMatch(
      /^GET \/healthz: no answer \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/,
    );
    const rest = report.checks.filter((check) => !['healthz', 'cleanup'].includes(check.name));
    expect(rest.length).toBeGreaterThan(0);
    for (const check of rest) {
      expect(check.message).toMatch(
        /^skipped: no answer from the service \(healthz: GET \/healthz: no answer/,
      );
    }
    // Nothing was written, so there is nothing to clean up.
    expect(checkNamed(report, 'cleanup')).toMatchObject({ ok: true });
  });

  it('fails healthz after the request timeout when the service never answers', async () => {
    const { url } = await silentServer();
    const started = performance.now();
    const report = await runConformance({ service: 'database', url, timeoutMs: 200 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(report.ok).toBe(false);
    expect(checkNamed(report, 'healthz').message).toBe('GET /healthz: no answer within 200 ms');
    expect(checkNamed(report, 'migrations').message).toMatch(
      /^skipped: no answer from the service/,
    );
  });
});

describe('an aborted run', () => {
  it('ends promptly, the interrupted check failing with "aborted: timeout"', async () => {
    const { url } = await silentServer();
    const started = performance.now();
    const report = await runConformance({
      service: 'cache',
      url,
      signal: AbortSignal.timeout(100),
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({
      name: 'healthz',
      ok: false,
      message: 'aborted: timeout',
    });
    expect(checkNamed(report, 'counters').message).toBe('skipped: the run was aborted (timeout)');
    expect(checkNamed(report, 'cleanup')).toMatchObject({ ok: true });
  });

  it('runs no check when the signal has already aborted, and says why', async () => {
    const { url } = await silentServer();
    const controller = new AbortController();
    controller.abort(new Error('tester shutting down'));
    const report = await runConformance({ service: 'frontend', url, signal: controller.signal });
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({
      name: 'healthz',
      message: 'aborted: tester shutting down',
    });
    expect(report.checks.slice(1, -1).every((check) => check.message?.startsWith('skipped:'))).toBe(
      true,
    );
  });
});

describe('the frontend suite', () => {
  it('posts its form as a browser does: exactly application/x-www-form-urlencoded', async () => {
    const contentTypes: string[] = [];
    const server = createHttpServer((request, response) => {
      if (request.method === 'POST' && request.url === '/') {
        contentTypes.push(request.headers['content-type'] ?? '');
      }
      response.writeHead(404).end();
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      await runConformance({
        service: 'frontend',
        url: `http://127.0.0.1:${port}`,
        timeoutMs: 2000,
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(contentTypes).toEqual(['application/x-www-form-urlencoded']);
  });
});
