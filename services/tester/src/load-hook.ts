import type { Express } from 'express';
import type { LoadJobs } from './load-jobs.js';
import { type LoadLimits, loadSpecParser } from './load-spec.js';

/**
 * `POST /hooks/load`: answers 202 at once (a rollout hook must return well within its
 * timeout, every analysis tick) and runs the load in the background; `GET /loads` lists it.
 */
export function loadHook(app: Express, jobs: LoadJobs, limits: LoadLimits): void {
  const parseLoadSpec = loadSpecParser(limits);
  app.post('/hooks/load', (req, res) => {
    const spec = parseLoadSpec(req.body);
    const outcome = jobs.start(spec);
    const { job } = outcome;
    const message =
      outcome.status === 'already_running'
        ? `load for ${job.canary} at checksum ${JSON.stringify(job.checksum)} is already running ` +
          `until ${job.endsAt}; not started again`
        : `load started: ${job.rps} rps against ${job.method} ${job.target} until ${job.endsAt}` +
          (outcome.replaced.length > 0
            ? `, replacing checksum ${outcome.replaced.join(', ')}`
            : '');
    res.status(202).json({ ...outcome, message });
  });

  app.get('/loads', (_req, res) => {
    res.json({ jobs: jobs.list() });
  });
}
