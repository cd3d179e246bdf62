import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DISTRIBUTIONS } from '@appdist/catalogue';
import {
  atMost,
  type BenchmarkResult,
  figure,
  formatCount,
  formatNumber,
  formatPercent,
} from '../report.js';
import { benchScript, REPOSITORY_ROOT } from '../repository.js';
import { median } from '../stats.js';

interface Render {
  distribution: string;
  objects: number;
  findings: number;
  /** kustomize (kubectl kustomize, the @appdist/kustomize build) of one directory, YAML parsed. */
  renderMs: number;
  validateMs: number;
}

interface Pass {
  totalMs: number;
  renders: Render[];
}

interface WorkerOutput {
  /** Node's own start, until the worker's first line ran. */
  processStartMs: number;
  importMs: number;
  schemaMs: number;
  passes: Pass[];
  /** kustomize of the distributions alone, outside the pipeline, per pass. */
  kustomizeOnly: number[];
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export interface PipelineOptions {
  /** Passes in one process; the first is cold, the rest warm. At least 2 for a warm figure. */
  passes: number;
  /** Fresh processes, one after the other: a cold pass happens once per process. */
  processes: number;
}

/**
 * Render + validate of every distribution and the provider example, against rendering the
 * same directories alone: the same worker with --render-only, which never loads validation. Both
 * run in fresh processes, alternately, so the cold figures compare a first run with a first run.
 */
export async function pipelineBenchmark(options: PipelineOptions): Promise<BenchmarkResult> {
  const started = performance.now();
  const ours: WorkerOutput[] = [];
  const renderOnly: WorkerOutput[] = [];
  const runWorker = async (extra: string[]) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [benchScript('pipeline-worker.js'), REPOSITORY_ROOT, String(options.passes), ...extra],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as WorkerOutput;
  };
  for (let run = 0; run < options.processes; run++) {
    // Alternated, so that a drift of the machine's load touches both sides alike.
    for (const bare of run % 2 === 0 ? [false, true] : [true, false]) {
      (bare ? renderOnly : ours).push(await runWorker(bare ? ['--render-only'] : []));
    }
  }
  const wallMs = performance.now() - started;

  const firstPass = (output: WorkerOutput) => {
    const cold = output.passes[0];
    if (!cold) throw new Error('the pipeline worker reported no pass');
    return cold;
  };
  // Cold: the first pass of a fresh process with the module loading before it (not Node's own
  // start, the same on both sides); the median over the processes.
  const coldOf = (output: WorkerOutput) =>
    output.importMs + output.schemaMs + firstPass(output).totalMs;
  const warmPasses = (outputs: WorkerOutput[]) =>
    outputs.flatMap((output) => output.passes.slice(1));
  const kustomizeMs = (pass: Pass) => sum(pass.renders.map((render) => render.renderMs));
  const validateMs = (pass: Pass) => sum(pass.renders.map((render) => render.validateMs));

  const coldOurs = median(ours.map(coldOf));
  const coldBaseline = median(renderOnly.map(coldOf));
  // median() of no passes is NaN: a single pass per process has no warm figure.
  const warm = warmPasses(ours);
  const warmOurs = median(warm.map((pass) => pass.totalMs));
  const warmBaseline = median(warmPasses(renderOnly).map((pass) => pass.totalMs));
  // The stricter comparison of earlier measurements: kustomize's own time in the warm passes,
  // which leaves out what a fresh process pays to render at all (execa, the first builds).
  const warmKustomize = median(warm.map(kustomizeMs));
  const coldOverhead = coldOurs / coldBaseline - 1;
  const warmOverhead = warmOurs / warmBaseline - 1;
  const coldOverheads = ours
    .map((output) => (coldOf(output) / coldBaseline - 1) * 100)
    .sort((a, b) => a - b);
  const findings = sum(
    ours.flatMap((output) =>
      output.passes.flatMap((pass) => pass.renders.map((render) => render.findings)),
    ),
  );
  const importMs = median(ours.map((output) => output.importMs));
  const baselineImportMs = median(renderOnly.map((output) => output.importMs));
  const schemaMs = median(ours.map((output) => output.schemaMs));
  const warmValidateMs = median(warm.map(validateMs));
  // The first pass validates the same objects as the others; what it takes beyond them is
  // waiting for the kinds' schemas and models on first use.
  const firstUseMs = median(ours.map((output) => validateMs(firstPass(output)))) - warmValidateMs;
  const distributionsInPipeline = median(
    warm.map((pass) =>
      sum(pass.renders.slice(0, DISTRIBUTIONS.length).map((render) => render.renderMs)),
    ),
  );
  const first = firstPass(ours[0] as WorkerOutput);

  return {
    name: 'pipeline',
    title: '3. Distribution pipeline',
    ours: `render + validate of ${first.renders.map((render) => render.distribution).join(', ')} (${sum(first.renders.map((render) => render.objects))} objects), one after the other, in ${ours.length} fresh processes; cold: the first pass with the module loading before it (median); warm: the ${warm.length} further passes (median)`,
    baseline: `the same renders without validation (the worker with --render-only, which does not load validation), in ${renderOnly.length} fresh processes alternating with ours, measured the same way`,
    figures: [
      figure('cold', 'ms', coldOurs, coldBaseline),
      figure('warm', 'ms', warmOurs, warmBaseline),
      figure('  cold: loading modules', 'ms', importMs, baselineImportMs),
      figure('  cold: SchemaValidator.create (starts loading in the background)', 'ms', schemaMs),
      figure('  cold: waiting for schemas and models on first use', 'ms', firstUseMs),
      figure('  validating the objects, warm', 'ms', warmValidateMs),
    ],
    targets: [
      atMost('validation adds ≤ 30 %, warm', warmOverhead * 100, 30, formatPercent),
      atMost('validation adds ≤ 30 %, cold (fresh process)', coldOverhead * 100, 30, formatPercent),
      atMost('no findings', findings, 0, formatCount),
    ],
    notes: [
      `overhead: cold ${formatPercent(coldOverhead * 100)} (our ${ours.length} processes: ${coldOverheads.map((value) => formatPercent(value)).join(', ')}), warm ${formatPercent(warmOverhead * 100)} of rendering alone`,
      `stricter: against kustomize's own time in the warm passes (${formatNumber(warmKustomize)} ms), which leaves out what a fresh process pays to render at all, cold is ${formatPercent((coldOurs / warmKustomize - 1) * 100)}`,
      `rendering alone: cold ${formatNumber(coldBaseline)} ms, of which ${formatNumber(baselineImportMs)} ms loading the kustomize wrapper (execa); warm ${formatNumber(warmBaseline)} ms`,
      `cross-check: kustomize of the distributions alone took ${formatNumber(median(ours.flatMap((output) => output.kustomizeOnly)))} ms (median), inside the warm passes ${formatNumber(distributionsInPipeline)} ms`,
      `the ${ours.length + renderOnly.length} worker processes took ${formatNumber(wallMs)} ms in all, ${formatNumber(median(ours.map((output) => output.processStartMs)))} ms of each Node's own start`,
    ],
    details: { settings: options, workers: ours, renderOnlyWorkers: renderOnly, wallMs },
  };
}
