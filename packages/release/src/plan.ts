import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageName } from '@appdist/catalogue';
import { CHANGELOG_FILE, renderReleaseNotes, serviceChangesBetween } from './changelog.js';
import { type PendingChanges, readPendingChanges } from './changesets.js';
import { latestVersionTag, repositoryRoot } from './git.js';
import { PINNED_KUSTOMIZATION, renderedTags } from './images.js';
import {
  type Bump,
  bumpBetween,
  bumpVersion,
  compareVersions,
  isPlainVersion,
  largestBump,
} from './version.js';

export interface PlanOptions {
  /** Any folder inside the repository. */
  cwd: string;
  /** The first distribution version, used while no version tag exists (default 1.0.0). */
  initialVersion?: string;
}

export interface ChangesetEntry {
  /** The changeset's file name without `.md`, under `.changeset/`. */
  id: string;
  summary: string;
  bump: Bump;
}

export interface ServiceRelease {
  /** The folder name under services/, which is also the image name. */
  name: string;
  package: string;
  /** The version providers run now: the tag dist/base pins. */
  from: string;
  /** The version this release ships: package.json after the pending changesets. */
  to: string;
  bump: Bump;
  /** Pending changesets that bump the service; empty when package.json moved already. */
  changesets: ChangesetEntry[];
  /** What changed since `from`: its CHANGELOG.md entries, then the pending changesets. */
  changes: string[];
}

export interface ImagePin {
  service: string;
  name: string;
  /** The tag dist/base pins today. */
  from: string;
  tag: string;
}

export interface DistributionVersion {
  /** The newest MAJOR.MINOR.PATCH tag, or null before the first release. */
  from: string | null;
  /** The tag this release creates, or null when there is nothing to release. */
  to: string | null;
  bump: Bump | null;
  /** Why `to` is what it is, in one sentence. */
  reason: string;
}

export interface ReleasePlan {
  /** Absolute path of the repository. */
  root: string;
  services: ServiceRelease[];
  /** Tags to pin in `kustomization` with `kustomize edit set image`. */
  images: ImagePin[];
  /** The kustomization holding the `images:` block, relative to root. */
  kustomization: string;
  distribution: DistributionVersion;
  /** Release notes (Markdown) for the root CHANGELOG.md and the tag; empty with nothing to release. */
  changelog: string;
}

/** What the pending changesets do to each service, by package name. */
function pendingBumps(changes: PendingChanges) {
  const services = new Set(changes.services.map((service) => service.package));
  const bumps = new Map<string, { to: string; changesets: ChangesetEntry[] }>();
  for (const release of changes.plan.releases) {
    if (release.type === 'none') continue;
    if (!services.has(release.name)) {
      throw new Error(
        `the changesets release ${release.name}, which is not a service of the catalogue (packages/catalogue): only services are versioned; list it in "ignore" of .changeset/config.json and remove it from the changesets`,
      );
    }
    const changesets = changes.plan.changesets.flatMap((changeset) => {
      const own = changeset.releases.find((entry) => entry.name === release.name);
      if (!own || own.type === 'none') return [];
      return [{ id: changeset.id, summary: changeset.summary.trim(), bump: own.type }];
    });
    bumps.set(release.name, { to: release.newVersion, changesets });
  }
  return bumps;
}

function pinnedTag(rendered: Map<string, string[]>, image: string): string {
  const tags = rendered.get(image) ?? [];
  const [tag] = tags;
  if (tag === undefined || tags.length > 1) {
    throw new Error(
      tags.length === 0
        ? `${PINNED_KUSTOMIZATION} renders no tagged image ${image}: each service needs a workload there and an images: entry pinning its tag`
        : `${PINNED_KUSTOMIZATION} renders ${image} with several tags (${tags.join(', ')}): pin it once, in the images: block`,
    );
  }
  if (!isPlainVersion(tag)) {
    throw new Error(`${PINNED_KUSTOMIZATION} pins ${image}:${tag}: a release pins versions only`);
  }
  return tag;
}

/**
 * Every service whose version differs from the tag dist/base pins. A service gets there two
 * ways, or both: pending changesets bump it, or its package.json moved already (`changeset
 * version` was run on its own) while dist/base still pins the previous tag.
 */
async function serviceReleases(root: string, changes: PendingChanges): Promise<ServiceRelease[]> {
  const bumps = pendingBumps(changes);
  const rendered = await renderedTags(root);
  const releases: ServiceRelease[] = [];
  for (const service of changes.services) {
    const from = pinnedTag(rendered, imageName(service.name));
    const pending = bumps.get(service.package);
    const to = pending?.to ?? service.version;
    if (to === from) continue;
    if (compareVersions(to, from) < 0) {
      throw new Error(
        `${PINNED_KUSTOMIZATION} pins ${service.name} ${from}, newer than its version ${to}: the pin runs ahead of the package`,
      );
    }
    const changelogPath = join(root, 'services', service.name, CHANGELOG_FILE);
    const changelog = existsSync(changelogPath) ? await readFile(changelogPath, 'utf8') : '';
    const changesets = pending?.changesets ?? [];
    releases.push({
      name: service.name,
      package: service.package,
      from,
      to,
      bump: bumpBetween(from, to),
      changesets,
      changes: [
        ...serviceChangesBetween(changelog, from, service.version),
        ...changesets.map((changeset) => changeset.summary),
      ],
    });
  }
  return releases.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The distribution moves by the largest service bump. Providers pin the distribution tag, and
 * what they get is every service at once: a breaking change of any one service (its API, its
 * configuration) breaks the distribution, a new feature anywhere is a feature of it, and only
 * when every change is a fix is the release a fix.
 */
function distributionVersion(
  latest: string | undefined,
  services: readonly ServiceRelease[],
  initialVersion: string,
  pending: number,
): DistributionVersion {
  const bump = largestBump(services.map((service) => service.bump));
  if (bump === undefined) {
    const reason =
      pending === 0
        ? `nothing to release: ${PINNED_KUSTOMIZATION} pins every service's version and there are no changesets in .changeset/`
        : `nothing to release: the ${pending} changeset(s) in .changeset/ bump no service`;
    return { from: latest ?? null, to: null, bump: null, reason };
  }
  if (latest === undefined) {
    return {
      from: null,
      to: initialVersion,
      bump,
      reason: `first release: no MAJOR.MINOR.PATCH tag exists yet, so ${initialVersion}`,
    };
  }
  const leaders = services
    .filter((service) => service.bump === bump)
    .map((service) => `${service.name} ${service.from} → ${service.to}`);
  return {
    from: latest,
    to: bumpVersion(latest, bump),
    bump,
    reason: `${bump}, the largest service bump (${leaders.join(', ')})`,
  };
}

/**
 * What a release of the repository at `cwd` would do: the service versions (the tag dist/base
 * pins → package.json after the pending changesets), the image tags to pin, the next
 * distribution version and its release notes. Writes nothing.
 */
export async function planRelease(options: PlanOptions): Promise<ReleasePlan> {
  const initialVersion = options.initialVersion ?? '1.0.0';
  if (!isPlainVersion(initialVersion)) {
    throw new Error(`initial version ${JSON.stringify(initialVersion)} is not MAJOR.MINOR.PATCH`);
  }
  const root = await repositoryRoot(options.cwd);
  const changes = await readPendingChanges(root);
  // With nothing to release, services and images are empty and so is the changelog.
  const services = await serviceReleases(root, changes);
  const latest = await latestVersionTag(root);
  const pending = changes.plan.changesets.length;
  const distribution = distributionVersion(latest, services, initialVersion, pending);
  const images = services.map((service) => ({
    service: service.name,
    name: imageName(service.name),
    from: service.from,
    tag: service.to,
  }));
  const changelog =
    distribution.to === null ? '' : renderReleaseNotes(distribution.to, services, images);
  return { root, services, images, kustomization: PINNED_KUSTOMIZATION, distribution, changelog };
}
