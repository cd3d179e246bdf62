import { describe, expect, it } from 'vitest';
import { cpuDelta, parseProcStat, processCpuMs } from '../src/proc-stat.js';

describe('parseProcStat', () => {
  it('reads utime and stime, the 14th and 15th fields', () => {
    const line =
      '4242 (node) S 1 4242 4242 0 -1 4194560 2680 0 0 0 1234 567 0 0 20 0 11 0 3141 1 2 3';
    expect(parseProcStat(line)).toEqual({ userTicks: 1234, systemTicks: 567 });
  });

  it('is not misled by spaces or parentheses in the command name', () => {
    const line = '7 (my (odd) name) R 1 7 7 0 -1 0 0 0 0 0 42 8 0 0 20 0 1 0 99 1 2 3';
    expect(parseProcStat(line)).toEqual({ userTicks: 42, systemTicks: 8 });
  });

  it('throws on text that is not a stat line', () => {
    expect(() => parseProcStat('nonsense')).toThrow(/unexpected/);
  });
});

describe('processCpuMs', () => {
  it.runIf(process.platform === 'linux')('reads a live process and only grows', () => {
    const before = processCpuMs(process.pid);
    let x = 0;
    for (let i = 0; i < 2e7; i++) x += i;
    expect(x).toBeGreaterThan(0);
    expect(processCpuMs(process.pid)).toBeGreaterThanOrEqual(before);
  });
});

describe('cpuDelta', () => {
  it('subtracts per process', () => {
    expect(cpuDelta({ a: 10, b: 5 }, { a: 25, b: 5 })).toEqual({ a: 15, b: 0 });
  });
});
