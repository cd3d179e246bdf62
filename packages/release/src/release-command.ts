import { type ApplyResult, applyRelease } from './apply.js';
import { describePaths, ReleaseRefusedError } from './errors.js';
import { formatApplyResult, formatPlan, formatTagResult } from './format.js';
import { repositoryRoot, uncommittedChanges } from './git.js';
import { planRelease, type ReleasePlan } from './plan.js';
import { tagRelease } from './tag.js';

export type ReleaseAction = 'plan' | 'apply' | 'tag';

export interface ReleaseCommandOptions {
  action: ReleaseAction;
  /** apply and tag: change nothing, show what would happen. */
  dryRun?: boolean;
  /** apply and tag: go ahead despite uncommitted changes. */
  allowDirty?: boolean;
  /** apply: create the tag too (default); false leaves tagging to `appdist release tag`. */
  tag?: boolean;
  format: 'text' | 'json';
  /** Any folder inside the repository; default the current directory. */
  cwd?: string;
  /** The first distribution version while no version tag exists (default 1.0.0). */
  initialVersion?: string;
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

async function runApply(
  options: ReleaseCommandOptions,
  plan: ReleasePlan,
  output: Output,
): Promise<number> {
  const fail = (message: string): number => {
    output.stderr(`appdist release apply: ${message}\n`);
    return EXIT_FAILED;
  };
  if (plan.distribution.to === null) {
    if (options.format === 'json') output.stdout(json({ plan, result: null }));
    else output.stdout(formatPlan(plan));
    return fail(`${plan.distribution.reason}: record a change with \`npx changeset\` first`);
  }
  const dirty = await uncommittedChanges(plan.root);
  // A dirty tree gets the dry run by default: it shows the release without mixing work in
  // progress into a release commit.
  const refuseDirty = dirty.length > 0 && !options.allowDirty && !options.dryRun;
  const result: ApplyResult = await applyRelease(plan, {
    dryRun: (options.dryRun ?? false) || refuseDirty,
    allowDirty: options.allowDirty ?? false,
    tag: options.tag ?? true,
  });
  if (options.format === 'json') output.stdout(json({ plan, result }));
  else output.stdout(`${formatPlan(plan)}\n${formatApplyResult(result)}`);
  if (refuseDirty) {
    return fail(
      `refusing to apply in a dirty working tree (${describePaths(dirty)}): the dry run above is what would happen; commit or stash your changes, or pass --allow-dirty (only the release's own files are committed)`,
    );
  }
  return EXIT_OK;
}

/**
 * `appdist release plan|apply|tag`. plan prints what a release would do; apply makes it (the
 * release commit, and the annotated tag unless `tag` is false), as a dry run when asked or when
 * the tree is dirty; tag tags HEAD as the release CHANGELOG.md names last. Exit 0 on success,
 * 1 when refused or failed; with `format: 'json'` a refusal is `{"error": {"reason", "message"}}`.
 */
export async function runReleaseCommand(
  options: ReleaseCommandOptions,
  output: Output,
): Promise<number> {
  try {
    const cwd = await repositoryRoot(options.cwd ?? process.cwd());
    if (options.action === 'tag') {
      const result = await tagRelease({
        cwd,
        dryRun: options.dryRun ?? false,
        allowDirty: options.allowDirty ?? false,
      });
      output.stdout(options.format === 'json' ? json(result) : formatTagResult(result));
      return EXIT_OK;
    }
    const plan = await planRelease({
      cwd,
      ...(options.initialVersion ? { initialVersion: options.initialVersion } : {}),
    });
    if (options.action === 'apply') return await runApply(options, plan, output);
    output.stdout(options.format === 'json' ? json(plan) : formatPlan(plan));
    return EXIT_OK;
  } catch (error) {
    // Refusals and operational failures (git, kustomize, changesets) alike: the message says
    // what to do, a stack trace would not.
    const message = error instanceof Error ? error.message : String(error);
    if (options.format === 'json') {
      // A pipeline tells "already tagged" from "out of sync" by the reason, not the wording.
      const reason = error instanceof ReleaseRefusedError ? error.reason : 'failed';
      output.stdout(json({ error: { reason, message } }));
    }
    output.stderr(`appdist release ${options.action}: ${message}\n`);
    return EXIT_FAILED;
  }
}
