#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BENCH_DATABASE_URL } from './app-stack.js';
import { createBenchmark } from './benchmarks/create.js';
import { pipelineBenchmark } from './benchmarks/pipeline.js';
import { redirectBenchmark } from './benchmarks/redirect.js';
import { startupBenchmark } from './benchmarks/startup.js';
import { turboBenchmark } from './benchmarks/turbo.js';
import { describeMachine, machineInfo } from './machine.js';
import { type BenchmarkName, type BenchOptions, HELP, parseOptions } from './options.js';
import { type BenchmarkResult, formatResult, markdownTable } from './report.js';
import { REPOSITORY_ROOT } from './repository.js';

type Run = (options: BenchOptions, databaseUrl: string) => Promise<BenchmarkResult>;

// What a load benchmark gets, and records in its result: its settings, not the whole command line.
const load = ({ connections, durationSeconds, warmupSeconds, rounds }: BenchOptions) => ({
  connections,
  durationSeconds,
  warmupSeconds,
  rounds,
});

const BENCHMARKS: Record<BenchmarkName, Run> = {
  redirect: (o, db) =>
    redirectBenchmark(
      { ...load(o), ...(o.profile ? { profileDir: join(o.out, 'profiles') } : {}) },
      db,
    ),
  create: (o, db) => createBenchmark(load(o), db),
  pipeline: (o) => pipelineBenchmark({ passes: o.pipelinePasses, processes: o.pipelineProcesses }),
  startup: (o, db) => startupBenchmark({ runs: o.startupRuns }, db),
  turbo: () => turboBenchmark(),
};

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), join(REPOSITORY_ROOT, '.bench'));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const machine = machineInfo();
  process.stdout.write(
    `appdist benchmarks on ${describeMachine(machine)}\n` +
      'Other processes may be running: every figure has a baseline measured in the same run.\n\n',
  );
  const results: BenchmarkResult[] = [];
  for (const name of options.only) {
    const started = performance.now();
    process.stdout.write(`${name}: running…\n`);
    try {
      const result = await BENCHMARKS[name]({ ...options, out }, BENCH_DATABASE_URL);
      results.push(result);
      const file = join(out, `${name}.json`);
      // A load average well above 0 at either end means other processes shared the machine.
      const record = { ...result, machine, loadAverage1mAtEnd: machineInfo().loadAverage1m };
      await writeFile(file, `${JSON.stringify({ ...record, finished: new Date() }, null, 2)}\n`);
      const seconds = `${((performance.now() - started) / 1000).toFixed(0)} s`;
      process.stdout.write(`${formatResult(result)}\n  (${seconds}, written to ${file})\n\n`);
    } catch (error) {
      process.stderr.write(`${name} failed: ${(error as Error).stack ?? String(error)}\n\n`);
    }
  }
  const table = markdownTable(results);
  await writeFile(join(out, 'summary.md'), `Machine: ${describeMachine(machine)}\n\n${table}\n`);
  process.stdout.write(`\n${table}\n\nSummary written to ${join(out, 'summary.md')}\n`);
  return results.length < options.only.length ? 1 : 0;
}

process.exitCode = await main();
