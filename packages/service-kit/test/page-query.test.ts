import { describe, expect, it } from 'vitest';
import { HttpError } from '../src/errors.js';
import { parsePageQuery } from '../src/page-query.js';

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error.code;
    throw error;
  }
  return undefined;
}

describe('parsePageQuery', () => {
  it('defaults the limit and passes the cursor through', () => {
    expect(parsePageQuery({})).toEqual({ limit: 20, cursor: undefined });
    expect(parsePageQuery({ limit: '100', cursor: 'abc' })).toEqual({ limit: 100, cursor: 'abc' });
    expect(parsePageQuery({ limit: '1', cursor: '' })).toEqual({ limit: 1, cursor: undefined });
  });

  it('answers invalid_limit outside 1..100', () => {
    for (const limit of ['0', '101', '-1', '1.5', 'ten', '', '1e2', ['1', '2']]) {
      expect(
        errorCode(() => parsePageQuery({ limit })),
        String(limit),
      ).toBe('invalid_limit');
    }
  });

  it('answers invalid_cursor for a repeated cursor', () => {
    expect(errorCode(() => parsePageQuery({ cursor: ['a', 'b'] }))).toBe('invalid_cursor');
  });
});
