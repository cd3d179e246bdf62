import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { alternation } from '../measure.js';
import type { WorkerOutput } from '../pipeline-worker.js';
import {
  atMost,
  type BenchmarkResult,
  figure,
  formatCount,
  formatNumber,
  formatPercent,
} from '../report.js';
import { benchScript, REPOSITORY_ROOT } from '../repository.js';
import { median, sum } from '../stats.js';

type Pass = WorkerOutput['passes'][number];
type Render = Pass['renders'][number];

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
  const workers: Record<'ours' | 'baseline', WorkerOutput[]> = { ours: [], baseline: [] };
  // Alternated, so that a drift of the machine's load touches both sides alike.
  for (const side of alternation(options.processes)) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [benchScript('pipeline-worker.js'), REPOSITORY_ROOT, String(options.passes)].concat(
        side === 'baseline' ? ['--render-only'] : [],
      ),
      { maxBuffer: 16 * 1024 * 1024 },
    );
    workers[side].push(JSON.parse(stdout));
  }
  const wallMs = performance.now() - started;
  const { ours, baseline } = workers;

  const firstPass = (output: WorkerOutput) => {
    const cold = output.passes[0];
    if (!cold) throw new Error('the pipeline worker reported no pass');
    return cold;
  };
  // Cold: the first pass of a fresh process with the module loading before it (not Node's own
  // start, the same on both sides); the median over the processes.
  const coldOf = (output: WorkerOutput) =>
    output.importMs + output.schemaMs + firstPass(output).totalMs;
  // No warm passes (one pass per process) give NaN: no warm figure.
  const warmOf = (outputs: WorkerOutput[]) => outputs.flatMap((output) => output.passes.slice(1));
  const total = (pass: Pass, pick: (render: Render) => number) => sum(pass.renders.map(pick));

  const warm = warmOf(ours);
  const cold = [median(ours.map(coldOf)), median(baseline.map(coldOf))] as const;
  const warmOurs = median(warm.map((pass) => pass.totalMs));
  const warmBaseline = median(warmOf(baseline).map((pass) => pass.totalMs));
  // The stricter comparison of earlier measurements: kustomize's own time in the warm passes,
  // which leaves out what a fresh process pays to render at all (execa, the first builds).
  const warmKustomize = median(warm.map((pass) => total(pass, (render) => render.renderMs)));
  const overhead = (ours: number, baseline: number) => (ours / baseline - 1) * 100;
  const coldOverheads = ours
    .map((output) => overhead(coldOf(output), cold[1]))
    .sort((a, b) => a - b);
  const findings = sum(
    ours.flatMap((output) => output.passes.map((pass) => total(pass, (render) => render.findings))),
  );
  const validateMs = (pass: Pass) => total(pass, (render) => render.validateMs);
  const warmValidateMs = median(warm.map(validateMs));
  // The first pass validates the same objects as the others; what it takes beyond them is
  // waiting for the kinds' schemas and models on first use.
  const firstUseMs = median(ours.map((output) => validateMs(firstPass(output)))) - warmValidateMs;
  const importMs = (outputs: WorkerOutput[]) => median(outputs.map((output) => output.importMs));
  const schemaMs = median(ours.map((output) => output.schemaMs));
  const first = firstPass(ours[0] as WorkerOutput);

  return {
    name: 'pipeline',
    title: '3. Distribution pipeline',
    ours: `render + validate of ${first.renders.map((render) => render.distribution).join(', ')} (${total(first, (render) => render.objects)} objects), one after the other, in ${ours.length} fresh processes; cold: the first pass with the module loading before it (median); warm: the ${warm.length} further passes (median)`,
    baseline: `the same renders without validation (the worker with --render-only, which does not load validation), in ${baseline.length} fresh processes alternating with ours, measured the same way`,
    figures: [
      figure('cold', 'ms', ...cold),
      figure('warm', 'ms', warmOurs, warmBaseline),
      figure('  cold: loading modules', 'ms', importMs(ours), importMs(baseline)),
      figure('  cold: SchemaValidator.create (starts loading in the background)', 'ms', schemaMs),
      figure('  cold: waiting for schemas and models on first use', 'ms', firstUseMs),
      figure('  validating the objects, warm', 'ms', warmValidateMs),
    ],
    targets: [
      atMost('validation adds ≤ 30 %, warm', overhead(warmOurs, warmBaseline), 30, formatPercent),
      atMost('validation adds ≤ 30 %, cold (fresh process)', overhead(...cold), 30, formatPercent),
      atMost('no findings', findings, 0, formatCount),
    ],
    notes: [
      `overhead: cold ${formatPercent(overhead(...cold))} (our ${ours.length} processes: ${coldOverheads.map(formatPercent).join(', ')}), warm ${formatPercent(overhead(warmOurs, warmBaseline))} of rendering alone`,
      `stricter: against kustomize's own time in the warm passes (${formatNumber(warmKustomize)} ms), which leaves out what a fresh process pays to render at all, cold is ${formatPercent(overhead(cold[0], warmKustomize))}`,
      `the ${ours.length + baseline.length} worker processes took ${formatNumber(wallMs)} ms in all, ${formatNumber(median(ours.map((output) => output.processStartMs)))} ms of each Node's own start`,
    ],
    details: { settings: options, workers: ours, renderOnlyWorkers: baseline, wallMs },
  };
}
