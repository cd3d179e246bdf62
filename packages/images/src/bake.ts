import { readFile } from 'node:fs/promises';
import { parse } from '@cdktf/hcl2json';
import { evaluateValue, HclExpressionError, type HclValue } from './hcl-template.js';

/**
 * docker-bake.hcl resolved the way `docker buildx bake --print` resolves it, for the subset this
 * repository uses. @cdktf/hcl2json only converts HCL to JSON: it leaves `${VAR}` unevaluated
 * and `inherits` unresolved, so this module applies variables (defaults, overridden by the
 * environment as bake does), then inheritance with bake's merge rules (buildx bake/bake.go,
 * Target.Merge). Attributes outside the subset are errors, not silently ignored.
 */

export class BakeFileError extends Error {
  override name = 'BakeFileError';
}

/** One `attest` entry, parsed like buildx does (`type=provenance,mode=max`). */
export interface Attestation {
  type: string;
  disabled: boolean;
  attributes: Record<string, string>;
}

export interface BakeTarget {
  name: string;
  description?: string;
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  labels: Record<string, string>;
  tags: string[];
  platforms: string[];
  attest: Attestation[];
  cacheFrom: string[];
  cacheTo: string[];
  output: string[];
  /** `check` runs BuildKit's Dockerfile checks instead of building. */
  call?: string;
}

export interface BakeFile {
  /** Every variable's value after environment overrides. */
  variables: Record<string, HclValue>;
  /** Group name → its members as written (targets or groups). */
  groups: Record<string, string[]>;
  /** Every target, inheritance resolved; names starting with `_` included. */
  targets: Record<string, BakeTarget>;
}

export interface BakeOptions {
  /** Variable overrides, as bake reads them from the environment (set but empty counts). */
  env?: Record<string, string | undefined>;
}

/** A target as written: only what it sets, so merges can tell "unset" from "empty". */
interface PartialTarget {
  description?: string;
  context?: string;
  dockerfile?: string;
  inherits?: string[];
  args?: Record<string, string>;
  labels?: Record<string, string>;
  tags?: string[];
  platforms?: string[];
  attest?: Attestation[];
  cacheFrom?: string[];
  cacheTo?: string[];
  output?: string[];
  call?: string;
}

type ListField = 'tags' | 'platforms' | 'cacheFrom' | 'cacheTo' | 'output' | 'inherits';

const LIST_ATTRIBUTES: Record<string, ListField> = {
  tags: 'tags',
  platforms: 'platforms',
  'cache-from': 'cacheFrom',
  'cache-to': 'cacheTo',
  output: 'output',
  inherits: 'inherits',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** hcl2json writes every block as an array of bodies, one per occurrence. */
function blockBodies(raw: unknown, where: string): Record<string, unknown>[] {
  if (!Array.isArray(raw) || !raw.every(isRecord)) {
    throw new BakeFileError(`${where}: expected a block`);
  }
  return raw;
}

function namedBlocks(raw: unknown, kind: string): Map<string, Record<string, unknown>[]> {
  const blocks = new Map<string, Record<string, unknown>[]>();
  if (raw === undefined) return blocks;
  if (!isRecord(raw)) throw new BakeFileError(`${kind} blocks: unexpected shape`);
  for (const [name, bodies] of Object.entries(raw)) {
    blocks.set(name, blockBodies(bodies, `${kind} "${name}"`));
  }
  return blocks;
}

/** Go's strconv.ParseBool, which bake uses for bool variables set from the environment. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

class VariableResolver {
  private readonly values = new Map<string, HclValue>();
  private readonly inProgress: string[] = [];

  constructor(
    private readonly definitions: Map<string, Record<string, unknown>[]>,
    private readonly env: Record<string, string | undefined>,
  ) {}

  readonly lookup = (name: string): HclValue => this.resolve(name);

  resolveAll(): Record<string, HclValue> {
    const result: Record<string, HclValue> = {};
    for (const name of this.definitions.keys()) result[name] = this.resolve(name);
    return result;
  }

  private resolve(name: string): HclValue {
    const known = this.values.get(name);
    if (known !== undefined) return known;
    const bodies = this.definitions.get(name);
    if (bodies === undefined) throw new HclExpressionError(`undefined variable "${name}"`);
    if (this.inProgress.includes(name)) {
      throw new HclExpressionError(
        `variable cycle: ${[...this.inProgress, name].join(' → ')} (bake rejects it too)`,
      );
    }
    this.inProgress.push(name);
    try {
      const value = this.compute(name, bodies);
      this.values.set(name, value);
      return value;
    } finally {
      this.inProgress.pop();
    }
  }

  private compute(name: string, bodies: Record<string, unknown>[]): HclValue {
    if (bodies.length !== 1) {
      throw new BakeFileError(`variable "${name}" is declared ${bodies.length} times`);
    }
    const [body = {}] = bodies;
    for (const key of Object.keys(body)) {
      if (key !== 'default' && key !== 'description') {
        throw new BakeFileError(
          `variable "${name}": "${key}" is not supported by packages/images (default, description)`,
        );
      }
    }
    const override = this.env[name];
    // Without a default, bake takes the environment's string, or an empty string.
    if (!('default' in body)) return override ?? '';
    const value = evaluateValue(body.default, this.lookup);
    if (override === undefined) return value;
    if (typeof value === 'string') return override;
    if (typeof value === 'boolean') {
      const parsed = parseGoBool(override);
      if (parsed === undefined) {
        throw new BakeFileError(`${name}=${JSON.stringify(override)}: failed to parse as bool`);
      }
      return parsed;
    }
    if (typeof value === 'number') {
      const parsed = Number(override);
      if (override.trim() === '' || !Number.isFinite(parsed)) {
        throw new BakeFileError(`${name}=${JSON.stringify(override)}: failed to parse as number`);
      }
      return parsed;
    }
    throw new BakeFileError(
      `${name} is set in the environment, but bake cannot override a variable whose default is not a string, bool or number`,
    );
  }
}

function stringList(value: HclValue, where: string): string[] {
  if (!Array.isArray(value)) throw new BakeFileError(`${where}: expected a list of strings`);
  return value.map((item) => {
    if (typeof item !== 'string') throw new BakeFileError(`${where}: expected a list of strings`);
    return item;
  });
}

/** args and labels: values become strings, null entries are skipped (as bake skips nil). */
function stringMap(value: HclValue, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BakeFileError(`${where}: expected a map`);
  }
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null) continue;
    if (typeof item === 'object') throw new BakeFileError(`${where}.${key}: expected a string`);
    result[key] = String(item);
  }
  return result;
}

function singleString(value: HclValue, where: string): string {
  if (typeof value !== 'string') throw new BakeFileError(`${where}: expected a string`);
  return value;
}

/** `k=v,k=v` as buildx splits attest, cache and output entries (quoted values unsupported). */
export function parseCsvAttributes(entry: string): Record<string, string> {
  if (entry.includes('"')) {
    throw new BakeFileError(`${entry}: quoted values are not supported by packages/images`);
  }
  const attributes: Record<string, string> = {};
  for (const field of entry.split(',')) {
    const separator = field.indexOf('=');
    if (separator < 0) throw new BakeFileError(`${entry}: "${field}" is not key=value`);
    attributes[field.slice(0, separator).trim().toLowerCase()] = field.slice(separator + 1);
  }
  return attributes;
}

function parseAttestation(entry: string, where: string): Attestation {
  const { type, disabled, ...attributes } = parseCsvAttributes(entry);
  if (type === undefined || type === '') {
    throw new BakeFileError(`${where}: ${entry}: attestation type not specified`);
  }
  const parsedDisabled = disabled === undefined ? false : parseGoBool(disabled);
  if (parsedDisabled === undefined) {
    throw new BakeFileError(`${where}: ${entry}: disabled must be a bool`);
  }
  return { type, disabled: parsedDisabled, attributes };
}

function readTarget(
  name: string,
  body: Record<string, unknown>,
  lookup: (name: string) => HclValue,
): PartialTarget {
  const target: PartialTarget = {};
  for (const [attribute, raw] of Object.entries(body)) {
    const where = `target "${name}" ${attribute}`;
    let value: HclValue;
    try {
      value = evaluateValue(raw, lookup);
    } catch (error) {
      if (error instanceof HclExpressionError) {
        throw new BakeFileError(`${where}: ${error.message}`);
      }
      throw error;
    }
    const listField = LIST_ATTRIBUTES[attribute];
    if (listField !== undefined) {
      target[listField] = stringList(value, where);
    } else if (attribute === 'context' || attribute === 'dockerfile') {
      target[attribute] = singleString(value, where);
    } else if (attribute === 'description' || attribute === 'call') {
      target[attribute] = singleString(value, where);
    } else if (attribute === 'args' || attribute === 'labels') {
      target[attribute] = stringMap(value, where);
    } else if (attribute === 'attest') {
      target.attest = stringList(value, where).map((entry) => parseAttestation(entry, where));
    } else {
      throw new BakeFileError(
        `${where}: not supported by packages/images; extend src/bake.ts with bake's merge rule for it`,
      );
    }
  }
  return target;
}

/** buildx's removeAttestDupes: one entry per type, a later one replacing the earlier in place. */
function dedupeAttestations(entries: Attestation[]): Attestation[] {
  const result: Attestation[] = [];
  const indexByType = new Map<string, number>();
  for (const entry of entries) {
    const index = indexByType.get(entry.type);
    if (index === undefined) {
      indexByType.set(entry.type, result.length);
      result.push(entry);
    } else {
      result[index] = entry;
    }
  }
  return result;
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * Target.Merge from buildx: scalars, tags, platforms, cache-to and output are replaced when set;
 * args and labels merge by key; attest merges by type and cache-from appends. So an inheriting
 * target cannot drop an attestation with `attest = []`, only with `type=…,disabled=true`.
 */
function merge(base: PartialTarget, next: PartialTarget): PartialTarget {
  const merged: PartialTarget = { ...base };
  if (next.description !== undefined) merged.description = next.description;
  if (next.context !== undefined) merged.context = next.context;
  if (next.dockerfile !== undefined) merged.dockerfile = next.dockerfile;
  if (next.call !== undefined) merged.call = next.call;
  if (next.args !== undefined) merged.args = { ...base.args, ...next.args };
  if (next.labels !== undefined) merged.labels = { ...base.labels, ...next.labels };
  if (next.tags !== undefined) merged.tags = next.tags;
  if (next.platforms !== undefined) merged.platforms = next.platforms;
  if (next.cacheTo !== undefined) merged.cacheTo = next.cacheTo;
  if (next.output !== undefined) merged.output = next.output;
  if (next.attest !== undefined) {
    merged.attest = dedupeAttestations([...(base.attest ?? []), ...next.attest]);
  }
  if (next.cacheFrom !== undefined) {
    merged.cacheFrom = dedupe([...(base.cacheFrom ?? []), ...next.cacheFrom]);
  }
  return merged;
}

function resolveInheritance(
  name: string,
  written: Map<string, PartialTarget>,
  chain: string[],
): PartialTarget {
  const own = written.get(name);
  if (own === undefined) {
    const via = chain.length > 0 ? ` (inherited by "${chain.at(-1)}")` : '';
    throw new BakeFileError(`failed to find target "${name}"${via}`);
  }
  if (chain.includes(name)) {
    throw new BakeFileError(`inherits cycle: ${[...chain, name].join(' → ')}`);
  }
  let resolved: PartialTarget = {};
  for (const parent of own.inherits ?? []) {
    resolved = merge(resolved, resolveInheritance(parent, written, [...chain, name]));
  }
  return merge(resolved, own);
}

function complete(name: string, target: PartialTarget): BakeTarget {
  return {
    name,
    ...(target.description === undefined ? {} : { description: target.description }),
    // bake's defaults when a target sets neither.
    context: target.context ?? '.',
    dockerfile:
      target.dockerfile === undefined || target.dockerfile === ''
        ? 'Dockerfile'
        : target.dockerfile,
    args: target.args ?? {},
    labels: target.labels ?? {},
    tags: dedupe(target.tags ?? []),
    platforms: dedupe(target.platforms ?? []),
    attest: target.attest ?? [],
    cacheFrom: target.cacheFrom ?? [],
    cacheTo: target.cacheTo ?? [],
    output: target.output ?? [],
    ...(target.call === undefined ? {} : { call: target.call }),
  };
}

/** Parses and resolves bake HCL text; `filename` appears in parse errors. */
export async function parseBakeFile(
  filename: string,
  text: string,
  options: BakeOptions = {},
): Promise<BakeFile> {
  let raw: Record<string, unknown>;
  try {
    raw = await parse(filename, text);
  } catch (error) {
    throw new BakeFileError(error instanceof Error ? error.message : String(error));
  }
  for (const key of Object.keys(raw)) {
    if (!['variable', 'target', 'group'].includes(key)) {
      throw new BakeFileError(
        `${filename}: "${key}" blocks are not supported by packages/images (variable, target, group)`,
      );
    }
  }
  const resolver = new VariableResolver(namedBlocks(raw.variable, 'variable'), options.env ?? {});
  let variables: Record<string, HclValue>;
  try {
    variables = resolver.resolveAll();
  } catch (error) {
    if (error instanceof HclExpressionError)
      throw new BakeFileError(`${filename}: ${error.message}`);
    throw error;
  }

  const groups: Record<string, string[]> = {};
  for (const [name, bodies] of namedBlocks(raw.group, 'group')) {
    const members: string[] = [];
    for (const body of bodies) {
      for (const key of Object.keys(body)) {
        if (key !== 'targets' && key !== 'description') {
          throw new BakeFileError(
            `group "${name}": "${key}" is not supported (targets, description)`,
          );
        }
      }
      const where = `group "${name}" targets`;
      try {
        members.push(...stringList(evaluateValue(body.targets ?? [], resolver.lookup), where));
      } catch (error) {
        if (error instanceof HclExpressionError)
          throw new BakeFileError(`${where}: ${error.message}`);
        throw error;
      }
    }
    groups[name] = dedupe(members);
  }

  // Several blocks with one name merge in order, as bake merges repeated targets.
  const written = new Map<string, PartialTarget>();
  for (const [name, bodies] of namedBlocks(raw.target, 'target')) {
    let target: PartialTarget = {};
    for (const body of bodies) {
      const next = readTarget(name, body, resolver.lookup);
      target = merge(target, next);
      if (next.inherits !== undefined) {
        target.inherits = [...(target.inherits ?? []), ...next.inherits];
      }
    }
    written.set(name, target);
  }
  const targets: Record<string, BakeTarget> = {};
  for (const name of written.keys()) {
    targets[name] = complete(name, resolveInheritance(name, written, []));
  }
  return { variables, groups, targets };
}

export async function loadBakeFile(path: string, options: BakeOptions = {}): Promise<BakeFile> {
  return parseBakeFile(path, await readFile(path, 'utf8'), options);
}

/**
 * The targets `docker buildx bake <names…>` builds: groups expanded (recursively), duplicates
 * dropped, in order. No names means the `default` group, as for bake.
 */
export function selectTargets(file: BakeFile, names: string[]): BakeTarget[] {
  const wanted = names.length > 0 ? names : ['default'];
  const result: BakeTarget[] = [];
  const seen = new Set<string>();
  const visit = (name: string, groupChain: string[]) => {
    const members = file.groups[name];
    if (members !== undefined) {
      if (groupChain.includes(name)) return;
      for (const member of members) visit(member, [...groupChain, name]);
      return;
    }
    const target = file.targets[name];
    if (target === undefined) {
      const known = [...Object.keys(file.groups), ...Object.keys(file.targets)]
        .filter((candidate) => !candidate.startsWith('_'))
        .sort();
      throw new BakeFileError(
        `no target or group "${name}"${groupChain.length > 0 ? ` (in group "${groupChain.at(-1)}")` : ''}; known: ${known.join(', ')}`,
      );
    }
    if (!seen.has(name)) {
      seen.add(name);
      result.push(target);
    }
  };
  for (const name of wanted) visit(name, []);
  return result;
}

/** The attestations a build will produce: entries not disabled. */
export function enabledAttestations(target: BakeTarget): Attestation[] {
  return target.attest.filter((entry) => !entry.disabled);
}
