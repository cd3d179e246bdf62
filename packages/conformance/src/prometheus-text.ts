// Hand-written: parse-prometheus-text-format, the one npm parser, folds a labelled histogram's
// series into one and drops their _count and _sum, which are what the metrics check compares.

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
const LABEL = /^([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/;
const ESCAPES = new Map([
  ['\\', '\\'],
  ['"', '"'],
  ['n', '\n'],
]);
// Prometheus parses values with Go's ParseFloat, which takes NaN and Inf in any case; prom-client
// writes `Nan`, for instance.
// A Map, not an object: `constructor` or `__proto__` must not look like a value.
const SPECIAL_VALUES = new Map([
  ['nan', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY],
  ['+inf', Number.POSITIVE_INFINITY],
  ['-inf', Number.NEGATIVE_INFINITY],
]);

function invalid(line: number, reason: string): Error {
  return new Error(`line ${line}: ${reason}`);
}

function parseValue(text: string, line: number): number {
  const value = SPECIAL_VALUES.get(text.toLowerCase()) ?? (text === '' ? Number.NaN : Number(text));
  if (Number.isNaN(value) && text.toLowerCase() !== 'nan') {
    throw invalid(line, `bad sample value ${JSON.stringify(text)}`);
  }
  return value;
}

/** Reads `{a="1",b="x\"y"}` from the start of `text`; returns the labels and what follows. */
function parseLabels(text: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  for (;;) {
    rest = rest.replace(/^[\s,]+/, '');
    if (rest.startsWith('}')) return { labels, rest: rest.slice(1) };
    const [pair, name, value] = LABEL.exec(rest) ?? [];
    if (pair === undefined || name === undefined || value === undefined) {
      throw invalid(
        line,
        /^[a-zA-Z_]\w*="/.test(rest)
          ? 'unterminated label value'
          : `malformed label set near ${JSON.stringify(rest.slice(0, 20))}`,
      );
    }
    labels[name] = value.replace(/\\(.)/g, (_escape, char: string) => {
      const escaped = ESCAPES.get(char);
      if (escaped === undefined) throw invalid(line, 'bad escape in a label value');
      return escaped;
    });
    rest = rest.slice(pair.length);
  }
}

/** Parses the Prometheus text exposition format (0.0.4), as scraped from /metrics. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    const type = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(content);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
    if (content === '' || content.startsWith('#')) return;
    const name = NAME.exec(content)?.[0];
    if (name === undefined) throw invalid(line, 'no metric name');
    let rest = content.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    samples.push({ name, labels, value: parseValue(rest.trim().split(/\s+/)[0] ?? '', line) });
  });
  return { types, samples };
}
