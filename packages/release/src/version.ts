/** How far a version moves: the three semver bump types, as changesets names them. */
export type Bump = 'major' | 'minor' | 'patch';

const BUMP_ORDER: readonly Bump[] = ['patch', 'minor', 'major'];

/**
 * `MAJOR.MINOR.PATCH`, nothing else: distribution tags are plain semver without a `v` prefix,
 * pre-release or build suffix, so a provider's `?ref=1.1.0` always names a full release.
 */
const PLAIN_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export type PlainVersion = readonly [major: number, minor: number, patch: number];

export function parsePlainVersion(text: string): PlainVersion | undefined {
  const match = PLAIN_VERSION.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function isPlainVersion(text: string): boolean {
  return parsePlainVersion(text) !== undefined;
}

function requireVersion(text: string): PlainVersion {
  const parsed = parsePlainVersion(text);
  if (!parsed) throw new Error(`${JSON.stringify(text)} is not a MAJOR.MINOR.PATCH version`);
  return parsed;
}

/** Negative when `a` is older than `b`, zero when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const left = requireVersion(a);
  const right = requireVersion(b);
  return left[0] - right[0] || left[1] - right[1] || left[2] - right[2];
}

/** The newest of `versions` that is a plain version; other strings (other tags) are ignored. */
export function newestVersion(versions: Iterable<string>): string | undefined {
  let newest: string | undefined;
  for (const version of versions) {
    if (!isPlainVersion(version)) continue;
    if (newest === undefined || compareVersions(version, newest) > 0) newest = version;
  }
  return newest;
}

export function bumpVersion(version: string, bump: Bump): string {
  const [major, minor, patch] = requireVersion(version);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** The largest of `bumps` (`major` > `minor` > `patch`), or undefined for none. */
export function largestBump(bumps: Iterable<Bump>): Bump | undefined {
  let largest: Bump | undefined;
  for (const bump of bumps) {
    if (largest === undefined || BUMP_ORDER.indexOf(bump) > BUMP_ORDER.indexOf(largest)) {
      largest = bump;
    }
  }
  return largest;
}

/** The bump that leads from `from` to the newer `to`: the most significant part that grew. */
export function bumpBetween(from: string, to: string): Bump {
  const [fromMajor, fromMinor] = requireVersion(from);
  const [toMajor, toMinor] = requireVersion(to);
  if (toMajor !== fromMajor) return 'major';
  if (toMinor !== fromMinor) return 'minor';
  return 'patch';
}
