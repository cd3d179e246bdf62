import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageName, SERVICE_NAMES } from '@appdist/catalogue';
import { applyReleasePlan } from '@changesets/apply-release-plan';
import { readConfig } from '@changesets/config';
import { getReleasePlan } from '@changesets/get-release-plan';
import type { Config, Packages, ReleasePlan } from '@changesets/types';
import { getPackages } from '@manypkg/get-packages';

export interface ServicePackage {
  /** The catalogue name: its folder under services/ and its image name. */
  name: string;
  package: string;
  version: string;
}

/** What changesets knows about a repository: its packages, its config and the pending changes. */
export interface PendingChanges {
  packages: Packages;
  /** The catalogue's services among the workspaces, with their package.json versions. */
  services: ServicePackage[];
  config: Config;
  plan: ReleasePlan;
}

/** Reads `.changeset/` of the repository at `root` in-process, as `changeset version` would. */
export async function readPendingChanges(root: string): Promise<PendingChanges> {
  if (!existsSync(join(root, '.changeset', 'config.json'))) {
    throw new Error(
      `no .changeset/config.json in ${root}: releases are planned from changesets (see .changeset/README.md)`,
    );
  }
  const packages = await getPackages(root);
  const { config, errors } = await readConfig(root, packages);
  if (!config) {
    throw new Error(`.changeset/config.json is invalid:\n  ${errors.join('\n  ')}`);
  }
  const plan = await getReleasePlan(root);
  if (plan.preState) {
    throw new Error(
      'changesets is in pre-release mode (.changeset/pre.json); distribution tags are plain versions: run `npx changeset pre exit` first',
    );
  }
  const versions = new Map(
    packages.packages.map(({ packageJson }) => [packageJson.name, packageJson.version]),
  );
  const services = SERVICE_NAMES.flatMap((name) => {
    const version = versions.get(packageName(name));
    return version === undefined ? [] : [{ name, package: packageName(name), version }];
  });
  return { packages, services, config, plan };
}

/**
 * Applies the pending changesets: new versions in each package.json, a CHANGELOG.md entry per
 * package, the consumed changeset files deleted. Returns the absolute paths it touched.
 */
export async function applyPendingChanges(changes: PendingChanges): Promise<string[]> {
  // The changelog module named in the config (`@changesets/cli/changelog`) is resolved from
  // .changeset/ first, then from here: a fresh clone without node_modules still finds ours.
  return applyReleasePlan(
    changes.plan,
    changes.packages,
    changes.config,
    undefined,
    import.meta.dirname,
  );
}
