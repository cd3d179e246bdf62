import { readFile } from 'node:fs/promises';
import { isRecord } from '@appdist/catalogue/repository';
import { parse } from '@cdktf/hcl2json';

/**
 * The facts docker-bake.hcl states, as written: its variables' defaults, its groups and its
 * targets with their attributes, read with a real HCL parser (@cdktf/hcl2json). Nothing here
 * evaluates bake: an attribute that is an expression stays the `${…}` text the file holds. What
 * bake resolves (tags, inheritance, matrix names) comes from `docker buildx bake --print` where
 * buildx exists.
 */
export interface BakeFile {
  variables: Record<string, unknown>;
  groups: Record<string, Record<string, unknown>>;
  targets: Record<string, Record<string, unknown>>;
}

export const BAKE_FILE = 'docker-bake.hcl';

/** The bake file cannot be read, or bake cannot resolve it (or the targets asked for). */
export class BakeFileError extends Error {
  override name = 'BakeFileError';
}

/** hcl2json gives every block as a list of bodies; a name written twice is refused. */
function blocks(raw: unknown, kind: string, file: string): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  if (raw === undefined) return result;
  if (!isRecord(raw)) throw new BakeFileError(`${file}: unexpected ${kind} blocks`);
  for (const [name, bodies] of Object.entries(raw)) {
    if (!Array.isArray(bodies) || bodies.length !== 1 || !isRecord(bodies[0])) {
      throw new BakeFileError(`${file}: ${kind} "${name}" must be written once`);
    }
    result[name] = bodies[0];
  }
  return result;
}

export async function readBakeFile(path: string): Promise<BakeFile> {
  let raw: Record<string, unknown>;
  try {
    raw = await parse(path, await readFile(path, 'utf8'));
  } catch (error) {
    throw new BakeFileError(error instanceof Error ? error.message : String(error));
  }
  const variables = Object.fromEntries(
    Object.entries(blocks(raw.variable, 'variable', path)).map(([name, body]) => [
      name,
      body.default,
    ]),
  );
  return {
    variables,
    groups: blocks(raw.group, 'group', path),
    targets: blocks(raw.target, 'target', path),
  };
}
