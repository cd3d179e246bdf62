import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { kustomizationFile } from '@appdist/catalogue/repository';
import { setImage } from '@appdist/kustomize/kustomize';
import { addReleaseNotes, CHANGELOG_FILE, releaseNotesOf } from './changelog.js';
import { applyPendingChanges, readPendingChanges } from './changesets.js';
import { describePaths, ReleaseRefusedError } from './errors.js';
import {
  changedAmong,
  commitPaths,
  createAnnotatedTag,
  headCommit,
  restoreCleanTree,
  tagExists,
  uncommittedChanges,
} from './git.js';
import { planRelease, type ReleasePlan } from './plan.js';

export interface ApplyOptions {
  /** Change nothing: check the plan still holds and report what would be written. */
  dryRun: boolean;
  /** Apply even with uncommitted changes; only the release's own files are committed. */
  allowDirty?: boolean;
  /**
   * Create the annotated tag (default true). False prepares the release commit only, for a
   * pipeline that tags later, after the end-to-end tests passed on that commit.
   */
  tag?: boolean;
}

export interface ApplyResult {
  dryRun: boolean;
  version: string;
  /** Files written, or in a dry run the files that would be, relative to the repository. */
  files: string[];
  /** The commit message, `release: <version>` and the new service versions. */
  message: string;
  /** The release commit; null in a dry run. */
  commit: string | null;
  /** The annotated tag created (in a dry run: to be created), or null without one. */
  tag: string | null;
}

/** The annotated tag's message: a title line for `git tag -n`, then the release notes. */
export function releaseTagMessage(version: string, notes: string): string {
  return `appdist ${version}\n\n${notes.trim()}\n`;
}

function releaseFiles(root: string, plan: ReleasePlan): string[] {
  const kustomization = kustomizationFile(join(root, plan.kustomization));
  if (kustomization === undefined)
    throw new Error(`${plan.kustomization} has no kustomization file`);
  const files = [
    // Only pending changesets still move a package.json; a `changeset version` run on its own
    // moved the others already.
    ...plan.services
      .filter((service) => service.changesets.length > 0)
      .flatMap((service) => [
        `services/${service.name}/package.json`,
        `services/${service.name}/${CHANGELOG_FILE}`,
      ]),
    ...new Set(
      plan.services.flatMap((service) =>
        service.changesets.map((changeset) => `.changeset/${changeset.id}.md`),
      ),
    ),
    relative(root, kustomization),
    CHANGELOG_FILE,
  ];
  return [...new Set(files)].sort();
}

/** The parts of a plan that must not change between planning and applying it. */
function planInputs(plan: ReleasePlan): string[] {
  return [
    `tag ${plan.distribution.from ?? 'none'}`,
    ...plan.services.map((service) => `${service.name} ${service.from} → ${service.to}`),
  ];
}

/** Refuses a plan that no longer describes the repository: new changesets, pins, or a newer tag. */
async function checkPlanStillHolds(root: string, plan: ReleasePlan): Promise<void> {
  const current = await planRelease({ cwd: root });
  const planned = planInputs(plan);
  const now = planInputs(current);
  if (!isDeepStrictEqual(planned, now)) {
    throw new ReleaseRefusedError(
      'stale-plan',
      `the repository changed since this plan was made (planned ${planned.join(', ')}; now ${now.join(', ')}): plan again`,
    );
  }
}

async function writeRelease(root: string, plan: ReleasePlan): Promise<string[]> {
  const changes = await readPendingChanges(root);
  const touched = changes.plan.changesets.length > 0 ? await applyPendingChanges(changes) : [];
  for (const image of plan.images) {
    // The kustomize wrapper: `kustomize edit set image`, a one-line change of newTag. Never sed.
    await setImage(join(root, plan.kustomization), image.name, image.tag);
  }
  const changelogPath = join(root, CHANGELOG_FILE);
  const changelog = existsSync(changelogPath) ? await readFile(changelogPath, 'utf8') : undefined;
  await writeFile(changelogPath, addReleaseNotes(changelog, plan.changelog));
  return touched.map((path) => relative(root, path));
}

/**
 * Makes the release `plan` describes: applies the changesets (service versions, their
 * CHANGELOG.md), pins each new image tag in dist/base with `kustomize edit set image`, adds
 * the release notes to the root CHANGELOG.md,
 * commits exactly those files as `release: <version>` and creates the annotated tag
 * `<version>` whose message is the release notes.
 *
 * Refuses with a ReleaseRefusedError when there is nothing to release, when the tree has
 * uncommitted changes (unless `allowDirty` or `dryRun`), when the tag exists, or when the plan
 * is stale. In a tree that was clean, a failure half-way restores it to the starting commit.
 */
export async function applyRelease(plan: ReleasePlan, options: ApplyOptions): Promise<ApplyResult> {
  const { root } = plan;
  const version = plan.distribution.to;
  if (version === null || plan.services.length === 0) {
    throw new ReleaseRefusedError(
      'nothing-to-release',
      `${plan.distribution.reason}: record a change with \`npx changeset\` first`,
    );
  }
  const dirty = await uncommittedChanges(root);
  if (dirty.length > 0 && !options.allowDirty && !options.dryRun) {
    throw new ReleaseRefusedError(
      'dirty-tree',
      `the working tree has uncommitted changes (${describePaths(dirty)}): commit or stash them, or pass --allow-dirty to release anyway (only the release's own files are committed)`,
    );
  }
  if (await tagExists(root, version)) {
    throw new ReleaseRefusedError('tag-exists', `tag ${version} exists already: plan again`);
  }
  await checkPlanStillHolds(root, plan);

  const tag = options.tag ?? true;
  // The subject names the distribution version; the body, each service's new version.
  const services = plan.services.map((service) => `${service.name} ${service.to}`).join(', ');
  const message = `release: ${version}\n\n${services}\n`;
  const predicted = releaseFiles(root, plan);
  if (options.dryRun) {
    return {
      dryRun: true,
      version,
      files: predicted,
      message,
      commit: null,
      tag: tag ? version : null,
    };
  }

  const start = await headCommit(root);
  const created = predicted.filter((file) => !existsSync(join(root, file)));
  try {
    const touched = await writeRelease(root, plan);
    // changesets rewrites package.json of dependents it does not bump, unchanged: leave those out.
    const files = await changedAmong(root, [...predicted, ...touched]);
    const commit = await commitPaths(root, files, message);
    if (tag) {
      await createAnnotatedTag(
        root,
        version,
        releaseTagMessage(version, releaseNotesOf(plan.changelog, version) ?? plan.changelog),
      );
    }
    return { dryRun: false, version, files, message, commit, tag: tag ? version : null };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (dirty.length === 0) {
      await restoreCleanTree(root, start, created);
      const undone = `release ${version} failed and was undone (the tree is back at ${start.slice(0, 12)})`;
      throw new Error(`${undone}: ${detail}`, { cause: error });
    }
    throw new Error(
      `release ${version} failed half-way in a tree that had uncommitted changes, so nothing was undone: check \`git status\` and \`git diff\` (${predicted.join(', ')}): ${detail}`,
      { cause: error },
    );
  }
}
