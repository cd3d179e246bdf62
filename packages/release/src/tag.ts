import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseTagMessage } from './apply.js';
import { CHANGELOG_FILE, newestReleaseIn, releaseNotesOf } from './changelog.js';
import { readPendingChanges } from './changesets.js';
import { describePaths, ReleaseRefusedError } from './errors.js';
import {
  createAnnotatedTag,
  headCommit,
  latestVersionTag,
  repositoryRoot,
  tagExists,
  uncommittedChanges,
} from './git.js';
import { pinMismatches } from './images.js';
import { compareVersions, isPlainVersion } from './version.js';

export interface TagOptions {
  cwd: string;
  dryRun: boolean;
  allowDirty?: boolean;
}

export interface TagResult {
  dryRun: boolean;
  version: string;
  /** The commit the tag points (or would point) at: HEAD. */
  commit: string;
  message: string;
}

async function readChangelog(root: string): Promise<string> {
  try {
    return await readFile(join(root, CHANGELOG_FILE), 'utf8');
  } catch {
    throw new ReleaseRefusedError(
      'nothing-to-release',
      `no ${CHANGELOG_FILE} in ${root}: prepare a release with \`appdist release apply --no-tag\` first`,
    );
  }
}

/**
 * Tags HEAD as the release the root CHANGELOG.md names last, once the end-to-end tests passed
 * on it: the last step of a release, so a tag exists only for a tested commit. Refuses when
 * that version is tagged already or not newer than the latest tag, and when a service's
 * version differs from the tag dist/base pins for it.
 */
export async function tagRelease(options: TagOptions): Promise<TagResult> {
  const root = await repositoryRoot(options.cwd);
  const changelog = await readChangelog(root);
  const version = newestReleaseIn(changelog);
  if (version === undefined || !isPlainVersion(version)) {
    throw new ReleaseRefusedError(
      'nothing-to-release',
      `${CHANGELOG_FILE} names no release (a "## MAJOR.MINOR.PATCH" heading): prepare one with \`appdist release apply --no-tag\``,
    );
  }
  if (await tagExists(root, version)) {
    throw new ReleaseRefusedError(
      'tag-exists',
      `${version}, the newest release in ${CHANGELOG_FILE}, is tagged already: nothing to tag`,
    );
  }
  const latest = await latestVersionTag(root);
  if (latest !== undefined && compareVersions(version, latest) <= 0) {
    throw new ReleaseRefusedError(
      'nothing-to-release',
      `${version}, the newest release in ${CHANGELOG_FILE}, is not newer than tag ${latest}: nothing to tag`,
    );
  }
  const dirty = await uncommittedChanges(root);
  if (dirty.length > 0 && !options.allowDirty && !options.dryRun) {
    throw new ReleaseRefusedError(
      'dirty-tree',
      `the working tree has uncommitted changes (${describePaths(dirty)}): the tag would name a commit that is not what was tested; commit or stash them, or pass --allow-dirty`,
    );
  }
  const { services } = await readPendingChanges(root);
  const mismatches = await pinMismatches(root, services);
  if (mismatches.length > 0) {
    throw new ReleaseRefusedError(
      'out-of-sync',
      `HEAD does not ship the versions it declares:\n  ${mismatches.join('\n  ')}\nrun \`appdist release apply\` to pin them`,
    );
  }
  const message = releaseTagMessage(version, releaseNotesOf(changelog, version) ?? '');
  const commit = await headCommit(root);
  if (!options.dryRun) await createAnnotatedTag(root, version, message);
  return { dryRun: options.dryRun, version, commit, message };
}
