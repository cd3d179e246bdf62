import { describe, expect, it } from 'vitest';
import { isFullTurbo } from '../src/benchmarks/turbo.js';

describe('isFullTurbo', () => {
  it('holds when every attempted task came from the cache', () => {
    expect(isFullTurbo({ attempted: 17, cached: 17, exitCode: 0 })).toBe(true);
  });

  it('does not hold for a run that did work', () => {
    expect(isFullTurbo({ attempted: 17, cached: 3, exitCode: 0 })).toBe(false);
  });

  it('does not hold without a summary or without tasks', () => {
    expect(isFullTurbo(undefined)).toBe(false);
    expect(isFullTurbo({ attempted: 0, cached: 0, exitCode: 0 })).toBe(false);
  });
});
