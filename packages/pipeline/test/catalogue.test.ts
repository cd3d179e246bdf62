import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ServiceEntry } from '@appdist/catalogue';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { dump, load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  type Catalogue,
  checkRepository,
  type Finding,
} from '../src/catalogue-check.js';

const root = findRepositoryRoot(import.meta.dirname) ?? '';

/** The files the check reads, copied, so a test can add to the catalogue and to the tree. */
function copyRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'appdist-catalogue-'));
  const wanted = [
    /^dist\//,
    /^services\/[^/]+\/package\.json$/,
    /^packages\/conformance\/src\/[^/]+-suite\.ts$/,
    /^docker-bake\.hcl$/,
    /^turbo\.json$/,
    /^\.changeset\/config\.json$/,
    /^\.github\/workflows\/e2e\.yml$/,
  ];
  cpSync(root, copy, {
    recursive: true,
    filter: (source) => {
      const path = relative(root, source);
      // Folders are entered (their files filter themselves); files are copied when wanted.
      if (statSync(source).isDirectory()) return !/(^|\/)(node_modules|\.git|\.turbo)$/.test(path);
      return wanted.some((pattern) => pattern.test(path));
    },
  });
  return copy;
}

function edit(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  expect(after, `the edit changes ${file}`).not.toBe(before);
  writeFileSync(file, after);
}

const formatFinding = ({ path, message }: Finding) => `${path}: ${message}`;

/** The findings in a copy of the repository after `change` (in the files, or in the catalogue). */
async function findingsAfter(
  change: (copy: string) => void,
  catalogue: Catalogue = CATALOGUE,
): Promise<string[]> {
  const copy = copyRepository();
  copies.push(copy);
  change(copy);
  return (await checkRepository(copy, catalogue)).map(formatFinding);
}

/** The catalogue with one service's entry changed. */
function withService(name: string, change: Partial<ServiceEntry>): Catalogue {
  const services = CATALOGUE.services.map((entry) =>
    entry.name === name ? { ...entry, ...change } : entry,
  );
  return { ...CATALOGUE, services };
}

/** The recipe of docs/architecture.md under that heading. */
function recipe(heading: string): string {
  const text = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const start = text.indexOf(`### ${heading}`);
  expect(start, `docs/architecture.md has no "### ${heading}" recipe`).toBeGreaterThan(-1);
  const end = text.indexOf('\n#', start + 4);
  return text.slice(start, end === -1 ? undefined : end);
}

const sixth: ServiceEntry = {
  name: 'sixth',
  localPort: 8084,
  // What the backend, the recipe's template, calls and stores.
  calls: { CACHE_SERVICE_URL: 'cache' },
  store: 'redis',
  canary: { kubernetes: 'blue-green', istio: 'canary', linkerd: 'canary' },
  conformance: true,
};

let copies: string[] = [];
afterEach(() => {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
  copies = [];
});

describe('checkRepository', () => {
  it('finds everything the catalogue lists, and nothing it does not, in this repository', async () => {
    expect((await checkRepository(root)).map(formatFinding)).toEqual([]);
  });

  it('given only a sixth service in the catalogue, names each missing piece; the recipe adds them all', async () => {
    const copy = copyRepository();
    copies.push(copy);
    const catalogue = { ...CATALOGUE, services: [...CATALOGUE.services, sixth] };

    const findings = await checkRepository(copy, catalogue);
    expect(findings.map(formatFinding)).toEqual([
      'services/sixth/package.json: no workspace @appdist/sixth: create services/sixth (package.json named @appdist/sixth, src/main.ts on @appdist/service-kit)',
      'dist/base/sixth: no manifests: create dist/base/sixth/ with a kustomization.yaml, the Deployment and a README.md',
      'dist/base/kustomization.yaml: resources do not list sixth',
      'dist/base/kustomization.yaml: images do not pin ghcr.io/appdist/sixth (kustomize edit set image ghcr.io/appdist/sixth=ghcr.io/appdist/sixth:<version>)',
      'packages/conformance/src/sixth-suite.ts: no conformance suite: write it and add it to SUITES',
      'docker-bake.hcl: variable APPDIST_SERVICES: missing sixth',
      '.changeset/config.json: ignore (the `!@appdist/<service>` exemptions): missing sixth',
      'turbo.json: tasks."//#bump".dependsOn: missing sixth',
    ]);
    const steps = recipe('Add a service').replaceAll('<name>', 'sixth');
    for (const finding of findings) expect(steps, finding.path).toContain(finding.path);

    // The recipe's steps, done with the backend as the template.
    cpSync(join(copy, 'dist/base/backend'), join(copy, 'dist/base/sixth'), { recursive: true });
    cpSync(join(root, 'services/backend/package.json'), join(copy, 'services/sixth/package.json'));
    edit(join(copy, 'services/sixth/package.json'), (text) =>
      text.replace('"@appdist/backend"', '"@appdist/sixth"'),
    );
    cpSync(
      join(copy, 'packages/conformance/src/backend-suite.ts'),
      join(copy, 'packages/conformance/src/sixth-suite.ts'),
    );
    edit(join(copy, 'dist/base/kustomization.yaml'), (text) =>
      text
        .replace('  - tester\n', '  - tester\n  - sixth\n')
        .replace('images:\n', 'images:\n  - name: ghcr.io/appdist/sixth\n    newTag: 0.1.0\n'),
    );
    edit(join(copy, 'docker-bake.hcl'), (text) => text.replace('"tester"]', '"tester", "sixth"]'));
    edit(join(copy, '.changeset/config.json'), (text) =>
      text.replace('"!@appdist/tester"', '"!@appdist/tester",\n    "!@appdist/sixth"'),
    );
    edit(join(copy, 'turbo.json'), (text) =>
      text.replace(
        '"@appdist/tester#image"',
        '"@appdist/tester#image",\n        "@appdist/sixth#image"',
      ),
    );
    expect((await checkRepository(copy, catalogue)).map(formatFinding)).toEqual([]);
  });

  it('given only a new mesh, names its component, its distribution and the Kind matrix', async () => {
    const copy = copyRepository();
    copies.push(copy);
    const catalogue = {
      ...CATALOGUE,
      meshes: [
        ...CATALOGUE.meshes,
        {
          name: 'cilium',
          canaryProvider: 'gatewayapi:v1',
          flagger: { overlay: 'kubernetes', namespace: 'flagger-system' },
        },
      ],
    } as unknown as typeof CATALOGUE;

    const findings = await checkRepository(copy, catalogue);
    expect(findings.map(formatFinding)).toEqual([
      'dist/components/cilium: no mesh component: create dist/components/cilium/ (kind: Component) with its Canary patches, MetricTemplates and a README.md',
      'dist/app-cilium: no distribution: create dist/app-cilium/kustomization.yaml with resources [../base] and components [../components/cilium], and a README.md',
      '.github/workflows/e2e.yml: strategy.matrix.dist must be app-kubernetes, app-istio, app-linkerd, app-cilium',
    ]);
    const steps = recipe('Add a mesh').replaceAll('<mesh>', 'cilium');
    for (const finding of findings) expect(steps, finding.path).toContain(finding.path);
  });

  it('given only a new provider option, names its component; a stray component is named too', async () => {
    const copy = copyRepository();
    copies.push(copy);
    cpSync(join(copy, 'dist/components/alerts-slack'), join(copy, 'dist/components/stray'), {
      recursive: true,
    });
    rmSync(join(copy, 'dist/components/stray/README.md'));
    const catalogue = { ...CATALOGUE, options: [...CATALOGUE.options, 'pod-priority'] };

    const findings = await checkRepository(copy, catalogue);
    expect(findings.map(formatFinding)).toEqual([
      'dist/components/pod-priority: no option component: create dist/components/pod-priority/kustomization.yaml (kind: Component) and a README.md saying what it needs',
      'dist/components/stray: a component the catalogue does not list: add it to PROVIDER_OPTIONS (or its mesh to MESHES)',
      'dist/components/stray: no README.md: say what it is, what it needs, how a provider changes it',
    ]);
    const steps = recipe('Add a provider option').replaceAll('<option>', 'pod-priority');
    expect(steps).toContain(findings[0]?.path);
  });

  it('names a Canary the catalogue states but the folder lacks, and one it has but the catalogue does not state', async () => {
    // Only the files the kustomization lists count: canary.yaml stays, unlisted.
    expect(
      await findingsAfter((copy) =>
        edit(join(copy, 'dist/base/backend/kustomization.yaml'), (text) =>
          text.replace('  - canary.yaml\n', ''),
        ),
      ),
    ).toEqual([
      'dist/base/backend: the catalogue rolls it out with Flagger, but the folder has no Canary',
    ]);
    const { canary: _, ...uncanaried } =
      CATALOGUE.services.find((s) => s.name === 'backend') ?? sixth;
    const catalogue = {
      ...CATALOGUE,
      services: CATALOGUE.services.map((entry) => (entry.name === 'backend' ? uncanaried : entry)),
    };
    expect(await findingsAfter(() => {}, catalogue)).toEqual([
      'dist/base/backend: has a Canary, but the catalogue entry has no `canary` strategies',
    ]);
  });

  it('names a conformance suite of a service the catalogue marks without one', async () => {
    expect(await findingsAfter(() => {}, withService('backend', { conformance: false }))).toEqual([
      'packages/conformance/src/backend-suite.ts: a suite for a service the catalogue marks without one',
    ]);
  });

  it('names a workspace under services/ the catalogue does not list', async () => {
    expect(
      await findingsAfter((copy) => {
        mkdirSync(join(copy, 'services/stray'));
        writeFileSync(join(copy, 'services/stray/package.json'), '{"name": "@appdist/stray"}\n');
      }),
    ).toEqual([
      'services/stray: a workspace the catalogue does not list: add it to SERVICES in packages/catalogue/src/catalogue.ts',
    ]);
  });

  it('names a variable the catalogue calls by that the Deployment does not set, naming the file', async () => {
    expect(
      await findingsAfter((copy) =>
        edit(join(copy, 'dist/base/frontend/kustomization.yaml'), (text) =>
          text.replace(/ {6}- BACKEND_URL=.*\n/, ''),
        ),
      ),
    ).toEqual([
      "dist/base/frontend/deployment.yaml: the Deployment does not set BACKEND_URL (the URL of backend, which it calls): add it to the configMapGenerator literals of dist/base/frontend/kustomization.yaml its envFrom names, or to the container's env",
    ]);
    // Set in the container's env instead, it is found there.
    expect(
      await findingsAfter((copy) => {
        edit(join(copy, 'dist/base/frontend/kustomization.yaml'), (text) =>
          text.replace(/ {6}- BACKEND_URL=.*\n/, ''),
        );
        const file = join(copy, 'dist/base/frontend/deployment.yaml');
        const deployment = load(readFileSync(file, 'utf8')) as {
          spec: { template: { spec: { containers: { env?: unknown[] }[] } } };
        };
        for (const container of deployment.spec.template.spec.containers) {
          container.env = [
            ...(container.env ?? []),
            { name: 'BACKEND_URL', value: 'http://backend' },
          ];
        }
        writeFileSync(file, dump(deployment));
      }),
    ).toEqual([]);
  });

  it('names a store without manifests, or not in the resources of dist/base', async () => {
    expect(await findingsAfter(() => {}, withService('cache', { store: 'memcached' }))).toEqual([
      'dist/base/memcached: no manifests for memcached, the store of cache: create dist/base/memcached/ with a kustomization.yaml and a README.md',
      'dist/base/kustomization.yaml: resources do not list memcached (the store of cache)',
    ]);
    expect(
      await findingsAfter((copy) =>
        edit(join(copy, 'dist/base/kustomization.yaml'), (text) => text.replace('  - redis\n', '')),
      ),
    ).toEqual(['dist/base/kustomization.yaml: resources do not list redis (the store of cache)']);
  });

  it('names a distribution that does not compose its mesh, and a stray app-* distribution', async () => {
    expect(
      await findingsAfter((copy) =>
        edit(join(copy, 'dist/app-istio/kustomization.yaml'), (text) =>
          text.replace('  - ../components/istio\n', ''),
        ),
      ),
    ).toEqual(['dist/app-istio/kustomization.yaml: does not compose ../components/istio']);
    expect(
      await findingsAfter((copy) =>
        cpSync(join(copy, 'dist/app-istio'), join(copy, 'dist/app-stray'), { recursive: true }),
      ),
    ).toEqual([
      'dist/app-stray: a distribution the catalogue does not list: add its mesh to MESHES in packages/catalogue/src/catalogue.ts',
    ]);
  });

  it('names a mesh component that is not kind: Component', async () => {
    expect(
      await findingsAfter((copy) =>
        edit(join(copy, 'dist/components/linkerd/kustomization.yaml'), (text) =>
          text.replace('kind: Component', 'kind: Kustomization'),
        ),
      ),
    ).toEqual([
      'dist/components/linkerd: no mesh component: create dist/components/linkerd/ (kind: Component) with its Canary patches, MetricTemplates and a README.md',
    ]);
  });

  it('names a service in the changesets exemptions or the turbo bump the catalogue does not list', async () => {
    expect(
      await findingsAfter((copy) =>
        edit(join(copy, '.changeset/config.json'), (text) =>
          text.replace('"!@appdist/tester"', '"!@appdist/tester",\n    "!@appdist/stray"'),
        ),
      ),
    ).toEqual([
      '.changeset/config.json: ignore (the `!@appdist/<service>` exemptions): not in the catalogue: stray',
    ]);
    expect(
      await findingsAfter((copy) =>
        edit(join(copy, 'turbo.json'), (text) =>
          text.replace(
            '"@appdist/tester#image"',
            '"@appdist/tester#image",\n        "@appdist/stray#image"',
          ),
        ),
      ),
    ).toEqual(['turbo.json: tasks."//#bump".dependsOn: not in the catalogue: stray']);
  });

  it('names a file it reads that is missing, instead of failing', async () => {
    expect(await findingsAfter((copy) => rmSync(join(copy, '.changeset/config.json')))).toEqual([
      '.changeset/config.json: missing: the catalogue check reads it (restore it from git)',
    ]);
  });
});
