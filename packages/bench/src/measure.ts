import pidusage from 'pidusage';
import type { LoadStats } from './load.js';
import { type Figure, figure, formatNumber } from './report.js';
import { median } from './stats.js';

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Each side runs this many times, alternating (A B B A …) so drift in the machine's load evens out. */
  rounds: number;
}

type Load = (seconds: number) => Promise<LoadStats>;

export interface MeasuredLoad {
  stats: LoadStats;
  /** CPU milliseconds each process used during the measured window (warm-up excluded). */
  cpuMs: Record<string, number>;
  /** CPU milliseconds of this process, which generates the load. */
  loadGeneratorCpuMs: number;
}

/**
 * Each side `settings.rounds` times, alternating (A B B A …), each run after its own warm-up,
 * with the CPU time of the processes it costs (none when it runs in this process).
 */
export async function measureRounds(
  settings: LoadSettings,
  sides: Record<'ours' | 'baseline', { load: Load; pids?: Readonly<Record<string, number>> }>,
): Promise<Runs> {
  const runs: Runs = { ours: [], baseline: [] };
  for (const side of alternation(settings.rounds)) {
    const { load, pids = {} } = sides[side];
    if (settings.warmupSeconds > 0) await load(settings.warmupSeconds);
    const before = await cpuSnapshot(pids);
    const selfBefore = process.cpuUsage();
    const stats = await load(settings.durationSeconds);
    const { user, system } = process.cpuUsage(selfBefore);
    const cpuMs = cpuDelta(before, await cpuSnapshot(pids));
    runs[side].push({ stats, cpuMs, loadGeneratorCpuMs: (user + system) / 1000 });
  }
  return runs;
}

/** `32 connections, 10 s after 3 s warm-up, 2 round(s)` */
export const describeLoad = (settings: LoadSettings): string =>
  `${settings.connections} connections, ${settings.durationSeconds} s after ${settings.warmupSeconds} s warm-up, ${settings.rounds} round(s)`;

/** The order of the runs: A B B A A B … starts and ends balanced for any even count of runs. */
export const alternation = (rounds: number): Array<'ours' | 'baseline'> =>
  Array.from({ length: rounds }, (_, round) =>
    round % 2 === 0 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const),
  ).flat();

/** CPU microseconds per completed request, summed over the processes. */
export function cpuMicrosPerRequest(run: MeasuredLoad): number {
  const total = Object.values(run.cpuMs).reduce((sum, ms) => sum + ms, 0);
  return run.stats.requests > 0 ? (total * 1000) / run.stats.requests : Number.NaN;
}

export type Runs = Record<'ours' | 'baseline', MeasuredLoad[]>;

/** Throughput and latency of ours beside the baseline's, each the median over the rounds. */
export function loadFigures(runs: Runs): Figure[] {
  const both = (pick: (run: MeasuredLoad) => number) =>
    [median(runs.ours.map(pick)), median(runs.baseline.map(pick))] as const;
  return [
    figure('requests/s', '', ...both((run) => run.stats.requests / run.stats.durationSeconds)),
    figure('latency p50', 'ms', ...both((run) => run.stats.latencyP50)),
    figure('latency p99', 'ms', ...both((run) => run.stats.latencyP99)),
  ];
}

/** `CPU per request of ours by process (µs): frontend 41.2, backend 38.0, …` */
export function cpuByProcess(runs: readonly MeasuredLoad[], names: readonly string[]): string {
  const perRequest = (name: string) =>
    median(runs.map((run) => ((run.cpuMs[name] ?? 0) * 1000) / run.stats.requests));
  return `CPU per request of ours by process (µs): ${names.map((name) => `${name} ${formatNumber(perRequest(name))}`).join(', ')}`;
}

/** CPU milliseconds (user + system) each process has used so far; diff two for a window's cost. */
export async function cpuSnapshot(
  pids: Readonly<Record<string, number>>,
): Promise<Record<string, number>> {
  // pidusage refuses an empty list.
  const usage = Object.keys(pids).length > 0 ? await pidusage(Object.values(pids)) : {};
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
