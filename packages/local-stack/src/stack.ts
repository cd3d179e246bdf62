import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@appdist/testing/ports';

export const SERVICE_NAMES = ['database', 'cache', 'backend', 'frontend', 'tester'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

// Started in this order (each waits for the ones before it to be ready) and stopped in reverse.
const START_ORDER: readonly (readonly ServiceName[])[] = [
  ['database', 'cache', 'tester'],
  ['backend'],
  ['frontend'],
];

export interface LocalStackOptions {
  /** Frontend port; backend, cache and database take the next three, the tester base + 10. Default 8080. */
  basePort?: number;
  /** Ports per service, overriding basePort (tests pass free ports). */
  ports?: Partial<Record<ServiceName, number>>;
  /** PostgreSQL for the database service; unset: embedded PGlite under embeddedDataDir. */
  databaseUrl?: string;
  embeddedDataDir?: string;
  /** Redis for the cache service; unset: its in-process store. */
  redisUrl?: string;
  redisKeyPrefix?: string;
  logLevel?: string;
  /** Extra environment per service, e.g. FAULT_ERROR_RATE for one of them. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Receives each log line a service writes (stdout and stderr). */
  onLog?: (service: ServiceName, line: string) => void;
  readyTimeoutMs?: number;
  /**
   * Each service in a process group of its own (npm start): Ctrl-C in a terminal signals the
   * whole foreground group, which would drain every service at once, while the stack stops them
   * in order. Off by default, so a test runner killed mid-run takes its services along.
   */
  detached?: boolean;
}

export interface ServiceProcess {
  name: ServiceName;
  url: string;
  child: ChildProcess;
}

export interface LocalStack {
  urls: Record<ServiceName, string>;
  services: Map<ServiceName, ServiceProcess>;
  /** SIGTERM to one service (it drains as in Kubernetes), then a new process with optional extra env. */
  restart(name: ServiceName, env?: Record<string, string>): Promise<void>;
  /** Stops every service, frontend first; SIGKILL for any that has not exited within the timeout. */
  stop(): Promise<void>;
}

/** A free port for every service, for runs beside other stacks (tests, the local end-to-end run). */
export async function freeServicePorts(): Promise<Record<ServiceName, number>> {
  const entries = [];
  for (const name of SERVICE_NAMES) entries.push([name, await freePort()] as const);
  return Object.fromEntries(entries) as Record<ServiceName, number>;
}

export function serviceEntryPoint(name: ServiceName): string {
  return fileURLToPath(import.meta.resolve(`@appdist/${name}/main`));
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const base = options.basePort ?? 8080;
  const ports: Record<ServiceName, number> = {
    frontend: options.ports?.frontend ?? base,
    backend: options.ports?.backend ?? base + 1,
    cache: options.ports?.cache ?? base + 2,
    database: options.ports?.database ?? base + 3,
    tester: options.ports?.tester ?? base + 10,
  };
  const urls = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
  ) as Record<ServiceName, string>;

  const common = {
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'info',
    // Nothing routes to these processes but us, so there is no endpoint update to wait for.
    SHUTDOWN_DELAY_MS: '0',
  };
  const serviceEnv: Record<ServiceName, Record<string, string>> = {
    database: {
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.embeddedDataDir ? { EMBEDDED_DATA_DIR: options.embeddedDataDir } : {}),
    },
    cache: {
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...(options.redisKeyPrefix ? { REDIS_KEY_PREFIX: options.redisKeyPrefix } : {}),
    },
    backend: { CACHE_SERVICE_URL: urls.cache, DATABASE_SERVICE_URL: urls.database },
    frontend: { BACKEND_URL: urls.backend },
    // Gates persist in Redis when there is one, under a prefix of their own.
    tester: {
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...(options.redisKeyPrefix ? { REDIS_KEY_PREFIX: `${options.redisKeyPrefix}tester:` } : {}),
    },
  };

  const services = new Map<ServiceName, ServiceProcess>();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  // Detached children outlive a parent that dies without stopping them; take them along.
  const killOnExit = () => {
    for (const { child } of services.values()) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const launch = async (name: ServiceName, extraEnv: Record<string, string> = {}) => {
    // A variable the caller's shell has set (e.g. DATABASE_URL) must not leak into the wrong service.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(key),
      ),
    );
    const child = spawn(process.execPath, [serviceEntryPoint(name)], {
      env: {
        ...inherited,
        ...common,
        ...serviceEnv[name],
        ...options.env?.[name],
        ...extraEnv,
        PORT: String(ports[name]),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => options.onLog?.(name, line));
    }
    services.set(name, { name, url: urls[name], child });
    await waitUntilReady(name, urls[name], child, readyTimeoutMs);
  };

  const stopOne = async (name: ServiceName) => {
    const service = services.get(name);
    if (!service) return;
    services.delete(name);
    await terminate(service.child, 30_000);
  };

  const stop = async () => {
    for (const group of [...START_ORDER].reverse()) {
      await Promise.all(group.map(stopOne));
    }
    process.removeListener('exit', killOnExit);
  };

  try {
    for (const group of START_ORDER) {
      await Promise.all(group.map((name) => launch(name)));
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    urls,
    services,
    async restart(name, env) {
      await stopOne(name);
      await launch(name, env);
    },
    stop,
  };
}

/** Polls /readyz until it answers 200; fails early, naming the service, if the process exits. */
export async function waitUntilReady(
  name: ServiceName,
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; see its log above`,
      );
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
      last = `/readyz answered ${response.status}: ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs} ms (${last})`);
}

/** SIGTERM, then SIGKILL if the process has not exited within timeoutMs. */
export async function terminate(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
