import { describe, expect, it } from 'vitest';
import { MAX_PREFIX_LENGTH, runConformance } from '../src/run.js';
import { checkNamed, failedNames, failures, leftovers, testPrefix } from './support/report.js';
import { sharedFixture, startBackendStack } from './support/services.js';
import { startStandIn } from './support/stand-in.js';

const stack = sharedFixture(startBackendStack);

describe('backend suite', () => {
  it('passes against the real backend on real cache and database services, and cleans up', async () => {
    // The longest prefix allowed, so every code the suite makes is shown to fit the code rule.
    const prefix = testPrefix(MAX_PREFIX_LENGTH);
    const report = await runConformance({ service: 'backend', url: stack().backendUrl, prefix });
    expect(failures(report)).toEqual([]);
    expect(report).toMatchObject({ service: 'backend', url: stack().backendUrl, ok: true });
    expect(report.checks.map((check) => check.name)).toEqual([
      'healthz',
      'readyz',
      'version',
      'create',
      'read',
      'list',
      'resolve counts a click',
      'delete',
      'validation errors',
      'request id echoed',
      'unknown route',
      'metrics',
      'cleanup',
    ]);
    expect(await leftovers(stack().databaseUrl, prefix)).toEqual([]);
  });

  it('fails, naming the create check, when every API call answers 500 (FAULT_ERROR_RATE=1)', async () => {
    const faulty = await stack().startBackend({ FAULT_ERROR_RATE: '1' });
    const report = await runConformance({ service: 'backend', url: faulty.url });
    expect(report.ok).toBe(false);
    expect(checkNamed(report, 'create').message).toBe(
      'POST /api/links: expected 201, got 500 (fault_injected)',
    );
    expect(checkNamed(report, 'read').message).toBe('skipped: needs "create", which failed');
    // Probes and /version are exempt from faults, so the canary is judged by its API.
    expect(['healthz', 'readyz', 'version'].map((name) => checkNamed(report, name).ok)).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('fails the create check when create answers 200 instead of 201 (stand-in server with a wrong contract)', async () => {
    const standIn = await startStandIn(stack().backendUrl, {
      alter: ({ method, path }, answer) =>
        method === 'POST' && path === '/api/links' && answer.status === 201
          ? { ...answer, status: 200 }
          : undefined,
    });
    const prefix = testPrefix();
    try {
      const report = await runConformance({ service: 'backend', url: standIn.url, prefix });
      expect(report.ok).toBe(false);
      expect(checkNamed(report, 'create').message).toBe('POST /api/links: expected 201, got 200');
      expect(failedNames(report)).toEqual([
        'create',
        'read',
        'list',
        'resolve counts a click',
        'delete',
        'validation errors',
      ]);
    } finally {
      await standIn.close();
    }
    // The links were created all the same (only the status was wrong): cleanup removed them.
    expect(await leftovers(stack().databaseUrl, prefix)).toEqual([]);
  });

  it('fails the click check when a resolve is never counted (stand-in server with a wrong contract)', async () => {
    const prefix = testPrefix();
    const standIn = await startStandIn(stack().backendUrl, {
      alter: ({ method, path }, answer) => {
        if (method !== 'GET' || path !== `/api/links/${prefix}-link` || answer.status !== 200) {
          return undefined;
        }
        return { ...answer, body: JSON.stringify({ ...JSON.parse(answer.body), clicks: 0 }) };
      },
    });
    try {
      const report = await runConformance({ service: 'backend', url: standIn.url, prefix });
      expect(failedNames(report)).toEqual(['resolve counts a click']);
      expect(checkNamed(report, 'resolve counts a click').message).toBe(
        `GET /api/links/${prefix}-link: expected clicks ≥ 1 within 5000 ms of a resolve, got clicks 0`,
      );
    } finally {
      await standIn.close();
    }
  });

  it('stops promptly when aborted during a create, and still removes the link', async () => {
    const controller = new AbortController();
    const standIn = await startStandIn(stack().backendUrl, {
      // The create reaches the backend, but the run's deadline passes before its answer.
      onRequest: ({ method }) => {
        if (method === 'POST') controller.abort(new DOMException('deadline', 'TimeoutError'));
      },
    });
    const prefix = testPrefix();
    try {
      const started = performance.now();
      const report = await runConformance({
        service: 'backend',
        url: standIn.url,
        prefix,
        signal: controller.signal,
      });
      // Promptly: the suite stops at the abort; cleanup may wait 1 s for an interrupted create.
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(report.ok).toBe(false);
      expect(checkNamed(report, 'create').message).toBe('aborted: timeout');
      expect(checkNamed(report, 'metrics').message).toBe('skipped: the run was aborted (timeout)');
      expect(checkNamed(report, 'cleanup')).toMatchObject({ ok: true });
    } finally {
      await standIn.close();
    }
    expect(await leftovers(stack().databaseUrl, prefix)).toEqual([]);
  });
});
