import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseClickBatch } from '../src/input.js';

const RULE = 'must map up to 1000 valid codes to positive integers';

describe('parseClickBatch', () => {
  const batchId = randomUUID();
  const reason = (counts: unknown) => {
    try {
      parseClickBatch({ batchId, counts });
      return 'accepted';
    } catch (error) {
      const { status, code, message } = error as { status: number; code: string; message: string };
      return `${status} ${code} ${message}`;
    }
  };

  it('states one rule for every bad count, naming the entry', () => {
    expect(reason({ 'a b': 1 })).toBe(`400 invalid_counts counts.a b: ${RULE}`);
    expect(reason({ abc: '1' })).toBe(`400 invalid_counts counts.abc: ${RULE}`);
    expect(reason({ abc: 1.5 })).toBe(`400 invalid_counts counts.abc: ${RULE}`);
    expect(reason({ abc: 0 })).toBe(`400 invalid_counts counts.abc: ${RULE}`);
    expect(reason({ abc: 2 ** 53 })).toBe(`400 invalid_counts counts.abc: ${RULE}`);
    expect(reason([1])).toBe(`400 invalid_counts counts: ${RULE}`);
    const tooMany = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`c${i}xx`, 1]));
    expect(reason(tooMany)).toBe(`400 invalid_counts counts: ${RULE}`);
  });

  it('counts a code named __proto__ like any other', () => {
    const batch = parseClickBatch(JSON.parse(`{"batchId":"${batchId}","counts":{"__proto__":2}}`));
    expect([...batch.counts]).toEqual([['__proto__', 2]]);
    expect(batch.batchId).toBe(batchId);
  });
});
