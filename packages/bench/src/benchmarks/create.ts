import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pidsOf, startBenchStack } from '../app-stack.js';
import { httpLoad, type LoadStats, unexpectedAnswers } from '../load.js';
import {
  cpuByProcess,
  cpuMicrosPerRequest,
  describeLoad,
  type LoadSettings,
  loadFigures,
  measureRounds,
  type Runs,
} from '../measure.js';
import { atMost, type BenchmarkResult, figure, formatCount } from '../report.js';
import { median, percentile } from '../stats.js';

// The database service's defaults (DATABASE_POOL_MAX), so both sides reach PostgreSQL alike.
const POOL_MAX = 10;
const INSERT =
  'INSERT INTO links (code, url) VALUES ($1, $2) RETURNING id, code, url, created_at, clicks';
const URL_TO_SHORTEN = 'https://example.com/created-by-the-benchmark';
// The chain a create takes, on purpose: the services whose CPU it costs.
const SERVICES = ['frontend', 'backend', 'database'] as const;

/**
 * `connections` callers, each issuing the database service's INSERT as soon as its previous one
 * returned, on a pg pool like the service's, for durationSeconds. Shaped like autocannon's stats.
 */
async function insertLoad(pool: pg.Pool, connections: number, seconds: number): Promise<LoadStats> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const caller = async () => {
    while (performance.now() < started + seconds * 1000) {
      const sent = performance.now();
      // Seven random base64url characters, as long as the backend's generated codes.
      const code = randomBytes(6).toString('base64url').slice(0, 7);
      await pool.query(INSERT, [code, URL_TO_SHORTEN]).then(
        () => latencies.push(performance.now() - sent),
        () => errors++,
      );
    }
  };
  await Promise.all(Array.from({ length: connections }, caller));
  const durationSeconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    durationSeconds,
    latencyP50: percentile(latencies, 50),
    latencyP99: percentile(latencies, 99),
    errors,
    statuses: {},
  };
}

/** POST /api/links through frontend → backend → database → PostgreSQL, against the bare INSERT with pg. */
export async function createBenchmark(
  options: LoadSettings,
  databaseUrl: string,
): Promise<BenchmarkResult> {
  const stack = await startBenchStack(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_MAX });
  let runs: Runs;
  try {
    // The benchmark database persists across runs: each starts on an empty table, as the last did.
    await pool.query('TRUNCATE links');
    // No code: the backend generates one, so every request creates a new link.
    const request = {
      url: `${stack.urls.frontend}/api/links`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: URL_TO_SHORTEN }),
    };
    runs = await measureRounds(options, {
      ours: { load: httpLoad(request, options.connections), pids: pidsOf(stack, SERVICES) },
      baseline: { load: (seconds) => insertLoad(pool, options.connections, seconds) },
    });
  } finally {
    await pool.end();
    await stack.stop();
  }

  // The baseline has no statuses: its unexpected answers are its failed INSERTs.
  const failed = unexpectedAnswers([...runs.ours, ...runs.baseline], 201);
  return {
    name: 'create',
    title: '2. Create path',
    ours: `POST /api/links, frontend → backend → database → PostgreSQL (pool of ${POOL_MAX}), processes at LOG_LEVEL=info; ${describeLoad(options)}`,
    baseline: `the database service's INSERT … RETURNING issued directly with pg from ${options.connections} concurrent callers on a pool of ${POOL_MAX}`,
    figures: [
      ...loadFigures(runs),
      figure(
        'CPU per request, our three processes',
        'µs',
        median(runs.ours.map(cpuMicrosPerRequest)),
      ),
    ],
    targets: [atMost('no request failed or answered other than 201', failed, 0, formatCount)],
    notes: [
      `${cpuByProcess(runs.ours, SERVICES)}; PostgreSQL not included`,
      'both sides write to the same links table, emptied when the benchmark starts, which grows during the run',
    ],
    details: { settings: options, runs },
  };
}
