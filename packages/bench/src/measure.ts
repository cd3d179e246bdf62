import pidusage from 'pidusage';
import { type LoadOptions, type LoadStats, runLoad } from './load.js';
import { type Figure, figure, formatNumber } from './report.js';
import { median } from './stats.js';

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Each side runs this many times, alternating (A B B A …) so drift in the machine's load evens out. */
  rounds: number;
}

export interface MeasuredLoad {
  stats: LoadStats;
  /** CPU milliseconds each process used during the measured window (warm-up excluded). */
  cpuMs: Record<string, number>;
  /** CPU milliseconds of this process, which generates the load. */
  loadGeneratorCpuMs: number;
}

/** Warm-up, then the measured window, with the CPU time of the given processes around it. */
export async function measureLoad(
  load: Omit<LoadOptions, 'durationSeconds' | 'connections'>,
  settings: LoadSettings,
  pids: Readonly<Record<string, number>>,
): Promise<MeasuredLoad> {
  const options = { ...load, connections: settings.connections };
  if (settings.warmupSeconds > 0) {
    await runLoad({ ...options, durationSeconds: settings.warmupSeconds });
  }
  const before = await cpuSnapshot(pids);
  const selfBefore = process.cpuUsage();
  const stats = await runLoad({ ...options, durationSeconds: settings.durationSeconds });
  const self = process.cpuUsage(selfBefore);
  return {
    stats,
    cpuMs: cpuDelta(before, await cpuSnapshot(pids)),
    loadGeneratorCpuMs: (self.user + self.system) / 1000,
  };
}

/** The order of the runs: A B B A A B … starts and ends balanced for any even count of runs. */
export function alternation(rounds: number): Array<'ours' | 'baseline'> {
  const order: Array<'ours' | 'baseline'> = [];
  for (let round = 0; round < rounds; round++) {
    order.push(
      ...(round % 2 === 0 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const)),
    );
  }
  return order;
}

/** CPU microseconds per completed request, summed over the processes. */
export function cpuMicrosPerRequest(run: MeasuredLoad): number {
  const total = Object.values(run.cpuMs).reduce((sum, ms) => sum + ms, 0);
  return run.stats.requests > 0 ? (total * 1000) / run.stats.requests : Number.NaN;
}

/** The median over rounds of one quantity. */
export function medianOf<T>(runs: readonly T[], pick: (run: T) => number): number {
  return median(runs.map(pick));
}

export type Runs = Record<'ours' | 'baseline', MeasuredLoad[]>;

/** Throughput and latency of ours beside the baseline's, each the median over the rounds. */
export function loadFigures(runs: Runs): Figure[] {
  const both = (pick: (run: MeasuredLoad) => number) =>
    [medianOf(runs.ours, pick), medianOf(runs.baseline, pick)] as const;
  return [
    figure('requests/s', '', ...both((run) => run.stats.requestsPerSecond)),
    figure('latency p50', 'ms', ...both((run) => run.stats.latencyP50)),
    figure('latency p99', 'ms', ...both((run) => run.stats.latencyP99)),
  ];
}

/** `CPU per request of ours by process (µs): frontend 41.2, backend 38.0, …` */
export function cpuByProcess(runs: readonly MeasuredLoad[], names: readonly string[]): string {
  const perRequest = (name: string) =>
    medianOf(runs, (run) => ((run.cpuMs[name] ?? 0) * 1000) / run.stats.requests);
  return `CPU per request of ours by process (µs): ${names.map((name) => `${name} ${formatNumber(perRequest(name))}`).join(', ')}`;
}

/** CPU milliseconds (user + system) each process has used so far; diff two for a window's cost. */
export async function cpuSnapshot(
  pids: Readonly<Record<string, number>>,
): Promise<Record<string, number>> {
  const usage = await pidusage(Object.values(pids));
  return Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, usage[pid]?.ctime ?? Number.NaN]),
  );
}

export function cpuDelta(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? 0)]),
  );
}
