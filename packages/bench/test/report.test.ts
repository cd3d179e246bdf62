import { describe, expect, it } from 'vitest';
import {
  atLeast,
  atMost,
  type BenchmarkResult,
  figure,
  formatNumber,
  formatRatio,
  formatResult,
  markdownTable,
  ratio,
} from '../src/report.js';

const result: BenchmarkResult = {
  name: 'redirect',
  title: '1. Redirect hot path',
  ours: 'the services',
  baseline: 'bare node:http',
  figures: [figure('requests/s', '', 5_000, 10_000), figure('latency p99', 'ms', 12, 4)],
  targets: [atLeast('requests/s ratio ≥ 0.5', 0.5, 0.5), atMost('p99 ≤ 2× baseline p99', 3, 2)],
  notes: ['other processes were running'],
  details: {},
};

describe('ratio', () => {
  it('divides ours by the baseline', () => {
    expect(ratio(5_000, 10_000)).toBe(0.5);
    expect(ratio(12, 4)).toBe(3);
  });

  it('is undefined without a usable baseline', () => {
    expect(ratio(5, undefined)).toBeUndefined();
    expect(ratio(5, 0)).toBeUndefined();
    expect(ratio(5, Number.NaN)).toBeUndefined();
    expect(ratio(Number.NaN, 5)).toBeUndefined();
  });
});

describe('figure', () => {
  it('carries the ratio when there is a baseline', () => {
    expect(figure('requests/s', '', 3, 4)).toEqual({
      label: 'requests/s',
      unit: '',
      ours: 3,
      baseline: 4,
      ratio: 0.75,
    });
  });

  it('has neither baseline nor ratio without one', () => {
    expect(figure('CPU', 'µs', 3)).toEqual({ label: 'CPU', unit: 'µs', ours: 3 });
  });
});

describe('targets', () => {
  it('meets a minimum exactly at the bound and a maximum exactly at the bound', () => {
    expect(atLeast('x', 0.5, 0.5).met).toBe(true);
    expect(atLeast('x', 0.49, 0.5).met).toBe(false);
    expect(atMost('x', 2, 2).met).toBe(true);
    expect(atMost('x', 2.01, 2).met).toBe(false);
  });

  it('never meets a target with a value that was not measured', () => {
    expect(atLeast('x', Number.NaN, 0).met).toBe(false);
    expect(atMost('x', Number.NaN, 100).met).toBe(false);
  });
});

describe('formatNumber', () => {
  it('keeps about three significant digits and separates thousands', () => {
    expect(formatNumber(12_345.6)).toBe('12,346');
    expect(formatNumber(123.4)).toBe('123');
    expect(formatNumber(12.34)).toBe('12.3');
    expect(formatNumber(1.234)).toBe('1.23');
    expect(formatNumber(0.1234)).toBe('0.123');
    expect(formatNumber(Number.NaN)).toBe('–');
  });

  it('prints ratios with two decimals', () => {
    expect(formatRatio(0.4567)).toBe('0.46×');
    expect(formatRatio(0.0023)).toBe('0.0023×');
    expect(formatRatio(undefined)).toBe('–');
  });
});

describe('formatResult', () => {
  it('prints one aligned row per figure, then the targets and notes', () => {
    expect(formatResult(result)).toBe(
      [
        '1. Redirect hot path',
        '  ours:     the services',
        '  baseline: bare node:http',
        '                      ours   baseline   ratio',
        '  requests/s         5,000     10,000   0.50×',
        '  latency p99 (ms)    12.0       4.00   3.00×',
        '  target requests/s ratio ≥ 0.5: met (0.500)',
        '  target p99 ≤ 2× baseline p99: NOT MET (3.00)',
        '  note: other processes were running',
      ].join('\n'),
    );
  });
});

describe('markdownTable', () => {
  it('has a row per figure and a row per target', () => {
    const table = markdownTable([result]);
    expect(table).toContain('| 1. Redirect hot path | requests/s | 5,000 | 10,000 | 0.50× |');
    expect(table).toContain('|  | latency p99 (ms) | 12.0 | 4.00 | 3.00× |');
    expect(table).toContain(
      '| 1. Redirect hot path | p99 ≤ 2× baseline p99 | 3.00 | **not met** |',
    );
  });
});
