import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One deployable under services/: its folder name is its image name. */
export interface ServicePackage {
  /** The folder and image name: `backend`. */
  name: string;
  /** `@appdist/backend` */
  packageName: string;
  /** Its semver, the image tag a release pins. */
  version: string;
  directory: string;
}

/** Every folder of `<root>/services` holding a package.json, by name. */
export async function listServices(root: string): Promise<ServicePackage[]> {
  const servicesDir = join(root, 'services');
  const entries = await readdir(servicesDir, { withFileTypes: true });
  const services: ServicePackage[] = [];
  for (const entry of entries.filter((candidate) => candidate.isDirectory())) {
    const directory = join(servicesDir, entry.name);
    let text: string;
    try {
      text = await readFile(join(directory, 'package.json'), 'utf8');
    } catch {
      continue;
    }
    const manifest: unknown = JSON.parse(text);
    if (typeof manifest !== 'object' || manifest === null) continue;
    const name = 'name' in manifest ? manifest.name : undefined;
    const version = 'version' in manifest ? manifest.version : undefined;
    if (typeof name !== 'string' || typeof version !== 'string') {
      throw new Error(`${join(directory, 'package.json')}: name and version must be strings`);
    }
    services.push({ name: entry.name, packageName: name, version, directory });
  }
  return services.sort((a, b) => a.name.localeCompare(b.name));
}
