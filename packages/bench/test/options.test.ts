import { describe, expect, it } from 'vitest';
import { BENCHMARK_NAMES, parseOptions } from '../src/options.js';

describe('parseOptions', () => {
  it('runs all five benchmarks as the issue describes them by default', () => {
    expect(parseOptions([], '/repo/.bench')).toEqual({
      out: '/repo/.bench',
      only: [...BENCHMARK_NAMES],
      connections: 32,
      durationSeconds: 10,
      warmupSeconds: 3,
      rounds: 2,
      startupRuns: 10,
      pipelinePasses: 3,
      pipelineProcesses: 5,
      profile: false,
      help: false,
    });
  });

  it('takes a subset, durations and a destination', () => {
    const options = parseOptions(
      ['--only', 'redirect, startup', '--duration', '1.5', '--warmup', '0', '--out', 'x'],
      '/repo/.bench',
    );
    expect(options.only).toEqual(['redirect', 'startup']);
    expect(options.durationSeconds).toBe(1.5);
    expect(options.warmupSeconds).toBe(0);
    expect(options.out).toBe('x');
  });

  it('names the option in its errors', () => {
    expect(() => parseOptions(['--only', 'redirect,nope'], '.')).toThrow(
      /--only: unknown benchmark nope/,
    );
    expect(() => parseOptions(['--rounds', '1.5'], '.')).toThrow(
      /--rounds: expected a positive integer/,
    );
    expect(() => parseOptions(['--duration', '-1'], '.')).toThrow(/--duration/);
    expect(() => parseOptions(['--bogus'], '.')).toThrow(/bogus/);
  });
});
