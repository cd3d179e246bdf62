import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord } from '@appdist/catalogue/repository';

/** The checkout these tests run in. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const BAKE_FILE = join(REPOSITORY_ROOT, 'docker-bake.hcl');

/** The version of the npm `node` package in the lockfile: the Node the repository runs. */
export async function lockedNodeVersion(): Promise<string> {
  const lock: unknown = JSON.parse(
    await readFile(join(REPOSITORY_ROOT, 'package-lock.json'), 'utf8'),
  );
  const packages = isRecord(lock) ? lock.packages : undefined;
  const node = isRecord(packages) ? packages['node_modules/node'] : undefined;
  const version = isRecord(node) ? node.version : undefined;
  if (typeof version !== 'string') throw new Error('package-lock.json has no node_modules/node');
  return version;
}
