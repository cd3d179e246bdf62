import { setTimeout as sleep } from 'node:timers/promises';
import { type CheckResult, elapsedSince } from './check.js';
import { type Answer, HttpClient, type RequestOptions } from './http-client.js';

/**
 * The most cleanup adds to a run, also after the run was aborted: a caller with a deadline
 * (the tester answers Flagger's webhook in time) must leave this much room after it.
 */
export const CLEANUP_TIMEOUT_MS = 5_000;

const DELETE_ATTEMPTS = 3;
const RETRY_DELAY_MS = 100;
// How long an interrupted write may still be in flight after a repeat has claimed its place.
const CLAIM_SETTLE_MS = 1_000;

export interface TrackedWrite {
  /** What the report names if it is left behind, e.g. `link conformance-1a2b3c4d-link`. */
  label: string;
  /** DELETE here undoes the write; 204 or 404 both mean it is gone. */
  deletePath: string;
  /**
   * Repeats the write when it got no answer, before the delete. The write may still be in
   * flight on the server; a delete that overtook it would find nothing and the write would land
   * afterwards. Repeating a create first means either it is applied by then (the repeat gets 409
   * and the delete removes it) or the repeat wins, and the original, arriving while the repeat's
   * record still stands, fails as a duplicate.
   */
  claim?: { path: string; json: unknown };
  /** The status the write was answered with; undefined while none came (it may or may not have been applied). */
  status?: number;
}

/** A 4xx refused the write, so there is nothing to undo; any other answer, or none, may have left something. */
function mayHaveApplied({ status }: TrackedWrite): boolean {
  return status === undefined || status < 400 || status >= 500;
}

/** Everything a suite writes, registered before it is written, so even an interrupted write is undone. */
export class Cleanup {
  readonly #writes: TrackedWrite[] = [];

  /** Sends a write, tracked from before it is sent. */
  async write(
    http: HttpClient,
    write: TrackedWrite,
    request: { method: string; path: string } & RequestOptions,
  ): Promise<Answer> {
    this.#writes.push(write);
    const answer = await http.request(request.method, request.path, request);
    write.status = answer.status;
    return answer;
  }

  /**
   * Undoes every write that may have been applied, in parallel and within CLEANUP_TIMEOUT_MS,
   * on a signal of its own (the run's may have aborted). Never throws: what could not be
   * confirmed gone is listed in the result.
   */
  async run(baseUrl: string, timeoutMs: number): Promise<CheckResult> {
    const start = performance.now();
    const signal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
    const http = new HttpClient(baseUrl, {
      signal,
      timeoutMs: Math.min(timeoutMs, CLEANUP_TIMEOUT_MS),
    });
    const leftovers = await Promise.all(
      this.#writes
        .filter(mayHaveApplied)
        .map((write) =>
          undo(http, write, signal).catch(
            (error: unknown) =>
              `${write.label} (${error instanceof Error ? error.message : error})`,
          ),
        ),
    );
    const failures = leftovers.filter((failure) => failure !== undefined);
    return {
      name: 'cleanup',
      ok: failures.length === 0,
      durationMs: elapsedSince(start),
      ...(failures.length > 0 && { message: `may be left behind: ${failures.join('; ')}` }),
    };
  }
}

async function undo(
  http: HttpClient,
  write: TrackedWrite,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (write.status === undefined && write.claim) {
    // Only its effect matters (see TrackedWrite.claim); the delete below reports the outcome.
    const claimed = await http
      .request('POST', write.claim.path, { json: write.claim.json })
      .catch(() => undefined);
    // The repeat won, so the original is still on its way. Deleting at once would free the
    // code for it to land after all; while the repeat's link exists it fails as a duplicate.
    if (claimed && claimed.status >= 200 && claimed.status < 300) {
      await sleep(CLAIM_SETTLE_MS, undefined, { signal }).catch(() => undefined);
    }
  }
  let last = 'no attempt';
  for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(RETRY_DELAY_MS * (attempt - 1), undefined, { signal });
    try {
      const answer = await http.request('DELETE', write.deletePath);
      if (answer.status === 204 || answer.status === 404) return undefined;
      last = `${answer.request}: expected 204 or 404, got ${answer.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
  }
  return `${write.label} (${last})`;
}
