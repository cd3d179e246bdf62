import type { ApplyResult } from './apply.js';
import type { ReleasePlan } from './plan.js';
import type { TagResult } from './tag.js';

/** Rows of cells as aligned, indented lines. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  ')}`,
  );
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => (line ? `  ${line}` : ''))
    .join('\n');
}

function changesetCount(count: number): string {
  if (count === 0) return 'package.json versioned already';
  return count === 1 ? '1 changeset' : `${count} changesets`;
}

/** The plan as a person reads it: versions, image tags, distribution, changelog. */
export function formatPlan(plan: ReleasePlan): string {
  const { distribution } = plan;
  if (distribution.to === null) {
    const latest = distribution.from
      ? `latest distribution tag: ${distribution.from}`
      : 'no distribution tag yet';
    return `Nothing to release: ${distribution.reason.replace(/^nothing to release: /, '')} (${latest}).\n`;
  }
  const lines = [
    `Release ${distribution.to} of the distribution (from ${distribution.from ?? 'no tag'}): ${distribution.reason}.`,
    '',
    'Service versions (the tag dist/base pins → package.json after the pending changesets):',
    ...table(
      plan.services.map((service) => [
        service.name,
        `${service.from} → ${service.to}`,
        service.bump,
        changesetCount(service.changesets.length),
      ]),
    ),
    '',
    `Image tags to pin in ${plan.kustomization} (kustomize edit set image):`,
    ...table(plan.images.map((image) => [image.name, `${image.from} → ${image.tag}`])),
    '',
  ];
  lines.push('Changelog:', indent(plan.changelog), '');
  return lines.join('\n');
}

export function formatApplyResult(result: ApplyResult): string {
  const files = result.files.map((file) => `  ${file}`).join('\n');
  const subject = result.message.split('\n')[0] ?? '';
  if (result.dryRun) {
    const tag =
      result.tag === null ? ', without a tag' : ` and create the annotated tag ${result.tag}`;
    return `Dry run: nothing was changed. Applying would write (or delete):\n${files}\nthen commit "${subject}"${tag}.\n`;
  }
  const commit = result.commit?.slice(0, 12) ?? '';
  if (result.tag === null) {
    return `Prepared release ${result.version}: commit ${commit} "${subject}", not tagged.\n${files}\nTag it once the end-to-end tests passed on this commit: appdist release tag\n`;
  }
  return `Released ${result.version}: commit ${commit} "${subject}" and annotated tag ${result.tag}.\n${files}\nPublish both: git push --atomic origin HEAD ${result.tag}\n`;
}

export function formatTagResult(result: TagResult): string {
  const commit = result.commit.slice(0, 12);
  const notes = indent(result.message);
  if (result.dryRun) {
    return `Dry run: would tag ${commit} as ${result.version} with the message:\n${notes}\n`;
  }
  return `Tagged ${commit} as ${result.version} (annotated):\n${notes}\nPublish it: git push origin ${result.version}\n`;
}
