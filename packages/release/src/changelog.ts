import type { ImagePin, ServiceRelease } from './plan.js';
import { compareVersions, isPlainVersion } from './version.js';

/** The distribution's changelog at the repository root; each service keeps its own beside it. */
export const CHANGELOG_FILE = 'CHANGELOG.md';

const CHANGELOG_HEADER = `# Changelog

Releases of the appdist distribution: each heading is a git tag providers pin (\`?ref=1.1.0\`).
A release lists the image tags it pins (each service's version is its image tag) and what
changed in each service, from its changesets.
`;

/** A changeset summary as one list item; later lines are indented so they stay inside it. */
function listItem(summary: string): string {
  const [first = '', ...rest] = summary.trim().split('\n');
  return [
    `- ${first.trimEnd()}`,
    ...rest.map((line) => (line.trim() ? `  ${line.trimEnd()}` : '')),
  ].join('\n');
}

/** The Markdown section of one distribution release: `## <version>`, images, then each service. */
export function renderReleaseNotes(
  version: string,
  services: readonly Pick<ServiceRelease, 'name' | 'from' | 'to' | 'bump' | 'changes'>[],
  images: readonly Pick<ImagePin, 'name' | 'from' | 'tag'>[],
): string {
  const lines = [`## ${version}`, '', 'Images pinned in dist/base:'];
  for (const image of images) {
    lines.push(`- ${image.name}:${image.tag}${image.from ? ` (was ${image.from})` : ''}`);
  }
  for (const service of services) {
    lines.push('', `### ${service.name} ${service.to} (was ${service.from}, ${service.bump})`, '');
    if (service.changes.length === 0) lines.push('- Dependencies updated.');
    else lines.push(...service.changes.map(listItem));
  }
  return `${lines.join('\n')}\n`;
}

/** `changelog` with `section` as its newest release: below the title, above older releases. */
export function addReleaseNotes(changelog: string | undefined, section: string): string {
  const body = `${section.trimEnd()}\n`;
  if (changelog === undefined || changelog.trim() === '') return `${CHANGELOG_HEADER}\n${body}`;
  const firstRelease = changelog.search(/^## /m);
  if (firstRelease === -1) return `${changelog.trimEnd()}\n\n${body}`;
  return `${changelog.slice(0, firstRelease)}${body}\n${changelog.slice(firstRelease)}`;
}

/** The section of `version` (`## <version>` up to the next `## `), without its heading. */
export function releaseNotesOf(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === `## ${version}`);
  if (start === -1) return undefined;
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines
    .slice(start + 1, next === -1 ? undefined : next)
    .join('\n')
    .trim();
}

/** The version of the newest release in `changelog`: its first `## <version>` heading. */
export function newestReleaseIn(changelog: string): string | undefined {
  return /^## (\S+)\s*$/m.exec(changelog)?.[1];
}

/**
 * The entries a service's CHANGELOG.md (written by changesets) holds for the versions after
 * `from` up to and including `to`, oldest first: the changes of a service versioned already
 * (`changeset version` run on its own) but not released yet. The short commit hash
 * changesets puts in front of each entry is dropped.
 */
export function serviceChangesBetween(changelog: string, from: string, to: string): string[] {
  const sections: string[][] = [];
  let current: string[] | undefined;
  for (const line of changelog.split('\n')) {
    const heading = /^## (\S+)\s*$/.exec(line);
    if (heading) {
      const version = heading[1] ?? '';
      const wanted =
        isPlainVersion(version) &&
        compareVersions(version, from) > 0 &&
        compareVersions(version, to) <= 0;
      current = wanted ? [] : undefined;
      if (current) sections.push(current);
    } else if (current && !line.startsWith('#')) {
      current.push(line);
    }
  }
  return sections.reverse().flatMap((lines) => {
    const entries: string[] = [];
    for (const line of lines) {
      if (line.startsWith('- ')) entries.push(line.slice(2).replace(/^[0-9a-f]{7,40}: /, ''));
      else if (entries.length > 0 && (line.startsWith('  ') || line === '')) {
        entries[entries.length - 1] += `\n${line.slice(2)}`;
      }
    }
    return entries.map((entry) => entry.trim());
  });
}
