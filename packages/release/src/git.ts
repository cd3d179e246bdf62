import { join } from 'node:path';
import { execa } from 'execa';
import { exists } from './files.js';
import { newestVersion } from './version.js';

/** A git command failed: carries git's own message. */
export class GitError extends Error {
  constructor(args: readonly string[], cwd: string, stderr: string) {
    super(`git ${args.join(' ')} failed in ${cwd}: ${stderr.trim() || 'no message'}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  /** Written to git's stdin, e.g. a tag message. */
  input?: string;
}

export async function git(
  cwd: string,
  args: readonly string[],
  options: GitOptions = {},
): Promise<string> {
  const result = await execa('git', args, {
    cwd,
    reject: false,
    ...(options.input === undefined ? {} : { input: options.input }),
    // A message or an editor must never wait for a person: the release runs in CI too.
    env: { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true' },
  });
  if (result.failed) {
    throw new GitError(args, cwd, result.stderr || (result.shortMessage ?? ''));
  }
  return result.stdout;
}

/** The root of the working tree that holds `cwd`. */
export async function repositoryRoot(cwd: string): Promise<string> {
  return git(cwd, ['rev-parse', '--show-toplevel']);
}

/**
 * Paths with uncommitted changes, untracked files included (`git status --porcelain`), so a
 * release commit can never mix in work that was not meant to ship. Ignored files do not count.
 */
export async function uncommittedChanges(cwd: string): Promise<string[]> {
  const status = await git(cwd, ['status', '--porcelain=v1', '--untracked-files=all']);
  return status.split('\n').filter((line) => line.trim() !== '');
}

/** Which of `paths` (relative to `cwd`) differ from HEAD: edited, deleted or new. */
export async function changedAmong(cwd: string, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  // -z: paths verbatim, never quoted; each entry is `XY <path>`.
  const status = await git(cwd, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--',
    ...paths,
  ]);
  return new Set(
    status
      .split('\0')
      .filter((entry) => entry.length > 3)
      .map((entry) => entry.slice(3)),
  );
}

/** The newest tag of the form MAJOR.MINOR.PATCH, on any branch, or undefined before the first release. */
export async function latestVersionTag(cwd: string): Promise<string | undefined> {
  const tags = await git(cwd, ['tag', '--list']);
  return newestVersion(tags.split('\n').map((tag) => tag.trim()));
}

export async function tagExists(cwd: string, tag: string): Promise<boolean> {
  const found = await git(cwd, ['tag', '--list', tag]);
  return found.trim() === tag;
}

export async function headCommit(cwd: string): Promise<string> {
  return git(cwd, ['rev-parse', 'HEAD']);
}

/** Which of `paths` (relative to `cwd`) git tracks at HEAD or in the index. */
async function trackedPaths(cwd: string, paths: readonly string[]): Promise<Set<string>> {
  const listed = await git(cwd, ['ls-files', '--', ...paths]);
  return new Set(listed.split('\n').filter((line) => line !== ''));
}

/**
 * Stages exactly `paths` (relative to `cwd`: additions, edits and deletions) and commits them,
 * nothing else. A path that neither exists nor is tracked (an untracked changeset the release
 * deleted) has nothing to stage and is left out, since `git add` would reject it.
 */
export async function commitPaths(
  cwd: string,
  paths: readonly string[],
  message: string,
): Promise<string> {
  const tracked = await trackedPaths(cwd, paths);
  const stageable: string[] = [];
  for (const path of paths) {
    if (tracked.has(path) || (await exists(join(cwd, path)))) stageable.push(path);
  }
  await git(cwd, ['add', '--all', '--', ...stageable]);
  await git(cwd, ['commit', '--quiet', '--file=-'], { input: message });
  return headCommit(cwd);
}

/**
 * Puts a clean working tree back to `commit`: tracked files reset, and `created` (files the
 * release wrote that did not exist before) removed. Only for a tree that was clean at `commit`.
 */
export async function restoreCleanTree(
  cwd: string,
  commit: string,
  created: readonly string[],
): Promise<void> {
  await git(cwd, ['reset', '--hard', '--quiet', commit]);
  if (created.length > 0) await git(cwd, ['clean', '--force', '--quiet', '--', ...created]);
}

/**
 * An annotated tag at HEAD. `--cleanup=whitespace` keeps lines starting with `#`: the default
 * (`strip`) would drop every Markdown heading of the changelog from the message.
 */
export async function createAnnotatedTag(cwd: string, tag: string, message: string): Promise<void> {
  await git(cwd, ['tag', '--annotate', '--cleanup=whitespace', '--file=-', tag], {
    input: message,
  });
}
