import { writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { formatCommand } from './command.js';
import { type ExecutionContext, runStep, type Step } from './executor.js';
import type { E2EImages } from './images.js';
import { type E2EPlan, formatPlan, planE2E, stepHeader } from './plan.js';

export interface E2EOptions {
  dist: string;
  /**
   * Service → locally built image, e.g. `{ backend: 'ghcr.io/appdist/backend:pr-42' }`. A service
   * left out runs the image the distribution pins (with `tag`, if given), which is what
   * `docker buildx bake kind --load` builds.
   */
  images?: Partial<E2EImages>;
  /** The tag of every image not given in `images`, as docker-bake.hcl's TAG. */
  tag?: string;
  /** Print the commands instead of running them. */
  plan: boolean;
  /** The run's folder: tools, kubeconfig, rendered manifest, logs, collected artifacts, result.json. */
  artifacts: string;
  log: (line: string) => void;
  /** The repository root holding dist/; default: found upwards from the working directory. */
  root?: string;
  keepCluster?: boolean;
  /** The environment commands start from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Aborting it stops the run; artifacts are still collected. */
  signal?: AbortSignal;
  /** Waits between poll attempts; tests pass a fast one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type StepStatus = 'planned' | 'passed' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  seconds: number;
  commands: string[];
  error?: string;
}

export interface E2EResult {
  dist: string;
  plan: boolean;
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
  return {
    id: step.id,
    title: step.title,
    status,
    seconds,
    commands: step.commands.map(formatCommand),
    ...(error !== undefined ? { error } : {}),
  };
}

async function execute(
  step: Step,
  index: number,
  note: string,
  context: ExecutionContext,
): Promise<StepResult> {
  context.log('');
  context.log(stepHeader(index, step, note));
  const start = performance.now();
  try {
    await runStep(step, context);
    const seconds = Math.round((performance.now() - start) / 1000);
    context.log(`ok ${step.id} (${seconds} s)`);
    return stepResult(step, 'passed', seconds);
  } catch (error) {
    const seconds = Math.round((performance.now() - start) / 1000);
    const message = error instanceof Error ? error.message : String(error);
    context.log(`FAILED ${step.id} (${seconds} s): ${message}`);
    return stepResult(step, 'failed', seconds, message);
  }
}

function executionContext(
  plan: E2EPlan,
  options: E2EOptions,
  signal?: AbortSignal,
): ExecutionContext {
  const base = options.env ?? process.env;
  return {
    env: {
      ...base,
      KUBECONFIG: plan.env.KUBECONFIG,
      // The run's own tools first: the pinned kubectl, istioctl and linkerd win over any other.
      PATH: [plan.env.binDir, base.PATH].filter(Boolean).join(delimiter),
    },
    log: options.log,
    sleep: options.sleep ?? ((ms, abort) => sleep(ms, undefined, abort ? { signal: abort } : {})),
    ...(signal ? { signal } : {}),
  };
}

/**
 * The Kind end-to-end run of one distribution. With `plan`, prints every command and runs none.
 * Otherwise runs the steps in order and stops at the first failure; then, like a shell trap,
 * collects artifacts (only after a failure) and deletes the cluster (unless kept), and writes
 * `result.json` into the artifacts folder.
 */
export async function runE2E(options: E2EOptions): Promise<E2EResult> {
  const root = options.root ?? findRepositoryRoot(process.cwd());
  if (!root) {
    throw new Error(
      'not inside the appdist repository (no package.json with workspaces above this folder)',
    );
  }
  const plan = await planE2E({
    dist: options.dist,
    ...(options.images ? { images: options.images } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    artifacts: options.artifacts,
    root,
    ...(options.keepCluster !== undefined ? { keepCluster: options.keepCluster } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const base = {
    dist: plan.dist,
    artifacts: plan.workDir,
    manifest: plan.app.manifest,
    images: plan.images,
  };
  const finalSteps = [plan.collect, ...(plan.teardown ? [plan.teardown] : [])];

  if (options.plan) {
    for (const line of formatPlan(plan).trimEnd().split('\n')) options.log(line);
    return {
      ...base,
      plan: true,
      ok: true,
      steps: [...plan.steps, ...finalSteps].map((step) => stepResult(step, 'planned')),
    };
  }

  const context = executionContext(plan, options, options.signal);
  const results: StepResult[] = [];
  let failed: StepResult | undefined;
  for (const [index, step] of plan.steps.entries()) {
    if (failed) {
      results.push(stepResult(step, 'skipped'));
      continue;
    }
    const result = await execute(step, index + 1, '', context);
    results.push(result);
    if (result.status === 'failed') failed = result;
  }
  // The trap: these run after an interruption too, so they get no abort signal.
  const cleanup = executionContext(plan, options);
  const collectIndex = plan.steps.length + 1;
  if (failed) results.push(await execute(plan.collect, collectIndex, ' (a step failed)', cleanup));
  if (plan.teardown) results.push(await execute(plan.teardown, collectIndex + 1, '', cleanup));

  const result: E2EResult = {
    ...base,
    plan: false,
    ok: !failed,
    steps: results,
    ...(failed ? { failedStep: failed.id, ...(failed.error ? { error: failed.error } : {}) } : {}),
  };
  await writeFile(join(plan.workDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
