import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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
  /** kustomize of the three distributions alone, outside the pipeline, per pass. */
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
 * Render + validate of the three distributions and the provider example, against kustomize of
 * the same directories alone. The kustomize time is taken around each kustomize build inside the
 * pipeline, so both sides cover exactly the same directories, including the temporary ones the
 * provider example is rendered from.
 */
export async function pipelineBenchmark(options: PipelineOptions): Promise<BenchmarkResult> {
  const started = performance.now();
  const outputs: WorkerOutput[] = [];
  for (let run = 0; run < options.processes; run++) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [benchScript('pipeline-worker.js'), REPOSITORY_ROOT, String(options.passes)],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    outputs.push(JSON.parse(stdout) as WorkerOutput);
  }
  const wallMs = performance.now() - started;
  const colds = outputs.map((output) => {
    const cold = output.passes[0];
    if (!cold) throw new Error('the pipeline worker reported no pass');
    return { output, cold };
  });
  const warm = outputs.flatMap((output) => output.passes.slice(1));
  const first = colds[0];
  if (!first) throw new Error('--pipeline-processes must be at least 1');

  const kustomizeMs = (pass: Pass) => sum(pass.renders.map((render) => render.renderMs));
  const validateMs = (pass: Pass) => sum(pass.renders.map((render) => render.validateMs));
  // Cold: everything validation adds before and during its first pass (module loading, the CRD
  // schemas, lazily loaded kinds) — not Node's own start, which kustomize alone does not pay.
  // One cold pass per process, so the median over the processes.
  const coldOf = ({ output, cold }: (typeof colds)[number]) =>
    output.importMs + output.schemaMs + cold.totalMs;
  const coldOurs = median(colds.map(coldOf));
  const warmOurs = warm.length > 0 ? median(warm.map((pass) => pass.totalMs)) : Number.NaN;
  const warmBaseline = warm.length > 0 ? median(warm.map(kustomizeMs)) : Number.NaN;
  // Kustomize alone is its time in the warm passes. In the cold pass validation loads its
  // models in the background while kustomize runs, and the two share the cores: timed there,
  // kustomize would be slower and hide part of what validation adds.
  const coldKustomize = median(colds.map(({ cold }) => kustomizeMs(cold)));
  const coldBaseline = warm.length > 0 ? warmBaseline : coldKustomize;
  const findings = sum(
    outputs.flatMap((output) =>
      output.passes.flatMap((pass) => pass.renders.map((render) => render.findings)),
    ),
  );
  const distributionsInPipeline = median(
    warm.map((pass) => sum(pass.renders.slice(0, 3).map((render) => render.renderMs))),
  );
  const importMs = median(outputs.map((output) => output.importMs));
  const schemaMs = median(outputs.map((output) => output.schemaMs));
  const warmValidateMs = warm.length > 0 ? median(warm.map(validateMs)) : Number.NaN;
  // The first pass validates the same objects as the others; what it takes beyond them is
  // waiting for the kinds' schemas and models on first use.
  const firstUseMs = median(colds.map(({ cold }) => validateMs(cold))) - warmValidateMs;
  const coldOverhead = coldOurs / coldBaseline - 1;
  const warmOverhead = warmOurs / warmBaseline - 1;
  const coldOverheads = colds
    .map((entry) => (coldOf(entry) / coldBaseline - 1) * 100)
    .sort((a, b) => a - b);

  return {
    name: 'pipeline',
    title: '3. Distribution pipeline',
    ours: `render + validate of ${first.cold.renders.map((render) => render.distribution).join(', ')} (${sum(first.cold.renders.map((render) => render.objects))} objects), one after the other; cold: the first pass of a fresh process incl. loading validation and the CRD schemas, median of ${colds.length} processes; warm: median of the ${warm.length} further passes`,
    baseline:
      'kubectl kustomize (the @appdist/kustomize build) of the same directories alone, timed around each build in the warm passes of the same process (for cold and warm)',
    figures: [
      figure('cold', 'ms', coldOurs, coldBaseline),
      figure('warm', 'ms', warmOurs, warmBaseline),
      figure('  cold: loading validation modules', 'ms', importMs),
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
      `overhead: cold ${formatPercent(coldOverhead * 100)} (the ${colds.length} processes: ${coldOverheads.map((value) => formatPercent(value)).join(', ')}), warm ${formatPercent(warmOverhead * 100)} of kustomize alone`,
      `kustomize inside the cold passes took ${formatNumber(coldKustomize)} ms (median) against ${formatNumber(coldBaseline)} ms alone: the background loading shared the cores with it`,
      `cross-check of the baseline: kustomize of the three distributions alone took ${formatNumber(median(outputs.flatMap((output) => output.kustomizeOnly)))} ms (median), inside the warm passes ${formatNumber(distributionsInPipeline)} ms`,
      `the ${outputs.length} worker processes took ${formatNumber(wallMs)} ms in all, ${formatNumber(median(outputs.map((output) => output.processStartMs)))} ms of each Node's own start`,
    ],
    details: { settings: options, workers: outputs, wallMs },
  };
}
