import { parseArgs } from 'node:util';

export const BENCHMARK_NAMES = ['redirect', 'create', 'pipeline', 'startup', 'turbo'] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

export type BenchOptions = ReturnType<typeof parseOptions>;

export const HELP = `Usage: npm run bench [-- options]

Runs the benchmarks, each beside a baseline measured in the same run, prints the figures with
their ratios and writes one JSON file per benchmark (and summary.md) to --out.

  --only <names>        comma-separated subset of: ${BENCHMARK_NAMES.join(', ')}
  --out <dir>           where results go (default: .bench at the repository root)
  --connections <n>     concurrent connections for redirect and create (default 32)
  --duration <s>        measured seconds per load run (default 10)
  --warmup <s>          warm-up seconds before each load run (default 3)
  --rounds <n>          load runs per side, alternating ours and baseline (default 2)
  --startup-runs <n>    starts per service; the median is reported (default 10)
  --pipeline-passes <n> validation passes in one process, the first cold (default 3)
  --pipeline-processes <n>
                        fresh processes per side for the pipeline; cold is their median (default 5)
  --profile             redirect: write --cpu-prof profiles of frontend, backend and cache
                        to <out>/profiles (open them in Chrome DevTools or speedscope)
  -h, --help            show this help
`;

function positive(name: string, value: string | undefined, fallback: number, integer: boolean) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new Error(
      `--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

/** Throws with a message naming the option on bad input. */
export function parseOptions(argv: readonly string[], defaultOut: string) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      out: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'startup-runs': { type: 'string' },
      'pipeline-passes': { type: 'string' },
      'pipeline-processes': { type: 'string' },
      profile: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const only =
    values.only === undefined
      ? [...BENCHMARK_NAMES]
      : values.only.split(',').map((name) => name.trim());
  const unknown = only.filter((name) => !(BENCHMARK_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown benchmark ${unknown.join(', ')} (known: ${BENCHMARK_NAMES.join(', ')})`,
    );
  }
  return {
    out: values.out ?? defaultOut,
    only: only as BenchmarkName[],
    connections: positive('connections', values.connections, 32, true),
    durationSeconds: positive('duration', values.duration, 10, false),
    warmupSeconds: values.warmup === '0' ? 0 : positive('warmup', values.warmup, 3, false),
    rounds: positive('rounds', values.rounds, 2, true),
    startupRuns: positive('startup-runs', values['startup-runs'], 10, true),
    pipelinePasses: positive('pipeline-passes', values['pipeline-passes'], 3, true),
    pipelineProcesses: positive('pipeline-processes', values['pipeline-processes'], 5, true),
    profile: values.profile ?? false,
    help: values.help ?? false,
  };
}
