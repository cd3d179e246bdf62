import { availableParallelism } from 'node:os';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import type { Output } from '@appdist/e2e/e2e-command';
import { KustomizeError } from '@appdist/kustomize/errors';
import { type Finding, formatFinding } from '@appdist/validation/finding';
import { SchemaValidator } from '@appdist/validation/schema';
import {
  type DirectoryValidation,
  validateDirectory,
} from '@appdist/validation/validate-directory';
import { validateProviderExample } from '@appdist/validation/validate-example';
import { validateOptionComponents } from '@appdist/validation/validate-options';
import { Option } from 'commander';
import pMap from 'p-map';
import { checkoutFor, defaultTargets, resolveTarget, type Target, UsageError } from './targets.js';

export interface ValidateOptions {
  format: 'text' | 'json';
  crds?: string;
  /** Also each option component (alerts-slack, manual-approval, …) composed with each distribution. */
  options?: boolean;
}

/** `--format text|json` (or `yaml|json`): the first choice is the default. */
export function formatOption(human: 'text' | 'yaml'): Option {
  return new Option('--format <format>', 'output format').choices([human, 'json']).default(human);
}

async function validateTarget(
  target: Target,
  root: string | undefined,
  schemas: SchemaValidator,
): Promise<DirectoryValidation[]> {
  if (!target.providerExample) {
    return [await validateDirectory(target.dir, { distribution: target.name, schemas })];
  }
  return validateProviderExample(
    checkoutFor(
      target,
      root,
      '; it is rendered against a local checkout: run inside the repository',
    ),
    { schemas, example: target.dir },
  );
}

/** A render kustomize refused, reported beside the findings; any other error propagates. */
function failureOf(distribution: string, error: unknown) {
  if (error instanceof KustomizeError) {
    return {
      distribution,
      dir: error.dir,
      message: `kustomize cannot render ${error.dir}: fix the kustomization there (kustomize says why below)`,
      stderr: error.stderr.trim(),
    };
  }
  throw error;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `appdist validate`: renders each target with real kustomize and validates it. Returns the exit code. */
export async function runValidate(
  dirs: readonly string[],
  options: ValidateOptions,
  output: Output,
  cwd: string,
): Promise<number> {
  const root = findRepositoryRoot(cwd);
  const targets =
    dirs.length > 0 ? dirs.map((dir) => resolveTarget(dir, root, cwd)) : defaultTargets(root, cwd);
  // A missing CRD folder is a usage error, reported by the CLI's run().
  const schemas = await SchemaValidator.create({ crdsDir: options.crds });

  const started = performance.now();
  // Renders are kustomize processes: one per core roughly halves a full validation.
  const outcomes = await pMap(
    targets,
    async (target) => {
      try {
        return { results: await validateTarget(target, root, schemas) };
      } catch (error) {
        return { results: [], failure: failureOf(target.name, error) };
      }
    },
    { concurrency: availableParallelism() },
  );
  const results = outcomes.flatMap((outcome) => outcome.results);
  const failures = outcomes.flatMap((outcome) => (outcome.failure ? [outcome.failure] : []));
  if (options.options) {
    if (!root) throw new UsageError('--options needs the repository: run inside it');
    try {
      results.push(...(await validateOptionComponents(root, { schemas })));
    } catch (error) {
      failures.push(failureOf('dist/components', error));
    }
  }
  const findings: Finding[] = results.flatMap((result) => result.findings);
  const objects = results.reduce((sum, result) => sum + result.objects.length, 0);
  const elapsedMs = Math.round(performance.now() - started);
  const ok = findings.length === 0 && failures.length === 0;

  if (options.format === 'json') {
    const renders = results.map((result) => ({
      distribution: result.distribution,
      dir: result.dir,
      objects: result.objects.length,
      findings: result.findings.length,
      renderMs: Math.round(result.renderMs),
      validateMs: Math.round(result.validateMs),
    }));
    const report = { ok, renders, findings, failures, elapsedMs };
    output.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return ok ? 0 : 1;
  }

  for (const finding of findings) output.stdout(`${formatFinding(finding)}\n`);
  for (const failure of failures) {
    output.stderr(`${failure.distribution}  ${failure.message}\n`);
    if (failure.stderr) output.stderr(`${failure.stderr.replace(/^/gm, '  ')}\n`);
  }
  const problems = [
    plural(findings.length, 'finding'),
    ...(failures.length > 0 ? [`${plural(failures.length, 'render')} failed`] : []),
  ];
  // Name the renders while the line stays readable; --options adds one per option and distribution.
  const names =
    results.length <= 6
      ? ` (${results.map((result) => result.distribution).join(', ') || 'none'})`
      : '';
  output.stdout(
    `${ok ? 'ok' : 'FAILED'}: ${plural(results.length, 'render')}${names}, ${plural(objects, 'object')}, ${problems.join(', ')} in ${elapsedMs} ms\n`,
  );
  return ok ? 0 : 1;
}
