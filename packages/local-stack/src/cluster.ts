import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@appdist/testing/ports';
import { type ServiceFront, type ServiceFrontOptions, startServiceFront } from './service-front.js';
import { type ServiceName, serviceEntryPoint, waitUntilReady } from './stack.js';

// Each group waits for the one before it, as the stack does; within a group they start together.
const START_ORDER: readonly (readonly ServiceName[])[] = [
  ['database', 'cache', 'tester'],
  ['backend'],
  ['frontend'],
];

export interface ClusterOptions {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  logLevel?: string;
  /** Environment for every replica, e.g. SHUTDOWN_DELAY_MS. */
  commonEnv?: Record<string, string>;
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  front?: ServiceFrontOptions;
  /** Each log line of each replica, with the replica's id (`backend-2`). */
  onLog?: (replica: string, line: string) => void;
  readyTimeoutMs?: number;
}

export interface Replica {
  id: string;
  service: ServiceName;
  url: string;
  child: ChildProcess;
}

/** What one replacement took, in the order Kubernetes runs it. */
export interface RolloutStep {
  service: ServiceName;
  from: string;
  to: string;
  /** Process start to /readyz 200 of the new replica. */
  startedMs: number;
  /** Until the front sends it connections (a readiness probe passed and propagated). */
  inRotationMs: number;
  /** From the old replica's deletion to its exit. */
  drainMs: number;
  exitCode: number | null;
  exitSignal: string | null;
  /** Connections the old replica received in total. */
  oldConnections: number;
}

export interface RollingUpdateOptions {
  /** lifecycle.preStop.sleep, scaled down; SIGTERM follows it. Default 0. */
  preStopMs?: number;
  /** Changed environment for the new replica, as a new ReplicaSet would bring. */
  env?: Record<string, string>;
  /** terminationGracePeriodSeconds: SIGKILL after this. Default 30 s. */
  gracePeriodMs?: number;
}

/**
 * The services as a cluster would run them: each behind a ServiceFront (its Service), one
 * replica each, every service configured with the fronts' addresses, so one replica can be
 * replaced by another while the rest keep calling the same address.
 */
export interface Cluster {
  urls: Record<ServiceName, string>;
  fronts: Record<ServiceName, ServiceFront>;
  replicas(service: ServiceName): Replica[];
  /**
   * A rolling update with maxSurge 1 and maxUnavailable 0: the new replica starts and becomes
   * ready, then the old one is deleted: it leaves the endpoints while its preStop runs, gets
   * SIGTERM, drains and exits.
   */
  rollingUpdate(service: ServiceName, options?: RollingUpdateOptions): Promise<RolloutStep>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const fronts = {} as Record<ServiceName, ServiceFront>;
  const names: ServiceName[] = START_ORDER.flat();
  for (const name of names) fronts[name] = await startServiceFront(options.front);
  const urls = Object.fromEntries(names.map((name) => [name, fronts[name].url])) as Record<
    ServiceName,
    string
  >;
  const serviceEnv: Record<ServiceName, Record<string, string>> = {
    database: { DATABASE_URL: options.databaseUrl },
    cache: { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: options.redisKeyPrefix },
    backend: { CACHE_SERVICE_URL: urls.cache, DATABASE_SERVICE_URL: urls.database },
    frontend: { BACKEND_URL: urls.backend },
    tester: { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: `${options.redisKeyPrefix}tester:` },
  };
  const running = new Map<ServiceName, Replica[]>(names.map((name) => [name, []]));
  const counters = new Map<ServiceName, number>();
  const everyChild = new Set<ChildProcess>();
  const killOnExit = () => {
    for (const child of everyChild) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const launch = async (service: ServiceName, extraEnv: Record<string, string> = {}) => {
    const n = (counters.get(service) ?? 0) + 1;
    counters.set(service, n);
    const id = `${service}-${n}`;
    const port = await freePort();
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([key]) => !['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST'].includes(key),
      ),
    );
    const child = spawn(process.execPath, [serviceEntryPoint(service)], {
      env: {
        ...inherited,
        HOST: '127.0.0.1',
        LOG_LEVEL: options.logLevel ?? 'warn',
        ...options.commonEnv,
        ...serviceEnv[service],
        ...options.env?.[service],
        ...extraEnv,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    everyChild.add(child);
    child.once('exit', () => everyChild.delete(child));
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (l) => options.onLog?.(id, l));
    }
    const replica: Replica = { id, service, url: `http://127.0.0.1:${port}`, child };
    const started = performance.now();
    try {
      await waitUntilReady(service, replica.url, child, readyTimeoutMs);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    const startedMs = performance.now() - started;
    fronts[service].add(replica.url);
    const deadline = Date.now() + readyTimeoutMs;
    while (!fronts[service].ready().includes(replica.url)) {
      if (Date.now() > deadline) throw new Error(`${id} never entered rotation`);
      await sleep(20);
    }
    running.get(service)?.push(replica);
    return { replica, startedMs, inRotationMs: performance.now() - started };
  };

  const remove = async (replica: Replica, preStopMs: number, gracePeriodMs: number) => {
    const list = running.get(replica.service) ?? [];
    running.set(
      replica.service,
      list.filter((r) => r !== replica),
    );
    const { child } = replica;
    if (child.exitCode !== null || child.signalCode !== null) {
      return { code: child.exitCode, signal: child.signalCode };
    }
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const killer = setTimeout(() => child.kill('SIGKILL'), preStopMs + gracePeriodMs);
    // Kubernetes does both at once: the endpoints drop the pod while its preStop hook runs.
    await Promise.all([
      fronts[replica.service].terminating(replica.url),
      sleep(preStopMs).then(() => child.kill('SIGTERM')),
    ]);
    const [code, signal] = await exited;
    clearTimeout(killer);
    return { code, signal };
  };

  const stop = async () => {
    for (const group of [...START_ORDER].reverse()) {
      await Promise.all(
        group.flatMap((name) => (running.get(name) ?? []).map((r) => remove(r, 0, 10_000))),
      );
    }
    await Promise.all(names.map((name) => fronts[name].close()));
    process.removeListener('exit', killOnExit);
  };

  try {
    for (const group of START_ORDER) await Promise.all(group.map((name) => launch(name)));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    urls,
    fronts,
    replicas: (service) => [...(running.get(service) ?? [])],
    async rollingUpdate(service, update = {}) {
      const [old] = running.get(service) ?? [];
      if (!old) throw new Error(`${service} has no replica to replace`);
      const { replica, startedMs, inRotationMs } = await launch(service, update.env);
      const deleted = performance.now();
      const exit = await remove(old, update.preStopMs ?? 0, update.gracePeriodMs ?? 30_000);
      return {
        service,
        from: old.id,
        to: replica.id,
        startedMs,
        inRotationMs,
        drainMs: performance.now() - deleted,
        exitCode: exit.code,
        exitSignal: exit.signal,
        oldConnections: fronts[service].connectionsTo(old.url),
      };
    },
    stop,
  };
}
