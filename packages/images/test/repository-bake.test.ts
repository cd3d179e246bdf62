// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bake's HCL, whose ${…} is theirs.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAGE_REGISTRY, imageName, SERVICE_NAMES } from '@appdist/catalogue';
import { isRecord } from '@appdist/catalogue/repository';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkResolved, checkWrittenFile, serviceVersions } from '../src/bake.js';
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
    expect(bake.variables.SERVICES).toEqual(SERVICE_NAMES);
    expect(checkWrittenFile(bake)).toEqual([]);
    expect(bake.targets.service?.dockerfile).toBe('services/Dockerfile');
    expect(existsSync(join(REPOSITORY_ROOT, 'services/Dockerfile'))).toBe(true);
  });

  it('publishes to the registry dist/ pins, each image tagged with its package version', async () => {
    expect(bake.variables.REGISTRY).toBe(IMAGE_REGISTRY);
    const versions = serviceVersions(REPOSITORY_ROOT);
    expect(Object.keys(versions)).toEqual(SERVICE_NAMES);
    const pins = await pinnedImages();
    for (const service of SERVICE_NAMES) {
      const image = imageName(service);
      expect(pins.get(image), `dist/base/kustomization.yaml images: ${image}`).toBe(
        `${image}:${versions[service]}`,
      );
    }
  });

  it('names what is missing when the file drifts from the catalogue', () => {
    expect(
      checkWrittenFile(edited((file) => (file.variables.SERVICES = ['frontend', 'extra']))),
    ).toEqual([
      'variable SERVICES: missing backend, cache, database, tester; not in the catalogue: extra',
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
      'target service: tags docker.io/someone/${service}:latest are not all ${REGISTRY}/${service}:<tag>',
      'target kind-service: builds 2 platforms, Kind loads one',
      'target kind-service: provenance attestation: kind load can fail on it',
      'target kind-service: not loaded into Docker (output type=docker)',
      'target validate: does not run BuildKit\'s checks (call = "check") on the release Dockerfile',
    ]);
    expect(checkWrittenFile(edited((file) => delete file.targets['kind-service']))).toEqual([
      'no target with matrix over SERVICES named kind-${<key>}',
    ]);
  });
});

/** What `docker buildx bake --print default kind` prints for this file (the fields checked). */
function printed(registry: string, tag: (service: string) => string) {
  const target: Record<string, unknown> = {};
  for (const service of SERVICE_NAMES) {
    const tags = [`${registry}/${service}:${tag(service)}`];
    target[service] = {
      context: '.',
      dockerfile: 'services/Dockerfile',
      args: { SERVICE: service, VERSION: tag(service), GIT_COMMIT: 'unknown' },
      tags,
      platforms: ['linux/amd64', 'linux/arm64'],
      attest: [{ type: 'sbom' }, { type: 'provenance', mode: 'max' }],
      'cache-from': [{ type: 'registry', ref: `${registry}/${service}:buildcache` }],
      'cache-to': [{ type: 'registry', ref: `${registry}/${service}:buildcache`, mode: 'max' }],
    };
    target[`kind-${service}`] = {
      ...(target[service] as object),
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
    group: {
      default: { targets: [...SERVICE_NAMES] },
      kind: { targets: SERVICE_NAMES.map((name) => `kind-${name}`) },
    },
    target,
  };
}

function resolvedProblems(print: ReturnType<typeof printed>, registry = IMAGE_REGISTRY) {
  return checkResolved(print, registry);
}

describe('docker-bake.hcl as buildx resolves it, against the catalogue', () => {
  it('accepts release targets for every platform with SBOM and provenance, and loadable Kind twins', () => {
    expect(resolvedProblems(printed(IMAGE_REGISTRY, () => '0.1.0'))).toEqual([]);
    expect(
      resolvedProblems(
        printed('registry.example.com/team', () => 'sha-3f2c1e0'),
        'registry.example.com/team',
      ),
    ).toEqual([]);
  });

  it('names each service whose targets are missing or wrong', () => {
    const print = printed(IMAGE_REGISTRY, () => '0.1.0');
    print.group.kind.targets = print.group.kind.targets.filter((name) => name !== 'kind-tester');
    delete print.target['kind-tester'];
    print.target['kind-backend'] = {
      ...(print.target['kind-backend'] as object),
      tags: ['ghcr.io/appdist/backend:other'],
      attest: [{ type: 'sbom' }],
    };
    print.target.cache = {
      ...(print.target.cache as object),
      tags: ['ghcr.io/elsewhere/cache:0.1.0'],
    };
    expect(resolvedProblems(print)).toEqual([
      'group kind: missing kind-tester',
      'target kind-backend: sbom attestation: kind load can fail on it',
      'target kind-backend: tags ghcr.io/appdist/backend:other differ from ghcr.io/appdist/backend:0.1.0',
      'target cache: tags ghcr.io/elsewhere/cache:0.1.0 are not all ghcr.io/appdist/cache:<tag>',
      'target kind-cache: tags ghcr.io/appdist/cache:0.1.0 differ from ghcr.io/elsewhere/cache:0.1.0',
    ]);
  });
});
