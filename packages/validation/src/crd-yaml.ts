import { loadAll } from 'js-yaml';

/** Where a quoted scalar opened on `line` closes, or -1 when it continues on the next line. */
function closingQuote(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    const char = line[i];
    if (quote === '"' && char === '\\') {
      i++;
    } else if (char === quote) {
      if (quote === "'" && line[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

const QUOTED_VALUE = /^(\s*)((?:-\s+)?)[^\s'"#][^:]*:\s+(['"])/;
const BLOCK_SCALAR = /^(\s*)(?:-\s+)?[^\s#][^:]*:\s+[|>][-+0-9]*\s*(#.*)?$/;

/**
 * Go's YAML parser (so kubectl and the API server) accepts a multi-line quoted scalar whose
 * continuation lines sit at the key's own indentation, as controller-gen writes long
 * descriptions in upstream CRDs (Flagger's among them). YAML 1.2 asks for one more space, and
 * js-yaml follows it. Indenting those continuation lines further changes no value: line
 * folding drops leading whitespace.
 */
export function indentQuotedContinuations(text: string): string {
  const lines = text.split('\n');
  let open: { quote: string; minIndent: number } | undefined;
  let blockIndent: number | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const indent = line.length - line.trimStart().length;
    if (open) {
      if (line.trim() !== '' && indent < open.minIndent) {
        lines[index] = ' '.repeat(open.minIndent - indent) + line;
      }
      if (closingQuote(line, 0, open.quote) !== -1) open = undefined;
      continue;
    }
    if (blockIndent !== undefined) {
      if (line.trim() === '' || indent > blockIndent) continue;
      blockIndent = undefined;
    }
    const block = BLOCK_SCALAR.exec(line);
    if (block) {
      blockIndent = (block[1] ?? '').length;
      continue;
    }
    const quoted = QUOTED_VALUE.exec(line);
    if (quoted) {
      const keyIndent = (quoted[1] ?? '').length + (quoted[2] ?? '').length;
      const quote = quoted[3] ?? "'";
      if (closingQuote(line, quoted[0].length, quote) === -1) {
        open = { quote, minIndent: keyIndent + 1 };
      }
    }
  }
  return lines.join('\n');
}

/** The documents of an upstream CRD file, parsed as leniently as kubectl reads them. */
export function loadCrdDocuments(text: string, filename: string): unknown[] {
  try {
    return loadAll(text, { filename });
  } catch {
    return loadAll(indentQuotedContinuations(text), { filename });
  }
}
