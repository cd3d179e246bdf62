import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BakeFile, type BakeTarget, loadBakeFile } from '../src/bake.js';

/** The checkout these tests run in. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const BAKE_FILE = join(REPOSITORY_ROOT, 'docker-bake.hcl');

/** docker-bake.hcl as CI resolves it with nothing set, or with the given variables. */
export function loadRepositoryBake(env: Record<string, string> = {}): Promise<BakeFile> {
  return loadBakeFile(BAKE_FILE, { env });
}

export function targetNamed(file: BakeFile, name: string): BakeTarget {
  const target = file.targets[name];
  if (target === undefined) {
    throw new Error(`docker-bake.hcl has no target "${name}": add one for services/${name}`);
  }
  return target;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
