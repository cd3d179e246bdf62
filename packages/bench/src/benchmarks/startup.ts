import { SERVICE_NAMES } from '@appdist/catalogue';
import { serviceEntryPoint, terminate } from '@appdist/local-stack/stack';
import { POLL_INTERVAL_MS, startBenchStack, startNode } from '../app-stack.js';
import { atMost, type BenchmarkResult, figure } from '../report.js';
import { benchScript } from '../repository.js';
import { median } from '../stats.js';

/** Milliseconds from spawning `node <script>` until GET /readyz answers 200; then stops it. */
async function timeToReady(script: string, args: string[], env?: Record<string, string>) {
  const { child, readyMs } = await startNode(script, args, env);
  await terminate(child);
  return readyMs;
}

/**
 * Process start to /readyz 200 for each service, with its dependencies up (PostgreSQL, Redis,
 * and for backend and frontend the services they call), against a bare node:http process.
 */
export async function startupBenchmark(
  options: { runs: number },
  databaseUrl: string,
): Promise<BenchmarkResult> {
  const times: Record<string, number[]> = Object.fromEntries(
    ['baseline', ...SERVICE_NAMES].map((name) => [name, []]),
  );
  const deps = await startBenchStack(databaseUrl);
  try {
    for (let run = 0; run < options.runs; run++) {
      // One of each per round, so a busy moment of the machine does not land on one service only.
      times.baseline?.push(await timeToReady(benchScript('bare-chain-server.js'), ['cache']));
      for (const name of SERVICE_NAMES) {
        // Configured as the stack configures its own process, pointed at the same dependencies.
        const env = deps.environment(name);
        times[name]?.push(await timeToReady(serviceEntryPoint(name), [], env));
      }
    }
  } finally {
    await deps.stop();
  }
  const ms = (name: string) => median(times[name] ?? []);
  return {
    name: 'startup',
    title: '4. Start-up',
    ours: `process start to GET /readyz 200 for each service, dependencies up (PostgreSQL, Redis, the services it calls), LOG_LEVEL=info; median of ${options.runs}`,
    baseline: 'a bare node:http process answering 200 (Node’s own start)',
    figures: SERVICE_NAMES.map((name) => figure(name, 'ms', ms(name), ms('baseline'))),
    targets: SERVICE_NAMES.map((name) => atMost(`${name} ≤ 500 ms`, ms(name), 500)),
    notes: [
      `readiness polled every ${POLL_INTERVAL_MS} ms; the database service finds its schema migrated (a restart)`,
    ],
    details: { settings: options, times },
  };
}
