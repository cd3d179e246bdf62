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

function runner(name: BenchmarkName, options: BenchOptions): () => Promise<BenchmarkResult> {
  const load = {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    rounds: options.rounds,
  };
  switch (name) {
    case 'redirect':
      return () =>
        redirectBenchmark({
          ...load,
          ...(options.profile ? { profileDir: join(options.out, 'profiles') } : {}),
        });
    case 'create':
      return () => createBenchmark(load);
    case 'pipeline':
      return () =>
        pipelineBenchmark({ passes: options.pipelinePasses, processes: options.pipelineProcesses });
    case 'startup':
      return () => startupBenchmark({ runs: options.startupRuns });
    case 'turbo':
      return () => turboBenchmark({ filter: options.turboFilter });
  }
}

/** Prints where the profiled services spent their CPU, one summary per .cpuprofile written. */
async function printProfiles(dir: string): Promise<void> {
  for (const service of await readdir(dir).catch(() => [])) {
    for (const file of await readdir(join(dir, service))) {
      if (!file.endsWith('.cpuprofile')) continue;
      const profile = JSON.parse(await readFile(join(dir, service, file), 'utf8')) as CpuProfile;
      process.stdout.write(
        `\n${formatProfileSummary(`${service} (${file})`, summarizeProfile(profile))}\n`,
      );
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
  process.stdout.write(`appdist benchmarks on ${describeMachine(machine)}\n`);
  process.stdout.write(
    'Other processes may be running: every figure has a baseline measured in the same run.\n\n',
  );

  const results: BenchmarkResult[] = [];
  let failed = 0;
  for (const name of options.only) {
    const started = performance.now();
    process.stdout.write(`${name}: running…\n`);
    try {
      const result = await runner(name, { ...options, out })();
      results.push(result);
      const record = {
        ...result,
        machine,
        // A load average well above 0 at either end means other processes shared the machine.
        loadAverage1mAtEnd: machineInfo().loadAverage1m,
        finished: new Date().toISOString(),
      };
      await writeFile(join(out, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
      process.stdout.write(
        `${formatResult(result)}\n  (${((performance.now() - started) / 1000).toFixed(0)} s, written to ${join(out, `${name}.json`)})\n\n`,
      );
    } catch (error) {
      failed += 1;
      process.stderr.write(`${name} failed: ${(error as Error).stack ?? String(error)}\n\n`);
    }
  }
  if (options.profile) await printProfiles(join(out, 'profiles'));

  const table = markdownTable(results);
  await writeFile(join(out, 'summary.md'), `Machine: ${describeMachine(machine)}\n\n${table}\n`);
  process.stdout.write(`\n${table}\n\nSummary written to ${join(out, 'summary.md')}\n`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
