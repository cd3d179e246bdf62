/**
 * A Dockerfile read the way BuildKit reads it, as far as the image's essentials need: parser
 * directives, comments, line continuations, stages, ARG/ENV substitution, and the final
 * stage's configuration (user, workdir, env, labels, exposed ports, command). Heredocs are not
 * supported and are reported as an error rather than misread.
 */

export class DockerfileError extends Error {
  override name = 'DockerfileError';
}

export interface Instruction {
  /** Upper-cased: FROM, RUN, COPY, … */
  keyword: string;
  /** Leading `--name=value` flags (`--from`, `--mount`, `--platform`, …). */
  flags: Record<string, string>;
  /** The rest of the instruction, continuations joined, flags removed. */
  arguments: string;
  /** 1-based line of the instruction's first line. */
  line: number;
}

export interface Stage {
  index: number;
  name?: string;
  /** FROM's image or stage reference as written, variables not yet substituted. */
  from: string;
  line: number;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Record<string, string>;
  /** ARG instructions before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
}

export type ProcessForm = { form: 'exec'; argv: string[] } | { form: 'shell'; command: string };

export interface ImageConfig {
  /** The final stage (the image `docker build` produces without --target). */
  stage: Stage;
  user?: { value: string; line: number };
  workdir: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  expose: string[];
  cmd?: ProcessForm & { line: number };
  entrypoint?: ProcessForm & { line: number };
  healthcheck: boolean;
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /(^|\s)<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?(\s|$)/;

function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text;
  for (;;) {
    const match = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?\s*/.exec(rest);
    if (!match?.[1]) return { flags, rest };
    flags[match[1]] = match[2] ?? 'true';
    rest = rest.slice(match[0].length);
  }
}

/** Splits Dockerfile text into instructions and stages. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let readingDirectives = true;
  let escapeChar = '\\';
  const instructions: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;

  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (pending === undefined) {
      const directive = DIRECTIVE.exec(trimmed);
      if (readingDirectives && directive?.[1] && directive[2] !== undefined) {
        const key = directive[1].toLowerCase();
        directives[key] = directive[2];
        if (key === 'escape') {
          if (directive[2] !== '\\' && directive[2] !== '`') {
            throw new DockerfileError(`line ${index + 1}: escape must be \\ or \``);
          }
          escapeChar = directive[2];
        }
        return;
      }
      readingDirectives = false;
      if (trimmed === '' || trimmed.startsWith('#')) return;
      pending = { line: index + 1, text: '' };
    } else if (trimmed === '' || trimmed.startsWith('#')) {
      // Inside a continuation BuildKit drops comment lines and (deprecated) empty lines.
      return;
    }
    const content = raw.replace(/[ \t]+$/, '');
    if (content.endsWith(escapeChar)) {
      pending.text += content.slice(0, -1);
      return;
    }
    pending.text += content;
    const whole = pending.text.trim();
    const keyword = whole.split(/\s/, 1)[0] ?? '';
    const { flags, rest } = splitFlags(whole.slice(keyword.length).trim());
    const upper = keyword.toUpperCase();
    if (['RUN', 'COPY', 'ADD'].includes(upper) && HEREDOC.test(rest)) {
      throw new DockerfileError(
        `line ${pending.line}: heredocs are not supported by packages/images; use a script file`,
      );
    }
    instructions.push({ keyword: upper, flags, arguments: rest, line: pending.line });
    pending = undefined;
  });
  if (pending !== undefined) {
    throw new DockerfileError(`line ${pending.line}: the last instruction ends with ${escapeChar}`);
  }

  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+as\s+(\S+))?\s*$/i.exec(instruction.arguments);
      if (!match?.[1]) {
        throw new DockerfileError(
          `line ${instruction.line}: FROM ${instruction.arguments}: expected "FROM image [AS name]"`,
        );
      }
      stages.push({
        index: stages.length,
        ...(match[2] === undefined ? {} : { name: match[2].toLowerCase() }),
        from: match[1],
        line: instruction.line,
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (stage !== undefined) stage.instructions.push(instruction);
    else if (instruction.keyword === 'ARG') globalArgs.push(instruction);
    else {
      throw new DockerfileError(
        `line ${instruction.line}: ${instruction.keyword} before the first FROM (only ARG may come first)`,
      );
    }
  }
  if (stages.length === 0) throw new DockerfileError('no FROM instruction');
  return { directives, globalArgs, stages };
}

/**
 * Shell-like words: whitespace separates, quotes group (and are removed), a backslash escapes
 * the next character outside single quotes. Used for ENV, LABEL, ARG and EXPOSE.
 */
function splitWords(text: string, line: number): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) {
        i += 1;
        word += text.charAt(i);
      } else word += char;
      continue;
    }
    if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (char === '"' || char === "'") quote = char;
    else if (char === '\\' && i + 1 < text.length) {
      i += 1;
      word += text.charAt(i);
    } else word += char;
  }
  if (quote !== undefined) throw new DockerfileError(`line ${line}: unterminated ${quote}`);
  if (inWord) words.push(word);
  return words;
}

/** `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:+alternative}`; unset names become "". */
export function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(
    /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      match,
      braced: string | undefined,
      operator: string | undefined,
      word: string | undefined,
      bare: string | undefined,
    ) => {
      if (match === '\\$') return '$';
      const name = braced ?? bare ?? '';
      const value = variables[name];
      if (operator === undefined) return value ?? '';
      const set = operator.startsWith(':')
        ? value !== undefined && value !== ''
        : value !== undefined;
      if (operator.endsWith('-')) return set ? (value ?? '') : substitute(word ?? '', variables);
      return set ? substitute(word ?? '', variables) : '';
    },
  );
}

function parseProcess(text: string): ProcessForm {
  if (text.trimStart().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) {
        return { form: 'exec', argv: parsed };
      }
    } catch {
      // Not valid JSON: Docker then runs it as a shell command, and so do we.
    }
  }
  return { form: 'shell', command: text };
}

/** key=value pairs of ENV and LABEL; the legacy `ENV key value` form too. */
function keyValues(
  instruction: Instruction,
  variables: Record<string, string>,
): [string, string][] {
  const substituted = substitute(instruction.arguments, variables);
  const words = splitWords(substituted, instruction.line);
  const [first, ...rest] = words;
  if (first !== undefined && !first.includes('=')) {
    // Legacy `ENV key value…`: the rest of the line is the value.
    return [[first, rest.join(' ')]];
  }
  return words.map((word) => {
    const separator = word.indexOf('=');
    if (separator < 1) {
      throw new DockerfileError(
        `line ${instruction.line}: ${instruction.keyword} ${word}: expected key=value`,
      );
    }
    return [word.slice(0, separator), word.slice(separator + 1)];
  });
}

/** Global ARG values: each default (substituted with earlier ones), overridden by build args. */
export function globalArgValues(
  dockerfile: Dockerfile,
  buildArgs: Record<string, string> = {},
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const instruction of dockerfile.globalArgs) {
    for (const [name, value] of argDeclarations(instruction, values)) {
      const override = buildArgs[name];
      if (override !== undefined) values[name] = override;
      else if (value !== undefined) values[name] = value;
    }
  }
  return values;
}

function argDeclarations(
  instruction: Instruction,
  variables: Record<string, string>,
): [string, string | undefined][] {
  return splitWords(instruction.arguments, instruction.line).map((word) => {
    const separator = word.indexOf('=');
    if (separator < 0) return [word, undefined];
    return [word.slice(0, separator), substitute(word.slice(separator + 1), variables)];
  });
}

/** The stage a FROM refers to, when it names an earlier stage rather than an image. */
export function parentStage(dockerfile: Dockerfile, stage: Stage): Stage | undefined {
  const reference = stage.from.toLowerCase();
  return dockerfile.stages
    .slice(0, stage.index)
    .find((candidate) => candidate.name === reference || String(candidate.index) === reference);
}

function emptyConfig(stage: Stage): ImageConfig {
  return { stage, workdir: '/', env: {}, labels: {}, expose: [], healthcheck: false };
}

function stageConfig(
  dockerfile: Dockerfile,
  stage: Stage,
  buildArgs: Record<string, string>,
): ImageConfig {
  const parent = parentStage(dockerfile, stage);
  const config: ImageConfig = parent
    ? { ...stageConfig(dockerfile, parent, buildArgs), stage }
    : emptyConfig(stage);
  const globals = globalArgValues(dockerfile, buildArgs);
  // ARG values are visible to the stage's own instructions; only ENV is kept in the image.
  const args: Record<string, string> = {};
  const variables = () => ({ ...args, ...config.env });
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'ARG':
        for (const [name, value] of argDeclarations(instruction, variables())) {
          const resolved = buildArgs[name] ?? value ?? globals[name];
          if (resolved !== undefined) args[name] = resolved;
        }
        break;
      case 'ENV':
        config.env = { ...config.env, ...Object.fromEntries(keyValues(instruction, variables())) };
        break;
      case 'LABEL':
        config.labels = {
          ...config.labels,
          ...Object.fromEntries(keyValues(instruction, variables())),
        };
        break;
      case 'USER':
        config.user = {
          value: substitute(instruction.arguments, variables()).trim(),
          line: instruction.line,
        };
        break;
      case 'WORKDIR': {
        const path = substitute(instruction.arguments, variables()).trim();
        config.workdir = path.startsWith('/')
          ? path
          : `${config.workdir.replace(/\/$/, '')}/${path}`;
        break;
      }
      case 'EXPOSE':
        config.expose = [
          ...config.expose,
          ...splitWords(substitute(instruction.arguments, variables()), instruction.line),
        ];
        break;
      case 'CMD':
        config.cmd = { ...parseProcess(instruction.arguments), line: instruction.line };
        break;
      case 'ENTRYPOINT':
        config.entrypoint = { ...parseProcess(instruction.arguments), line: instruction.line };
        // As in Docker, a new ENTRYPOINT clears a CMD inherited from before it.
        delete config.cmd;
        break;
      case 'HEALTHCHECK':
        config.healthcheck = !/^none$/i.test(instruction.arguments.trim());
        break;
      default:
        break;
    }
  }
  return config;
}

/** The configuration of the image the last stage produces, with the given build args. */
export function finalImageConfig(
  dockerfile: Dockerfile,
  buildArgs: Record<string, string> = {},
): ImageConfig {
  const last = dockerfile.stages.at(-1);
  if (last === undefined) throw new DockerfileError('no FROM instruction');
  return stageConfig(dockerfile, last, buildArgs);
}

/** The image a stage starts from, variables substituted; undefined for an earlier stage. */
export function baseImage(
  dockerfile: Dockerfile,
  stage: Stage,
  buildArgs: Record<string, string> = {},
): string | undefined {
  if (parentStage(dockerfile, stage) !== undefined) return undefined;
  return substitute(stage.from, globalArgValues(dockerfile, buildArgs));
}

/**
 * Paths COPY and ADD take from the build context (no --from), as written: each source but the
 * destination, wildcard sources and `.` left out since they match whatever is there.
 */
export function contextSources(dockerfile: Dockerfile): { path: string; line: number }[] {
  const sources: { path: string; line: number }[] = [];
  for (const stage of dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
      if (instruction.flags.from !== undefined) continue;
      const process = parseProcess(instruction.arguments);
      const words =
        process.form === 'exec'
          ? process.argv
          : splitWords(instruction.arguments, instruction.line);
      for (const path of words.slice(0, -1)) {
        if (path === '.' || path === './' || /[*?[]/.test(path) || /^[a-z]+:\/\//.test(path))
          continue;
        sources.push({ path, line: instruction.line });
      }
    }
  }
  return sources;
}
