import { basename, dirname, relative } from 'node:path';
import type { Packages } from '@changesets/types';

/** Workspaces in this folder are the services: versioned, released, shipped as images. */
export const SERVICES_FOLDER = 'services';

export interface ServicePackage {
  /** The folder name under services/, which is also the image name. */
  name: string;
  package: string;
  version: string;
}

/** The services among the workspaces, by package name. */
export function servicePackages(packages: Packages): Map<string, ServicePackage> {
  const services = new Map<string, ServicePackage>();
  for (const pkg of packages.packages) {
    const folder = relative(packages.rootDir, pkg.dir);
    if (dirname(folder) !== SERVICES_FOLDER) continue;
    services.set(pkg.packageJson.name, {
      name: basename(folder),
      package: pkg.packageJson.name,
      version: pkg.packageJson.version,
    });
  }
  return services;
}
