import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** One task of turbo's plan: `@appdist/backend#image`, the command it runs, what it waits for. */
export interface PlannedTask {
  taskId: string;
  /** The package script, or `<NONEXISTENT>` when the package has none. */
  command: string;
  dependencies: string[];
  /** Whether turbo may replay the task from its cache instead of running it. */
  cache: boolean;
  /** The files whose hashes key its cache, relative to its package. */
  inputs: string[];
}

export type TaskGraph = Map<string, PlannedTask>;

/** turbo's plan for `turbo run <tasks>` in `root`, from `--dry=json`: nothing runs. */
export async function planTasks(root: string, tasks: string[]): Promise<TaskGraph> {
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  const { stdout } = await promisify(execFile)(turbo, ['run', ...tasks, '--dry=json'], {
    cwd: root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const plan = JSON.parse(stdout) as { tasks?: Record<string, unknown>[] };
  const graph: TaskGraph = new Map();
  for (const task of plan.tasks ?? []) {
    if (typeof task.taskId !== 'string') throw new Error('turbo --dry=json: a task has no taskId');
    graph.set(task.taskId, {
      taskId: task.taskId,
      command: typeof task.command === 'string' ? task.command : '',
      dependencies: Array.isArray(task.dependencies) ? task.dependencies.map(String) : [],
      cache: (task.resolvedTaskDefinition as { cache?: unknown } | undefined)?.cache !== false,
      inputs: Object.keys(task.inputs ?? {}),
    });
  }
  return graph;
}

/** Whether `from` waits, directly or through other tasks, for `to`. */
export function waitsFor(graph: TaskGraph, from: string, to: string): boolean {
  const seen = new Set<string>();
  const pending = [...(graph.get(from)?.dependencies ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next === to) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...(graph.get(next)?.dependencies ?? []));
  }
  return false;
}
