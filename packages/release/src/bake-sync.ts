import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BAKE_FILE,
  bakeVersionVariable,
  readVariableDefault,
  setVariableDefault,
} from './bake-file.js';
import { readOptional } from './files.js';

export interface BakeVersion {
  variable: string;
  from: string;
  to: string;
}

export interface BakeEdit {
  /** The bake file, relative to the repository. */
  file: string;
  /** Only the variables whose default differs from the version. */
  variables: BakeVersion[];
}

/**
 * The version defaults of docker-bake.hcl that differ from `services`' versions, or null when
 * the repository has no bake file. Every service must have its variable: a service the bake
 * file does not know has no image to release.
 */
export async function bakeDefaultsToChange(
  root: string,
  services: ReadonlyArray<{ name: string; version: string }>,
): Promise<BakeEdit | null> {
  const source = await readOptional(join(root, BAKE_FILE));
  if (source === undefined) return null;
  const variables: BakeVersion[] = [];
  for (const service of services) {
    const variable = bakeVersionVariable(service.name);
    const from = readVariableDefault(source, variable);
    if (from === undefined) {
      throw new Error(
        `${BAKE_FILE} declares no variable "${variable}": each service's image tag is a variable whose default is its version`,
      );
    }
    if (from !== service.version) variables.push({ variable, from, to: service.version });
  }
  return { file: BAKE_FILE, variables };
}

/** Writes `edit` into the bake file: one `default = "…"` value per variable, nothing else. */
export async function writeBakeDefaults(root: string, edit: BakeEdit): Promise<void> {
  if (edit.variables.length === 0) return;
  const path = join(root, edit.file);
  let source = await readFile(path, 'utf8');
  for (const variable of edit.variables) {
    source = setVariableDefault(source, variable.variable, variable.to, edit.file);
  }
  await writeFile(path, source);
}
