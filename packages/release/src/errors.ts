export type RefusalReason =
  | 'nothing-to-release'
  | 'dirty-tree'
  | 'stale-plan'
  | 'tag-exists'
  | 'out-of-sync';

/** The release was not made, on purpose: the message says why and what to do instead. */
export class ReleaseRefusedError extends Error {
  readonly reason: RefusalReason;

  constructor(reason: RefusalReason, message: string) {
    super(message);
    this.name = 'ReleaseRefusedError';
    this.reason = reason;
  }
}

/** Names at most `limit` paths of `git status --porcelain` output, then how many more. */
export function describePaths(lines: readonly string[], limit = 5): string {
  const shown = lines.slice(0, limit).map((line) => line.trim());
  const more = lines.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
