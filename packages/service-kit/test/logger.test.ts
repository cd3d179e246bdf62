import { describe, expect, it } from 'vitest';
import { requestLogWriter } from '../src/logger.js';
import { capturedLogger as capture } from './captured-logger.js';

const withoutTime = (line: string | undefined) =>
  (line ?? '').replace(/"time":"[^"]+"/, '"time":"T"');

describe('requestLogWriter', () => {
  it('writes the same line as pino, escaping what needs it', () => {
    const { lines, logger } = capture('info');
    const line = {
      requestId: 'rid-1',
      method: 'GET',
      path: '/a "quoted"\\path\n/é',
      status: 302,
      durationMs: 1.5,
    };
    logger.info(line, 'request');
    requestLogWriter(logger)(line);
    expect(lines).toHaveLength(2);
    expect(withoutTime(lines[1])).toBe(withoutTime(lines[0]));
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ ...line, service: 'demo', msg: 'request' });
  });

  it('writes nothing below the logger level', () => {
    const { lines, logger } = capture('warn');
    requestLogWriter(logger)({
      requestId: 'r',
      method: 'GET',
      path: '/',
      status: 200,
      durationMs: 1,
    });
    expect(lines).toEqual([]);
  });
});
