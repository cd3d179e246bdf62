import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BakeFile, enabledAttestations, selectTargets } from '../src/bake.js';
import { listServices, type ServicePackage } from '../src/services.js';
import { isRecord, loadRepositoryBake, REPOSITORY_ROOT, targetNamed } from './repository.js';

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
let services: ServicePackage[];

beforeAll(async () => {
  [bake, services] = await Promise.all([loadRepositoryBake(), listServices(REPOSITORY_ROOT)]);
});

describe('docker-bake.hcl against the repository', () => {
  it('finds the five services', () => {
    expect(services.map((service) => service.name)).toEqual([
      'backend',
      'cache',
      'database',
      'frontend',
      'tester',
    ]);
  });

  it('builds exactly the services in the default group and their kind-<name> twins in "kind"', () => {
    const names = services.map((service) => service.name).sort();
    expect(
      selectTargets(bake, [])
        .map((target) => target.name)
        .sort(),
    ).toEqual(names);
    expect(
      selectTargets(bake, ['kind'])
        .map((target) => target.name)
        .sort(),
    ).toEqual(names.map((name) => `kind-${name}`));
  });

  it('gives every service a target whose context and Dockerfile exist', () => {
    for (const service of services) {
      const target = targetNamed(bake, service.name);
      const context = resolve(REPOSITORY_ROOT, target.context);
      expect(existsSync(context) && statSync(context).isDirectory(), service.name).toBe(true);
      expect(target.dockerfile).toBe(`services/${service.name}/Dockerfile`);
      expect(existsSync(resolve(context, target.dockerfile)), target.dockerfile).toBe(true);
    }
  });

  it('tags each image with its package version, the tag dist/base/kustomization.yaml pins', async () => {
    const pins = await pinnedImages();
    for (const service of services) {
      const image = `ghcr.io/appdist/${service.name}`;
      const expected = `${image}:${service.version}`;
      expect(targetNamed(bake, service.name).tags, service.name).toEqual([expected]);
      expect(targetNamed(bake, `kind-${service.name}`).tags, service.name).toEqual([expected]);
      expect(pins.get(image), `dist/base/kustomization.yaml images: ${image}`).toBe(expected);
    }
  });

  it('keeps each <SERVICE>_VERSION default equal to the package.json version', () => {
    for (const service of services) {
      const variable = `${service.name.toUpperCase()}_VERSION`;
      expect(bake.variables[variable], `${variable} in docker-bake.hcl`).toBe(service.version);
      expect(targetNamed(bake, service.name).args.VERSION).toBe(service.version);
    }
  });

  it('builds releases for amd64 and arm64 with SBOM and max provenance, cached per service', () => {
    const cacheRefs = new Set<string>();
    for (const service of services) {
      const target = targetNamed(bake, service.name);
      expect(target.platforms).toEqual(['linux/amd64', 'linux/arm64']);
      expect(enabledAttestations(target)).toEqual([
        { type: 'sbom', disabled: false, attributes: {} },
        { type: 'provenance', disabled: false, attributes: { mode: 'max' } },
      ]);
      const ref = `ghcr.io/appdist/${service.name}:buildcache`;
      expect(target.cacheFrom).toEqual([`type=registry,ref=${ref}`]);
      expect(target.cacheTo).toEqual([`type=registry,ref=${ref},mode=max`]);
      cacheRefs.add(ref);
      expect(target.args.GIT_COMMIT).toBe('unknown');
    }
    expect(cacheRefs.size).toBe(services.length);
  });

  it('builds the kind variant for one platform, without attestations or cache export, loaded into Docker', () => {
    for (const service of services) {
      const kind = targetNamed(bake, `kind-${service.name}`);
      expect(kind.platforms, kind.name).toEqual(['linux/amd64']);
      expect(enabledAttestations(kind), kind.name).toEqual([]);
      expect(kind.output, kind.name).toEqual(['type=docker']);
      expect(kind.cacheTo, kind.name).toEqual([]);
      expect(kind.dockerfile).toBe(targetNamed(bake, service.name).dockerfile);
      expect(kind.args).toEqual(targetNamed(bake, service.name).args);
    }
  });

  it("has a validate target that runs BuildKit's checks on the shared Dockerfile, building nothing", () => {
    const validate = targetNamed(bake, 'validate');
    expect(validate.call).toBe('check');
    expect(services.map((service) => targetNamed(bake, service.name).dockerfile)).toContain(
      validate.dockerfile,
    );
    expect(selectTargets(bake, []).some((target) => target.call !== undefined)).toBe(false);
  });

  it('takes REGISTRY, TAG, per-service versions and GIT_COMMIT from the environment', async () => {
    const overridden = await loadRepositoryBake({
      REGISTRY: 'registry.example.com/team',
      TAG: 'sha-3f2c1e0',
      GIT_COMMIT: '3f2c1e0',
    });
    for (const service of services) {
      const expected = [`registry.example.com/team/${service.name}:sha-3f2c1e0`];
      expect(targetNamed(overridden, service.name).tags).toEqual(expected);
      expect(targetNamed(overridden, `kind-${service.name}`).tags).toEqual(expected);
      expect(targetNamed(overridden, service.name).cacheFrom).toEqual([
        `type=registry,ref=registry.example.com/team/${service.name}:buildcache`,
      ]);
      expect(targetNamed(overridden, service.name).args).toEqual({
        GIT_COMMIT: '3f2c1e0',
        VERSION: service.version,
      });
    }

    const oneService = await loadRepositoryBake({ FRONTEND_VERSION: '9.9.9' });
    expect(targetNamed(oneService, 'frontend').tags).toEqual(['ghcr.io/appdist/frontend:9.9.9']);
    expect(targetNamed(oneService, 'frontend').args.VERSION).toBe('9.9.9');
    expect(targetNamed(oneService, 'backend').tags).toEqual([
      `ghcr.io/appdist/backend:${services.find((s) => s.name === 'backend')?.version}`,
    ]);
  });
});
