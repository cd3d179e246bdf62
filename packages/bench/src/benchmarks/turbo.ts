import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { atMost, type BenchmarkResult, figure, formatCount } from '../report.js';
import { REPOSITORY_ROOT } from '../repository.js';

export interface TurboRun {
  wallMs: number;
  exitCode: number;
  /** From turbo's summary: `Cached: 3 cached, 17 total`. */
  cached: number;
  total: number;
  fullTurbo: boolean;
  /** The end of turbo's output, for a failed run. */
  tail: string;
}

/** Turbo's summary lines, whatever else the output holds. */
export function parseTurboSummary(
  output: string,
): Pick<TurboRun, 'cached' | 'total' | 'fullTurbo'> {
  // Colours would split the numbers from their words.
  const plain = stripVTControlCharacters(output);
  const match = /Cached:\s+(\d+) cached, (\d+) total/.exec(plain);
  return {
    cached: Number(match?.[1] ?? 0),
    total: Number(match?.[2] ?? 0),
    fullTurbo: plain.includes('FULL TURBO'),
  };
}

export interface TurboOptions {
  /** The monorepo to run in; default this repository. */
  cwd?: string;
  tasks?: readonly string[];
  /** turbo --filter. */
  filter?: string | undefined;
  /** Run the first run with --force, so it does the work instead of reading the cache. */
  forceFirst?: boolean;
}

function runTurbo(cwd: string, args: readonly string[]): Promise<TurboRun> {
  const turbo = join(REPOSITORY_ROOT, 'node_modules', '.bin', 'turbo');
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      turbo,
      [...args],
      {
        cwd,
        env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const wallMs = performance.now() - started;
        const output = `${stdout}\n${stderr}`;
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({
          wallMs,
          exitCode: code,
          ...parseTurboSummary(output),
          tail: output.trim().split('\n').slice(-15).join('\n'),
        });
      },
    );
  });
}

/** `turbo run build typecheck lint` twice: the first does the work, the second must be FULL TURBO. */
export async function turboBenchmark(options: TurboOptions = {}): Promise<BenchmarkResult> {
  const cwd = options.cwd ?? REPOSITORY_ROOT;
  const tasks = options.tasks ?? ['build', 'typecheck', 'lint'];
  const forceFirst = options.forceFirst ?? true;
  const args = [
    'run',
    ...tasks,
    '--output-logs=errors-only',
    ...(options.filter ? [`--filter=${options.filter}`] : []),
  ];
  const first = await runTurbo(cwd, [...args, ...(forceFirst ? ['--force'] : [])]);
  const second = await runTurbo(cwd, args);
  const failed = [first, second].filter((run) => run.exitCode !== 0);
  const command = `turbo ${args.join(' ')}`;
  return {
    name: 'turbo',
    title: '5. turbo, nothing changed',
    ours: `second \`${command}\` with nothing changed (${second.cached}/${second.total} tasks cached${second.fullTurbo ? ', FULL TURBO' : ''})`,
    baseline: `the first run${forceFirst ? ' with --force (every task executed, cache written)' : ' (whatever the cache held)'}: ${first.cached}/${first.total} cached`,
    figures: [figure('wall time', 'ms', second.wallMs, first.wallMs)],
    targets: [
      {
        description: 'second run FULL TURBO',
        met: second.fullTurbo && second.total > 0 && second.cached === second.total,
        actual: `${second.cached}/${second.total} cached${second.fullTurbo ? ', FULL TURBO' : ''}`,
      },
      atMost('both runs succeed (failed runs)', failed.length, 0, formatCount),
    ],
    notes: failed.map((run) => `a run exited ${run.exitCode}:\n${run.tail}`),
    details: { cwd, command, first, second },
  };
}
