import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isImageTag } from '@appdist/catalogue';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import { findKustomize, type KustomizeBinary } from './binary.js';
import { KustomizeError } from './errors.js';
import { isKubernetesObject, type KubernetesObject } from './kubernetes-object.js';
import { findKustomizationFile, setImageTagInSource } from './kustomization-images.js';

export interface BuildOptions {
  /**
   * `LoadRestrictionsNone` lets a kustomization read files outside its own folder, e.g. a
   * provider example whose remote base was pointed at a local checkout.
   */
  loadRestrictor?: 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone';
  /** Environment used to find the binary; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

async function run(
  binary: KustomizeBinary,
  args: readonly string[],
  dir: string,
  summary: string,
  cwd?: string,
): Promise<string> {
  const start = () => execa(binary.path, args, { reject: false, stripFinalNewline: false, cwd });
  let result = await start();
  // A kubectl another process has just extracted can still be open for writing in a child that
  // process forked at that moment (until its exec closes it): Linux then refuses to run it with
  // ETXTBSY for a few milliseconds. Starting again is safe, nothing ran.
  for (
    let attempt = 1;
    attempt <= 5 && (result as { code?: string }).code === 'ETXTBSY';
    attempt++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    result = await start();
  }
  if (result.failed) {
    // A binary that cannot start (ENOENT, EACCES) has no stderr: its message explains instead.
    const stderr = result.stderr || (result.shortMessage ?? '');
    throw new KustomizeError(summary, dir, stderr, result.exitCode);
  }
  return result.stdout;
}

/** The rendered YAML of the kustomization in `dir`, as kustomize prints it. */
export async function buildYaml(dir: string, options: BuildOptions = {}): Promise<string> {
  const binary = await findKustomize(options.env);
  const absolute = resolve(dir);
  const args = binary.flavor === 'kubectl' ? ['kustomize', absolute] : ['build', absolute];
  if (options.loadRestrictor) args.push('--load-restrictor', options.loadRestrictor);
  return run(binary, args, absolute, `${binary.flavor} ${args[0]} failed`);
}

/** The objects of YAML that kustomize rendered from `dir`. */
export function parseObjects(yaml: string, dir: string): KubernetesObject[] {
  const documents = parseAllDocuments(yaml).flatMap((document) => {
    const [error] = document.errors;
    if (error) throw new Error(`YAML rendered from ${resolve(dir)}: ${error.message}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
  return documents.map((document, index) => {
    if (!isKubernetesObject(document)) {
      throw new Error(
        `document ${index + 1} rendered from ${resolve(dir)} has no apiVersion, kind or metadata.name`,
      );
    }
    return document;
  });
}

/** The rendered objects of the kustomization in `dir`. */
export async function build(dir: string, options: BuildOptions = {}): Promise<KubernetesObject[]> {
  return parseObjects(await buildYaml(dir, options), dir);
}

/**
 * Pins image `name` to `tag` in the kustomization in `dir`: a one-line change of its `newTag`.
 * With a kustomize binary this is `kustomize edit set image name=*:tag` (`*` keeps an existing
 * `newName`, so the entry does not grow a redundant `newName: name` line). kubectl has no `edit`
 * subcommand, so with kubectl alone the `images:` entry is edited directly, through a parse and
 * re-parse of the file that leaves everything else in it untouched.
 */
export async function setImage(
  dir: string,
  name: string,
  tag: string,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  if (!isImageTag(tag)) {
    throw new Error(
      `invalid image tag ${JSON.stringify(tag)}: use letters, digits, '.', '_' and '-'`,
    );
  }
  if (!name || name.includes('=')) throw new Error(`invalid image name ${JSON.stringify(name)}`);
  const absolute = resolve(dir);
  const binary = await findKustomize(env);
  if (binary.flavor === 'kustomize') {
    await run(
      binary,
      ['edit', 'set', 'image', `${name}=*:${tag}`],
      absolute,
      'kustomize edit set image failed',
      absolute,
    );
    return;
  }
  const file = findKustomizationFile(absolute);
  const source = await readFile(file, 'utf8');
  await writeFile(file, setImageTagInSource(source, name, tag, file));
}
