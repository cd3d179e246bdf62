import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../src/logger.js';

/** A logger of service `demo` whose lines are kept, as written, in `lines`. */
export function capturedLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, logger: createLogger({ name: 'demo', level, version: '1.2.3' }, sink) };
}
