import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { terminate } from '@appdist/local-stack/stack';
import getPort from 'get-port';

// Often enough that polling adds at most this much to a measured start.
export const POLL_INTERVAL_MS = 5;
const READY_TIMEOUT_MS = 30_000;

/**
 * `node <script> <args>` on a free PORT, once GET /readyz answers 200 (readyMs after the spawn);
 * stopped if it never does.
 */
export async function startReady(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; port: number; readyMs: number }> {
  const port = await getPort({ host: '127.0.0.1' });
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], {
    // No profiler or other flags of this shell: what a container runs.
    env: { ...env, HOST: '127.0.0.1', PORT: String(port), NODE_OPTIONS: '' },
    // Production writes logs to stdout for the container runtime; here nobody reads them.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ready = () =>
    fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
  try {
    while (performance.now() - started < READY_TIMEOUT_MS) {
      if (child.exitCode !== null)
        throw new Error(`exited with ${child.exitCode} before it was ready`);
      if (await ready()) return { child, port, readyMs: performance.now() - started };
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(`not ready within ${READY_TIMEOUT_MS} ms`);
  } catch (error) {
    await terminate(child);
    throw new Error(`${script} ${args.join(' ')}: ${(error as Error).message}`);
  }
}
