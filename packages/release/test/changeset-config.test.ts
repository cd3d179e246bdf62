import { relative } from 'node:path';
import { readConfig } from '@changesets/config';
import { getPackages } from '@manypkg/get-packages';
import { describe, expect, it } from 'vitest';
import { ROOT } from './temp-repository.js';

describe('.changeset/config.json of this repository', () => {
  it('versions exactly the services; the packages are tooling that needs no changeset', async () => {
    const packages = await getPackages(ROOT);
    const { config, errors, warnings } = await readConfig(ROOT, packages);
    expect(errors).toBeUndefined();
    expect(warnings).toEqual([]);
    if (!config) throw new Error('no config');

    const versioned = packages.packages
      .filter((pkg) => !config.ignore.includes(pkg.packageJson.name))
      .filter((pkg) => !pkg.packageJson.private || config.privatePackages.version)
      .map((pkg) => relative(ROOT, pkg.dir))
      .sort();
    const services = packages.packages
      .map((pkg) => relative(ROOT, pkg.dir))
      .filter((dir) => dir.startsWith('services/'))
      .sort();
    expect(services.length).toBeGreaterThanOrEqual(5);
    expect(versioned).toEqual(services);
  });

  it('releases from main, never publishes, tags only the distribution', async () => {
    const { config } = await readConfig(ROOT, await getPackages(ROOT));
    expect(config).toMatchObject({
      baseBranch: 'main',
      commit: false,
      // Services are private packages: versioned, but no `@appdist/backend@0.2.0` git tags.
      privatePackages: { version: true, tag: false },
      changelog: ['@changesets/cli/changelog', null],
    });
    const changelog: unknown = await import('@changesets/cli/changelog');
    expect(changelog).toHaveProperty('default.getReleaseLine');
  });
});
