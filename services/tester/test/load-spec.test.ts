import { HttpError } from '@appdist/service-kit/errors';
import { describe, expect, it } from 'vitest';
import {
  parseDurationSeconds,
  parseHeaders,
  parseLoadSpec,
  parseMethod,
  parseRps,
  parseTarget,
} from '../src/load-spec.js';
import { parseWebhookPayload } from '../src/payload.js';

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
    for (const [text, seconds] of cases)
      expect(parseDurationSeconds(text, 7200), text).toBe(seconds);
    expect(() => parseDurationSeconds('2h0m1s', 7200)).toThrow(
      'metadata.duration: must be from 1s to 7200s',
    );
  });

  it('reads rps as a positive decimal up to the limit', () => {
    expect(parseRps('10', 200)).toBe(10);
    expect(parseRps('0.5', 200)).toBe(0.5);
    expect(parseRps('200', 200)).toBe(200);
    expect(() => parseRps('200.5', 200)).toThrow(HttpError);
  });

  it('defaults to GET and accepts methods in any case', () => {
    expect(parseMethod(undefined)).toBe('GET');
    expect(parseMethod('')).toBe('GET');
    expect(parseMethod('post')).toBe('POST');
  });

  it('reads headers from a JSON object in a string', () => {
    expect(parseHeaders('{"X-Canary":"insider","cookie":"canary=always"}')).toEqual({
      'x-canary': 'insider',
      cookie: 'canary=always',
    });
    expect(parseHeaders(undefined)).toEqual({});
    expect(parseHeaders('{}')).toEqual({});
  });

  it('appends the path to the url, keeping its query', () => {
    expect(parseTarget('http://backend-canary.app:8080', '/api/links?limit=5').href).toBe(
      'http://backend-canary.app:8080/api/links?limit=5',
    );
    expect(parseTarget('http://backend-canary.app:8080/api/', '/links').href).toBe(
      'http://backend-canary.app:8080/api/links',
    );
    expect(parseTarget('https://frontend-canary.app/', undefined).href).toBe(
      'https://frontend-canary.app/',
    );
    expect(parseTarget('http://cache-canary.app:8080/v1/keys/load-test?x=1', '').href).toBe(
      'http://cache-canary.app:8080/v1/keys/load-test?x=1',
    );
  });

  it('builds a spec from a Flagger payload as the Canaries in dist/ send it', () => {
    const payload = parseWebhookPayload({
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
    const spec = parseLoadSpec(payload, { maxRps: 200, maxDurationSeconds: 600 });
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
