import { posix } from 'node:path';
import {
  Copy,
  DockerfileParser,
  From,
  type Instruction,
  PropertyInstruction,
} from 'dockerfile-ast';

/**
 * What a Dockerfile's text says about the image it builds, read with dockerfile-ast (the parser
 * of the VS Code Docker tooling). Only what the checks need is evaluated, with the build args a
 * build passes; the built image is the truth, and inspecting it supersedes this.
 */

type ProcessForm = { form: 'exec'; argv: string[] } | { form: 'shell'; command: string };

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

export interface DockerfileFacts {
  /** Why BuildKit would not read it: no FROM, or an instruction other than ARG before it. */
  problems: { line?: number; message: string }[];
  /** The images stages start from: as written, with the global ARG values, and what is unset. */
  bases: { written: string; image: string; unset: string[]; line: number }[];
  /** The final stage's configuration: the image `docker build` produces without --target. */
  config: ImageConfig;
  /** Paths COPY and ADD take from the build context (no --from); wildcards and `.` left out. */
  sources: { path: string; line: number }[];
}

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

/** `ARG`/`ENV`/`LABEL` as [name, value] (dockerfile-ast removes the quotes). */
const properties = (instruction: Instruction): [string, string | null][] =>
  instruction instanceof PropertyInstruction
    ? instruction.getProperties().map((property) => [property.getName(), property.getValue()])
    : [];

/** Exec form when the arguments are a JSON array of strings, as Docker decides. */
function processForm(text: string, line: number): ProcessForm & { line: number } {
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

const emptyConfig = (line: number): ImageConfig => ({
  line,
  workdir: '/',
  env: {},
  labels: {},
  expose: [],
  healthcheck: false,
});

/** Reads `text` as a build with `buildArgs` would (the bake target's args; defaults otherwise). */
export function readDockerfile(
  text: string,
  buildArgs: Record<string, string> = {},
): DockerfileFacts {
  const dockerfile = DockerfileParser.parse(text);
  const facts: Omit<DockerfileFacts, 'config'> = { problems: [], bases: [], sources: [] };
  // Global ARGs: each default (substituted with earlier ones), overridden by build args.
  const globals: Record<string, string> = {};
  for (const [name, value] of dockerfile.getInitialARGs().flatMap(properties)) {
    const resolved = buildArgs[name] ?? (value === null ? undefined : substitute(value, globals));
    if (resolved !== undefined) globals[name] = resolved;
  }
  // Each stage's configuration when it ends, by AS name and by index, for the stages built on it.
  const stages = new Map<string, ImageConfig>();
  let config: ImageConfig | undefined;
  // ARG values are visible to the stage's own instructions; only ENV is kept in the image.
  let args: Record<string, string> = {};
  const expand = (value: string | null) => substitute(value ?? '', { ...args, ...config?.env });
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line + 1;
    const content = instruction.getArgumentsContent() ?? '';
    if (instruction instanceof From) {
      const written = instruction.getImage() ?? '';
      const parent = stages.get(written.toLowerCase());
      if (parent === undefined) {
        const used = instruction.getVariables().map((variable) => variable.getName());
        const unset = used.filter((name) => globals[name] === undefined);
        facts.bases.push({ written, image: substitute(written, globals), unset, line });
      }
      config = parent === undefined ? emptyConfig(line) : { ...parent, line };
      stages.set(String(stages.size), config);
      const name = instruction.getBuildStage();
      if (name) stages.set(name.toLowerCase(), config);
      args = {};
      continue;
    }
    if (config === undefined) {
      if (keyword !== 'ARG') {
        const message = `${keyword} before the first FROM (only ARG may come first)`;
        facts.problems.push({ line, message });
      }
      continue;
    }
    switch (keyword) {
      case 'ARG':
        for (const [name, value] of properties(instruction)) {
          const resolved = buildArgs[name] ?? (value === null ? globals[name] : expand(value));
          if (resolved !== undefined) args[name] = resolved;
        }
        break;
      case 'ENV':
      case 'LABEL': {
        const values = properties(instruction).map(([name, value]) => [name, expand(value)]);
        const key = keyword === 'ENV' ? 'env' : 'labels';
        config[key] = { ...config[key], ...Object.fromEntries(values) };
        break;
      }
      case 'USER':
        config.user = { value: expand(content).trim(), line };
        break;
      case 'WORKDIR':
        config.workdir = posix.resolve(config.workdir, expand(content).trim());
        break;
      case 'EXPOSE':
        config.expose = [
          ...config.expose,
          ...instruction.getArguments().map((port) => expand(port.getValue())),
        ];
        break;
      case 'CMD':
        config.cmd = processForm(content, line);
        break;
      case 'ENTRYPOINT':
        config.entrypoint = processForm(content, line);
        // As in Docker, a new ENTRYPOINT clears a CMD inherited from before it.
        delete config.cmd;
        break;
      case 'HEALTHCHECK':
        config.healthcheck = !/^none$/i.test(content.trim());
        break;
      case 'COPY':
      case 'ADD': {
        if (instruction instanceof Copy && instruction.getFromFlag() !== null) break;
        const process = processForm(content, line);
        const words = process.form === 'exec' ? process.argv : content.split(/\s+/);
        for (const path of words.slice(0, -1)) {
          if (['.', './'].includes(path) || /[*?[]|^[a-z]+:\/\//.test(path)) continue;
          facts.sources.push({ path, line });
        }
        break;
      }
    }
  }
  if (config === undefined && facts.problems.length === 0)
    facts.problems.push({ message: 'no FROM instruction' });
  return { ...facts, config: config ?? emptyConfig(1) };
}
