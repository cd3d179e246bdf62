/**
 * Which paths a .dockerignore keeps out of the build context, with the rules BuildKit applies
 * (moby/patternmatcher): paths relative to the context, `*` and `?` within one path segment,
 * `**` across any number of segments, `!` to re-include, the last matching line wins, and a
 * path is excluded when it or one of its parent folders matches.
 */

interface IgnorePattern {
  source: string;
  exclude: boolean;
  regex: RegExp;
}

function patternToRegex(pattern: string): RegExp {
  let regex = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern.charAt(i);
    if (pattern.startsWith('**/', i)) {
      regex += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      regex += '.*';
      i += 1;
    } else if (char === '*') regex += '[^/]*';
    else if (char === '?') regex += '[^/]';
    else regex += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`);
}

function normalise(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}

export function parseDockerignore(text: string): IgnorePattern[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const pattern = normalise(exclude ? line : line.slice(1).trim());
      return { source: line, exclude, regex: patternToRegex(pattern) };
    });
}

/** Whether `path` (relative to the context, `/`-separated) is left out of the build context. */
export function isIgnored(patterns: IgnorePattern[], path: string): boolean {
  const segments = normalise(path).split('/');
  // The path itself and each of its parents: excluding a folder excludes what it holds.
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    if (candidates.some((candidate) => pattern.regex.test(candidate))) ignored = pattern.exclude;
  }
  return ignored;
}
