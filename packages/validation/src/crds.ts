import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { asList, asRecord, asString } from './access.js';
import { loadCrdDocuments } from './crd-yaml.js';

/** No folder of upstream CRDs: says where the validator looked and how to provide one. */
export class CrdsNotFoundError extends Error {
  constructor(detail: string) {
    super(
      `${detail}. The Flagger, Gateway API and Linkerd SMI CRDs are read from a folder: pass --crds <dir> (crdsDir), set APPDIST_CRDS_DIR, or download the pinned upstream files with packages/validation/scripts/fetch-crds.sh <dir>`,
    );
    this.name = 'CrdsNotFoundError';
  }
}

/** A file in the CRD folder that is not YAML: names the file, the place and the fix. */
export class CrdsInvalidError extends Error {
  constructor(file: string, cause: unknown) {
    const reason =
      cause instanceof Error ? (cause.message.split('\n')[0] ?? cause.message) : String(cause);
    super(
      `CRD file ${file} is not valid YAML (${reason}): replace it with the upstream file (packages/validation/scripts/fetch-crds.sh <dir> downloads the pinned ones), or pass --crds <dir> with another folder`,
      { cause },
    );
    this.name = 'CrdsInvalidError';
  }
}

/** `crdsDir`, then APPDIST_CRDS_DIR, then `<repository root>/../shared/crds`. */
export function resolveCrdsDir(
  crdsDir?: string,
  root = findRepositoryRoot(fileURLToPath(import.meta.url)),
): string {
  for (const [given, what] of [
    [crdsDir, 'CRD folder '],
    [process.env.APPDIST_CRDS_DIR, 'APPDIST_CRDS_DIR='],
  ]) {
    if (!given) continue;
    const dir = resolve(given);
    if (!existsSync(dir)) throw new CrdsNotFoundError(`${what}${dir} does not exist`);
    return dir;
  }
  const shared = root ? join(root, '..', 'shared', 'crds') : undefined;
  if (shared && existsSync(shared)) return resolve(shared);
  throw new CrdsNotFoundError(
    `no CRD folder: neither APPDIST_CRDS_DIR nor ${shared ?? '<repository root>/../shared/crds'} exists`,
  );
}

/** One served version of one CRD kind, its schema made strict and compiled on first use. */
export interface CrdVersion {
  group: string;
  version: string;
  kind: string;
  served: boolean;
  deprecationWarning: string | undefined;
  file: string;
  schema: Record<string, unknown>;
  validate(): ValidateFunction;
}

const COMPOSITIONS = new Set(['allOf', 'anyOf', 'oneOf', 'not']);

/**
 * Makes a CRD schema reject what the API server would silently prune: every object schema that
 * lists `properties` (outside allOf/anyOf/oneOf/not, where a branch describes only part of the
 * object) gets `additionalProperties: false` unless it preserves unknown fields, and
 * `x-kubernetes-int-or-string` becomes an explicit integer-or-string.
 */
export function strictSchema(node: unknown, inComposition = false): unknown {
  if (Array.isArray(node)) return node.map((item) => strictSchema(item, inComposition));
  const record = asRecord(node);
  if (!record) return node;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'properties') {
      result.properties = Object.fromEntries(
        Object.entries(asRecord(value) ?? {}).map(([name, schema]) => [
          name,
          strictSchema(schema, inComposition),
        ]),
      );
    } else if (COMPOSITIONS.has(key)) {
      result[key] = strictSchema(value, true);
    } else if (key === 'items' || key === 'additionalProperties') {
      result[key] = strictSchema(value, inComposition);
    } else {
      result[key] = value;
    }
  }
  if (record['x-kubernetes-int-or-string'] === true && !record.type && !record.anyOf) {
    result.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (
    record.properties &&
    !inComposition &&
    record['x-kubernetes-preserve-unknown-fields'] !== true &&
    record.additionalProperties === undefined
  ) {
    result.additionalProperties = false;
  }
  return result;
}

function createAjv(): Ajv {
  // CRDs are OpenAPI, not strict JSON Schema: unknown keywords (x-kubernetes-*) are expected.
  // Unoptimised code: compiling Flagger's Canary schema takes half the time (100 → 45 ms, on the
  // path of every cold validation), and validating the few objects of a render is no slower.
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, code: { optimize: false } });
  // ajv-formats is CommonJS: its module object is the plugin and also carries it as `default`.
  addFormatsModule.default(ajv);
  // Flagger's CRD declares `format: string`, which means nothing beyond type: string.
  ajv.addFormat('string', true);
  return ajv;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * The CRD kinds of a folder, keyed `group/Kind`. Files are read, in name order, only as far as
 * a lookup needs: a folder may hold large CRDs (Gateway API's HTTPRoute alone is 430 KB of
 * YAML) that a validation never uses, and parsing them was a tenth of a cold validation.
 */
export class CrdRegistry {
  readonly dir: string;
  readonly #files: readonly string[];
  readonly #kinds = new Map<string, CrdVersion[]>();
  #read = 0;
  #reading: Promise<boolean> = Promise.resolve(true);
  #ajv: Ajv | undefined;

  private constructor(dir: string, files: readonly string[]) {
    this.dir = dir;
    this.#files = files;
  }

  /** Lists the folder's YAML files; CrdsNotFoundError when it has none. */
  static async open(dir: string): Promise<CrdRegistry> {
    const files = await yamlFiles(dir);
    if (files.length === 0)
      throw new CrdsNotFoundError(`no CustomResourceDefinitions under ${dir}`);
    return new CrdRegistry(dir, files);
  }

  /** The versions of `group/Kind`, or undefined when no file defines it (all files read then). */
  async find(key: string): Promise<readonly CrdVersion[] | undefined> {
    while (!this.#kinds.has(key) && (await this.#readNext()));
    return this.#kinds.get(key);
  }

  /** Every kind, after reading every file. */
  async all(): Promise<ReadonlyMap<string, readonly CrdVersion[]>> {
    while (await this.#readNext());
    return this.#kinds;
  }

  /** Reads one more file, one at a time however many lookups wait; false when none is left. */
  #readNext(): Promise<boolean> {
    this.#reading = this.#reading.then(async () => {
      const file = this.#files[this.#read];
      if (file === undefined) {
        if (this.#kinds.size === 0) {
          throw new CrdsNotFoundError(`no CustomResourceDefinitions under ${this.dir}`);
        }
        return false;
      }
      this.#read += 1;
      this.#add(file, await readFile(file, 'utf8'));
      return true;
    });
    return this.#reading;
  }

  #add(file: string, text: string): void {
    let documents: unknown[];
    try {
      documents = loadCrdDocuments(text, file);
    } catch (error) {
      throw new CrdsInvalidError(file, error);
    }
    for (const document of documents) {
      const crd = asRecord(document);
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const group = asString(asRecord(crd.spec)?.group) ?? '';
      const kind = asString(asRecord(asRecord(crd.spec)?.names)?.kind) ?? '';
      const versions = this.#kinds.get(`${group}/${kind}`) ?? [];
      for (const entry of asList(asRecord(crd.spec)?.versions)) {
        const version = asRecord(entry);
        const name = asString(version?.name);
        const openApi = asRecord(asRecord(version?.schema)?.openAPIV3Schema);
        // The same CRD may sit in two files (Flagger ships crd.yaml and per-kind files).
        if (!version || !name || !openApi || versions.some((known) => known.version === name))
          continue;
        const schema = asRecord(strictSchema(openApi)) ?? {};
        // metadata is checked against Kubernetes' ObjectMeta instead, as the API server does.
        schema.properties = { ...asRecord(schema.properties), metadata: { type: 'object' } };
        let compiled: ValidateFunction | undefined;
        versions.push({
          group,
          version: name,
          kind,
          served: version.served === true,
          deprecationWarning:
            version.deprecated === true
              ? (asString(version.deprecationWarning) ?? `${group}/${name} ${kind} is deprecated`)
              : undefined,
          file: relative(this.dir, file),
          schema,
          validate: () => {
            this.#ajv ??= createAjv();
            compiled ??= this.#ajv.compile(schema);
            return compiled;
          },
        });
      }
      this.#kinds.set(`${group}/${kind}`, versions);
    }
  }
}
