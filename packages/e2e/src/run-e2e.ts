import { writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatCommand } from './command.js';
import { type ExecutionContext, runStep, type Step } from './executor.js';
import type { E2EImages } from './images.js';
import { type PlanOptions, planE2E, stepHeader } from './plan.js';

export interface E2EOptions extends PlanOptions {
  log: (line: string) => void;
  /** Aborting it stops the run; artifacts are still collected. */
  signal?: AbortSignal | undefined;
  sleep?: ExecutionContext['sleep'] | undefined;
}

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  seconds: number;
  /** As the log prints them: what to rerun by hand when a step failed in CI. */
  commands: string[];
  error?: string;
}

export interface E2EResult {
  dist: string;
  ok: boolean;
  artifacts: string;
  /** The rendered manifest the run applies. */
  manifest: string;
  /** The image each service ran. */
  images: E2EImages;
  /** The main steps in order, then collect (when it ran) and teardown. */
  steps: StepResult[];
  failedStep?: string;
  error?: string;
}

function stepResult(step: Step, status: StepStatus, seconds = 0, error?: string): StepResult {
  const commands = step.commands.map(formatCommand);
  return { id: step.id, title: step.title, status, seconds, commands, ...(error && { error }) };
}

async function execute(
  step: Step,
  index: number,
  context: ExecutionContext,
  note = '',
): Promise<StepResult> {
  context.log('');
  context.log(stepHeader(index, step, note));
  const start = performance.now();
  const elapsed = () => Math.round((performance.now() - start) / 1000);
  try {
    await runStep(step, context);
    context.log(`ok ${step.id} (${elapsed()} s)`);
    return stepResult(step, 'passed', elapsed());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    context.log(`FAILED ${step.id} (${elapsed()} s): ${message}`);
    return stepResult(step, 'failed', elapsed(), message);
  }
}

/**
 * The Kind end-to-end run of one distribution: runs the steps of its plan in order and stops at
 * the first failure; then, like a shell trap, collects artifacts (only after a failure) and
 * deletes the cluster (unless kept), and writes `result.json` into the artifacts folder.
 */
export async function runE2E(options: E2EOptions): Promise<E2EResult> {
  const plan = await planE2E(options);
  const base = options.env ?? process.env;
  const context = (signal?: AbortSignal): ExecutionContext => ({
    env: {
      ...base,
      KUBECONFIG: plan.kubeconfig,
      // The run's own tools first: the pinned kubectl, istioctl and linkerd win over any other.
      PATH: [plan.binDir, base.PATH].filter(Boolean).join(delimiter),
    },
    log: options.log,
    sleep: options.sleep ?? ((ms, abort) => sleep(ms, undefined, abort && { signal: abort })),
    ...(signal && { signal }),
  });

  const running = context(options.signal);
  const results: StepResult[] = [];
  let failed: StepResult | undefined;
  for (const [index, step] of plan.steps.entries()) {
    const result = failed ? stepResult(step, 'skipped') : await execute(step, index + 1, running);
    results.push(result);
    if (result.status === 'failed') failed = result;
  }
  // The trap: these run after an interruption too, so they get no abort signal.
  const cleanup = context();
  const collectIndex = plan.steps.length + 1;
  if (failed) results.push(await execute(plan.collect, collectIndex, cleanup, ' (a step failed)'));
  if (plan.teardown) results.push(await execute(plan.teardown, collectIndex + 1, cleanup));

  const result: E2EResult = {
    dist: plan.dist,
    ok: !failed,
    artifacts: plan.workDir,
    manifest: plan.app.manifest,
    images: plan.app.images,
    steps: results,
    ...(failed && { failedStep: failed.id, ...(failed.error && { error: failed.error }) }),
  };
  await writeFile(join(plan.workDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
