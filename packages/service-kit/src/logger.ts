import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

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
    destination,
  );
}
