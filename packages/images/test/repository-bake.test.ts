// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bake's HCL, whose ${…} is theirs.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_REGISTRY, imageName, SERVICE_NAMES } from '@appdist/catalogue';
import { isRecord } from '@appdist/catalogue/repository';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bakePrint,
  checkResolved,
  checkWrittenFile,
  hasBuildx,
  type ImageTarget,
  imageTarget,
  serviceVersions,
} from '../src/bake.js';
import { type BakeFile, readBakeFile } from '../src/bake-file.js';
import { BAKE_FILE, REPOSITORY_ROOT } from './repository.js';

/** name → `newName:newTag` of each `images:` entry in dist/base/kustomization.yaml. */
async function pinnedImages(): Promise<Map<string, string>> {
  const text = await readFile(join(REPOSITORY_ROOT, 'dist/base/kustomization.yaml'), 'utf8');
  const kustomization = load(text);
  const images = isRecord(kustomization) ? kustomization.images : undefined;
  if (!Array.isArray(images)) throw new Error('dist/base/kustomization.yaml has no images: list');
  const pins = new Map<string, string>();
  for (const entry of images) {
    if (!isRecord(entry) || typeof entry.name !== 'string') continue;
    const name = typeof entry.newName === 'string' ? entry.newName : entry.name;
    pins.set(entry.name, `${name}:${String(entry.newTag)}`);
  }
  return pins;
}

let bake: BakeFile;

beforeAll(async () => {
  bake = await readBakeFile(BAKE_FILE);
});

/** docker-bake.hcl with `edit` applied to a copy of its facts. */
function edited(edit: (file: BakeFile) => void): BakeFile {
  const copy = structuredClone(bake);
  edit(copy);
  return copy;
}

describe('docker-bake.hcl as written, against the catalogue', () => {
  it('lists the catalogue services, builds each for release and for Kind, and checks the one Dockerfile', () => {
    expect(bake.variables.APPDIST_SERVICES).toEqual(SERVICE_NAMES);
    expect(checkWrittenFile(bake)).toEqual([]);
    expect(bake.targets.service?.dockerfile).toBe('services/Dockerfile');
    expect(existsSync(join(REPOSITORY_ROOT, 'services/Dockerfile'))).toBe(true);
  });

  it('publishes to the registry dist/ pins, each image tagged with its package version', async () => {
    expect(bake.variables.REGISTRY).toBe(IMAGE_REGISTRY);
    const versions = serviceVersions(REPOSITORY_ROOT);
    expect(Object.keys(versions)).toEqual(SERVICE_NAMES);
    const pins = await pinnedImages();
    const { print, targets } = await resolvedRepository(versions);
    expect(checkResolved(print, { registry: IMAGE_REGISTRY, tag: '', versions })).toEqual([]);
    for (const service of SERVICE_NAMES) {
      const image = imageName(service);
      const release = targets.get(service);
      const cache = `type=registry,ref=${image}:buildcache`;
      expect(release?.tags, service).toEqual([`${image}:${versions[service]}`]);
      expect(release?.args.VERSION, service).toBe(versions[service]);
      expect(release?.cacheFrom, service).toEqual([cache]);
      expect(release?.cacheTo, service).toEqual([`${cache},mode=max`]);
      expect(targets.get(`kind-${service}`)?.tags, service).toEqual(release?.tags);
      expect(targets.get(`kind-${service}`)?.cacheTo, service).toEqual([]);
      expect(pins.get(image), `dist/base/kustomization.yaml images: ${image}`).toBe(
        `${image}:${versions[service]}`,
      );
    }
  });

  it('names what is missing when the file drifts from the catalogue', () => {
    expect(
      checkWrittenFile(edited((file) => (file.variables.APPDIST_SERVICES = ['frontend', 'extra']))),
    ).toEqual([
      'variable APPDIST_SERVICES: missing backend, cache, database, tester; not in the catalogue: extra',
    ]);
    expect(
      checkWrittenFile(
        edited((file) => {
          const release = file.targets.service ?? {};
          release.platforms = ['linux/amd64'];
          release.attest = ['type=sbom'];
          release.tags = ['docker.io/someone/${service}:latest'];
          const kind = file.targets['kind-service'] ?? {};
          kind.platforms = ['linux/amd64', 'linux/arm64'];
          kind.attest = ['type=sbom,disabled=true', 'type=provenance'];
          delete kind.output;
          delete file.targets.validate;
        }),
      ),
    ).toEqual([
      'target service: no platform linux/arm64',
      'target service: no provenance attestation',
      `target service: tags docker.io/someone/\${service}:latest are not ${WRITTEN_TAG}`,
      'target kind-service: builds 2 platforms, Kind loads one',
      'target kind-service: provenance attestation not disabled (type=provenance,disabled=true): kind load can fail on it',
      'target kind-service: not loaded into Docker (output type=docker)',
      'target validate: does not run BuildKit\'s checks (call = "check") on the release Dockerfile',
    ]);
  });

  it.each<[string, (file: BakeFile) => void, string[]]>([
    [
      'a release tag that is not the package version',
      (file) => setIn(file.targets.service, 'tags', ['${REGISTRY}/${service}:latest']),
      [`target service: tags \${REGISTRY}/\${service}:latest are not ${WRITTEN_TAG}`],
    ],
    [
      'a second release tag',
      (file) => setIn(file.targets.service, 'tags', [WRITTEN_TAG, '${REGISTRY}/${service}:latest']),
      [
        `target service: tags ${WRITTEN_TAG} \${REGISTRY}/\${service}:latest are not ${WRITTEN_TAG}`,
      ],
    ],
    [
      'args.SERVICE not the matrix key',
      (file) =>
        setIn(file.targets.service, 'args', { SERVICE: 'backend', VERSION: '${version(service)}' }),
      ['target service: args.SERVICE is not ${service}'],
    ],
    [
      'args.VERSION not the package version',
      (file) => setIn(file.targets.service, 'args', { SERVICE: '${service}', VERSION: '${TAG}' }),
      ['target service: args.VERSION is not ${version(service)}'],
    ],
    [
      'no release target named after the matrix key',
      (file) => setIn(file.targets.service, 'name', 'release-${service}'),
      [
        'no target with matrix over APPDIST_SERVICES named ${<key>}',
        'target validate: does not run BuildKit\'s checks (call = "check") on the release Dockerfile',
      ],
    ],
    [
      'no Kind target',
      (file) => delete file.targets['kind-service'],
      ['no target with matrix over APPDIST_SERVICES named kind-${<key>}'],
    ],
    [
      'a Kind target that does not inherit the release target',
      (file) => setIn(file.targets['kind-service'], 'inherits', ['validate']),
      ['target kind-service: does not inherit the release target'],
    ],
    [
      "a Kind target without `attest` (it would inherit the release's)",
      (file) => delete file.targets['kind-service']?.attest,
      [
        'target kind-service: sbom attestation not disabled (type=sbom,disabled=true): kind load can fail on it',
        'target kind-service: provenance attestation not disabled (type=provenance,disabled=true): kind load can fail on it',
      ],
    ],
    [
      'a Kind target disabling one attestation only',
      (file) => setIn(file.targets['kind-service'], 'attest', ['type=provenance,disabled=true']),
      [
        'target kind-service: sbom attestation not disabled (type=sbom,disabled=true): kind load can fail on it',
      ],
    ],
    [
      "a Kind target without `cache-to = []` (it would inherit the release's)",
      (file) => delete file.targets['kind-service']?.['cache-to'],
      [
        'target kind-service: cache-to is not written empty (cache-to = []): it would export the release cache',
      ],
    ],
    [
      'a Kind target exporting cache',
      (file) => setIn(file.targets['kind-service'], 'cache-to', ['type=inline']),
      [
        'target kind-service: exports cache, which needs a registry login',
        'target kind-service: cache-to is not written empty (cache-to = []): it would export the release cache',
      ],
    ],
    [
      'a Kind target not loaded into Docker',
      (file) => setIn(file.targets['kind-service'], 'output', ['type=registry']),
      ['target kind-service: not loaded into Docker (output type=docker)'],
    ],
    [
      'a Kind target for two platforms',
      (file) => setIn(file.targets['kind-service'], 'platforms', ['linux/amd64', 'linux/arm64']),
      ['target kind-service: builds 2 platforms, Kind loads one'],
    ],
    [
      'a default group that is not the services',
      (file) => setIn(file.groups.default, 'targets', ['backend']),
      ['group default: its targets are not APPDIST_SERVICES'],
    ],
    [
      'a kind group that is not the Kind targets',
      (file) => setIn(file.groups.kind, 'targets', '${[for s in APPDIST_SERVICES : "${s}"]}'),
      ['group kind: its targets are not [for s in APPDIST_SERVICES : "kind-${s}"]'],
    ],
    [
      'a kind group missing',
      (file) => delete file.groups.kind,
      ['group kind: its targets are not [for s in APPDIST_SERVICES : "kind-${s}"]'],
    ],
    [
      'a services variable that is not a list',
      (file) => (file.variables.APPDIST_SERVICES = 'frontend,backend'),
      ['variable APPDIST_SERVICES: not a list of service names'],
    ],
  ])('names %s', (_, edit, findings) => {
    expect(checkWrittenFile(edited(edit))).toEqual(findings);
  });

  it('accepts a kind group over another loop variable', () => {
    const file = edited((file) =>
      setIn(file.groups.kind, 'targets', '${[for s in APPDIST_SERVICES : "kind-${s}"]}'),
    );
    expect(checkWrittenFile(file)).toEqual([]);
  });
});

/** The release tag as hcl2json renders `${REGISTRY}/${service}:${TAG != "" ? TAG : version(service)}`. */
const WRITTEN_TAG =
  '${REGISTRY}/${service}:%{if TAG != ""}${TAG}%{else}${version(service)}%{endif}';

function setIn(body: Record<string, unknown> | undefined, key: string, value: unknown): void {
  if (body === undefined) throw new Error(`no block to set ${key} in`);
  body[key] = value;
}

/**
 * What `docker buildx bake --print` prints for this file's default and kind groups (the fields
 * checked): the stand-in where buildx is absent, the file's targets as bake resolves them.
 */
function printed(registry: string, versions: Record<string, string>, tag = '') {
  const release: Record<string, Record<string, unknown>> = {};
  const kind: Record<string, Record<string, unknown>> = {};
  for (const service of SERVICE_NAMES) {
    const version = versions[service] ?? '0.0.0-dev';
    release[service] = {
      context: '.',
      dockerfile: 'services/Dockerfile',
      args: { SERVICE: service, VERSION: version, GIT_COMMIT: 'unknown' },
      tags: [`${registry}/${service}:${tag || version}`],
      platforms: ['linux/amd64', 'linux/arm64'],
      attest: [{ type: 'sbom' }, { type: 'provenance', mode: 'max' }],
      'cache-from': [{ type: 'registry', ref: `${registry}/${service}:buildcache` }],
      'cache-to': [{ type: 'registry', ref: `${registry}/${service}:buildcache`, mode: 'max' }],
    };
    kind[`kind-${service}`] = {
      ...release[service],
      platforms: ['linux/amd64'],
      attest: [
        { type: 'sbom', disabled: true },
        { type: 'provenance', disabled: true },
      ],
      'cache-to': undefined,
      output: [{ type: 'docker' }],
    };
  }
  return {
    default: { group: { default: { targets: [...SERVICE_NAMES] } }, target: release },
    kind: {
      group: { default: { targets: ['kind'] }, kind: { targets: Object.keys(kind) } },
      target: kind,
    },
  };
}

/** The repository's default and kind groups, resolved by buildx where it runs, else `printed`. */
async function resolvedRepository(versions: Record<string, string>) {
  const env = {
    ...process.env,
    VERSIONS: JSON.stringify(versions),
    REGISTRY: IMAGE_REGISTRY,
    TAG: '',
  };
  const print = (await hasBuildx(env))
    ? {
        default: (await bakePrint(BAKE_FILE, REPOSITORY_ROOT, ['default'], env)).printed,
        kind: (await bakePrint(BAKE_FILE, REPOSITORY_ROOT, ['kind'], env)).printed,
      }
    : printed(IMAGE_REGISTRY, versions);
  const targets = [print.default, print.kind].flatMap((one) =>
    Object.entries(isRecord(one) && isRecord(one.target) ? one.target : {}),
  );
  return {
    print,
    targets: new Map<string, ImageTarget>(
      targets.map(([name, body]) => [name, imageTarget(name, isRecord(body) ? body : {})]),
    ),
  };
}

const VERSIONS = {
  frontend: '0.1.0',
  backend: '0.2.0',
  cache: '0.1.0',
  database: '0.1.0',
  tester: '0.1.0',
};
const expected = { registry: IMAGE_REGISTRY, tag: '', versions: VERSIONS };

describe('docker-bake.hcl as buildx resolves it, against the catalogue', () => {
  it('accepts release targets for every platform with SBOM and provenance, tagged with the version or TAG, and loadable Kind twins', () => {
    expect(checkResolved(printed(IMAGE_REGISTRY, VERSIONS), expected)).toEqual([]);
    const registry = 'registry.example.com/team';
    expect(
      checkResolved(printed(registry, VERSIONS, 'sha-3f2c1e0'), {
        registry,
        tag: 'sha-3f2c1e0',
        versions: VERSIONS,
      }),
    ).toEqual([]);
  });

  it('names a tag that is not the package version, or not TAG', () => {
    const print = printed(IMAGE_REGISTRY, VERSIONS);
    setIn(print.default.target.backend, 'tags', ['ghcr.io/appdist/backend:latest']);
    expect(checkResolved(print, expected)).toEqual([
      'target backend: tags ghcr.io/appdist/backend:latest are not ghcr.io/appdist/backend:0.2.0',
      'target kind-backend: tags ghcr.io/appdist/backend:0.2.0 differ from ghcr.io/appdist/backend:latest',
    ]);
    expect(
      checkResolved(printed(IMAGE_REGISTRY, VERSIONS), { ...expected, tag: 'sha-3f2c1e0' }),
    ).toEqual(
      SERVICE_NAMES.map(
        (service) =>
          `target ${service}: tags ghcr.io/appdist/${service}:${VERSIONS[service]} are not ghcr.io/appdist/${service}:sha-3f2c1e0`,
      ),
    );
    const stale = printed(IMAGE_REGISTRY, { ...VERSIONS, cache: '0.0.9' });
    expect(checkResolved(stale, expected)).toEqual([
      'target cache: tags ghcr.io/appdist/cache:0.0.9 are not ghcr.io/appdist/cache:0.1.0',
      'target cache: args.VERSION is not 0.1.0',
    ]);
  });

  it('names each service whose targets are missing or wrong', () => {
    const print = printed(IMAGE_REGISTRY, VERSIONS);
    print.kind.group.kind.targets = print.kind.group.kind.targets.filter(
      (name) => name !== 'kind-tester',
    );
    delete print.kind.target['kind-tester'];
    print.kind.target['kind-backend'] = {
      ...print.kind.target['kind-backend'],
      tags: ['ghcr.io/appdist/backend:other'],
      attest: [{ type: 'sbom' }],
      'cache-to': [{ type: 'registry', ref: 'ghcr.io/appdist/backend:buildcache' }],
    };
    setIn(print.default.target.cache, 'tags', ['ghcr.io/elsewhere/cache:0.1.0']);
    expect(checkResolved(print, expected)).toEqual([
      'group kind: missing kind-tester',
      'target kind-backend: sbom attestation not disabled (type=sbom,disabled=true): kind load can fail on it',
      'target kind-backend: provenance attestation not disabled (type=provenance,disabled=true): kind load can fail on it',
      'target kind-backend: exports cache, which needs a registry login',
      'target kind-backend: tags ghcr.io/appdist/backend:other differ from ghcr.io/appdist/backend:0.2.0',
      'target cache: tags ghcr.io/elsewhere/cache:0.1.0 are not ghcr.io/appdist/cache:0.1.0',
      'target kind-cache: tags ghcr.io/appdist/cache:0.1.0 differ from ghcr.io/elsewhere/cache:0.1.0',
    ]);
  });
});
