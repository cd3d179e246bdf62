// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here is bake's HCL, as the file writes it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { isRecord } from '@appdist/catalogue/repository';
import { type BakeFile, BakeFileError, stringList } from './bake-file.js';

/**
 * The bake targets, from one of two sources: `docker buildx bake --print` (bake's own resolution)
 * where buildx exists, else docker-bake.hcl as written (matrix, inherits and `${…}` left as they
 * are). Either way they are checked against the catalogue; nothing here evaluates bake.
 */
export interface ImageTarget {
  name: string;
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  tags: string[];
  platforms: string[];
  /** Each entry as CSV: `type=sbom`, `type=provenance,mode=max`, `type=sbom,disabled=true`. */
  attest: string[];
  cacheFrom: string[];
  cacheTo: string[];
  output: string[];
  call?: string;
  /** As written only: the matrix that forks the target and what it inherits. */
  matrix?: Record<string, unknown>;
  inherits?: string[];
}

/** `{type: "registry", ref: …}` (buildx's JSON) or `type=registry,ref=…` (as written): the CSV. */
function csv(entry: unknown): string {
  if (!isRecord(entry)) return String(entry);
  const { type, ...rest } = entry;
  return [['type', type], ...Object.entries(rest)]
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(csv) : []);

function strings(value: unknown): Record<string, string> {
  return isRecord(value)
    ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]))
    : {};
}

export function imageTarget(name: string, body: Record<string, unknown>): ImageTarget {
  // Bake's defaults, unless a written target inherits what it leaves out.
  const unset = Array.isArray(body.inherits) ? '(inherited)' : undefined;
  return {
    name,
    context: typeof body.context === 'string' ? body.context : (unset ?? '.'),
    dockerfile: typeof body.dockerfile === 'string' ? body.dockerfile : (unset ?? 'Dockerfile'),
    args: strings(body.args),
    tags: list(body.tags),
    platforms: list(body.platforms),
    attest: list(body.attest),
    cacheFrom: list(body['cache-from']),
    cacheTo: list(body['cache-to']),
    output: list(body.output),
    ...(typeof body.call === 'string' ? { call: body.call } : {}),
    ...(isRecord(body.matrix) ? { matrix: body.matrix } : {}),
    ...(Array.isArray(body.inherits) ? { inherits: list(body.inherits) } : {}),
  };
}

/** The attestations a target produces (`type=sbom`, `type=provenance,mode=max`), disabled ones left out. */
export function enabledAttestations(target: ImageTarget): string[] {
  return target.attest.filter((entry) => !/(^|,)disabled=true(,|$)/.test(entry));
}

const attestationType = (entry: string) => /(?:^|,)type=([^,]*)/.exec(entry)?.[1] ?? entry;

/** Each catalogue service's version from services/<name>/package.json: bake's VERSIONS. */
export function serviceVersions(root: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of SERVICE_NAMES) {
    const manifest = join(root, 'services', name, 'package.json');
    if (!existsSync(manifest)) continue;
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    if (typeof version === 'string') versions[name] = version;
  }
  return versions;
}

const run = promisify(execFile);

/** Whether `docker buildx` runs here. */
export function hasBuildx(env: NodeJS.ProcessEnv): Promise<boolean> {
  return run('docker', ['buildx', 'version'], { env }).then(
    () => true,
    () => false,
  );
}

/** `docker buildx bake --print`, run as ci/bake.sh runs it (VERSIONS from the package files). */
export async function bakePrint(
  file: string,
  root: string,
  names: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ printed: unknown; targets: ImageTarget[] }> {
  const VERSIONS = env.VERSIONS ?? JSON.stringify(serviceVersions(root));
  let stdout: string;
  try {
    ({ stdout } = await run('docker', ['buildx', 'bake', '--file', file, '--print', ...names], {
      cwd: root,
      env: { ...env, VERSIONS },
    }));
  } catch (error) {
    const stderr = isRecord(error) ? String(error.stderr).trim() : String(error);
    throw new BakeFileError(`docker buildx bake --print ${names.join(' ')}: ${stderr}`);
  }
  const printed: unknown = JSON.parse(stdout);
  return { printed, targets: printedTargets(printed) };
}

function printedTargets(printed: unknown): ImageTarget[] {
  const targets = isRecord(printed) && isRecord(printed.target) ? printed.target : {};
  return Object.entries(targets).map(([name, body]) =>
    imageTarget(name, isRecord(body) ? body : {}),
  );
}

/** The problems (false for none) as lines naming the target. */
const named = (target: ImageTarget, problems: (string | false)[]) =>
  problems.flatMap((problem) => (problem ? [`target ${target.name}: ${problem}`] : []));

/** Why a release target is not what the registry gets: every platform, SBOM and provenance. */
function releaseProblems(target: ImageTarget, image: string): string[] {
  const types = enabledAttestations(target).map(attestationType);
  const { platforms, tags } = target;
  return named(target, [
    ...['linux/amd64', 'linux/arm64'].map((p) => !platforms.includes(p) && `no platform ${p}`),
    ...['sbom', 'provenance'].map((type) => !types.includes(type) && `no ${type} attestation`),
    (tags.length === 0 || tags.some((tag) => !tag.startsWith(`${image}:`))) &&
      `tags ${tags.join(' ') || '(none)'} are not all ${image}:<tag>`,
  ]);
}

/** Why a Kind target would not load: `kind load` wants one platform and no attestations. */
function kindProblems(target: ImageTarget): string[] {
  return named(target, [
    target.platforms.length !== 1 && `builds ${target.platforms.length} platforms, Kind loads one`,
    ...enabledAttestations(target)
      .map(attestationType)
      .map((type) => `${type} attestation: kind load can fail on it`),
    !target.output.includes('type=docker') && 'not loaded into Docker (output type=docker)',
    target.cacheTo.length > 0 && 'exports cache, which needs a registry login',
  ]);
}

function sameNames(what: string, actual: readonly string[], expected: readonly string[]): string[] {
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  if (missing.length === 0 && extra.length === 0) return [];
  return [
    `${what}: ${[...(missing.length ? [`missing ${missing.join(', ')}`] : []), ...(extra.length ? [`not in the catalogue: ${extra.join(', ')}`] : [])].join('; ')}`,
  ];
}

/**
 * The facts docker-bake.hcl writes, against the catalogue: SERVICES lists its services, one
 * matrix target over SERVICES builds each as `<service>` for release and one as
 * `kind-<service>` for Kind, the default group is SERVICES, and `validate` checks the Dockerfile.
 */
export function checkWrittenFile(
  file: BakeFile,
  catalogue: readonly string[] = SERVICE_NAMES,
): string[] {
  const services = stringList(file.variables.SERVICES);
  if (services === undefined) return ['variable SERVICES: not a list of service names'];
  const problems = sameNames('variable SERVICES', services, catalogue);
  const written = Object.entries(file.targets).map(([name, body]) => imageTarget(name, body));
  /** The target whose matrix runs over SERVICES and whose name is `<prefix>${<key>}`, with `${<key>}`. */
  const overServices = (prefix: string) =>
    written.flatMap((target) => {
      const [key] =
        Object.entries(target.matrix ?? {}).find(([, value]) => value === '${SERVICES}') ?? [];
      const service = `\${${key}}`;
      return key !== undefined && file.targets[target.name]?.name === prefix + service
        ? [{ target, service }]
        : [];
    })[0];
  const release = overServices('');
  const kind = overServices('kind-');
  if (release === undefined) problems.push('no target with matrix over SERVICES named ${<key>}');
  else {
    problems.push(...releaseProblems(release.target, `\${REGISTRY}/${release.service}`));
    if (release.target.args.SERVICE !== release.service)
      problems.push(`target ${release.target.name}: args.SERVICE is not ${release.service}`);
  }
  if (kind === undefined) problems.push('no target with matrix over SERVICES named kind-${<key>}');
  else {
    problems.push(...kindProblems(kind.target));
    if (!kind.target.inherits?.includes(kind.service))
      problems.push(`target ${kind.target.name}: does not inherit the release target`);
  }
  if (file.groups.default?.targets !== '${SERVICES}')
    problems.push('group default: its targets are not SERVICES');
  const validate = file.targets.validate;
  if (validate?.call !== 'check' || validate.dockerfile !== release?.target.dockerfile) {
    problems.push(
      'target validate: does not run BuildKit\'s checks (call = "check") on the release Dockerfile',
    );
  }
  return problems;
}

/** What bake resolved for the default and kind groups, against the catalogue. */
export function checkResolved(printed: unknown, registry: string): string[] {
  const groups = isRecord(printed) && isRecord(printed.group) ? printed.group : {};
  const members = (group: string) =>
    stringList(isRecord(groups[group]) ? groups[group].targets : undefined) ?? [];
  const byName = new Map(printedTargets(printed).map((target) => [target.name, target]));
  const kindNames = SERVICE_NAMES.map((name) => `kind-${name}`);
  const problems = [
    ...sameNames('group default', members('default'), SERVICE_NAMES),
    ...sameNames('group kind', members('kind'), kindNames),
  ];
  for (const service of SERVICE_NAMES) {
    const release = byName.get(service);
    const kind = byName.get(`kind-${service}`);
    if (release === undefined || kind === undefined) continue;
    problems.push(...releaseProblems(release, `${registry}/${service}`), ...kindProblems(kind));
    if (kind.tags.join(' ') !== release.tags.join(' ')) {
      problems.push(
        `target ${kind.name}: tags ${kind.tags.join(' ')} differ from ${release.tags.join(' ')}`,
      );
    }
  }
  return problems;
}
