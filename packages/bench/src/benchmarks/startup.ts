import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServiceName, serviceEntryPoint, terminate } from '@appdist/local-stack/stack';
import { freePort } from '@appdist/testing/ports';
import { type BenchStack, startBenchStack } from '../app-stack.js';
import { atMost, type BenchmarkResult, figure } from '../report.js';
import { benchScript } from '../repository.js';
import { median } from '../stats.js';

const SERVICES = ['database', 'cache', 'backend', 'frontend', 'tester'] as const;
// Often enough that polling adds at most this much to a measured start.
const POLL_INTERVAL_MS = 5;
const READY_TIMEOUT_MS = 30_000;

export interface StartupOptions {
  runs: number;
}

/** Variables of this shell that must not reach a service started here (as local-stack does). */
function cleanEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value === undefined ||
      ['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST', 'NODE_OPTIONS'].includes(key)
    )
      continue;
    env[key] = value;
  }
  return env;
}

/** What each service needs to become ready, pointed at the dependencies already running. */
function serviceEnvironment(name: ServiceName, deps: BenchStack): Record<string, string> {
  switch (name) {
    case 'database':
      return { DATABASE_URL: deps.databaseUrl };
    case 'cache':
      return { REDIS_URL: deps.redisUrl, REDIS_KEY_PREFIX: deps.redisKeyPrefix };
    case 'backend':
      return {
        CACHE_SERVICE_URL: deps.stack.urls.cache,
        DATABASE_SERVICE_URL: deps.stack.urls.database,
      };
    case 'frontend':
      return { BACKEND_URL: deps.stack.urls.backend };
    case 'tester':
      return { REDIS_URL: deps.redisUrl, REDIS_KEY_PREFIX: `${deps.redisKeyPrefix}tester:` };
  }
}

async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Milliseconds from spawning `node <script>` until GET /readyz answers 200; then stops it. */
export async function timeToReady(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [script, ...args], {
    env: {
      ...cleanEnvironment(),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      SHUTDOWN_DELAY_MS: '0',
      ...env,
    },
    // Production writes logs to stdout for the container runtime; here nobody reads them.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const url = `http://127.0.0.1:${port}/readyz`;
    while (performance.now() - started < READY_TIMEOUT_MS) {
      if (child.exitCode !== null)
        throw new Error(`${script} exited with ${child.exitCode} before it was ready`);
      if (await answers200(url)) return performance.now() - started;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`${script} was not ready within ${READY_TIMEOUT_MS} ms`);
  } finally {
    await terminate(child);
  }
}

/**
 * Process start to /readyz 200 for each service, with its dependencies up (PostgreSQL, Redis,
 * and for backend and frontend the services they call), against a bare node:http process.
 */
export async function startupBenchmark(options: StartupOptions): Promise<BenchmarkResult> {
  const times: Record<string, number[]> = { baseline: [] };
  const deps = await startBenchStack();
  try {
    for (let run = 0; run < options.runs; run++) {
      // One of each per round, so a busy moment of the machine does not land on one service only.
      times.baseline?.push(await timeToReady(benchScript('bare-chain-server.js'), ['cache'], {}));
      for (const name of SERVICES) {
        const list = times[name] ?? [];
        list.push(await timeToReady(serviceEntryPoint(name), [], serviceEnvironment(name, deps)));
        times[name] = list;
      }
    }
  } finally {
    await deps.stop();
  }
  const baseline = median(times.baseline ?? []);
  const medians = Object.fromEntries(SERVICES.map((name) => [name, median(times[name] ?? [])]));
  return {
    name: 'startup',
    title: '4. Start-up',
    ours: `process start to GET /readyz 200 for each service, dependencies up (PostgreSQL, Redis, the services it calls), LOG_LEVEL=info; median of ${options.runs}`,
    baseline: 'a bare node:http process answering 200 (Node’s own start)',
    figures: SERVICES.map((name) => figure(name, 'ms', medians[name] ?? Number.NaN, baseline)),
    targets: SERVICES.map((name) => atMost(`${name} ≤ 500 ms`, medians[name] ?? Number.NaN, 500)),
    notes: [
      `readiness polled every ${POLL_INTERVAL_MS} ms; the database service finds its schema migrated (a restart)`,
    ],
    details: { settings: options, times },
  };
}
