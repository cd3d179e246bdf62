import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '../src/concurrency.js';

describe('mapConcurrent', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrent(
      [30, 5, 20, 1, 10],
      async (delay) => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(delay);
        running -= 1;
        return delay * 2;
      },
      2,
    );
    expect(results).toEqual([60, 10, 40, 2, 20]);
    expect(peak).toBe(2);
  });

  it('returns nothing for nothing', async () => {
    await expect(mapConcurrent([], async () => 1)).resolves.toEqual([]);
  });
});
