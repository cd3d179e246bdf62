import { HttpError } from '@appdist/service-kit/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODE_PATTERN, generateCode, normalizeUrl, parseCreateLink } from '../src/link-input.js';

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpError) return error.code;
    throw error;
  }
  return undefined;
}

describe('normalizeUrl', () => {
  it('accepts http and https URLs', () => {
    expect(normalizeUrl('https://example.com/a?b=c#d')).toBe('https://example.com/a?b=c#d');
    expect(normalizeUrl('http://example.com')).toBe('http://example.com/');
  });

  it('rejects other schemes, non-URLs and non-strings', () => {
    for (const value of [
      'javascript:alert(1)',
      'data:text/html,hi',
      'ftp://example.com/file',
      'file:///etc/passwd',
      'mailto:a@example.com',
      'example.com',
      '',
      'http://',
      42,
      null,
      undefined,
      ['https://example.com'],
    ]) {
      expect(normalizeUrl(value), String(value)).toBeUndefined();
    }
  });

  it('allows 2048 characters and no more', () => {
    const base = 'https://example.com/';
    expect(normalizeUrl(base + 'a'.repeat(2048 - base.length))).toHaveLength(2048);
    expect(normalizeUrl(base + 'a'.repeat(2049 - base.length))).toBeUndefined();
  });

  it('stores a target that is always safe in a Location header', () => {
    expect(normalizeUrl('https://bücher.example/ä b')).toBe(
      'https://xn--bcher-kva.example/%C3%A4%20b',
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (path) => {
        const url = normalizeUrl(`https://example.com/${path}`);
        if (url !== undefined) expect(url).toMatch(/^[\x21-\x7e]+$/);
      }),
    );
  });
});

describe('parseCreateLink', () => {
  it('returns the normalized url and the optional code', () => {
    expect(parseCreateLink({ url: 'https://example.com/x' })).toEqual({
      url: 'https://example.com/x',
      code: undefined,
    });
    expect(parseCreateLink({ url: 'https://example.com/x', code: 'my_code-1' })).toEqual({
      url: 'https://example.com/x',
      code: 'my_code-1',
    });
  });

  it('answers invalid_body, invalid_url and invalid_code', () => {
    for (const body of [undefined, null, 'x', 3, [], [{ url: 'https://example.com' }]]) {
      expect(errorCode(() => parseCreateLink(body))).toBe('invalid_body');
    }
    expect(errorCode(() => parseCreateLink({}))).toBe('invalid_url');
    expect(errorCode(() => parseCreateLink({ url: 'data:,x' }))).toBe('invalid_url');
    for (const code of ['ab', 'a'.repeat(33), 'has space', 'ümlaut', 'a/b', 7, null, '']) {
      expect(errorCode(() => parseCreateLink({ url: 'https://example.com', code }))).toBe(
        'invalid_code',
      );
    }
  });
});

describe('generateCode', () => {
  it('makes 7-character base62 codes that pass the code pattern', () => {
    const codes = new Set(Array.from({ length: 1000 }, generateCode));
    for (const code of codes) {
      expect(code).toMatch(/^[A-Za-z0-9]{7}$/);
      expect(code).toMatch(CODE_PATTERN);
    }
    // 62^7 codes: a repeat within 1000 would mean the generator is not random.
    expect(codes.size).toBe(1000);
  });
});
