// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here is bake's HCL, as the file writes it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { findRepositoryRoot, stringList } from '@appdist/catalogue/repository';
import dockerignore from '@balena/dockerignore';
import {
  bakePrint,
  checkResolved,
  checkWrittenFile,
  enabledAttestations,
  hasBuildx,
  type ImageTarget,
  imageTarget,
  serviceVersions,
} from './bake.js';
import { BAKE_FILE, type BakeFile, BakeFileError, readBakeFile } from './bake-file.js';
import { readDockerfile } from './dockerfile.js';
import { checkDockerfile, formatFinding } from './dockerfile-essentials.js';

// The package is CommonJS (`module.exports = factory`) with types that declare `export default`.
const ignore = dockerignore as unknown as typeof dockerignore.default;

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface ImagesPlanOptions {
  /** Targets or groups, as for `docker buildx bake`; none: the `default` group. */
  targets?: string[];
  format?: 'text' | 'json';
  /** The bake file; default: docker-bake.hcl at the root of the repository holding `cwd`. */
  file?: string;
  /** Also check the file against the catalogue and each target's build inputs. */
  check?: boolean;
  cwd?: string;
  /** Bake's variables (REGISTRY, TAG, VERSIONS, GIT_COMMIT) and PATH; default: process.env. */
  env?: NodeJS.ProcessEnv;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** `type=provenance,mode=max` as `provenance(mode=max)`. */
function describeAttestations(target: ImageTarget): string {
  const described = enabledAttestations(target).map((entry) =>
    entry.replace(/^type=([^,]*),(.+)$/, '$1($2)').replace(/^type=/, ''),
  );
  return described.join(' ') || 'none';
}

function describeOutput(target: ImageTarget): string {
  if (target.call !== undefined) return `none: runs \`${target.call}\` instead of building`;
  return target.output.join(' ') || 'build cache only (--push or --load to export)';
}

/** One block of text per target. */
function formatPlanText(targets: ImageTarget[]): string {
  const line = (label: string, value: string) => `  ${label.padEnd(14)}${value}`;
  const words = (list: string[], none: string) => list.join(' ') || none;
  return targets
    .map((target) =>
      [
        target.name,
        ...(target.matrix ? [line('matrix', JSON.stringify(target.matrix))] : []),
        ...(target.inherits ? [line('inherits', target.inherits.join(' '))] : []),
        line('dockerfile', `${target.dockerfile} (context ${target.context})`),
        line('tags', words(target.tags, '(none)')),
        line('platforms', words(target.platforms, "(the builder's)")),
        line('attestations', describeAttestations(target)),
        line('output', describeOutput(target)),
        line('cache', `from ${words(target.cacheFrom, '-')}; to ${words(target.cacheTo, '-')}`),
        line(
          'args',
          words(
            Object.entries(target.args).map((entry) => entry.join('=')),
            '-',
          ),
        ),
      ].join('\n'),
    )
    .join('\n\n')
    .concat('\n');
}

/** The written targets `names` select: a target, a group that lists targets, or (none) all. */
function writtenTargets(file: BakeFile, names: string[]): ImageTarget[] {
  const all = Object.keys(file.targets);
  const selected = (names.length > 0 ? names : ['default']).flatMap((name) => {
    if (file.targets[name] !== undefined) return [name];
    // A group written as an expression (`APPDIST_SERVICES`) is bake's to resolve: show every target.
    if (file.groups[name] !== undefined) return stringList(file.groups[name].targets) ?? all;
    if (names.length === 0) return all;
    throw new BakeFileError(
      `no target or group "${name}" written in the bake file (targets: ${all.join(', ')}; groups: ${Object.keys(file.groups).join(', ')}); the names a matrix makes are resolved by docker buildx only`,
    );
  });
  return [...new Set(selected)].map((name) => imageTarget(name, file.targets[name] ?? {}));
}

/** Problems with one target's build inputs, each line naming the target. */
function checkTargetInputs(root: string, target: ImageTarget): string[] {
  const context = resolve(root, target.context);
  const dockerfile = resolve(context, target.dockerfile);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    return [`${target.name}: context ${target.context} is not a directory`];
  }
  if (!existsSync(dockerfile)) {
    return [
      `${target.name}: dockerfile ${target.dockerfile} does not exist (relative to the context)`,
    ];
  }
  const text = readFileSync(dockerfile, 'utf8');
  // Args written as expressions (`${service}`) are bake's to resolve; the Dockerfile's defaults apply.
  const args = Object.entries(target.args).filter(([, value]) => !value.includes('${'));
  const ignoreFile = join(context, '.dockerignore');
  const ignored = ignore().add(
    existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8').split(/\r?\n/) : [],
  );
  const sources = readDockerfile(text).sources.flatMap(({ path, line }) => {
    const why = !existsSync(resolve(context, path))
      ? 'not in the build context'
      : ignored.ignores(path) && 'excluded by .dockerignore';
    return why ? [`line ${line}: COPY ${path}: ${why}`] : [];
  });
  return [...checkDockerfile(text, Object.fromEntries(args)).map(formatFinding), ...sources].map(
    (problem) => `${target.name}: ${relative(root, dockerfile)} ${problem}`,
  );
}

/**
 * `appdist images`: what `docker buildx bake` builds, resolved by buildx where it exists, else
 * as docker-bake.hcl writes it; with --check, the file against the catalogue and each target's
 * build inputs (context, Dockerfile essentials, COPY sources).
 */
export async function runImagesPlan(options: ImagesPlanOptions, output: Output): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const repository = findRepositoryRoot(cwd);
  const file =
    options.file !== undefined
      ? resolve(cwd, options.file)
      : repository && join(repository, BAKE_FILE);
  if (file === undefined || !existsSync(file)) {
    output.stderr(
      `appdist images: ${file ?? BAKE_FILE} not found: run it in the repository, or pass --file\n`,
    );
    return EXIT_USAGE;
  }
  const root = dirname(file);
  const names = options.targets ?? [];
  const problems: string[] = [];
  let targets: ImageTarget[];
  try {
    const written = await readBakeFile(file);
    // The whole file is checked against the catalogue when no target is named.
    const checkFile = options.check === true && names.length === 0;
    if (checkFile) problems.push(...checkWrittenFile(written));
    if (await hasBuildx(env)) {
      output.stderr('appdist images: resolved by docker buildx bake --print\n');
      // As ci/bake.sh runs bake: VERSIONS from the package files unless set.
      const VERSIONS = env.VERSIONS ?? JSON.stringify(serviceVersions(root));
      const bakeEnv = { ...env, VERSIONS };
      const resolved = await bakePrint(file, root, names, bakeEnv);
      targets = resolved.targets;
      if (options.format === 'json')
        output.stdout(`${JSON.stringify(resolved.printed, null, 2)}\n`);
      if (checkFile) {
        const kind = await bakePrint(file, root, ['kind'], bakeEnv);
        const registry = env.REGISTRY || String(written.variables.REGISTRY);
        const versions = JSON.parse(VERSIONS) as Record<string, string>;
        const printed = { default: resolved.printed, kind: kind.printed };
        problems.push(...checkResolved(printed, { registry, tag: env.TAG ?? '', versions }));
      }
    } else {
      output.stderr(
        'appdist images: docker buildx is not on PATH: docker-bake.hcl as written (matrix, inherits and ${…} unresolved)\n',
      );
      targets = writtenTargets(written, names);
      if (options.format === 'json') output.stdout(`${JSON.stringify(written, null, 2)}\n`);
    }
  } catch (error) {
    if (error instanceof BakeFileError) {
      output.stderr(`appdist images: ${error.message}\n`);
      return /no target or group|failed to find target/.test(error.message)
        ? EXIT_USAGE
        : EXIT_FAILED;
    }
    throw error;
  }
  if (options.format !== 'json') output.stdout(formatPlanText(targets));
  if (!options.check) return EXIT_OK;
  // A written target that inherits has its parents' inputs, checked with them.
  for (const target of targets.filter((target) => target.inherits === undefined)) {
    problems.push(...checkTargetInputs(root, target));
  }
  for (const problem of problems) output.stderr(`${problem}\n`);
  output.stderr(
    problems.length === 0
      ? `${targets.length} targets checked: the catalogue's images, contexts, Dockerfiles and their essentials are fine\n`
      : `${problems.length} problems in ${targets.length} targets\n`,
  );
  return problems.length === 0 ? EXIT_OK : EXIT_FAILED;
}
