import { HttpError } from '@appdist/service-kit/errors';
import { describe, expect, it } from 'vitest';
import { type LoadLimits, loadSpecParser } from '../src/load-spec.js';

const LIMITS: LoadLimits = { maxRps: 200, maxDurationSeconds: 7200 };

/** The spec for a valid payload with `metadata` changed (undefined: not sent). */
function specWith(change: Record<string, string | undefined>) {
  const metadata = { url: 'http://backend-canary.app:8080', rps: '1', duration: '1s', ...change };
  return loadSpecParser(LIMITS)({
    name: 'frontend',
    namespace: 'app',
    metadata: JSON.parse(JSON.stringify(metadata)),
  });
}

describe('load hook metadata', () => {
  it('reads Go-style durations', () => {
    const cases: Array<[string, number]> = [
      ['30s', 30],
      ['2m', 120],
      ['1h', 3600],
      ['1m30s', 90],
      ['1h0m5s', 3605],
      [' 45s ', 45],
    ];
    for (const [text, seconds] of cases) {
      expect(specWith({ duration: text }).durationMs, text).toBe(seconds * 1000);
    }
    expect(() => specWith({ duration: '2h0m1s' })).toThrow(
      'metadata.duration: must be from 1s to 7200s',
    );
  });

  it('reads rps as a positive decimal up to the limit', () => {
    expect(specWith({ rps: '10' }).rps).toBe(10);
    expect(specWith({ rps: '0.5' }).rps).toBe(0.5);
    expect(specWith({ rps: '200' }).rps).toBe(200);
    expect(() => specWith({ rps: '200.5' })).toThrow(HttpError);
  });

  it('defaults to GET and accepts methods in any case', () => {
    expect(specWith({ method: undefined }).method).toBe('GET');
    expect(specWith({ method: '' }).method).toBe('GET');
    expect(specWith({ method: 'post' }).method).toBe('POST');
  });

  it('reads headers from a JSON object in a string', () => {
    expect(
      specWith({ headers: '{"X-Canary":"insider","cookie":"canary=always"}' }).headers,
    ).toEqual({
      'x-canary': 'insider',
      cookie: 'canary=always',
    });
    expect(specWith({ headers: undefined }).headers).toEqual({});
    expect(specWith({ headers: '{}' }).headers).toEqual({});
  });

  it('appends the path to the url, keeping its query', () => {
    const target = (url: string, path: string | undefined) => specWith({ url, path }).target.href;
    expect(target('http://backend-canary.app:8080', '/api/links?limit=5')).toBe(
      'http://backend-canary.app:8080/api/links?limit=5',
    );
    expect(target('http://backend-canary.app:8080/api/', '/links')).toBe(
      'http://backend-canary.app:8080/api/links',
    );
    expect(target('https://frontend-canary.app/', undefined)).toBe('https://frontend-canary.app/');
    expect(target('http://cache-canary.app:8080/v1/keys/load-test?x=1', '')).toBe(
      'http://cache-canary.app:8080/v1/keys/load-test?x=1',
    );
  });

  it('names the url or the path first when other metadata is wrong too', () => {
    const bad = { rps: 'ten', duration: '0s', method: 'FETCH', headers: '[]' };
    expect(() => specWith({ ...bad, url: 'ftp://x' })).toThrow(/^metadata\.url: /);
    expect(() => specWith({ ...bad, path: 'links' })).toThrow(
      'metadata.path: must be a path starting with / (a query may follow)',
    );
    expect(() =>
      specWith({ ...bad, url: 'http://backend-canary.app:8080/?x=1', path: '/links' }),
    ).toThrow('metadata.path: cannot be added to a url that has a query');
    expect(() => specWith({ ...bad, path: `/${'a'.repeat(2048)}` })).toThrow(
      'metadata.path: must be at most 2048 characters',
    );
    expect(() => specWith(bad)).toThrow(/^metadata\.rps: /);
  });

  it('builds a spec from a Flagger payload as the Canaries in dist/ send it', () => {
    const spec = loadSpecParser({ maxRps: 200, maxDurationSeconds: 600 })({
      name: 'frontend',
      namespace: 'app',
      phase: 'Progressing',
      checksum: 'abc',
      metadata: {
        url: 'http://frontend-canary.app:8080/',
        rps: '10',
        duration: '1m',
        headers: '{"x-canary":"insider"}',
      },
    });
    expect(spec).toEqual({
      canary: 'app/frontend',
      checksum: 'abc',
      target: new URL('http://frontend-canary.app:8080/'),
      method: 'GET',
      headers: { 'x-canary': 'insider' },
      rps: 10,
      durationMs: 60_000,
    });
  });
});
