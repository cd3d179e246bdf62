import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type Check, CheckFailure, NoAnswerError, runChecks } from '../src/check.js';

const passes = (name: string, extra: Partial<Check> = {}): Check => ({
  name,
  run: async () => {},
  ...extra,
});

const fails = (name: string, error: Error, extra: Partial<Check> = {}): Check => ({
  name,
  run: async () => {
    throw error;
  },
  ...extra,
});

const never = new AbortController().signal;

describe('runChecks', () => {
  it('records every check in order, failures with their message, and goes on', async () => {
    const results = await runChecks(
      [passes('a'), fails('b', new CheckFailure('GET /b: expected 200, got 503')), passes('c')],
      never,
    );
    expect(results.map(({ name, ok, message }) => ({ name, ok, message }))).toEqual([
      { name: 'a', ok: true, message: undefined },
      { name: 'b', ok: false, message: 'GET /b: expected 200, got 503' },
      { name: 'c', ok: true, message: undefined },
    ]);
  });

  it('skips the checks that need a failed one, and those that need a skipped one', async () => {
    const results = await runChecks(
      [
        fails('create', new CheckFailure('no')),
        passes('read', { needs: ['create'] }),
        passes('after-read', { needs: ['read'] }),
        passes('independent'),
      ],
      never,
    );
    expect(results.map((result) => result.message)).toEqual([
      'no',
      'skipped: needs "create", which failed',
      'skipped: needs "read", which failed',
      undefined,
    ]);
  });

  it('names an unexpected error, so a bug in a check is not mistaken for the service', async () => {
    const [result] = await runChecks([fails('a', new RangeError('bad index'))], never);
    expect(result?.message).toBe('RangeError: bad index');
  });

  it('stops after a gate gets no answer, but not after a gate gets a wrong one', async () => {
    const unreachable = await runChecks(
      [
        fails('healthz', new NoAnswerError('GET /healthz: no answer'), { gate: true }),
        passes('next'),
      ],
      never,
    );
    expect(unreachable[1]?.message).toBe(
      'skipped: no answer from the service (healthz: GET /healthz: no answer)',
    );
    const wrong = await runChecks(
      [fails('healthz', new CheckFailure('expected 200, got 500'), { gate: true }), passes('next')],
      never,
    );
    expect(wrong[1]?.ok).toBe(true);
  });

  it('abandons a check that ignores the signal as soon as the run aborts', async () => {
    const started = performance.now();
    const results = await runChecks(
      [{ name: 'stuck', run: () => sleep(5_000) }, passes('next')],
      AbortSignal.timeout(50),
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(results.map((result) => result.message)).toEqual([
      'aborted: timeout',
      'skipped: the run was aborted (timeout)',
    ]);
  });
});
