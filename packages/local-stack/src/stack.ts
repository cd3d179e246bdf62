import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  packageName,
  SERVICE_NAMES,
  SERVICES,
  type ServiceName,
  serviceEntry,
  startOrder,
} from '@appdist/catalogue';
import getPort from 'get-port';

/** The monorepo root, slash-ended: this file is packages/local-stack/{src,dist}/stack.{ts,js}. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `--port` moves every service by the same offset from its catalogue port. */
export const FRONTEND_PORT = serviceEntry('frontend').localPort;

export interface LocalStackOptions {
  /** The frontend's port; every service keeps its catalogue offset from it. Default 8080. */
  basePort?: number;
  /** Ports per service, overriding basePort (tests pass free ports). */
  ports?: Partial<Record<ServiceName, number>>;
  /** PostgreSQL for the database service; unset: embedded PGlite under embeddedDataDir. */
  databaseUrl?: string;
  embeddedDataDir?: string;
  /** Redis for the cache service and the tester's gates; unset: their in-process stores. */
  redisUrl?: string;
  redisKeyPrefix?: string;
  logLevel?: string;
  /** Extra environment per service, e.g. FAULT_ERROR_RATE for one of them. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Receives each log line a service writes (stdout and stderr). */
  onLog?: (service: ServiceName, line: string) => void;
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
  /** SIGTERM (the service drains), SIGKILL if it has not exited within 30 s. */
  stop(): Promise<void>;
}

export interface LocalStack {
  urls: Record<ServiceName, string>;
  services: Map<ServiceName, ServiceProcess>;
  /** The environment the stack starts a service with, its PORT included. */
  environment(name: ServiceName): Record<string, string>;
  /** SIGTERM to one service (it drains as in Kubernetes), then a new process with optional extra env. */
  restart(name: ServiceName, env?: Record<string, string>): Promise<void>;
  /** One more ready process of a service, configured as the stack's, on a free port; the caller stops it. */
  replica(name: ServiceName): Promise<ServiceProcess>;
  /** Stops every service, callers first; SIGKILL for any that has not exited within the timeout. */
  stop(): Promise<void>;
}

/** A free port for every service, for runs beside other stacks (tests, the local end-to-end run). */
export async function freeServicePorts(): Promise<Record<ServiceName, number>> {
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const name of SERVICE_NAMES) ports[name] = await getPort({ host: '127.0.0.1' });
  return ports as Record<ServiceName, number>;
}

export function serviceEntryPoint(name: ServiceName): string {
  return fileURLToPath(import.meta.resolve(`${packageName(name)}/main`));
}

// A variable the caller's shell has set (e.g. DATABASE_URL) must not reach the wrong service.
const NOT_INHERITED = ['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST'];

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const offset = (options.basePort ?? FRONTEND_PORT) - FRONTEND_PORT;
  const ports = Object.fromEntries(
    SERVICES.map(({ name, localPort }) => [name, options.ports?.[name] ?? localPort + offset]),
  ) as Record<ServiceName, number>;
  const urlOf = (port: number) => `http://127.0.0.1:${port}`;
  const urls = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, urlOf(ports[name])]),
  ) as Record<ServiceName, string>;
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !NOT_INHERITED.includes(key)),
  ) as Record<string, string>;
  const redis = (prefix: string) => ({
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...(options.redisKeyPrefix ? { REDIS_KEY_PREFIX: `${options.redisKeyPrefix}${prefix}` } : {}),
  });
  // What each store-backed service needs; the tester keeps its gates under a prefix of their own.
  const stores: Partial<Record<ServiceName, Record<string, string>>> = {
    database: {
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.embeddedDataDir ? { EMBEDDED_DATA_DIR: options.embeddedDataDir } : {}),
    },
    cache: redis(''),
    tester: redis('tester:'),
  };
  const environment = (name: ServiceName, port = ports[name]): Record<string, string> => {
    const { calls } = serviceEntry(name);
    return {
      ...inherited,
      HOST: '127.0.0.1',
      LOG_LEVEL: options.logLevel ?? 'info',
      // Nothing routes to these processes but us, so there is no endpoint update to wait for.
      SHUTDOWN_DELAY_MS: '0',
      ...stores[name],
      ...Object.fromEntries(
        Object.entries(calls).map(([variable, callee]) => [variable, urls[callee as ServiceName]]),
      ),
      ...options.env?.[name],
      PORT: String(port),
    };
  };

  const services = new Map<ServiceName, ServiceProcess>();
  const everyChild = new Set<ChildProcess>();
  // Detached children outlive a parent that dies without stopping them; take them along.
  const killOnExit = () => {
    for (const child of everyChild) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const launch = async (name: ServiceName, env: Record<string, string>) => {
    const url = urlOf(Number(env.PORT));
    const { child } = await startReadyProcess({
      name,
      argv: [serviceEntryPoint(name)],
      env,
      timeoutMs: 60_000,
      detached: options.detached ?? false,
      onSpawn: (child) => {
        everyChild.add(child);
        child.once('exit', () => everyChild.delete(child));
        for (const stream of [child.stdout, child.stderr]) {
          if (stream)
            createInterface({ input: stream }).on('line', (l) => options.onLog?.(name, l));
        }
      },
    });
    return { name, url, child, stop: () => terminate(child, 30_000) };
  };
  const start = async (name: ServiceName, extraEnv: Record<string, string> = {}) => {
    services.set(name, await launch(name, { ...environment(name), ...extraEnv }));
  };
  const stopOne = async (name: ServiceName) => {
    const service = services.get(name);
    services.delete(name);
    await service?.stop();
  };
  const groups = startOrder() as ServiceName[][];
  const stop = async () => {
    for (const group of [...groups].reverse()) await Promise.all(group.map(stopOne));
    process.removeListener('exit', killOnExit);
  };

  try {
    for (const group of groups) await Promise.all(group.map((name) => start(name)));
  } catch (error) {
    // The error that stopped the start is the one to report, whatever stopping the rest does.
    try {
      await stop();
    } catch {
      // Whatever is left is killed below.
    } finally {
      killOnExit();
    }
    throw error;
  }

  return {
    urls,
    services,
    environment: (name) => environment(name),
    async restart(name, env) {
      await stopOne(name);
      await start(name, env);
    },
    async replica(name) {
      return launch(name, environment(name, await getPort({ host: '127.0.0.1' })));
    },
    stop,
  };
}

export interface ReadyProcessOptions {
  /** Names the process in errors. */
  name: string;
  /** What `node` runs: a script and its arguments. */
  argv: readonly string[];
  /** HOST and PORT included: where it serves GET /readyz. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Default 100 ms. */
  pollMs?: number;
  /** Default: stdout and stderr piped, for onSpawn to read. */
  stdio?: StdioOptions;
  detached?: boolean;
  /** Sees the process as soon as it is spawned, before it is ready. */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * `node <argv>`, once GET /readyz answers 200 (readyMs after the spawn); fails early, naming
 * the process, if it exits first, and kills it if it is not ready in time.
 */
export async function startReadyProcess(
  options: ReadyProcessOptions,
): Promise<{ child: ChildProcess; readyMs: number }> {
  const { name, env, timeoutMs } = options;
  const url = `http://${env.HOST}:${env.PORT}`;
  const started = performance.now();
  const child = spawn(process.execPath, [...options.argv], {
    env,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  options.onSpawn?.(child);
  let last = 'no answer yet';
  try {
    while (performance.now() - started < timeoutMs) {
      if (exited(child)) {
        throw new Error(
          `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; see its log above`,
        );
      }
      try {
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
        const body = await response.text();
        if (response.status === 200) return { child, readyMs: performance.now() - started };
        last = `/readyz answered ${response.status}: ${body}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(options.pollMs ?? 100);
    }
    throw new Error(`${name} was not ready at ${url} within ${timeoutMs} ms (${last})`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL if the process has not exited within timeoutMs. */
export async function terminate(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (exited(child)) return;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await exit;
  } finally {
    clearTimeout(timer);
  }
}
