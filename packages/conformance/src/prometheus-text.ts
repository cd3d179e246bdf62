/** One line of the Prometheus text format: `name{label="value"} 1`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** `# TYPE` of each metric family: counter, gauge, histogram, summary or untyped. */
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

export class ExpositionError extends Error {
  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExpositionError';
  }
}

// Prometheus parses values with Go's ParseFloat, which takes NaN and Inf in any case; prom-client
// writes `Nan`, for instance.
const SPECIAL_VALUES: ReadonlyMap<string, number> = new Map([
  ['nan', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
]);

function parseValue(text: string, line: number): number {
  const special = SPECIAL_VALUES.get(text.toLowerCase());
  if (special !== undefined) return special;
  const value = text === '' ? Number.NaN : Number(text);
  if (Number.isNaN(value))
    throw new ExpositionError(line, `bad sample value ${JSON.stringify(text)}`);
  return value;
}

/** Reads `{a="1",b="x\"y"}` from the start of `text`; returns the labels and what follows. */
function parseLabels(text: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    if (rest.startsWith('}')) return { labels, rest: rest.slice(1) };
    const name = LABEL_NAME.exec(rest)?.[0];
    if (name === undefined || rest[name.length] !== '=' || rest[name.length + 1] !== '"') {
      throw new ExpositionError(
        line,
        `malformed label set near ${JSON.stringify(rest.slice(0, 20))}`,
      );
    }
    let value = '';
    let i = name.length + 2;
    for (; i < rest.length && rest[i] !== '"'; i++) {
      const char = rest[i];
      if (char === '\\') {
        const escaped = ESCAPES[rest[i + 1] ?? ''];
        if (escaped === undefined) throw new ExpositionError(line, 'bad escape in a label value');
        value += escaped;
        i++;
      } else {
        value += char;
      }
    }
    if (i >= rest.length) throw new ExpositionError(line, 'unterminated label value');
    labels[name] = value;
    rest = rest.slice(i + 1);
  }
}

/** Parses the Prometheus text exposition format (0.0.4), as scraped from /metrics. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '') return;
    if (content.startsWith('#')) {
      const type = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(content);
      if (type?.[1] && type[2]) types.set(type[1], type[2]);
      return;
    }
    const name = NAME.exec(content)?.[0];
    if (name === undefined) throw new ExpositionError(line, 'no metric name');
    let rest = content.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const value = parseValue(rest.trim().split(/\s+/)[0] ?? '', line);
    samples.push({ name, labels, value });
  });
  return { types, samples };
}
