const LEVEL_WIDTH = 5;
const NAME_WIDTH = 8;
const SKIPPED_KEYS = new Set('level time msg service version name pid hostname'.split(' '));

/** One pino JSON line as a short human line; anything else passes through unchanged. */
export function formatLogLine(service: string, line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${service.padEnd(NAME_WIDTH)} ${line}`;
  }
  if (typeof entry !== 'object' || entry === null) return `${service.padEnd(NAME_WIDTH)} ${line}`;
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = String(entry.level ?? '').padEnd(LEVEL_WIDTH);
  const fields = Object.entries(entry)
    .filter(([key]) => !SKIPPED_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${time} ${service.padEnd(NAME_WIDTH)} ${level} ${String(entry.msg ?? '')}${fields ? ` ${fields}` : ''}`;
}
