import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

// Under load every request logs a line. Written one by one, each costs its own write to stdout:
// 15 % of the redirect path's CPU (docs/performance.md). Lines are collected up to 4 KiB and
// written together, and never held longer than the interval, so a quiet service still shows
// each line at once to a person watching. pino flushes the rest synchronously at exit.
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 100;

export function createLogger(
  options: { name: string; level: string; version?: string },
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      base: { service: options.name, version: options.version },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ??
      pino.destination({
        dest: 1,
        sync: false,
        minLength: LOG_BUFFER_BYTES,
        periodicFlush: LOG_FLUSH_INTERVAL_MS,
      }),
  );
}

export interface RequestLogLine {
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/**
 * Writes the line every request logs, byte for byte what `logger.info(line, 'request')` writes,
 * without pino's generic serialisation, which cost each hop of a redirect about 2.5 µs
 * (docs/performance.md). The line goes to the logger's own destination, with its bindings.
 */
export function requestLogWriter(logger: Logger): (line: RequestLogLine) => void {
  // pino internals, hence the major pinned in package.json (logger.test.ts compares the bytes):
  // `chindingsSym` holds the bindings already serialised as `,"key":value…`, `streamSym` the
  // destination, and the line layout (level label, ISO time, fields, msg) is pino's own.
  const internals = logger as unknown as Record<symbol, unknown>;
  const bindings = String(internals[pino.symbols.chindingsSym] ?? '');
  const stream = internals[pino.symbols.streamSym] as DestinationStream;
  return ({ requestId, method, path, status, durationMs }) => {
    if (!logger.isLevelEnabled('info')) return;
    stream.write(
      `{"level":"info","time":"${new Date().toISOString()}"${bindings},` +
        `"requestId":${JSON.stringify(requestId)},"method":${JSON.stringify(method)},` +
        `"path":${JSON.stringify(path)},"status":${status},"durationMs":${durationMs},"msg":"request"}\n`,
    );
  };
}
