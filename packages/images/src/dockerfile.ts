import { posix } from 'node:path';
import { Copy, type Dockerfile, From, type Instruction, PropertyInstruction } from 'dockerfile-ast';

/**
 * What a Dockerfile's text says about the image it builds, read with dockerfile-ast (the parser
 * of the VS Code Docker tooling): the final stage's configuration, the base images, the COPY
 * sources. Only the values a build arg can change are evaluated here; the built image is the
 * truth, and `inspect` of it supersedes this once images are built.
 */

export type ProcessForm = { form: 'exec'; argv: string[] } | { form: 'shell'; command: string };

export interface ImageConfig {
  /** 1-based line of the final stage's FROM. */
  line: number;
  user?: { value: string; line: number };
  workdir: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  expose: string[];
  cmd?: ProcessForm & { line: number };
  entrypoint?: ProcessForm & { line: number };
  healthcheck: boolean;
}

export interface BaseImage {
  /** FROM's image as written, and with the global ARG values substituted. */
  written: string;
  image: string;
  /** Variables the reference uses that no global ARG gives a value. */
  unset: string[];
  line: number;
}

const lineOf = (instruction: Instruction) => instruction.getRange().start.line + 1;

/** `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:+alternative}`; unset names become "". */
export function substitute(text: string, variables: Record<string, string>): string {
  return text.replace(
    /\\\$|\$\{([A-Za-z_]\w*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_]\w*)/g,
    (match, braced?: string, operator?: string, word?: string, bare?: string) => {
      if (match === '\\$') return '$';
      const value = variables[braced ?? bare ?? ''];
      if (operator === undefined) return value ?? '';
      const set = operator.startsWith(':') ? Boolean(value) : value !== undefined;
      if (operator.endsWith('-')) return set ? (value ?? '') : substitute(word ?? '', variables);
      return set ? substitute(word ?? '', variables) : '';
    },
  );
}

/** `ARG`/`ENV`/`LABEL` as name → value (dockerfile-ast removes the quotes). */
function properties(instruction: Instruction): [string, string | null][] {
  return instruction instanceof PropertyInstruction
    ? instruction.getProperties().map((property) => [property.getName(), property.getValue()])
    : [];
}

/** Global ARG values: each default (substituted with earlier ones), overridden by build args. */
export function globalArgValues(
  dockerfile: Dockerfile,
  buildArgs: Record<string, string> = {},
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of dockerfile.getInitialARGs()) {
    for (const [name, value] of properties(arg)) {
      const resolved = buildArgs[name] ?? (value === null ? undefined : substitute(value, values));
      if (resolved !== undefined) values[name] = resolved;
    }
  }
  return values;
}

/** The instructions of each stage, FROM first. */
function stages(dockerfile: Dockerfile): Instruction[][] {
  const all = dockerfile.getInstructions();
  const starts = all.flatMap((instruction, index) =>
    instruction.getKeyword() === 'FROM' ? [index] : [],
  );
  return starts.map((start, index) => all.slice(start, starts[index + 1]));
}

const fromOf = (stage: Instruction[] | undefined) =>
  stage?.[0] instanceof From ? stage[0] : undefined;

/** The stage a FROM names (by AS name or index), when it builds on an earlier stage. */
function parentStage(all: Instruction[][], index: number): number | undefined {
  const reference = fromOf(all[index])?.getImage()?.toLowerCase();
  const parent = all
    .slice(0, index)
    .findIndex(
      (stage, candidate) =>
        fromOf(stage)?.getBuildStage()?.toLowerCase() === reference ||
        String(candidate) === reference,
    );
  return parent < 0 ? undefined : parent;
}

/** Exec form when the arguments are a JSON array of strings, as Docker decides. */
function processForm(instruction: Instruction): ProcessForm & { line: number } {
  const text = instruction.getArgumentsContent() ?? '';
  const line = lineOf(instruction);
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) {
      return { form: 'exec', argv: parsed, line };
    }
  } catch {
    // Not JSON: Docker runs it with /bin/sh -c.
  }
  return { form: 'shell', command: text, line };
}

function stageConfig(
  dockerfile: Dockerfile,
  all: Instruction[][],
  index: number,
  buildArgs: Record<string, string>,
): ImageConfig {
  const [from, ...instructions] = all[index] ?? [];
  const line = from === undefined ? 1 : lineOf(from);
  const parent = parentStage(all, index);
  const config: ImageConfig =
    parent === undefined
      ? { line, workdir: '/', env: {}, labels: {}, expose: [], healthcheck: false }
      : { ...stageConfig(dockerfile, all, parent, buildArgs), line };
  const globals = globalArgValues(dockerfile, buildArgs);
  // ARG values are visible to the stage's own instructions; only ENV is kept in the image.
  const args: Record<string, string> = {};
  const expand = (text: string | null) => substitute(text ?? '', { ...args, ...config.env });
  for (const instruction of instructions) {
    const text = instruction.getArgumentsContent() ?? '';
    switch (instruction.getKeyword()) {
      case 'ARG':
        for (const [name, value] of properties(instruction)) {
          const resolved = buildArgs[name] ?? (value === null ? globals[name] : expand(value));
          if (resolved !== undefined) args[name] = resolved;
        }
        break;
      case 'ENV':
      case 'LABEL': {
        const values = properties(instruction).map(([name, value]) => [name, expand(value)]);
        const key = instruction.getKeyword() === 'ENV' ? 'env' : 'labels';
        config[key] = { ...config[key], ...Object.fromEntries(values) };
        break;
      }
      case 'USER':
        config.user = { value: expand(text).trim(), line: lineOf(instruction) };
        break;
      case 'WORKDIR':
        config.workdir = posix.resolve(config.workdir, expand(text).trim());
        break;
      case 'EXPOSE':
        config.expose.push(...instruction.getArguments().map((port) => expand(port.getValue())));
        break;
      case 'CMD':
        config.cmd = processForm(instruction);
        break;
      case 'ENTRYPOINT':
        config.entrypoint = processForm(instruction);
        // As in Docker, a new ENTRYPOINT clears a CMD inherited from before it.
        delete config.cmd;
        break;
      case 'HEALTHCHECK':
        config.healthcheck = !/^none$/i.test(text.trim());
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
  const all = stages(dockerfile);
  return stageConfig(dockerfile, all, all.length - 1, buildArgs);
}

/** The images the stages start from (stages built on earlier stages left out). */
export function baseImages(
  dockerfile: Dockerfile,
  buildArgs: Record<string, string> = {},
): BaseImage[] {
  const globals = globalArgValues(dockerfile, buildArgs);
  const all = stages(dockerfile);
  return all.flatMap((stage, index) => {
    const from = fromOf(stage);
    const written = from?.getImage();
    if (!from || !written || parentStage(all, index) !== undefined) return [];
    const unset = from
      .getVariables()
      .map((variable) => variable.getName())
      .filter((name) => globals[name] === undefined);
    return [{ written, image: substitute(written, globals), unset, line: lineOf(from) }];
  });
}

/** Why BuildKit would not read the file: an instruction other than ARG before the first FROM. */
export function structureProblems(dockerfile: Dockerfile): { line?: number; message: string }[] {
  const first = dockerfile.getInstructions().find((i) => i.getKeyword() !== 'ARG');
  if (first === undefined) return [{ message: 'no FROM instruction' }];
  if (first.getKeyword() === 'FROM') return [];
  return [
    {
      line: lineOf(first),
      message: `${first.getKeyword()} before the first FROM (only ARG may come first)`,
    },
  ];
}

/**
 * Paths COPY and ADD take from the build context (no --from), as written: each source but the
 * destination, wildcard sources and `.` left out since they match whatever is there.
 */
export function contextSources(dockerfile: Dockerfile): { path: string; line: number }[] {
  return dockerfile.getInstructions().flatMap((instruction) => {
    if (!['COPY', 'ADD'].includes(instruction.getKeyword())) return [];
    if (instruction instanceof Copy && instruction.getFromFlag() !== null) return [];
    const process = processForm(instruction);
    const words =
      process.form === 'exec'
        ? process.argv
        : instruction.getArguments().map((word) => word.getValue());
    return words
      .slice(0, -1)
      .filter((path) => !['.', './'].includes(path) && !/[*?[]|^[a-z]+:\/\//.test(path))
      .map((path) => ({ path, line: lineOf(instruction) }));
  });
}
