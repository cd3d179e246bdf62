import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { atMost, type BenchmarkResult, figure, formatCount } from '../report.js';
import { REPOSITORY_ROOT } from '../repository.js';

/** What this benchmark reads of turbo's run summary (`--summarize`: .turbo/runs/<id>.json). */
export interface TurboExecution {
  attempted: number;
  cached: number;
  exitCode: number;
}

/** turbo's own FULL TURBO: every task it attempted came from the cache. */
export const isFullTurbo = (run: TurboExecution | undefined): boolean =>
  run !== undefined && run.attempted > 0 && run.cached === run.attempted;

const describeRun = (run: TurboExecution | undefined) =>
  run
    ? `${run.cached}/${run.attempted} cached${isFullTurbo(run) ? ', FULL TURBO' : ''}`
    : 'no summary';

/**
 * One turbo run with --summarize; its summary is read and deleted. No execution when turbo wrote
 * no summary (it failed before running tasks); the tail of its output tells why.
 */
async function runTurbo(cwd: string, args: readonly string[]) {
  const runs = join(cwd, '.turbo', 'runs');
  const earlier = new Set(await readdir(runs).catch(() => []));
  const started = performance.now();
  const output = await promisify(execFile)(
    join(REPOSITORY_ROOT, 'node_modules', '.bin', 'turbo'),
    [...args, '--summarize'],
    { cwd, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => error);
  const wallMs = performance.now() - started;
  const tail = `${output.stdout}\n${output.stderr}`.trim().split('\n').slice(-15).join('\n');
  const summary = (await readdir(runs).catch(() => [])).find((file) => !earlier.has(file));
  if (!summary) return { wallMs, tail, execution: undefined };
  const { execution } = JSON.parse(await readFile(join(runs, summary), 'utf8'));
  await rm(join(runs, summary));
  return { wallMs, tail, execution: execution as TurboExecution };
}

/** `turbo run build typecheck lint` twice: the first with --force does the work, the second must be FULL TURBO. */
export async function turboBenchmark(
  // The smoke test runs it on a fixture monorepo of its own.
  options: { cwd?: string; tasks?: readonly string[] } = {},
): Promise<BenchmarkResult> {
  const cwd = options.cwd ?? REPOSITORY_ROOT;
  const args = [
    'run',
    ...(options.tasks ?? ['build', 'typecheck', 'lint']),
    '--output-logs=errors-only',
  ];
  const first = await runTurbo(cwd, [...args, '--force']);
  const second = await runTurbo(cwd, args);
  const failed = [first, second].filter((run) => run.execution?.exitCode !== 0);
  const command = `turbo ${args.join(' ')}`;
  return {
    name: 'turbo',
    title: '5. turbo, nothing changed',
    ours: `second \`${command}\` with nothing changed (${describeRun(second.execution)})`,
    baseline: `the first run with --force (every task executed, cache written): ${describeRun(first.execution)}`,
    figures: [figure('wall time', 'ms', second.wallMs, first.wallMs)],
    targets: [
      {
        description: 'second run FULL TURBO',
        met: isFullTurbo(second.execution),
        actual: describeRun(second.execution),
      },
      atMost('both runs succeed (failed runs)', failed.length, 0, formatCount),
    ],
    notes: failed.map((run) => `a run failed (${describeRun(run.execution)}):\n${run.tail}`),
    details: { cwd, command, first, second },
  };
}
