// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${…}` here is bake's HCL, as the file writes it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { isRecord, stringList } from '@appdist/catalogue/repository';
import { type BakeFile, BakeFileError } from './bake-file.js';

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
  return target.attest.filter((entry) => !disabled(entry));
}

const disabled = (entry: string) => /(^|,)disabled=true(,|$)/.test(entry);

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

/** `docker buildx bake --print` at `root`, with `env` as ci/bake.sh sets it (VERSIONS). */
export async function bakePrint(
  file: string,
  root: string,
  names: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ printed: unknown; targets: ImageTarget[] }> {
  let stdout: string;
  try {
    ({ stdout } = await run('docker', ['buildx', 'bake', '--file', file, '--print', ...names], {
      cwd: root,
      env,
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

/**
 * Why a release target is not what the registry gets: every platform, SBOM and provenance, the
 * one tag `tag` (the package version, or TAG) and the build args `args`.
 */
function releaseProblems(target: ImageTarget, tag: string, args: Record<string, string>): string[] {
  const types = enabledAttestations(target).map(attestationType);
  const { platforms, tags } = target;
  return named(target, [
    ...['linux/amd64', 'linux/arm64'].map((p) => !platforms.includes(p) && `no platform ${p}`),
    ...['sbom', 'provenance'].map((type) => !types.includes(type) && `no ${type} attestation`),
    tags.join(' ') !== tag && `tags ${tags.join(' ') || '(none)'} are not ${tag}`,
    ...Object.entries(args).map(
      ([key, value]) => target.args[key] !== value && `args.${key} is not ${value}`,
    ),
  ]);
}

/**
 * Why a Kind target would not load: `kind load` wants one platform and no attestations. Each
 * attestation is disabled by type, since an absent one is inherited (or buildx's default).
 */
function kindProblems(target: ImageTarget): string[] {
  const notDisabled = (type: string) => {
    const entries = target.attest.filter((entry) => attestationType(entry) === type);
    return entries.length === 0 || !entries.every(disabled);
  };
  return named(target, [
    target.platforms.length !== 1 && `builds ${target.platforms.length} platforms, Kind loads one`,
    ...['sbom', 'provenance'].map(
      (type) =>
        notDisabled(type) &&
        `${type} attestation not disabled (type=${type},disabled=true): kind load can fail on it`,
    ),
    !target.output.includes('type=docker') && 'not loaded into Docker (output type=docker)',
    target.cacheTo.length > 0 && 'exports cache, which needs a registry login',
  ]);
}

/** What differs between two lists of names, as one line; none when they hold the same names. */
export function sameNames(what: string, actual: readonly string[], expected: readonly string[]) {
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  const parts = [
    ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
    ...(extra.length ? [`not in the catalogue: ${extra.join(', ')}`] : []),
  ];
  return parts.length ? [`${what}: ${parts.join('; ')}`] : [];
}

/**
 * The facts docker-bake.hcl writes, against the catalogue: APPDIST_SERVICES lists its services,
 * one matrix target over it builds each as `<service>` for release, tagged with its version or
 * TAG, one as `kind-<service>` for Kind, the groups default and kind are those targets, and
 * `validate` checks the Dockerfile.
 */
export function checkWrittenFile(
  file: BakeFile,
  catalogue: readonly string[] = SERVICE_NAMES,
): string[] {
  const variable = 'APPDIST_SERVICES'; // docker-bake.hcl says why this name
  const services = stringList(file.variables[variable]);
  if (services === undefined) return [`variable ${variable}: not a list of service names`];
  const problems = sameNames(`variable ${variable}`, services, catalogue);
  const written = Object.entries(file.targets).map(([name, body]) => imageTarget(name, body));
  /** The target whose matrix runs over the services and whose name is `<prefix>${<key>}`, with <key>. */
  const overServices = (prefix: string) =>
    written.flatMap((target) => {
      const [key] =
        Object.entries(target.matrix ?? {}).find(([, value]) => value === `\${${variable}}`) ?? [];
      return key !== undefined && file.targets[target.name]?.name === `${prefix}\${${key}}`
        ? [{ target, key }]
        : [];
    })[0];
  const release = overServices('');
  const kind = overServices('kind-');
  if (release === undefined)
    problems.push(`no target with matrix over ${variable} named \${<key>}`);
  else {
    const { target, key } = release;
    // As hcl2json renders `${TAG != "" ? TAG : version(<key>)}`.
    const tag = `\${REGISTRY}/\${${key}}:%{if TAG != ""}\${TAG}%{else}\${version(${key})}%{endif}`;
    problems.push(
      ...releaseProblems(target, tag, { SERVICE: `\${${key}}`, VERSION: `\${version(${key})}` }),
    );
  }
  if (kind === undefined)
    problems.push(`no target with matrix over ${variable} named kind-\${<key>}`);
  else {
    const { target, key } = kind;
    const body = file.targets[target.name] ?? {};
    problems.push(
      ...kindProblems(target),
      ...named(target, [
        !target.inherits?.includes(`\${${key}}`) && 'does not inherit the release target',
        // Absent, cache-to would be inherited from the release target.
        !(Array.isArray(body['cache-to']) && body['cache-to'].length === 0) &&
          'cache-to is not written empty (cache-to = []): it would export the release cache',
      ]),
    );
  }
  if (file.groups.default?.targets !== `\${${variable}}`)
    problems.push(`group default: its targets are not ${variable}`);
  const kindGroup = new RegExp(`^\\$\\{\\[for (\\w+) in ${variable} : "kind-\\$\\{\\1\\}"\\]\\}$`);
  if (!kindGroup.test(String(file.groups.kind?.targets)))
    problems.push(`group kind: its targets are not [for s in ${variable} : "kind-\${s}"]`);
  const validate = file.targets.validate;
  if (validate?.call !== 'check' || validate.dockerfile !== release?.target.dockerfile) {
    problems.push(
      'target validate: does not run BuildKit\'s checks (call = "check") on the release Dockerfile',
    );
  }
  return problems;
}

/** What `bake --print` printed for one group: its targets, and the group as resolved. */
function printedGroup(printed: unknown, group: string) {
  const groups = isRecord(printed) && isRecord(printed.group) ? printed.group : {};
  const members = isRecord(groups[group]) ? stringList(groups[group].targets) : undefined;
  return { members: members ?? [], targets: printedTargets(printed) };
}

/**
 * What bake resolved for the default and kind groups (one `--print` each: printing two at once
 * adds the second to the printed default group), against the catalogue: each release target
 * tagged `<registry>/<service>:<TAG or its version>` (the versions bake was given), each Kind
 * target with the same tags.
 */
export function checkResolved(
  printed: { default: unknown; kind: unknown },
  { registry, tag, versions }: { registry: string; tag: string; versions: Record<string, string> },
): string[] {
  const releases = printedGroup(printed.default, 'default');
  const kinds = printedGroup(printed.kind, 'kind');
  const byName = new Map([...releases.targets, ...kinds.targets].map((t) => [t.name, t]));
  const problems = [
    ...sameNames('group default', releases.members, SERVICE_NAMES),
    ...sameNames(
      'group kind',
      kinds.members,
      SERVICE_NAMES.map((name) => `kind-${name}`),
    ),
  ];
  for (const service of SERVICE_NAMES) {
    const release = byName.get(service);
    const kind = byName.get(`kind-${service}`);
    if (release === undefined || kind === undefined) continue;
    // bake's version() when VERSIONS lacks the service.
    const version = versions[service] ?? '0.0.0-dev';
    problems.push(
      ...releaseProblems(release, `${registry}/${service}:${tag || version}`, {
        SERVICE: service,
        VERSION: version,
      }),
      ...kindProblems(kind),
    );
    if (kind.tags.join(' ') !== release.tags.join(' ')) {
      problems.push(
        `target ${kind.name}: tags ${kind.tags.join(' ')} differ from ${release.tags.join(' ')}`,
      );
    }
  }
  return problems;
}
