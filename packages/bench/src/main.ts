#!/usr/bin/env node
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createBenchmark } from './benchmarks/create.js';
import { pipelineBenchmark } from './benchmarks/pipeline.js';
import { redirectBenchmark } from './benchmarks/redirect.js';
import { startupBenchmark } from './benchmarks/startup.js';
import { turboBenchmark } from './benchmarks/turbo.js';
import { type CpuProfile, formatProfileSummary, summarizeProfile } from './cpu-profile.js';
import { describeMachine, machineInfo } from './machine.js';
import { type BenchmarkName, type BenchOptions, HELP, parseOptions } from './options.js';
import { type BenchmarkResult, formatResult, markdownTable } from './report.js';
import { REPOSITORY_ROOT } from './repository.js';

const BENCHMARKS: Record<BenchmarkName, (options: BenchOptions) => Promise<BenchmarkResult>> = {
  redirect: (o) =>
    redirectBenchmark({ ...o, ...(o.profile ? { profileDir: join(o.out, 'profiles') } : {}) }),
  create: (o) => createBenchmark(o),
  pipeline: (o) => pipelineBenchmark({ passes: o.pipelinePasses, processes: o.pipelineProcesses }),
  startup: (o) => startupBenchmark({ runs: o.startupRuns }),
  turbo: (o) => turboBenchmark({ filter: o.turboFilter }),
};

/** Prints where the profiled services spent their CPU, one summary per .cpuprofile written. */
async function printProfiles(dir: string): Promise<void> {
  for (const service of await readdir(dir).catch(() => [])) {
    for (const file of await readdir(join(dir, service))) {
      if (!file.endsWith('.cpuprofile')) continue;
      const profile = JSON.parse(await readFile(join(dir, service, file), 'utf8')) as CpuProfile;
      const summary = formatProfileSummary(`${service} (${file})`, summarizeProfile(profile));
      process.stdout.write(`\n${summary}\n`);
    }
  }
}

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
      const result = await BENCHMARKS[name]({ ...options, out });
      results.push(result);
      const file = join(out, `${name}.json`);
      // A load average well above 0 at either end means other processes shared the machine.
      const record = { ...result, machine, loadAverage1mAtEnd: machineInfo().loadAverage1m };
      await writeFile(file, `${JSON.stringify({ ...record, finished: new Date() }, null, 2)}\n`);
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      process.stdout.write(`${formatResult(result)}\n  (${seconds} s, written to ${file})\n\n`);
    } catch (error) {
      process.stderr.write(`${name} failed: ${(error as Error).stack ?? String(error)}\n\n`);
    }
  }
  if (options.profile) await printProfiles(join(out, 'profiles'));
  const table = markdownTable(results);
  await writeFile(join(out, 'summary.md'), `Machine: ${describeMachine(machine)}\n\n${table}\n`);
  process.stdout.write(`\n${table}\n\nSummary written to ${join(out, 'summary.md')}\n`);
  return results.length < options.only.length ? 1 : 0;
}

process.exitCode = await main();
