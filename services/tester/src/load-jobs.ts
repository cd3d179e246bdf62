import { HttpError, ServiceUnavailableError } from '@appdist/service-kit/errors';
import type { Logger } from '@appdist/service-kit/logger';
import { LoadJob, type LoadJobStatus } from './load-job.js';
import type { LoadSpec } from './load-spec.js';
import type { TesterMetrics } from './tester-metrics.js';

export interface LoadJobsOptions {
  maxJobs: number;
  requestTimeoutMs: number;
  metrics: TesterMetrics;
  logger: Logger;
}

export type StartOutcome =
  | { status: 'started'; job: LoadJobStatus; replaced: string[] }
  | { status: 'already_running'; job: LoadJobStatus };

/**
 * The running load jobs. Flagger calls a rollout hook on every analysis tick, so a call for a
 * revision whose load still runs must not stack a second job; a new revision (checksum) of
 * the same canary replaces its jobs, whose target revision is gone.
 */
export class LoadJobs {
  readonly #jobs = new Map<string, LoadJob>();
  /** Every job not done yet, also replaced or draining ones no longer listed: close() stops them all. */
  readonly #unfinished = new Set<LoadJob>();
  readonly #options: LoadJobsOptions;
  #closed = false;

  constructor(options: LoadJobsOptions) {
    this.#options = options;
  }

  /** Synchronous on purpose: two calls for one revision can never both start a job. */
  start(spec: LoadSpec): StartOutcome {
    if (this.#closed) throw new ServiceUnavailableError('the tester is shutting down');
    const key = jobKey(spec);
    const current = this.#jobs.get(key);
    if (current?.sending) return { status: 'already_running', job: current.status() };
    // Done sending, only waiting for its last answers: the next run of the same hook takes over.
    if (current) this.#jobs.delete(key);

    const outdated = [...this.#jobs.entries()].filter(
      ([, job]) => job.spec.canary === spec.canary && job.spec.checksum !== spec.checksum,
    );
    for (const [outdatedKey, job] of outdated) {
      this.#jobs.delete(outdatedKey);
      void job.stop();
    }
    this.#updateGauge();

    if (this.#jobs.size >= this.#options.maxJobs) {
      throw new HttpError(
        429,
        'too_many_load_jobs',
        `${this.#jobs.size} load jobs are running, the most LOAD_MAX_JOBS allows; ` +
          `load for ${spec.canary} was not started`,
      );
    }
    const job = new LoadJob({
      spec,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      metrics: this.#options.metrics,
    });
    this.#jobs.set(key, job);
    this.#unfinished.add(job);
    this.#updateGauge();
    const replaced = [...new Set(outdated.map(([, old]) => old.spec.checksum))];
    this.#options.logger.info(
      { ...summary(job), maxInFlight: job.maxInFlight, replaced },
      'load job started',
    );
    void job.done.then(() => {
      this.#unfinished.delete(job);
      if (this.#jobs.get(key) === job) this.#jobs.delete(key);
      this.#updateGauge();
      this.#options.logger.info(summary(job), 'load job ended');
    });
    return { status: 'started', job: job.status(), replaced };
  }

  list(): LoadJobStatus[] {
    return [...this.#jobs.values()].map((job) => job.status());
  }

  /** Stops every job; later calls to start() answer 503. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#jobs.clear();
    this.#updateGauge();
    await Promise.all([...this.#unfinished].map((job) => job.stop()));
  }

  #updateGauge(): void {
    this.#options.metrics.loadJobs.set(this.#jobs.size);
  }
}

/**
 * One job per canary, revision and request shape: Flagger repeats the same hook each tick
 * (same key), while two load hooks of one canary (say `/` and `/api/links`) run side by side.
 */
function jobKey(spec: LoadSpec): string {
  const headers = Object.entries(spec.headers).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([spec.canary, spec.checksum, spec.method, spec.target.href, headers]);
}

function summary(job: LoadJob): Omit<LoadJobStatus, 'inFlight'> {
  const { inFlight: _inFlight, ...rest } = job.status();
  return rest;
}
