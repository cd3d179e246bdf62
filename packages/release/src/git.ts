import { execa } from 'execa';
import { newestVersion } from './version.js';

/** Runs git in `cwd`; a failure carries git's own message. `input` goes to stdin (a message). */
export async function git(cwd: string, args: readonly string[], input?: string): Promise<string> {
  const result = await execa('git', args, {
    cwd,
    reject: false,
    ...(input === undefined ? {} : { input }),
    // A message or an editor must never wait for a person: the release runs in CI too.
    env: { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true' },
  });
  if (result.failed) {
    const message = (result.stderr || result.shortMessage || '').trim() || 'no message';
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${message}`);
  }
  return result.stdout;
}

/** The root of the working tree that holds `cwd`. */
export const repositoryRoot = (cwd: string) => git(cwd, ['rev-parse', '--show-toplevel']);

export const headCommit = (cwd: string) => git(cwd, ['rev-parse', 'HEAD']);

/**
 * Paths with uncommitted changes, untracked files included (`git status --porcelain`), so a
 * release commit can never mix in work that was not meant to ship. Ignored files do not count.
 */
export async function uncommittedChanges(cwd: string): Promise<string[]> {
  const status = await git(cwd, ['status', '--porcelain=v1', '--untracked-files=all']);
  return status.split('\n').filter((line) => line.trim() !== '');
}

/** Which of `paths` (relative to `cwd`) differ from HEAD: edited, deleted or new. */
export async function changedAmong(cwd: string, paths: readonly string[]): Promise<string[]> {
  // -z: paths verbatim, never quoted; each entry is `XY <path>`.
  const args = ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths];
  const status = paths.length === 0 ? '' : await git(cwd, args);
  const entries = status.split('\0').filter((entry) => entry.length > 3);
  return [...new Set(entries.map((entry) => entry.slice(3)))].sort();
}

/** The newest tag of the form MAJOR.MINOR.PATCH, on any branch, or undefined before the first release. */
export async function latestVersionTag(cwd: string): Promise<string | undefined> {
  return newestVersion((await git(cwd, ['tag', '--list'])).split('\n').map((tag) => tag.trim()));
}

export async function tagExists(cwd: string, tag: string): Promise<boolean> {
  return (await git(cwd, ['tag', '--list', tag])).trim() === tag;
}

/** Stages exactly `paths` (additions, edits and deletions, as changedAmong lists them) and commits them. */
export async function commitPaths(cwd: string, paths: string[], message: string): Promise<string> {
  // Without paths `git add --all` would stage the whole tree.
  if (paths.length > 0) await git(cwd, ['add', '--all', '--', ...paths]);
  await git(cwd, ['commit', '--quiet', '--file=-'], message);
  return headCommit(cwd);
}

/**
 * Puts a clean working tree back to `commit`: tracked files reset, and `created` (files the
 * release wrote that did not exist before) removed. Only for a tree that was clean at `commit`.
 */
export async function restoreCleanTree(cwd: string, commit: string, created: string[]) {
  await git(cwd, ['reset', '--hard', '--quiet', commit]);
  if (created.length > 0) await git(cwd, ['clean', '--force', '--quiet', '--', ...created]);
}

/**
 * An annotated tag at HEAD. `--cleanup=whitespace` keeps lines starting with `#`: the default
 * (`strip`) would drop every Markdown heading of the changelog from the message.
 */
export async function createAnnotatedTag(cwd: string, tag: string, message: string) {
  await git(cwd, ['tag', '--annotate', '--cleanup=whitespace', '--file=-', tag], message);
}
