import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@appdist/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBenchmark } from '../src/benchmarks/create.js';
import { pipelineBenchmark } from '../src/benchmarks/pipeline.js';
import { redirectBenchmark } from '../src/benchmarks/redirect.js';
import { startupBenchmark } from '../src/benchmarks/startup.js';
import { turboBenchmark } from '../src/benchmarks/turbo.js';
import type { BenchmarkResult } from '../src/report.js';

// Smoke only: each benchmark end to end for about a second, proving it measures something on
// both sides. The figures of such short runs mean nothing; `npm run bench` takes the real ones.
const ONE_SECOND = { connections: 4, durationSeconds: 1, warmupSeconds: 0.2, rounds: 1 };

function expectMeasured(result: BenchmarkResult): void {
  expect(result.figures.length).toBeGreaterThan(0);
  for (const figure of result.figures) expect(Number.isFinite(figure.ours)).toBe(true);
  expect(JSON.parse(JSON.stringify(result))).toMatchObject({ name: result.name });
}

/** A two-task monorepo of its own, so the smoke run never rebuilds this repository's packages. */
async function turboFixture(dir: string): Promise<void> {
  await mkdir(join(dir, 'packages', 'a'), { recursive: true });
  const json = (file: string, value: unknown) => writeFile(join(dir, file), JSON.stringify(value));
  await json('package.json', {
    name: 'fixture',
    private: true,
    packageManager: 'npm@11.19.1',
    workspaces: ['packages/*'],
  });
  await json('package-lock.json', {
    name: 'fixture',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'fixture', workspaces: ['packages/*'] },
      'node_modules/a': { resolved: 'packages/a', link: true },
      'packages/a': { name: 'a', version: '0.0.0' },
    },
  });
  // No git here: inputs are named, so the logs and outputs of the first run do not count as changes.
  await json('turbo.json', {
    tasks: {
      build: { inputs: ['package.json'], outputs: ['dist/**'] },
      lint: { inputs: ['package.json'] },
    },
  });
  await json('packages/a/package.json', {
    name: 'a',
    version: '0.0.0',
    private: true,
    scripts: {
      build: "node -e \"require('fs').mkdirSync('dist',{recursive:true})\"",
      lint: 'node -e 0',
    },
  });
}

describe('smoke: every benchmark runs end to end for about a second', () => {
  let workdir: string;
  // A database of this run's own, as the benchmarks leave isolation to their caller.
  let database: TestDatabase;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'appdist-bench-smoke-'));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await rm(workdir, { recursive: true, force: true });
    await database?.drop();
  });

  it('redirect: the services and the bare chain both answer 302', async () => {
    const result = await redirectBenchmark(ONE_SECOND, database.url);
    expectMeasured(result);
    const throughput = result.figures.find((figure) => figure.label === 'requests/s');
    expect(throughput?.ours).toBeGreaterThan(0);
    expect(throughput?.baseline).toBeGreaterThan(0);
    expect(result.targets.find((target) => target.description.includes('302'))?.met).toBe(true);
  }, 90_000);

  it('create: links are created through the services and inserted directly', async () => {
    const result = await createBenchmark(ONE_SECOND, database.url);
    expectMeasured(result);
    expect(result.figures[0]?.baseline).toBeGreaterThan(0);
    expect(result.targets[0]?.met).toBe(true);
  }, 90_000);

  it('pipeline: renders and validates every distribution, cold and warm', async () => {
    const result = await pipelineBenchmark({ passes: 2, processes: 2 });
    expectMeasured(result);
    expect(result.targets.find((target) => target.description === 'no findings')?.met).toBe(true);
    expect(result.notes[0]).toMatch(/\(our 2 processes: [+-][\d.]+ %, [+-][\d.]+ %\)/);
  }, 120_000);

  it('startup: every service becomes ready', async () => {
    const result = await startupBenchmark({ runs: 1 }, database.url);
    expectMeasured(result);
    expect(result.figures.map((figure) => figure.label)).toEqual([
      'frontend',
      'backend',
      'cache',
      'database',
      'tester',
    ]);
  }, 120_000);

  it('turbo: the second run of a fixture monorepo is FULL TURBO', async () => {
    const dir = join(workdir, 'turbo');
    await turboFixture(dir);
    const result = await turboBenchmark({ cwd: dir, tasks: ['build', 'lint'] });
    expectMeasured(result);
    expect(result.targets.every((target) => target.met)).toBe(true);
  }, 120_000);
});
