import { join } from 'node:path';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { checkTag, type E2EImages, imageOverrides } from './images.js';
import { distributionMesh, formatPlan, planE2E } from './plan.js';
import { preflightProblems } from './preflight.js';
import { runE2E } from './run-e2e.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface E2ECommandOptions {
  dist: string;
  plan?: boolean;
  /**
   * `service=image` pairs (the CLI's repeated --image). A service left out runs the image dist/
   * pins (with `tag`, if given): what `bash ci/bake.sh kind --load` builds.
   */
  images?: readonly string[];
  /** The tag of every image not given in `images`, as docker-bake.hcl's TAG (e.g. sha-3f2c1e0). */
  tag?: string;
  /** Default: $APPDIST_E2E_ARTIFACTS/<dist>, else e2e-artifacts/<dist> in the repository. */
  artifacts?: string;
  keepCluster?: boolean;
}

/** Where the command runs; tests pass their own. */
export interface E2ECommandEnvironment {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `appdist e2e --dist <name> [--plan]`: prints the plan, or runs it on a Kind cluster. Exit 0
 * on success (or a plan), 1 when a step failed, 2 when it cannot run as asked: an unknown
 * distribution, a bad image, or a machine without kind or a Docker engine.
 */
export async function runE2ECommand(
  options: E2ECommandOptions,
  output: Output,
  environment: E2ECommandEnvironment = {},
): Promise<number> {
  const fail = (text: string) => {
    output.stderr(`appdist e2e: ${text}\n`);
    return EXIT_USAGE;
  };
  let images: Partial<E2EImages>;
  try {
    distributionMesh(options.dist);
    images = imageOverrides(options.images ?? []);
    if (options.tag !== undefined) checkTag(options.tag);
  } catch (error) {
    return fail(message(error));
  }
  const root = findRepositoryRoot(environment.cwd ?? process.cwd());
  if (!root) {
    return fail(
      'not inside the appdist repository (no package.json with workspaces above this folder)',
    );
  }
  const env = environment.env ?? process.env;
  const planOptions = {
    dist: options.dist,
    images,
    tag: options.tag,
    artifacts:
      options.artifacts ??
      join(env.APPDIST_E2E_ARTIFACTS || join(root, 'e2e-artifacts'), options.dist),
    root,
    env,
    keepCluster: options.keepCluster,
  };
  if (!options.plan) {
    const problems = await preflightProblems({
      env,
      platform: environment.platform ?? process.platform,
      arch: environment.arch ?? process.arch,
    });
    if (problems.length > 0) {
      return fail(
        [
          'a real run creates a Kind cluster, which this machine cannot do:',
          ...problems.map((problem) => `  - ${problem}`),
          `Run it where kind and a Docker engine are (the CI workflow does), or print its commands with: appdist e2e --dist ${options.dist} --plan`,
        ].join('\n'),
      );
    }
  }

  // Ctrl-C or SIGTERM stops a real run in a way that still collects artifacts.
  const interrupt = new AbortController();
  const abort = () => interrupt.abort(new Error('interrupted'));
  if (!options.plan) process.once('SIGINT', abort).once('SIGTERM', abort);
  try {
    if (options.plan) {
      output.stdout(formatPlan(await planE2E(planOptions)));
      return 0;
    }
    const result = await runE2E({
      ...planOptions,
      log: (line) => output.stdout(`${line}\n`),
      signal: interrupt.signal,
      sleep: environment.sleep,
    });
    if (result.ok) {
      output.stdout(`\ne2e ${result.dist}: passed; artifacts in ${result.artifacts}\n`);
      return 0;
    }
    output.stderr(
      `appdist e2e: ${result.dist} failed at step ${result.failedStep ?? '?'}; events, logs and Canaries are in ${join(result.artifacts, 'collected')}\n`,
    );
    return EXIT_FAILED;
  } catch (error) {
    // Before any command: kustomize could not render, or the artifacts folder is not writable.
    output.stderr(`appdist e2e: ${message(error)}\n`);
    return EXIT_FAILED;
  } finally {
    process.off('SIGINT', abort).off('SIGTERM', abort);
  }
}
