import { basename, resolve } from 'node:path';
import type { Mesh } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { type BuildOptions, build } from '@appdist/kustomize/kustomize';
import type { Finding } from './finding.js';
import type { SchemaValidator } from './schema.js';

export interface ValidateDirectoryOptions {
  /** Name for the findings; defaults to the folder name (`app-istio`). */
  distribution?: string;
  mesh?: Mesh;
  schemas?: SchemaValidator | false;
  loadRestrictor?: BuildOptions['loadRestrictor'];
  /** false: render only, with no findings; the validation modules are then never loaded. */
  validate?: boolean;
}

export interface DirectoryValidation {
  distribution: string;
  dir: string;
  objects: KubernetesObject[];
  findings: Finding[];
  /** Time spent in kustomize, and in validation, in milliseconds. */
  renderMs: number;
  validateMs: number;
}

/** Renders the kustomization in `dir` with real kustomize, then validates what it printed. */
export async function validateDirectory(
  dir: string,
  options: ValidateDirectoryOptions = {},
): Promise<DirectoryValidation> {
  const absolute = resolve(dir);
  const distribution = options.distribution ?? basename(absolute);
  const renderStart = performance.now();
  const objects = await build(absolute, { loadRestrictor: options.loadRestrictor });
  const validateStart = performance.now();
  // Imported on first use, so that rendering alone (the pipeline benchmark's baseline) does not
  // load validation.
  const findings =
    options.validate === false
      ? []
      : await (await import('./validate-objects.js')).validateObjects(objects, {
          distribution,
          mesh: options.mesh,
          schemas: options.schemas,
        });
  return {
    distribution,
    dir: absolute,
    objects,
    findings,
    renderMs: validateStart - renderStart,
    validateMs: options.validate === false ? 0 : performance.now() - validateStart,
  };
}
