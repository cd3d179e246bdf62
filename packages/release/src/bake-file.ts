/** The bake file at the repository root whose per-service version variables follow each release. */
export const BAKE_FILE = 'docker-bake.hcl';

/** `backend` → `BACKEND_VERSION`: the variable that holds a service's image tag in the bake file. */
export function bakeVersionVariable(service: string): string {
  return `${service.toUpperCase().replaceAll('-', '_')}_VERSION`;
}

/**
 * For every offset of an HCL file: the block depth there, or -1 inside a comment or a string.
 * Just enough of HCL's lexical rules to find braces and attributes that are really code.
 */
function codeDepths(source: string): Int32Array {
  const depths = new Int32Array(source.length + 1);
  let depth = 0;
  let index = 0;
  const mark = (from: number, to: number, value: number): void => {
    depths.fill(value, from, Math.min(to, source.length));
  };
  while (index < source.length) {
    const char = source[index];
    const next = source[index + 1];
    if (char === '#' || (char === '/' && next === '/')) {
      const end = source.indexOf('\n', index);
      const stop = end === -1 ? source.length : end;
      mark(index, stop, -1);
      index = stop;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2);
      const stop = end === -1 ? source.length : end + 2;
      mark(index, stop, -1);
      index = stop;
    } else if (char === '"') {
      let end = index + 1;
      while (end < source.length && source[end] !== '"' && source[end] !== '\n') {
        end += source[end] === '\\' ? 2 : 1;
      }
      mark(index, end + 1, -1);
      index = end + 1;
    } else {
      if (char === '}') depth -= 1;
      depths[index] = depth;
      if (char === '{') depth += 1;
      index += 1;
    }
  }
  depths[source.length] = depth;
  return depths;
}

interface DefaultSpan {
  /** Offsets of the version between the quotes of `default = "…"`. */
  start: number;
  end: number;
  value: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function findDefault(source: string, variable: string, file: string): DefaultSpan | undefined {
  const depths = codeDepths(source);
  const header = new RegExp(`variable\\s+"${escapeRegExp(variable)}"\\s*\\{`, 'g');
  for (const match of source.matchAll(header)) {
    if (depths[match.index] !== 0) continue;
    const open = match.index + match[0].length - 1;
    let close = open + 1;
    while (close < source.length && !(source[close] === '}' && depths[close] === 0)) close += 1;
    const attribute = /\bdefault([ \t]*=[ \t]*)"([^"\n]*)"/g;
    attribute.lastIndex = open + 1;
    for (let found = attribute.exec(source); found; found = attribute.exec(source)) {
      if (found.index >= close) break;
      // Depth 1 is the variable's own body: not a comment, a string or a nested block.
      if (depths[found.index] !== 1) continue;
      const value = found[2] ?? '';
      const start = found.index + 'default'.length + (found[1] ?? '').length + 1;
      if (value.includes('${') || value.includes('%{') || value.includes('\\')) {
        throw new Error(
          `variable "${variable}" in ${file} has default = "${value}": expected a plain version string`,
        );
      }
      return { start, end: start + value.length, value };
    }
    throw new Error(
      `variable "${variable}" in ${file} has no default = "…" line: give it the service's version`,
    );
  }
  return undefined;
}

/** The default of `variable` in a bake file, or undefined when the file declares no such variable. */
export function readVariableDefault(
  source: string,
  variable: string,
  file = BAKE_FILE,
): string | undefined {
  return findDefault(source, variable, file)?.value;
}

/**
 * Sets `default = "…"` of `variable` to `value` by replacing the characters between its quotes
 * and nothing else, so comments, alignment and every other variable stay byte for byte.
 */
export function setVariableDefault(
  source: string,
  variable: string,
  value: string,
  file = BAKE_FILE,
): string {
  if (!/^[A-Za-z0-9._-]+$/.test(value)) {
    throw new Error(`${JSON.stringify(value)} is not a version to write into ${file}`);
  }
  const span = findDefault(source, variable, file);
  if (!span) {
    throw new Error(
      `${file} declares no variable "${variable}": add it (its default is the service's image tag)`,
    );
  }
  const edited = source.slice(0, span.start) + value + source.slice(span.end);
  // The lexer knows strings, comments and braces, not heredocs or quotes nested in
  // interpolations: reading the edit back catches a file it misread, before it is written.
  if (findDefault(edited, variable, file)?.value !== value) {
    throw new Error(
      `cannot edit variable "${variable}" in ${file} safely: change its default by hand`,
    );
  }
  return edited;
}
