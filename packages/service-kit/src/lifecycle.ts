/**
 * Per-instance lifecycle state. Kept in the app instance, never in module globals,
 * so several apps in one process (as in tests) do not share readiness.
 */
export class Lifecycle {
  #shuttingDown = false;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  requestStarted(): void {
    this.#inFlight += 1;
  }

  requestFinished(): void {
    this.#inFlight -= 1;
    if (this.#inFlight === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Resolves once no request is in flight, or after timeoutMs; true if it drained. */
  waitForIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
