/** One measured quantity of a benchmark, beside the same quantity of its baseline. */
export interface Figure {
  label: string;
  unit: string;
  ours: number;
  baseline?: number;
  /** ours / baseline; absent without a baseline or when the baseline is 0. */
  ratio?: number;
}

export interface Target {
  /** e.g. `requests/s ratio ≥ 0.5` */
  description: string;
  met: boolean;
  /** The measured value the target was judged on, as printed. */
  actual: string;
}

export interface BenchmarkResult {
  name: string;
  title: string;
  /** What ran, and what the baseline was. */
  ours: string;
  baseline: string;
  figures: Figure[];
  targets: Target[];
  /** Caveats and context, e.g. the share of CPU the load generator used. */
  notes: string[];
  /** Everything measured, for the JSON file. */
  details: Record<string, unknown>;
}

/** ours / baseline, or undefined when there is nothing to divide by. */
export function ratio(ours: number, baseline: number | undefined): number | undefined {
  if (baseline === undefined || !Number.isFinite(baseline) || baseline === 0) return undefined;
  return Number.isFinite(ours) ? ours / baseline : undefined;
}

export function figure(label: string, unit: string, ours: number, baseline?: number): Figure {
  const r = ratio(ours, baseline);
  return {
    label,
    unit,
    ours,
    ...(baseline === undefined ? {} : { baseline }),
    ...(r === undefined ? {} : { ratio: r }),
  };
}

type Format = (value: number) => string;

/** At least `minimum`: a target met when the value reaches it (NaN never does). */
export const atLeast = (
  description: string,
  value: number,
  minimum: number,
  format: Format = formatNumber,
): Target => ({ description, met: value >= minimum, actual: format(value) });

export const atMost = (
  description: string,
  value: number,
  maximum: number,
  format: Format = formatNumber,
): Target => ({ description, met: value <= maximum, actual: format(value) });

/** For counts: `0`, `12`. */
export const formatCount: Format = (value) => value.toLocaleString('en-US');

/** For overheads: `+4.6 %`. */
export const formatPercent: Format = (value) =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${formatNumber(value)} %` : '–';

/** Thousands separated, and as many decimals as the magnitude deserves (3 significant digits below 100). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** Two decimals; two significant digits below 0.1, so a cached turbo run does not read 0.00×. */
export function formatRatio(value: number | undefined): string {
  if (value === undefined) return '–';
  return `${value < 0.1 ? value.toPrecision(2) : value.toFixed(2)}×`;
}

/** label (unit), ours, baseline, ratio: the cells of a figure in either form. */
const cells = (f: Figure) => [
  `${f.label}${f.unit ? ` (${f.unit})` : ''}`,
  formatNumber(f.ours),
  f.baseline === undefined ? '–' : formatNumber(f.baseline),
  formatRatio(f.ratio),
];

/** The result as the terminal shows it: a header, one row per figure, then the targets. */
export function formatResult(result: BenchmarkResult): string {
  const rows = [['', 'ours', 'baseline', 'ratio'], ...result.figures.map(cells)];
  const widths = [0, 1, 2, 3].map((column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (row: string[]) =>
    `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   ')}`.trimEnd();
  return [
    result.title,
    `  ours:     ${result.ours}`,
    `  baseline: ${result.baseline}`,
    ...rows.map(line),
    ...result.targets.map(
      (t) => `  target ${t.description}: ${t.met ? 'met' : 'NOT MET'} (${t.actual})`,
    ),
    ...result.notes.map((note) => `  note: ${note}`),
  ].join('\n');
}

/** One Markdown table over all results, the form docs/performance.md keeps. */
export function markdownTable(results: readonly BenchmarkResult[]): string {
  const row = (values: readonly string[]) => `| ${values.join(' | ')} |`;
  const figures = results.flatMap((result) =>
    result.figures.map((f, index) => row([index === 0 ? result.title : '', ...cells(f)])),
  );
  const targets = results.flatMap((result) =>
    result.targets.map((t) =>
      row([result.title, t.description, t.actual, t.met ? '**met**' : '**not met**']),
    ),
  );
  return [
    '| benchmark | figure | ours | baseline | ratio |',
    '|---|---|---:|---:|---:|',
    ...figures,
    ...(targets.length === 0
      ? []
      : ['', '| benchmark | target | measured | |', '|---|---|---:|---|', ...targets]),
  ].join('\n');
}
