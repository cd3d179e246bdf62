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
}

/**
 * Render + validate of the three distributions and the provider example, against kustomize of
 * the same directories alone. The kustomize time is taken around each kustomize build inside the
 * pipeline, so both sides cover exactly the same directories, including the temporary ones the
 * provider example is rendered from.
 */
export async function pipelineBenchmark(options: PipelineOptions): Promise<BenchmarkResult> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [benchScript('pipeline-worker.js'), REPOSITORY_ROOT, String(options.passes)],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const wallMs = performance.now() - started;
  const output = JSON.parse(stdout) as WorkerOutput;
  const [cold, ...warm] = output.passes;
  if (!cold) throw new Error('the pipeline worker reported no pass');

  const kustomizeMs = (pass: Pass) => sum(pass.renders.map((render) => render.renderMs));
  const validateMs = (pass: Pass) => sum(pass.renders.map((render) => render.validateMs));
  // Cold: everything validation adds before and during its first pass (module loading, the CRD
  // schemas, lazily loaded kinds) — not Node's own start, which kustomize alone does not pay.
  const coldOurs = output.importMs + output.schemaMs + cold.totalMs;
  const warmOurs = warm.length > 0 ? median(warm.map((pass) => pass.totalMs)) : Number.NaN;
  const warmBaseline = warm.length > 0 ? median(warm.map(kustomizeMs)) : Number.NaN;
  // Kustomize alone is its time in the warm passes. In the cold pass validation loads its
  // models in the background while kustomize runs, and the two share the cores: timed there,
  // kustomize would be slower and hide part of what validation adds.
  const coldBaseline = warm.length > 0 ? warmBaseline : kustomizeMs(cold);
  const findings = sum(
    output.passes.flatMap((pass) => pass.renders.map((render) => render.findings)),
  );
  const distributionsInPipeline = median(
    output.passes.map((pass) => sum(pass.renders.slice(0, 3).map((render) => render.renderMs))),
  );
  const warmValidateMs = warm.length > 0 ? median(warm.map(validateMs)) : Number.NaN;
  // The first pass validates the same objects as the others; what it takes beyond them is
  // loading the models of each kind on first use.
  const firstUseMs = validateMs(cold) - warmValidateMs;
  const oneTimeMs = output.importMs + output.schemaMs + firstUseMs;
  const coldOverhead = coldOurs / coldBaseline - 1;
  const warmOverhead = warmOurs / warmBaseline - 1;

  return {
    name: 'pipeline',
    title: '3. Distribution pipeline',
    ours: `render + validate of ${cold.renders.map((render) => render.distribution).join(', ')} (${sum(cold.renders.map((render) => render.objects))} objects), one after the other; cold: a fresh process incl. loading validation and the CRD schemas; warm: median of ${warm.length} further pass(es)`,
    baseline:
      'kubectl kustomize (the @appdist/kustomize build) of the same directories alone, timed around each build in the warm passes of the same process (for cold and warm)',
    figures: [
      figure('cold', 'ms', coldOurs, coldBaseline),
      figure('warm', 'ms', warmOurs, warmBaseline),
      figure('  cold: loading validation modules', 'ms', output.importMs),
      figure(
        '  cold: SchemaValidator.create (starts loading in the background)',
        'ms',
        output.schemaMs,
      ),
      figure('  cold: first use of each kind (lazy model loading)', 'ms', firstUseMs),
      figure('  validating the objects, warm', 'ms', warmValidateMs),
    ],
    targets: [
      atMost('validation adds ≤ 30 %, warm', warmOverhead * 100, 30, formatPercent),
      atMost('validation adds ≤ 30 %, cold (fresh process)', coldOverhead * 100, 30, formatPercent),
      atMost('no findings', findings, 0, formatCount),
    ],
    notes: [
      `overhead: cold ${formatPercent(coldOverhead * 100)}, warm ${formatPercent(warmOverhead * 100)} of kustomize alone; one-time loading is ${formatNumber(oneTimeMs)} ms, ${formatNumber((oneTimeMs / (coldOurs - coldBaseline)) * 100)} % of what validation adds when cold`,
      `kustomize inside the cold pass took ${formatNumber(kustomizeMs(cold))} ms against ${formatNumber(coldBaseline)} ms alone: the background loading shared the cores with it`,
      `cross-check of the baseline: kustomize of the three distributions alone took ${formatNumber(median(output.kustomizeOnly))} ms (median), inside the pipeline ${formatNumber(distributionsInPipeline)} ms`,
      `the worker process took ${formatNumber(wallMs)} ms in all, ${formatNumber(output.processStartMs)} ms of it Node's own start`,
    ],
    details: { settings: options, worker: output, wallMs },
  };
}
