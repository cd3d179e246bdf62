import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { DISTRIBUTIONS } from '@appdist/catalogue';
import { kustomizationFile } from '@appdist/catalogue/repository';
import { referencesRemoteBase } from '@appdist/validation/provider-example';

/** The command cannot run as asked (bad argument, missing folder): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One folder to render: a distribution, or a provider example that pulls ours by URL. */
export interface Target {
  /** Printed with every finding: `app-istio`, or the path for other folders. */
  name: string;
  dir: string;
  providerExample: boolean;
}

function targetFor(dir: string, root: string | undefined, cwd: string): Target {
  const name = /^app-/.test(basename(dir)) ? basename(dir) : relative(root ?? cwd, dir) || '.';
  const file = kustomizationFile(dir);
  return { name, dir, providerExample: !!file && referencesRemoteBase(readFileSync(file, 'utf8')) };
}

/**
 * The checkout a provider example is rendered against: it pulls ours by URL. `advice` ends the
 * usage error outside a checkout, in the command's own words.
 */
export function checkoutFor(target: Target, root: string | undefined, advice: string): string {
  if (root) return root;
  throw new UsageError(`${target.dir} pulls appdist by URL${advice}`);
}

/** A path, or the name of a folder under dist/ (`app-istio`). */
export function resolveTarget(argument: string, root: string | undefined, cwd: string): Target {
  const candidates = [resolve(cwd, argument), ...(root ? [join(root, 'dist', argument)] : [])];
  const dir = candidates.find(
    (candidate) => existsSync(candidate) && statSync(candidate).isDirectory(),
  );
  if (!dir) {
    throw new UsageError(
      `no such directory: ${argument} (pass a folder holding a kustomization.yaml, or a distribution name such as app-istio)`,
    );
  }
  return targetFor(dir, root, cwd);
}

/** Every distribution under dist/ and examples/provider of the checkout. */
export function defaultTargets(root: string | undefined, cwd: string): Target[] {
  if (!root) {
    throw new UsageError(
      'not inside the appdist repository (no package.json with workspaces above this folder): run it there, or pass the folders to validate',
    );
  }
  const dirs = [
    ...DISTRIBUTIONS.map((name) => join(root, 'dist', name)),
    join(root, 'examples', 'provider'),
  ];
  const missing = dirs.filter((dir) => !existsSync(dir));
  if (missing.length > 0) {
    throw new UsageError(
      `missing ${missing.map((dir) => relative(root, dir)).join(', ')} in ${root}`,
    );
  }
  return dirs.map((dir) => targetFor(dir, root, cwd));
}
