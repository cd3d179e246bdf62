import { describe, expect, it } from 'vitest';
import {
  alternation,
  cpuDelta,
  cpuMicrosPerRequest,
  cpuSnapshot,
  type MeasuredLoad,
} from '../src/measure.js';

function run(requests: number, cpuMs: Record<string, number>): MeasuredLoad {
  return {
    stats: {
      requests,
      durationSeconds: 10,
      latencyP50: 1,
      latencyP99: 2,
      errors: 0,
      statuses: { 302: requests },
    },
    cpuMs,
    loadGeneratorCpuMs: 0,
  };
}

describe('alternation', () => {
  it('alternates baseline and ours so that each pair of rounds is balanced', () => {
    expect(alternation(1)).toEqual(['baseline', 'ours']);
    expect(alternation(2)).toEqual(['baseline', 'ours', 'ours', 'baseline']);
    expect(alternation(3)).toEqual(['baseline', 'ours', 'ours', 'baseline', 'baseline', 'ours']);
  });
});

describe('cpuMicrosPerRequest', () => {
  it('sums the processes and divides by the completed requests', () => {
    // 1.5 s of CPU over 10 000 requests: 150 µs each.
    expect(cpuMicrosPerRequest(run(10_000, { frontend: 600, backend: 500, cache: 400 }))).toBe(150);
  });

  it('is NaN when nothing completed', () => {
    expect(cpuMicrosPerRequest(run(0, { frontend: 10 }))).toBeNaN();
  });
});

describe('cpuSnapshot', () => {
  it('reads the CPU time of a live process, which only grows', async () => {
    const before = await cpuSnapshot({ self: process.pid });
    let x = 0;
    for (let i = 0; i < 2e7; i++) x += i;
    expect(x).toBeGreaterThan(0);
    const after = await cpuSnapshot({ self: process.pid });
    expect(before.self).toBeGreaterThan(0);
    expect(cpuDelta(before, after).self).toBeGreaterThanOrEqual(0);
  });
});

describe('cpuDelta', () => {
  it('subtracts per process', () => {
    expect(cpuDelta({ a: 10, b: 5 }, { a: 25, b: 5 })).toEqual({ a: 15, b: 0 });
  });
});
