import { startBenchStack } from '../app-stack.js';
import { startBareChain } from '../bare-chain.js';
import { unexpectedAnswers } from '../load.js';
import {
  alternation,
  cpuByProcess,
  cpuMicrosPerRequest,
  type LoadSettings,
  loadFigures,
  measureLoad,
  medianOf,
  type Runs,
} from '../measure.js';
import {
  atLeast,
  atMost,
  type BenchmarkResult,
  figure,
  formatCount,
  formatNumber,
} from '../report.js';

export interface RedirectOptions extends LoadSettings {
  /** Write V8 CPU profiles of frontend, backend and cache here (`--cpu-prof`). */
  profileDir?: string;
}

const CODE = 'bench-redirect';
const TARGET = 'https://example.com/';
// The redirect chain, on purpose: the services a redirect passes, profiled and measured.
const SERVICES = ['frontend', 'backend', 'cache'] as const;

async function createWarmLink(frontend: string, cache: string): Promise<void> {
  const created = await fetch(`${frontend}/api/links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: TARGET, code: CODE }),
  });
  if (created.status !== 201) throw new Error(`creating the link answered ${created.status}`);
  // The first redirect reads the database and fills the cache in the background.
  const first = await fetch(`${frontend}/${CODE}`, { redirect: 'manual' });
  if (first.status !== 302) throw new Error(`GET /${CODE} answered ${first.status}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const cached = await fetch(`${cache}/v1/keys/${encodeURIComponent(`link:${CODE}`)}`);
    if (cached.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the link never reached the cache');
}

/**
 * GET /:code through frontend → backend → cache (a warm key) against three bare node:http
 * processes doing the same forwarding.
 */
export async function redirectBenchmark(options: RedirectOptions): Promise<BenchmarkResult> {
  const { profileDir } = options;
  const app = await startBenchStack(
    Object.fromEntries(
      SERVICES.map((name) => [
        name,
        profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}/${name}` } : {},
      ]),
    ),
  );
  const runs: Runs = { ours: [], baseline: [] };
  try {
    const chain = await startBareChain();
    try {
      await createWarmLink(app.stack.urls.frontend, app.stack.urls.cache);
      const bare = await fetch(`${chain.url}/${CODE}`, { redirect: 'manual' });
      if (bare.status !== 302) throw new Error(`the bare chain answered ${bare.status}`);
      const ourPids = Object.fromEntries(SERVICES.map((name) => [name, app.pid(name)]));
      for (const side of alternation(options.rounds)) {
        const [url, pids] =
          side === 'ours' ? [app.stack.urls.frontend, ourPids] : [chain.url, chain.pids];
        runs[side].push(await measureLoad({ url: `${url}/${CODE}` }, options, pids));
      }
    } finally {
      await chain.stop();
    }
  } finally {
    await app.stop();
  }

  const [throughput, , p99] = loadFigures(runs);
  const failed = runs.ours.reduce((sum, run) => sum + unexpectedAnswers(run.stats, 302), 0);
  const generatorShare = medianOf(
    runs.ours,
    (run) => run.loadGeneratorCpuMs / (run.stats.durationSeconds * 1000),
  );
  return {
    name: 'redirect',
    title: '1. Redirect hot path',
    ours: `GET /:code, frontend → backend → cache → Redis (warm key), processes at LOG_LEVEL=info; ${options.connections} connections, ${options.durationSeconds} s after ${options.warmupSeconds} s warm-up, ${options.rounds} round(s)`,
    baseline:
      'three bare node:http processes forwarding the same way with keep-alive (the last answers a fixed JSON url)',
    figures: [
      ...loadFigures(runs),
      figure(
        'CPU per request',
        'µs',
        medianOf(runs.ours, cpuMicrosPerRequest),
        medianOf(runs.baseline, cpuMicrosPerRequest),
      ),
    ],
    targets: [
      atLeast('requests/s ratio ≥ 0.5', throughput?.ratio ?? Number.NaN, 0.5),
      atMost('p99 ≤ 2× baseline p99', p99?.ratio ?? Number.NaN, 2),
      atMost('no request failed or answered other than 302', failed, 0, formatCount),
    ],
    notes: [
      `${cpuByProcess(runs.ours, SERVICES)}; Redis not included (shared server)`,
      `the load generator (autocannon, this process) used ${formatNumber(generatorShare * 100)} % of one core on the same machine`,
      ...(profileDir ? [`CPU profiling was on (--cpu-prof): profiles in ${profileDir}`] : []),
    ],
    details: { settings: options, runs },
  };
}
