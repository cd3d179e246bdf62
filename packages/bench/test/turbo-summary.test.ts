import { describe, expect, it } from 'vitest';
import { parseTurboSummary } from '../src/benchmarks/turbo.js';

describe('parseTurboSummary', () => {
  it('reads the cached count and FULL TURBO', () => {
    const output =
      '\n Tasks:    17 successful, 17 total\nCached:    17 cached, 17 total\n  Time:    412ms >>> FULL TURBO\n';
    expect(parseTurboSummary(output)).toEqual({ cached: 17, total: 17, fullTurbo: true });
  });

  it('reads a coloured summary of a run that did work', () => {
    const output = '\u001b[1mCached:\u001b[0m    \u001b[1m3 cached, 17 total\u001b[0m\n';
    expect(parseTurboSummary(output)).toEqual({ cached: 3, total: 17, fullTurbo: false });
  });

  it('reports nothing cached when there is no summary', () => {
    expect(parseTurboSummary('turbo crashed')).toEqual({ cached: 0, total: 0, fullTurbo: false });
  });
});
