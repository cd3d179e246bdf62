import { describe, expect, it } from 'vitest';
import { runConformance } from '../src/run.js';
import { checkNamed, failedNames, failures, leftovers, testPrefix } from './support/report.js';
import { sharedFixture, startFrontendStack } from './support/services.js';
import { startStandIn } from './support/stand-in.js';

const stack = sharedFixture(startFrontendStack);

describe('frontend suite', () => {
  it('passes against the real frontend on the real backend, and cleans up', async () => {
    const prefix = testPrefix();
    const report = await runConformance({ service: 'frontend', url: stack().frontendUrl, prefix });
    expect(failures(report)).toEqual([]);
    expect(report).toMatchObject({ service: 'frontend', url: stack().frontendUrl, ok: true });
    expect(report.checks.map((check) => check.name)).toEqual([
      'healthz',
      'readyz',
      'version',
      'home page',
      'form post',
      'redirect',
      'html 404',
      'api forwarding',
      'unknown route',
      'metrics',
      'cleanup',
    ]);
    expect(await leftovers(stack().databaseUrl, prefix)).toEqual([]);
  });

  it('fails, naming the home page check, when every page answers 500 (FAULT_ERROR_RATE=1)', async () => {
    const faulty = await stack().startFrontend({ FAULT_ERROR_RATE: '1' });
    const report = await runConformance({ service: 'frontend', url: faulty.url });
    expect(report.ok).toBe(false);
    expect(checkNamed(report, 'home page').message).toBe(
      'GET /: expected 200, got 500 (fault_injected)',
    );
    expect(checkNamed(report, 'form post').message).toBe(
      'POST /: expected 303, got 500 (fault_injected)',
    );
    expect(checkNamed(report, 'redirect').message).toBe('skipped: needs "form post", which failed');
  });

  it('fails the redirect check when a code answers 301 instead of 302 (stand-in server with a wrong contract)', async () => {
    const prefix = testPrefix();
    // A permanent redirect is cached by browsers, so later visits would never be counted.
    const standIn = await startStandIn(stack().frontendUrl, {
      alter: ({ method, path }, answer) =>
        method === 'GET' && path === `/${prefix}-form` && answer.status === 302
          ? { ...answer, status: 301 }
          : undefined,
    });
    try {
      const report = await runConformance({ service: 'frontend', url: standIn.url, prefix });
      expect(failedNames(report)).toEqual(['redirect']);
      expect(checkNamed(report, 'redirect').message).toBe(
        `GET /${prefix}-form: expected 302, got 301`,
      );
    } finally {
      await standIn.close();
    }
    expect(await leftovers(stack().databaseUrl, prefix)).toEqual([]);
  });

  it('fails the api forwarding check when /api answers in HTML (stand-in server with a wrong contract)', async () => {
    const prefix = testPrefix();
    const standIn = await startStandIn(stack().frontendUrl, {
      alter: ({ method, path }, answer) =>
        method === 'GET' && path === `/api/links/${prefix}-api`
          ? { status: answer.status, body: '<!doctype html><p>link</p>' }
          : undefined,
    });
    try {
      const report = await runConformance({ service: 'frontend', url: standIn.url, prefix });
      expect(failedNames(report)).toEqual(['api forwarding']);
      expect(checkNamed(report, 'api forwarding').message).toBe(
        `GET /api/links/${prefix}-api: expected a JSON body, got "<!doctype html><p>link</p>"`,
      );
    } finally {
      await standIn.close();
    }
    // The check stopped before its own delete: cleanup removed the link.
    expect(await leftovers(stack().databaseUrl, prefix)).toEqual([]);
  });
});
