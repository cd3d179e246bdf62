import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** User and system CPU time of one process, in clock ticks, from the text of /proc/<pid>/stat. */
export function parseProcStat(text: string): { userTicks: number; systemTicks: number } {
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'; the
  // fields after the last ')' start with field 3 (state), so utime (14) is the 12th of them.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(rest[11]);
  const systemTicks = Number(rest[12]);
  if (!Number.isInteger(userTicks) || !Number.isInteger(systemTicks)) {
    throw new Error(`unexpected /proc/<pid>/stat format: ${text.slice(0, 80)}`);
  }
  return { userTicks, systemTicks };
}

let ticksPerSecond: number | undefined;

/** USER_HZ, almost always 100; asked once of getconf. */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100;
    }
    if (!Number.isInteger(ticksPerSecond) || ticksPerSecond <= 0) ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** CPU time (user + system) a running process has used so far, in milliseconds. */
export function processCpuMs(pid: number): number {
  const { userTicks, systemTicks } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ((userTicks + systemTicks) * 1000) / clockTicksPerSecond();
}

/** CPU milliseconds per process, read now; diff two snapshots to get what a load window cost. */
export function cpuSnapshot(pids: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
}

export function cpuDelta(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, ms]) => [name, ms - (before[name] ?? 0)]),
  );
}
