import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { load, SCALAR_STYLE, type ScalarStyle, YAML11_SCHEMA } from 'js-yaml';
import { isRecord } from './kubernetes-object.js';
import {
  columnOf,
  endOfLine,
  lastOffset,
  mappingValue,
  parseSourceTree,
  type SourceMapping,
  scalarValue,
} from './yaml-source.js';

/** The file names kustomize accepts, in the order it looks for them. */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export async function findKustomizationFile(dir: string): Promise<string> {
  for (const name of KUSTOMIZATION_FILES) {
    const path = join(dir, name);
    try {
      await access(path);
      return path;
    } catch {
      // try the next name
    }
  }
  throw new Error(`no kustomization in ${dir}: expected one of ${KUSTOMIZATION_FILES.join(', ')}`);
}

/**
 * A scalar as YAML text that reads back as the same string. go-yaml decodes kustomizations
 * with YAML 1.1 rules, so `1.10`, `on` or `1e3` must be quoted to stay strings.
 */
function formatScalar(value: string, style: ScalarStyle = SCALAR_STYLE.PLAIN): string {
  if (style === SCALAR_STYLE.SINGLE_QUOTED) return `'${value.replaceAll("'", "''")}'`;
  if (style === SCALAR_STYLE.PLAIN) {
    try {
      if (load(value, { schema: YAML11_SCHEMA }) === value) return value;
    } catch {
      // not valid as a plain scalar: quote it
    }
  }
  return JSON.stringify(value);
}

interface Splice {
  at: number;
  remove: number;
  insert: string;
}

function applySplice(source: string, splice: Splice): string {
  return source.slice(0, splice.at) + splice.insert + source.slice(splice.at + splice.remove);
}

function planEntryEdit(
  source: string,
  entry: SourceMapping,
  name: string,
  tag: string,
  file: string,
  newline: string,
): Splice {
  if (mappingValue(entry, 'digest')) {
    throw new Error(
      `image ${name} is pinned by digest in ${file}: setting a tag would not change it; remove the digest first`,
    );
  }
  const current = mappingValue(entry, 'newTag');
  if (current) {
    if (current.kind !== 'scalar' || current.style > SCALAR_STYLE.DOUBLE_QUOTED) {
      throw new Error(`images[${name}].newTag in ${file} is not a one-line scalar`);
    }
    return {
      at: current.start,
      remove: current.end - current.start,
      insert: formatScalar(tag, current.style),
    };
  }
  const nameNode = scalarValue(entry, 'name');
  if (!nameNode) throw new Error(`images[${name}] in ${file} has no name`);
  if (entry.flow) return { at: nameNode.end, remove: 0, insert: `, newTag: ${formatScalar(tag)}` };
  const keyColumn = columnOf(source, entry.start);
  return {
    at: endOfLine(source, nameNode.end),
    remove: 0,
    insert: `${newline}${' '.repeat(keyColumn)}newTag: ${formatScalar(tag)}`,
  };
}

/**
 * Sets `newTag` of image `name` in a kustomization's `images:` list, as
 * `kustomize edit set image name=*:tag` would (keeping `newName`), by splicing the source text:
 * comments, ordering and quoting of everything else stay exactly as they were. Adds the entry
 * (or the list) when missing. The result is re-parsed and compared with the intended change, so
 * a formatting surprise fails loudly instead of writing a different file.
 */
export function setImageTagInSource(
  source: string,
  name: string,
  tag: string,
  file: string,
): string {
  const newline = source.includes('\r\n') ? '\r\n' : '\n';
  const before = load(source, { filename: file });
  if (!isRecord(before)) throw new Error(`${file} is not a YAML mapping`);
  const root = parseSourceTree(source, file);
  if (root?.kind !== 'mapping') throw new Error(`${file} is not a YAML mapping`);

  const images = mappingValue(root, 'images');
  let splice: Splice;
  if (!images) {
    const separator = source.length === 0 || source.endsWith('\n') ? '' : newline;
    splice = {
      at: source.length,
      remove: 0,
      insert: `${separator}images:${newline}- name: ${formatScalar(name)}${newline}  newTag: ${formatScalar(tag)}${newline}`,
    };
  } else if (images.kind === 'sequence' && !images.flow && images.items.length > 0) {
    const entry = images.items.find(
      (item): item is SourceMapping =>
        item.kind === 'mapping' && scalarValue(item, 'name')?.value === name,
    );
    if (entry) {
      splice = planEntryEdit(source, entry, name, tag, file, newline);
    } else {
      const first = images.items[0];
      const dashColumn = columnOf(source, images.start);
      const keyColumn =
        first?.kind === 'mapping' && !first.flow ? columnOf(source, first.start) : dashColumn + 2;
      splice = {
        at: endOfLine(source, lastOffset(images)),
        remove: 0,
        insert: `${newline}${' '.repeat(dashColumn)}-${' '.repeat(keyColumn - dashColumn - 1)}name: ${formatScalar(name)}${newline}${' '.repeat(keyColumn)}newTag: ${formatScalar(tag)}`,
      };
    }
  } else {
    throw new Error(
      `cannot edit images: in ${file}: write it as a block list (- name: …), or set KUSTOMIZE_BIN to a kustomize binary so \`kustomize edit\` does it`,
    );
  }

  const edited = applySplice(source, splice);
  const expected = withImageTag(before, name, tag);
  const after = load(edited, { filename: file });
  if (!isDeepStrictEqual(after, expected)) {
    throw new Error(
      `editing images: in ${file} did not produce the intended change; file left unchanged`,
    );
  }
  return edited;
}

function withImageTag(
  kustomization: Record<string, unknown>,
  name: string,
  tag: string,
): Record<string, unknown> {
  const images = Array.isArray(kustomization.images) ? [...kustomization.images] : [];
  const index = images.findIndex((image) => isRecord(image) && image.name === name);
  const existing = images[index];
  if (index >= 0 && isRecord(existing)) images[index] = { ...existing, newTag: tag };
  else images.push({ name, newTag: tag });
  return { ...kustomization, images };
}
