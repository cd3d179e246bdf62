import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startBenchStack } from '../app-stack.js';
import { type LoadStats, unexpectedAnswers } from '../load.js';
import {
  alternation,
  cpuMicrosPerRequest,
  type LoadSettings,
  type MeasuredLoad,
  measureLoad,
  medianOf,
} from '../measure.js';
import { atMost, type BenchmarkResult, figure, formatCount, formatNumber } from '../report.js';
import { percentile } from '../stats.js';

// The database service's defaults (DATABASE_POOL_MAX), so both sides reach PostgreSQL alike.
const POOL_MAX = 10;
const INSERT =
  'INSERT INTO links (code, url) VALUES ($1, $2) RETURNING id, code, url, created_at, clicks';
const URL_TO_SHORTEN = 'https://example.com/created-by-the-benchmark';
const SERVICES = ['frontend', 'backend', 'database'] as const;

/**
 * `connections` callers, each issuing the database service's INSERT as soon as its previous one
 * returned, on a pg pool like the service's, for durationSeconds. Shaped like autocannon's stats.
 */
async function insertLoad(
  pool: pg.Pool,
  connections: number,
  durationSeconds: number,
): Promise<LoadStats> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  const caller = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        // Seven random base64url characters, as long as the backend's generated codes.
        await pool.query(INSERT, [
          randomBytes(6).toString('base64url').slice(0, 7),
          URL_TO_SHORTEN,
        ]);
        latencies.push(performance.now() - sent);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, caller));
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    durationSeconds: seconds,
    requestsPerSecond: latencies.length / seconds,
    latencyP50: percentile(latencies, 50),
    latencyP99: percentile(latencies, 99),
    latencyMean: latencies.reduce((sum, ms) => sum + ms, 0) / Math.max(latencies.length, 1),
    errors,
    statuses: {},
  };
}

/** POST /api/links through frontend → backend → database → PostgreSQL, against the bare INSERT with pg. */
export async function createBenchmark(options: LoadSettings): Promise<BenchmarkResult> {
  const app = await startBenchStack();
  const runs: Record<'ours' | 'baseline', MeasuredLoad[]> = { ours: [], baseline: [] };
  try {
    const pool = new pg.Pool({ connectionString: app.databaseUrl, max: POOL_MAX });
    try {
      const ourPids = Object.fromEntries(SERVICES.map((name) => [name, app.pid(name)]));
      for (const side of alternation(options.rounds)) {
        if (side === 'ours') {
          runs.ours.push(
            await measureLoad(
              {
                url: `${app.stack.urls.frontend}/api/links`,
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                // No code: the backend generates one, so every request creates a new link.
                body: JSON.stringify({ url: URL_TO_SHORTEN }),
              },
              options,
              ourPids,
            ),
          );
          continue;
        }
        if (options.warmupSeconds > 0)
          await insertLoad(pool, options.connections, options.warmupSeconds);
        const selfBefore = process.cpuUsage();
        const stats = await insertLoad(pool, options.connections, options.durationSeconds);
        const self = process.cpuUsage(selfBefore);
        runs.baseline.push({
          stats,
          cpuMs: {},
          loadGeneratorCpuMs: (self.user + self.system) / 1000,
        });
      }
    } finally {
      await pool.end();
    }
  } finally {
    await app.stop();
  }

  const pick = (side: 'ours' | 'baseline', f: (run: MeasuredLoad) => number) =>
    medianOf(runs[side], f);
  const rps = (run: MeasuredLoad) => run.stats.requestsPerSecond;
  const failed = runs.ours.reduce((sum, run) => sum + unexpectedAnswers(run.stats, 201), 0);
  const baselineErrors = runs.baseline.reduce((sum, run) => sum + run.stats.errors, 0);
  return {
    name: 'create',
    title: '2. Create path',
    ours: `POST /api/links, frontend → backend → database → PostgreSQL (pool of ${POOL_MAX}), processes at LOG_LEVEL=info; ${options.connections} connections, ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, ${options.rounds} round(s)`,
    baseline: `the database service's INSERT … RETURNING issued directly with pg from ${options.connections} concurrent callers on a pool of ${POOL_MAX}`,
    figures: [
      figure('requests/s', '', pick('ours', rps), pick('baseline', rps)),
      figure(
        'latency p50',
        'ms',
        pick('ours', (run) => run.stats.latencyP50),
        pick('baseline', (run) => run.stats.latencyP50),
      ),
      figure(
        'latency p99',
        'ms',
        pick('ours', (run) => run.stats.latencyP99),
        pick('baseline', (run) => run.stats.latencyP99),
      ),
      figure('CPU per request, our three processes', 'µs', pick('ours', cpuMicrosPerRequest)),
    ],
    targets: [
      atMost(
        'no request failed or answered other than 201',
        failed + baselineErrors,
        0,
        formatCount,
      ),
    ],
    notes: [
      `CPU per request of ours by process (µs): ${SERVICES.map((name) => `${name} ${formatNumber(pick('ours', (run) => ((run.cpuMs[name] ?? 0) * 1000) / run.stats.requests))}`).join(', ')}; PostgreSQL not included`,
      'both sides write to the same table of this run’s database, which grows during the run',
    ],
    details: { settings: options, runs },
  };
}
