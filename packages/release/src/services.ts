import { packageName, SERVICE_NAMES } from '@appdist/catalogue';
import type { Packages } from '@changesets/types';

/** The folder of the service workspaces: `services/<name>`. */
export const SERVICES_FOLDER = 'services';

export interface ServicePackage {
  /** The catalogue name: its folder under services/ and its image name. */
  name: string;
  package: string;
  version: string;
}

/** The catalogue's services among the workspaces, by package name. */
export function servicePackages(packages: Packages): Map<string, ServicePackage> {
  const versions = new Map(
    packages.packages.map((pkg) => [pkg.packageJson.name, pkg.packageJson.version]),
  );
  return new Map(
    SERVICE_NAMES.flatMap((name) => {
      const version = versions.get(packageName(name));
      return version === undefined
        ? []
        : [[packageName(name), { name, package: packageName(name), version }]];
    }),
  );
}
