import { describe, expect, it } from 'vitest';
import { parsePageQuery } from '../src/page-query.js';

const rejectedWith = (code: string) => expect.objectContaining({ status: 400, code });

describe('parsePageQuery', () => {
  it('defaults the limit and passes the cursor through', () => {
    expect(parsePageQuery({})).toEqual({ limit: 20, cursor: undefined });
    expect(parsePageQuery({ limit: '100', cursor: 'abc' })).toEqual({ limit: 100, cursor: 'abc' });
    expect(parsePageQuery({ limit: '1', cursor: '' })).toEqual({ limit: 1, cursor: undefined });
  });

  it('answers invalid_limit outside 1..100', () => {
    for (const limit of ['0', '101', '-1', '1.5', 'ten', '', '1e2', ['1', '2']]) {
      expect(() => parsePageQuery({ limit }), String(limit)).toThrow(rejectedWith('invalid_limit'));
    }
  });

  it('answers invalid_cursor for a repeated cursor', () => {
    expect(() => parsePageQuery({ cursor: ['a', 'b'] })).toThrow(rejectedWith('invalid_cursor'));
  });
});
