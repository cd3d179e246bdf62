import { describe, expect, it } from 'vitest';
import { parseExposition } from '../src/prometheus-text.js';

describe('parseExposition', () => {
  it('reads types, labels with escapes, and special values as prom-client writes them', () => {
    const { types, samples } = parseExposition(
      [
        '# HELP http_requests_total Requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="GET",route="/api/links/:code",status="200"} 3',
        'http_requests_total{method="POST",route="a \\"quoted\\" \\\\ path\\nx",status="500"} 1 1700000000000',
        '# TYPE http_request_duration_seconds histogram',
        'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/",status="200"} 3',
        'nodejs_eventloop_lag_stddev_seconds Nan',
        'negative -Inf',
        'scientific 1.5e-3',
        '',
      ].join('\n'),
    );
    expect(types).toEqual(
      new Map([
        ['http_requests_total', 'counter'],
        ['http_request_duration_seconds', 'histogram'],
      ]),
    );
    expect(samples).toEqual([
      {
        name: 'http_requests_total',
        labels: { method: 'GET', route: '/api/links/:code', status: '200' },
        value: 3,
      },
      {
        name: 'http_requests_total',
        labels: { method: 'POST', route: 'a "quoted" \\ path\nx', status: '500' },
        value: 1,
      },
      {
        name: 'http_request_duration_seconds_bucket',
        labels: { le: '+Inf', method: 'GET', route: '/', status: '200' },
        value: 3,
      },
      { name: 'nodejs_eventloop_lag_stddev_seconds', labels: {}, value: Number.NaN },
      { name: 'negative', labels: {}, value: Number.NEGATIVE_INFINITY },
      { name: 'scientific', labels: {}, value: 0.0015 },
    ]);
  });

  it('names the line of what is not the text format', () => {
    expect(() => parseExposition('ok 1\n<html>')).toThrow('line 2: no metric name');
    expect(() => parseExposition('a{b="1} 2')).toThrow('line 1: unterminated label value');
    expect(() => parseExposition('a{b=1} 2')).toThrow(/^line 1: malformed label set/);
    expect(() => parseExposition('a 1\nb{c="d"} twelve')).toThrow(
      'line 2: bad sample value "twelve"',
    );
    expect(() => parseExposition('a')).toThrow('line 1: bad sample value ""');
    for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => parseExposition(`x ${word}`)).toThrow(`line 1: bad sample value "${word}"`);
    }
  });
});
