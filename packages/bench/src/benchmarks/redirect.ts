import { terminate } from '@appdist/local-stack/stack';
import { pidsOf, startBenchStack, startNode } from '../app-stack.js';
import { httpLoad, unexpectedAnswers } from '../load.js';
import {
  cpuByProcess,
  cpuMicrosPerRequest,
  describeLoad,
  type LoadSettings,
  loadFigures,
  measureRounds,
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
import { benchScript } from '../repository.js';
import { median } from '../stats.js';

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
  // 409: an earlier run on the same database created it.
  if (created.status !== 201 && created.status !== 409) {
    throw new Error(`creating the link answered ${created.status}`);
  }
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

/** The baseline: three bare-chain-server.js processes, cache-like first, each calling the next. */
async function startBareChain() {
  const roles = [...SERVICES].reverse();
  const hops: Awaited<ReturnType<typeof startNode>>[] = [];
  const stop = () => Promise.all(hops.map((hop) => terminate(hop.child)));
  try {
    for (const role of roles) {
      const upstream = hops.at(-1)?.port;
      const args = upstream === undefined ? [role] : [role, String(upstream)];
      hops.push(await startNode(benchScript('bare-chain-server.js'), args));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const pids = Object.fromEntries(hops.map((hop, index) => [roles[index], hop.child.pid]));
  return {
    url: `http://127.0.0.1:${hops.at(-1)?.port}`,
    pids: pids as Record<string, number>,
    stop,
  };
}

/**
 * GET /:code through frontend → backend → cache (a warm key) against three bare node:http
 * processes doing the same forwarding.
 */
export async function redirectBenchmark(
  /** profileDir: write V8 CPU profiles of frontend, backend and cache there (`--cpu-prof`). */
  options: LoadSettings & { profileDir?: string },
  databaseUrl: string,
): Promise<BenchmarkResult> {
  const { profileDir } = options;
  const stack = await startBenchStack(
    databaseUrl,
    Object.fromEntries(
      SERVICES.map((name) => [
        name,
        profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}/${name}` } : {},
      ]),
    ),
  );
  let runs: Runs;
  try {
    const chain = await startBareChain();
    try {
      await createWarmLink(stack.urls.frontend, stack.urls.cache);
      const bare = await fetch(`${chain.url}/${CODE}`, { redirect: 'manual' });
      if (bare.status !== 302) throw new Error(`the bare chain answered ${bare.status}`);
      const redirects = (url: string) => httpLoad({ url: `${url}/${CODE}` }, options.connections);
      runs = await measureRounds(options, {
        ours: { load: redirects(stack.urls.frontend), pids: pidsOf(stack, SERVICES) },
        baseline: { load: redirects(chain.url), pids: chain.pids },
      });
    } finally {
      await chain.stop();
    }
  } finally {
    await stack.stop();
  }

  const load = loadFigures(runs);
  const [throughput, , p99] = load;
  const generatorShare = median(
    runs.ours.map((run) => run.loadGeneratorCpuMs / (run.stats.durationSeconds * 1000)),
  );
  return {
    name: 'redirect',
    title: '1. Redirect hot path',
    ours: `GET /:code, frontend → backend → cache → Redis (warm key), processes at LOG_LEVEL=info; ${describeLoad(options)}`,
    baseline:
      'three bare node:http processes forwarding the same way with keep-alive (the last answers a fixed JSON url)',
    figures: [
      ...load,
      figure(
        'CPU per request',
        'µs',
        median(runs.ours.map(cpuMicrosPerRequest)),
        median(runs.baseline.map(cpuMicrosPerRequest)),
      ),
    ],
    targets: [
      atLeast('requests/s ratio ≥ 0.5', throughput?.ratio ?? Number.NaN, 0.5),
      atMost('p99 ≤ 2× baseline p99', p99?.ratio ?? Number.NaN, 2),
      atMost(
        'no request failed or answered other than 302',
        unexpectedAnswers(runs.ours, 302),
        0,
        formatCount,
      ),
    ],
    notes: [
      `${cpuByProcess(runs.ours, SERVICES)}; Redis not included (shared server)`,
      `the load generator (autocannon, this process) used ${formatNumber(generatorShare * 100)} % of one core on the same machine`,
      // V8's own format: Chrome DevTools, VS Code and speedscope show self time by function.
      ...(profileDir ? [`CPU profiling was on: --cpu-prof profiles in ${profileDir}`] : []),
    ],
    details: { settings: options, runs },
  };
}
