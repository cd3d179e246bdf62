import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import {
  type BakeFile,
  BakeFileError,
  type BakeTarget,
  enabledAttestations,
  loadBakeFile,
  parseCsvAttributes,
  selectTargets,
} from './bake.js';
import { contextSources, DockerfileError, parseDockerfile } from './dockerfile.js';
import { checkDockerfile, formatFinding } from './dockerfile-essentials.js';
import { isIgnored, parseDockerignore } from './dockerignore.js';

/**
 * What `docker buildx bake` would build, without Docker: the resolved targets (tags, platforms,
 * attestations, cache, output), printed as a table or as JSON shaped like `bake --print`,
 * and optionally each target's Dockerfile checked against the image essentials.
 */

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface ImagesPlanOptions {
  /** Targets or groups, as for `docker buildx bake`; none: the `default` group. */
  targets?: string[];
  format?: 'text' | 'json';
  /** The bake file; default: docker-bake.hcl in the working directory or the nearest above. */
  file?: string;
  /** Also check that each target's context and Dockerfile exist and keep the essentials. */
  check?: boolean;
  cwd?: string;
  /** Variable overrides (REGISTRY, TAG, FRONTEND_VERSION, …); default: process.env. */
  env?: Record<string, string | undefined>;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The nearest docker-bake.hcl at or above `cwd`. */
export function findBakeFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, 'docker-bake.hcl');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function describeAttestations(target: BakeTarget): string {
  const enabled = enabledAttestations(target);
  if (enabled.length === 0) return 'none';
  return enabled
    .map((entry) => {
      const attributes = Object.entries(entry.attributes).map(([key, value]) => `${key}=${value}`);
      return attributes.length > 0 ? `${entry.type}(${attributes.join(',')})` : entry.type;
    })
    .join(' ');
}

function describeOutput(target: BakeTarget): string {
  if (target.call !== undefined) return `none: runs \`${target.call}\` instead of building`;
  if (target.output.length > 0) return target.output.join(' ');
  return 'build cache only (--push or --load to export)';
}

/** One block of text per target. */
export function formatPlanText(targets: BakeTarget[]): string {
  return targets
    .map((target) =>
      [
        `${target.name}`,
        `  dockerfile    ${target.dockerfile} (context ${target.context})`,
        `  tags          ${target.tags.join(' ') || '(none)'}`,
        `  platforms     ${target.platforms.join(' ') || "(the builder's)"}`,
        `  attestations  ${describeAttestations(target)}`,
        `  output        ${describeOutput(target)}`,
        `  cache         from ${target.cacheFrom.join(' ') || '-'}; to ${target.cacheTo.join(' ') || '-'}`,
        `  args          ${
          Object.entries(target.args)
            .map(([key, value]) => `${key}=${value}`)
            .join(' ') || '-'
        }`,
      ].join('\n'),
    )
    .join('\n\n')
    .concat('\n');
}

/** The JSON `docker buildx bake --print` prints for these targets (the fields this repo uses). */
export function formatPlanJson(file: BakeFile, names: string[], targets: BakeTarget[]): unknown {
  const requested = names.length > 0 ? names : ['default'];
  const group: Record<string, { targets: string[] }> = {};
  for (const name of requested) {
    if (file.groups[name] !== undefined) {
      group[name] = { targets: selectTargets(file, [name]).map((target) => target.name) };
    }
  }
  const target: Record<string, unknown> = {};
  for (const entry of targets) {
    target[entry.name] = {
      context: entry.context,
      dockerfile: entry.dockerfile,
      ...(Object.keys(entry.args).length > 0 ? { args: entry.args } : {}),
      ...(Object.keys(entry.labels).length > 0 ? { labels: entry.labels } : {}),
      ...(entry.tags.length > 0 ? { tags: entry.tags } : {}),
      ...(entry.platforms.length > 0 ? { platforms: entry.platforms } : {}),
      ...(entry.attest.length > 0
        ? {
            attest: entry.attest.map((attestation) => ({
              type: attestation.type,
              ...(attestation.disabled ? { disabled: true } : {}),
              ...attestation.attributes,
            })),
          }
        : {}),
      ...(entry.cacheFrom.length > 0
        ? { 'cache-from': entry.cacheFrom.map(parseCsvAttributes) }
        : {}),
      ...(entry.cacheTo.length > 0 ? { 'cache-to': entry.cacheTo.map(parseCsvAttributes) } : {}),
      ...(entry.output.length > 0 ? { output: entry.output.map(parseCsvAttributes) } : {}),
      ...(entry.call === undefined ? {} : { call: entry.call }),
    };
  }
  return { group, target };
}

/** Problems with one target's build inputs, each line naming the target. */
export async function checkTargetInputs(root: string, target: BakeTarget): Promise<string[]> {
  const context = resolve(root, target.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    return [`${target.name}: context ${target.context} is not a directory`];
  }
  const dockerfile = isAbsolute(target.dockerfile)
    ? target.dockerfile
    : resolve(context, target.dockerfile);
  if (!existsSync(dockerfile)) {
    return [
      `${target.name}: dockerfile ${target.dockerfile} does not exist (relative to the context)`,
    ];
  }
  const text = await readFile(dockerfile, 'utf8');
  const shown = relative(root, dockerfile);
  const problems = checkDockerfile(text, target.args).map(
    (finding) => `${target.name}: ${shown} ${formatFinding(finding)}`,
  );
  return [
    ...problems,
    ...(await missingContextSources(context, text)).map(
      (problem) => `${target.name}: ${shown} ${problem}`,
    ),
  ];
}

/** COPY sources that the context lacks, or that .dockerignore leaves out of it. */
async function missingContextSources(context: string, dockerfileText: string): Promise<string[]> {
  let sources: { path: string; line: number }[];
  try {
    sources = contextSources(parseDockerfile(dockerfileText));
  } catch (error) {
    // checkDockerfile has already reported the parse error.
    if (error instanceof DockerfileError) return [];
    throw error;
  }
  const ignoreFile = join(context, '.dockerignore');
  const patterns = existsSync(ignoreFile)
    ? parseDockerignore(await readFile(ignoreFile, 'utf8'))
    : [];
  const problems: string[] = [];
  for (const { path, line } of sources) {
    if (!existsSync(resolve(context, path))) {
      problems.push(`line ${line}: COPY ${path}: not in the build context`);
    } else if (isIgnored(patterns, path)) {
      problems.push(`line ${line}: COPY ${path}: excluded by .dockerignore`);
    }
  }
  return problems;
}

export async function runImagesPlan(options: ImagesPlanOptions, output: Output): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file === undefined ? findBakeFile(cwd) : resolve(cwd, options.file);
  if (file === undefined || !existsSync(file)) {
    output.stderr(
      `appdist images: ${file ?? 'docker-bake.hcl'} not found: run it in the repository, or pass --file\n`,
    );
    return EXIT_USAGE;
  }
  const names = options.targets ?? [];
  let bake: BakeFile;
  let targets: BakeTarget[];
  try {
    bake = await loadBakeFile(file, { env: options.env ?? process.env });
    targets = selectTargets(bake, names);
  } catch (error) {
    if (error instanceof BakeFileError) {
      output.stderr(`appdist images: ${error.message}\n`);
      return /^no target or group/.test(error.message) ? EXIT_USAGE : EXIT_FAILED;
    }
    throw error;
  }
  if (options.format === 'json') {
    output.stdout(`${JSON.stringify(formatPlanJson(bake, names, targets), null, 2)}\n`);
  } else {
    output.stdout(formatPlanText(targets));
  }
  if (!options.check) return EXIT_OK;
  const root = dirname(file);
  const problems = (
    await Promise.all(targets.map((target) => checkTargetInputs(root, target)))
  ).flat();
  for (const problem of problems) output.stderr(`${problem}\n`);
  output.stderr(
    problems.length === 0
      ? `${targets.length} targets checked: contexts, Dockerfiles and their essentials are fine\n`
      : `${problems.length} problems in ${targets.length} targets\n`,
  );
  return problems.length === 0 ? EXIT_OK : EXIT_FAILED;
}
