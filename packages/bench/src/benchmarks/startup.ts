import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { serviceEntryPoint, terminate } from '@appdist/local-stack/stack';
import getPort from 'get-port';
import { startBenchStack } from '../app-stack.js';
import { atMost, type BenchmarkResult, figure } from '../report.js';
import { benchScript } from '../repository.js';
import { median } from '../stats.js';

// Often enough that polling adds at most this much to a measured start.
const POLL_INTERVAL_MS = 5;
const READY_TIMEOUT_MS = 30_000;

export interface StartupOptions {
  runs: number;
}

/** Milliseconds from spawning `node <script>` until GET /readyz answers 200; then stops it. */
export async function timeToReady(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<number> {
  const port = await getPort({ host: '127.0.0.1' });
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], {
    // No profiler or other flags of this shell: what a container runs.
    env: { ...env, HOST: '127.0.0.1', PORT: String(port), NODE_OPTIONS: '' },
    // Production writes logs to stdout for the container runtime; here nobody reads them.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const url = `http://127.0.0.1:${port}/readyz`;
    while (performance.now() - started < READY_TIMEOUT_MS) {
      if (child.exitCode !== null)
        throw new Error(`${script} exited with ${child.exitCode} before it was ready`);
      const ready = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status === 200;
        },
        () => false,
      );
      if (ready) return performance.now() - started;
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
  const times: Record<string, number[]> = Object.fromEntries(
    ['baseline', ...SERVICE_NAMES].map((name) => [name, []]),
  );
  const deps = await startBenchStack();
  try {
    for (let run = 0; run < options.runs; run++) {
      // One of each per round, so a busy moment of the machine does not land on one service only.
      times.baseline?.push(await timeToReady(benchScript('bare-chain-server.js'), ['cache'], {}));
      for (const name of SERVICE_NAMES) {
        // Configured as the stack configures its own process, pointed at the same dependencies.
        const env = deps.stack.environment(name);
        times[name]?.push(await timeToReady(serviceEntryPoint(name), [], env));
      }
    }
  } finally {
    await deps.stop();
  }
  const baseline = median(times.baseline ?? []);
  const medians = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, median(times[name] ?? [])]),
  );
  return {
    name: 'startup',
    title: '4. Start-up',
    ours: `process start to GET /readyz 200 for each service, dependencies up (PostgreSQL, Redis, the services it calls), LOG_LEVEL=info; median of ${options.runs}`,
    baseline: 'a bare node:http process answering 200 (Node’s own start)',
    figures: SERVICE_NAMES.map((name) => figure(name, 'ms', medians[name] ?? Number.NaN, baseline)),
    targets: SERVICE_NAMES.map((name) =>
      atMost(`${name} ≤ 500 ms`, medians[name] ?? Number.NaN, 500),
    ),
    notes: [
      `readiness polled every ${POLL_INTERVAL_MS} ms; the database service finds its schema migrated (a restart)`,
    ],
    details: { settings: options, times },
  };
}
