import { fileURLToPath } from 'node:url';

/** The monorepo root: this file is packages/bench/{src,dist}/repository.{ts,js}. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A compiled script of this package, for spawning as a process of its own. */
export function benchScript(name: string): string {
  return fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
}
