import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { terminate } from '@appdist/local-stack/stack';
import { benchScript } from './repository.js';

export interface BareChain {
  /** The frontend-like hop: GET /<code> answers 302. */
  url: string;
  pids: Record<'frontend' | 'backend' | 'cache', number>;
  stop(): Promise<void>;
}

/** The redirect baseline: three node:http processes, cache-like first, each calling the next. */
export async function startBareChain(): Promise<BareChain> {
  const started: { pid: number; port: number; stop(): Promise<void> }[] = [];
  const stop = async () => {
    await Promise.all(started.map((hop) => hop.stop()));
  };
  try {
    for (const role of ['cache', 'backend', 'frontend']) {
      const upstream = started.at(-1);
      started.push(await startHop(upstream ? [role, String(upstream.port)] : [role]));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const [cache, backend, frontend] = started.map((hop) => hop.pid) as [number, number, number];
  return { url: `http://127.0.0.1:${started[2]?.port}`, pids: { frontend, backend, cache }, stop };
}

/** `node bare-chain-server.js <role> [upstream port]`, once it has printed `listening <port>`. */
async function startHop(args: string[]) {
  const child = spawn(process.execPath, [benchScript('bare-chain-server.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const listening = async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      const match = /^listening (\d+)$/.exec(line);
      if (match) return Number(match[1]);
    }
    return undefined;
  };
  const port = await Promise.race([
    listening(),
    once(child, 'exit').then(() => undefined),
    sleep(10_000, undefined, { ref: false }),
  ]);
  if (port === undefined || child.pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`bare-chain-server.js ${args.join(' ')} did not listen within 10 s`);
  }
  return { pid: child.pid, port, stop: () => terminate(child) };
}
