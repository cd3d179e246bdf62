import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ServiceEntry } from '@appdist/catalogue';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUE, checkRepository, formatFinding } from '../src/catalogue-check.js';

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
  writeFileSync(file, change(readFileSync(file, 'utf8')));
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
  calls: {},
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
      '.changeset/config.json: ignore (the `!@appdist/<service>` exemptions) lacks sixth',
      'turbo.json: tasks."//#bump".dependsOn lacks sixth',
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
});
