import { describe, expect, it } from 'vitest';
import { canaryPhases, parseCanaryPhases } from '../src/canary-status.js';

const TABLE = `NAME       STATUS        WEIGHT   FAILED   LAST
backend    Progressing   10       1        2026-11-26T08:00:00Z
cache      Succeeded     0        0        2026-11-26T08:00:00Z
database   <none>        <none>   <none>   <none>
frontend   Initialized   0        0        2026-11-26T08:00:00Z
`;

describe('parseCanaryPhases', () => {
  it('reads the phase of each Canary', () => {
    expect(Object.fromEntries(parseCanaryPhases(TABLE))).toEqual({
      backend: 'Progressing',
      cache: 'Succeeded',
      database: '<none>',
      frontend: 'Initialized',
    });
  });

  it('reads nothing from output that is not the table (an error, "No resources found")', () => {
    expect(parseCanaryPhases('No resources found in app namespace.\n').size).toBe(0);
    expect(parseCanaryPhases('').size).toBe(0);
  });
});

describe('canaryPhases', () => {
  it('waits until every named Canary has its phase', () => {
    expect(canaryPhases({ cache: 'Succeeded' }, {}).check(TABLE)).toEqual({ state: 'done' });
    expect(canaryPhases({ cache: 'Succeeded', backend: 'Succeeded' }, {}).check(TABLE)).toEqual({
      state: 'wait',
    });
    expect(canaryPhases({ database: 'Initialized' }, {}).check(TABLE)).toEqual({ state: 'wait' });
    expect(canaryPhases({ cache: 'Succeeded' }, {}).check('')).toEqual({ state: 'wait' });
  });

  it('gives up at once when a Canary reaches a phase it must not', () => {
    expect(canaryPhases({ backend: 'Failed' }, { cache: 'Succeeded' }).check(TABLE)).toEqual({
      state: 'fail',
      reason: 'Canary cache is Succeeded',
    });
  });
});
