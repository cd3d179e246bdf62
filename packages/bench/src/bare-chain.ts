import { type ListeningChild, spawnListening } from './child.js';
import { benchScript } from './repository.js';

export interface BareChain {
  /** The frontend-like hop: GET /<code> answers 302. */
  url: string;
  pids: Record<'frontend' | 'backend' | 'cache', number>;
  stop(): Promise<void>;
}

/** The redirect baseline: three node:http processes, cache-like first, each calling the next. */
export async function startBareChain(): Promise<BareChain> {
  const script = benchScript('bare-chain-server.js');
  const started: ListeningChild[] = [];
  try {
    const cache = await spawnListening(script, ['cache']);
    started.push(cache);
    const backend = await spawnListening(script, ['backend', String(cache.port)]);
    started.push(backend);
    const frontend = await spawnListening(script, ['frontend', String(backend.port)]);
    started.push(frontend);
    return {
      url: frontend.url,
      pids: { frontend: frontend.pid, backend: backend.pid, cache: cache.pid },
      stop: async () => {
        await Promise.all(started.map((process) => process.stop()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((process) => process.stop()));
    throw error;
  }
}
