import semver from 'semver';

/** How far a version moves: the three semver bump types, as changesets names them. */
export type Bump = 'major' | 'minor' | 'patch';

/**
 * `MAJOR.MINOR.PATCH`, nothing else: distribution tags are plain semver without a `v` prefix,
 * pre-release or build suffix, so a provider's `?ref=1.1.0` always names a full release.
 */
export const isPlainVersion = (text: string): boolean =>
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(text);

function plain(text: string): string {
  if (!isPlainVersion(text)) {
    throw new Error(`${JSON.stringify(text)} is not a MAJOR.MINOR.PATCH version`);
  }
  return text;
}

/** Negative when `a` is older than `b`, zero when equal, positive when newer. */
export const compareVersions = (a: string, b: string): number => semver.compare(plain(a), plain(b));

/** The newest of `versions` that is a plain version; other strings (other tags) are ignored. */
export const newestVersion = (versions: string[]): string | undefined =>
  semver.rsort(versions.filter(isPlainVersion))[0];

export const bumpVersion = (version: string, bump: Bump): string =>
  semver.inc(plain(version), bump) ?? version;

/** The largest of `bumps` (`major` > `minor` > `patch`), or undefined for none. */
export function largestBump(bumps: Iterable<Bump>): Bump | undefined {
  const given = new Set(bumps);
  return (['major', 'minor', 'patch'] as const).find((bump) => given.has(bump));
}

/** The bump that leads from `from` to the newer `to`: the most significant part that grew. */
export const bumpBetween = (from: string, to: string): Bump =>
  semver.diff(plain(from), plain(to)) as Bump;
