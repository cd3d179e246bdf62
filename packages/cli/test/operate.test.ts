import { createApp as createCacheApp } from '@appdist/cache/app';
import { configSchema as cacheConfigSchema } from '@appdist/cache/config';
import type { RunningServer } from '@appdist/service-kit/serve';
import { createApp as createTesterApp } from '@appdist/tester/app';
import { configSchema as testerConfigSchema } from '@appdist/tester/config';
import { serveService } from '@appdist/testing/serve-service';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCanaryRef } from '../src/operator-commands.js';
import { appdist } from './run-cli.js';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.shutdown()));
});

async function cache(env: Record<string, string> = {}) {
  const server = await serveService(
    { name: 'cache', configSchema: cacheConfigSchema, createApp: createCacheApp },
    env,
  );
  servers.push(server);
  return server.url;
}

describe('appdist conformance', () => {
  it('passes against a healthy service and lists every check', async () => {
    const url = await cache();
    const result = await appdist(['conformance', '--service', 'cache', '--url', url]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ok {3}healthz/m);
    expect(result.stdout).toMatch(/cache conformance: \d+ passed, 0 failed/);
  });

  it('fails with the failing checks named against a faulty one, and reports JSON on request', async () => {
    const url = await cache({ FAULT_ERROR_RATE: '1' });
    const text = await appdist(['conformance', '--service', 'cache', '--url', url]);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(/^FAIL /m);
    expect(text.stdout).toMatch(/cache conformance: \d+ passed, [1-9]\d* failed/);

    const json = await appdist([
      'conformance',
      '--service',
      'cache',
      '--url',
      url,
      '--format',
      'json',
    ]);
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; service: string };
    expect(report).toMatchObject({ ok: false, service: 'cache' });
  });

  it('rejects a service or URL it cannot use with exit code 2', async () => {
    const service = await appdist([
      'conformance',
      '--service',
      'tester',
      '--url',
      'http://localhost:1',
    ]);
    expect(service.exitCode).toBe(2);
    expect(service.stderr).toContain(
      '--service: "tester" is not one of frontend, backend, cache, database',
    );
    const url = await appdist(['conformance', '--service', 'cache', '--url', 'ftp://x']);
    expect(url.exitCode).toBe(2);
    expect(url.stderr).toContain('--url');
  });
});

describe('appdist approve | halt | rollback', () => {
  it('reads <name> and <namespace>/<name>', () => {
    expect(parseCanaryRef('backend')).toEqual({ name: 'backend', namespace: 'app' });
    expect(parseCanaryRef('prod/frontend')).toEqual({ name: 'frontend', namespace: 'prod' });
    expect(() => parseCanaryRef('a/b/c')).toThrow(/not a canary/);
    expect(() => parseCanaryRef('Back_End')).toThrow(/not a canary/);
  });

  it('opens and closes the gate, and requests a rollback, on a real tester', async () => {
    const tester = await serveService({
      name: 'tester',
      configSchema: testerConfigSchema,
      createApp: createTesterApp,
    });
    servers.push(tester);
    const check = (path: string) =>
      fetch(`${tester.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'backend',
          namespace: 'app',
          phase: 'Progressing',
          checksum: 'c1',
        }),
      }).then((res) => res.status);

    expect(await check('/gate/check')).toBe(403);
    const approved = await appdist(['approve', 'app/backend', '--tester', tester.url]);
    expect(approved).toMatchObject({
      exitCode: 0,
      stdout: 'app/backend approved: its confirm gates now pass',
    });
    expect(await check('/gate/check')).toBe(200);

    const halted = await appdist(['halt', 'backend', '--tester', tester.url]);
    expect(halted.exitCode).toBe(0);
    expect(await check('/gate/check')).toBe(403);

    expect(await check('/rollback/check')).toBe(403);
    const rollback = await appdist(['rollback', 'backend', '--tester', tester.url]);
    expect(rollback.exitCode).toBe(0);
    expect(await check('/rollback/check')).toBe(200);
  });

  it('says how to reach the tester when it cannot', async () => {
    const result = await appdist(['approve', 'backend', '--tester', 'http://127.0.0.1:1']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('kubectl -n app port-forward svc/tester 8090:80');
  });
});
