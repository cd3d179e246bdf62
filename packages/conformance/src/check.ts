export interface CheckResult {
  name: string;
  ok: boolean;
  durationMs: number;
  message?: string;
}

/** A broken expectation; its message is what the report shows, e.g. `GET /readyz: expected 200, got 503`. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

/** The service gave no HTTP answer at all: refused, reset, or silent past the request timeout. */
export class NoAnswerError extends CheckFailure {
  override name = 'NoAnswerError';
}

export interface Check {
  name: string;
  /** Earlier checks whose outcome this one builds on (e.g. the link `create` made); if one failed, this one is skipped. */
  needs?: readonly string[];
  /**
   * When this check gets no answer at all, the rest are skipped: a service that cannot be
   * reached would otherwise cost one request timeout per remaining check.
   */
  gate?: boolean;
  run(): Promise<void>;
}

export function elapsedSince(start: number): number {
  return Math.round(performance.now() - start);
}

/** `timeout` for AbortSignal.timeout (and the tester's deadline), else the reason given to abort(). */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'timeout';
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.message) {
    return reason.message;
  }
  if (typeof reason === 'string' && reason !== '') return reason;
  return 'aborted';
}

function messageOf(error: unknown): string {
  if (error instanceof CheckFailure) return error.message;
  // Anything else is a bug in a check or an unexpected runtime error; say what it was.
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Settles with the check or with the signal's abort, so a check that ignores the signal cannot hold the run up. */
async function runOne(check: Check, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const aborted = Promise.withResolvers<never>();
  const onAbort = () => aborted.reject(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const running = check.run();
  // The race leaves one of them unobserved; an unobserved rejection would crash the process.
  running.catch(() => {});
  aborted.promise.catch(() => {});
  try {
    await Promise.race([running, aborted.promise]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs the checks in order. A failure is recorded and the run goes on, except for checks that
 * need a failed one (skipped, saying which), after a gate got no answer, and after the signal
 * aborted (the interrupted check says `aborted: <reason>`, the rest are skipped).
 */
export async function runChecks(
  checks: readonly Check[],
  signal: AbortSignal,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const failed = new Set<string>();
  let skipAll: string | undefined;
  for (const check of checks) {
    const unmet = check.needs?.find((need) => failed.has(need));
    const skipReason = skipAll ?? (unmet && `needs "${unmet}", which failed`);
    if (skipReason) {
      failed.add(check.name);
      results.push({
        name: check.name,
        ok: false,
        durationMs: 0,
        message: `skipped: ${skipReason}`,
      });
      continue;
    }
    const start = performance.now();
    try {
      await runOne(check, signal);
      results.push({ name: check.name, ok: true, durationMs: elapsedSince(start) });
    } catch (error) {
      failed.add(check.name);
      const aborted = signal.aborted;
      const message = aborted ? `aborted: ${abortReason(signal)}` : messageOf(error);
      results.push({ name: check.name, ok: false, durationMs: elapsedSince(start), message });
      if (aborted) skipAll = `the run was aborted (${abortReason(signal)})`;
      else if (check.gate && error instanceof NoAnswerError) {
        skipAll = `no answer from the service (${check.name}: ${message})`;
      }
    }
  }
  return results;
}
