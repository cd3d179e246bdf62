import { isDeepStrictEqual } from 'node:util';
import { isRecord, KUSTOMIZATION_FILES, kustomizationFile } from '@appdist/catalogue/repository';
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Scalar,
  stringify,
  type YAMLMap,
} from 'yaml';

export function findKustomizationFile(dir: string): string {
  const file = kustomizationFile(dir);
  if (!file) {
    throw new Error(
      `no kustomization in ${dir}: expected one of ${KUSTOMIZATION_FILES.join(', ')}`,
    );
  }
  return file;
}

/**
 * A scalar as YAML text that reads back as the same string, in the quoting it replaces. go-yaml
 * decodes kustomizations with YAML 1.1 rules, so a plain `1.10`, `on` or `1e3` must be quoted.
 */
function formatScalar(value: string, type?: Scalar.Type): string {
  if (type === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  return stringify(value, { version: '1.1' }).trimEnd();
}

/** Offset of the end of the line holding `offset`, before its line break. */
function endOfLine(source: string, offset: number): number {
  const newline = source.indexOf('\n', offset);
  if (newline === -1) return source.length;
  return source[newline - 1] === '\r' ? newline - 1 : newline;
}

const ONE_LINE: readonly string[] = ['PLAIN', 'QUOTE_SINGLE', 'QUOTE_DOUBLE'];

interface Splice {
  at: number;
  remove?: number;
  insert: string;
}

/**
 * Sets `newTag` of image `name` in a kustomization's `images:` list, as
 * `kustomize edit set image name=*:tag` would (keeping `newName`), by splicing the source text at
 * the node ranges `yaml` reports: comments, ordering and quoting of everything else stay exactly
 * as they were (re-stringifying the document would not keep them). Adds the entry (or the list)
 * when missing. The result is re-parsed and compared with the intended change, so a formatting
 * surprise fails loudly instead of writing a different file.
 */
export function setImageTagInSource(
  source: string,
  name: string,
  tag: string,
  file: string,
): string {
  const newline = source.includes('\r\n') ? '\r\n' : '\n';
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, version: '1.1' });
  const [error] = document.errors;
  if (error) throw new Error(`${file}: ${error.message}`);
  if (!isMap(document.contents)) throw new Error(`${file} is not a YAML mapping`);
  const columnOf = (offset: number) => lines.linePos(offset).col - 1;
  const before = document.toJS() as Record<string, unknown>;

  const images = document.contents.get('images', true);
  let splice: Splice;
  if (images === undefined) {
    const separator = source.length === 0 || source.endsWith('\n') ? '' : newline;
    splice = {
      at: source.length,
      insert: `${separator}images:${newline}- name: ${formatScalar(name)}${newline}  newTag: ${formatScalar(tag)}${newline}`,
    };
  } else if (isSeq(images) && !images.flow && images.items.length > 0 && images.range) {
    const entry = images.items.find(
      (item): item is YAMLMap => isMap(item) && item.get('name') === name,
    );
    if (entry) {
      splice = entryEdit(entry, { name, tag, file, newline, source, columnOf });
    } else {
      const first = images.items[0];
      const dashColumn = columnOf(images.range[0]);
      const keyColumn =
        isMap(first) && !first.flow && first.range ? columnOf(first.range[0]) : dashColumn + 2;
      splice = {
        at: endOfLine(source, images.range[1] - 1),
        insert: `${newline}${' '.repeat(dashColumn)}-${' '.repeat(keyColumn - dashColumn - 1)}name: ${formatScalar(name)}${newline}${' '.repeat(keyColumn)}newTag: ${formatScalar(tag)}`,
      };
    }
  } else {
    throw new Error(
      `cannot edit images: in ${file}: write it as a block list (- name: …), or set KUSTOMIZE_BIN to a kustomize binary so \`kustomize edit\` does it`,
    );
  }

  const edited =
    source.slice(0, splice.at) + splice.insert + source.slice(splice.at + (splice.remove ?? 0));
  const after = parseDocument(edited, { version: '1.1' }).toJS();
  if (!isDeepStrictEqual(after, withImageTag(before, name, tag))) {
    throw new Error(
      `editing images: in ${file} did not produce the intended change; file left unchanged`,
    );
  }
  return edited;
}

interface EditContext {
  name: string;
  tag: string;
  file: string;
  newline: string;
  source: string;
  columnOf: (offset: number) => number;
}

function entryEdit(
  entry: YAMLMap,
  { name, tag, file, newline, source, columnOf }: EditContext,
): Splice {
  if (entry.has('digest')) {
    throw new Error(
      `image ${name} is pinned by digest in ${file}: setting a tag would not change it; remove the digest first`,
    );
  }
  const current = entry.get('newTag', true);
  if (current !== undefined) {
    if (!isScalar(current) || !current.range || !ONE_LINE.includes(current.type ?? '')) {
      throw new Error(`images[${name}].newTag in ${file} is not a one-line scalar`);
    }
    const [start, end] = current.range;
    return { at: start, remove: end - start, insert: formatScalar(tag, current.type) };
  }
  const nameNode = entry.get('name', true);
  if (!isScalar(nameNode) || !nameNode.range || !entry.range) {
    throw new Error(`images[${name}] in ${file} has no name`);
  }
  if (entry.flow) return { at: nameNode.range[1], insert: `, newTag: ${formatScalar(tag)}` };
  return {
    at: endOfLine(source, nameNode.range[1]),
    insert: `${newline}${' '.repeat(columnOf(entry.range[0]))}newTag: ${formatScalar(tag)}`,
  };
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
