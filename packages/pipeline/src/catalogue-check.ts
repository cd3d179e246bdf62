import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  distributionOf,
  imageName,
  MESHES,
  type MeshEntry,
  PROVIDER_OPTIONS,
  packageName,
  SERVICES,
  type ServiceEntry,
} from '@appdist/catalogue';
import { isRecord, kustomizationFile } from '@appdist/catalogue/repository';
import { checkWrittenFile } from '@appdist/images/bake';
import { BAKE_FILE, readBakeFile, stringList } from '@appdist/images/bake-file';
import { load, loadAll } from 'js-yaml';

/** What the check holds the repository to: the catalogue, or a changed one in a test. */
export interface Catalogue {
  services: readonly ServiceEntry[];
  meshes: readonly MeshEntry[];
  options: readonly string[];
}

export const CATALOGUE: Catalogue = {
  services: SERVICES,
  meshes: MESHES,
  options: PROVIDER_OPTIONS,
};

/** One missing or stray piece: the file or folder, and what to do about it. */
export interface Finding {
  path: string;
  message: string;
}

export function formatFinding(finding: Finding): string {
  return `${finding.path}: ${finding.message}`;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function folders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

/** The kinds the YAML files of a folder declare. */
function kindsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .flatMap((file) => loadAll(readFileSync(join(dir, file), 'utf8')))
    .flatMap((object) =>
      isRecord(object) && typeof object.kind === 'string' ? [object.kind] : [],
    );
}

function kustomization(dir: string): Record<string, unknown> | undefined {
  const file = kustomizationFile(dir);
  if (!file) return undefined;
  const parsed = load(readFileSync(file, 'utf8'));
  return isRecord(parsed) ? parsed : {};
}

function listAt(record: Record<string, unknown> | undefined, key: string): unknown[] {
  const value = record?.[key];
  return Array.isArray(value) ? value : [];
}

/** The same names, in any order; what is missing and what is extra. */
function compare(listed: readonly string[], wanted: readonly string[]) {
  return {
    missing: wanted.filter((name) => !listed.includes(name)),
    extra: listed.filter((name) => !wanted.includes(name)),
  };
}

function checkServices(root: string, services: readonly ServiceEntry[]): Finding[] {
  const findings: Finding[] = [];
  const names = services.map((service) => service.name);
  const base = kustomization(join(root, 'dist', 'base'));
  const baseResources = listAt(base, 'resources');
  const baseImages = listAt(base, 'images').flatMap((image) =>
    isRecord(image) && typeof image.name === 'string' ? [image.name] : [],
  );

  for (const service of services) {
    const workspace = join('services', service.name, 'package.json');
    const manifest = existsSync(join(root, workspace))
      ? readJson(join(root, workspace))
      : undefined;
    if (!isRecord(manifest) || manifest.name !== packageName(service.name)) {
      findings.push({
        path: workspace,
        message: `no workspace ${packageName(service.name)}: create services/${service.name} (package.json named ${packageName(service.name)}, src/main.ts on @appdist/service-kit)`,
      });
    }

    const workload = join('dist', 'base', service.name);
    if (!kustomizationFile(join(root, workload))) {
      findings.push({
        path: workload,
        message: `no manifests: create ${workload}/ with a kustomization.yaml, the Deployment and a README.md`,
      });
    } else {
      const hasCanary = kindsIn(join(root, workload)).includes('Canary');
      findings.push(
        ...mismatch(workload, service.canary !== undefined, hasCanary, {
          missing: 'the catalogue rolls it out with Flagger, but the folder has no Canary',
          extra: 'has a Canary, but the catalogue entry has no `canary` strategies',
        }),
      );
    }
    if (!baseResources.includes(service.name)) {
      findings.push({
        path: 'dist/base/kustomization.yaml',
        message: `resources do not list ${service.name}`,
      });
    }
    if (!baseImages.includes(imageName(service.name))) {
      findings.push({
        path: 'dist/base/kustomization.yaml',
        message: `images do not pin ${imageName(service.name)} (kustomize edit set image ${imageName(service.name)}=${imageName(service.name)}:<version>)`,
      });
    }

    const suite = join('packages', 'conformance', 'src', `${service.name}-suite.ts`);
    findings.push(
      ...mismatch(suite, service.conformance, existsSync(join(root, suite)), {
        missing: 'no conformance suite: write it and add it to SUITES',
        extra: 'a suite for a service the catalogue marks without one',
      }),
    );
  }

  for (const folder of folders(join(root, 'services'))) {
    if (existsSync(join(root, 'services', folder, 'package.json')) && !names.includes(folder)) {
      findings.push({
        path: join('services', folder),
        message:
          'a workspace the catalogue does not list: add it to SERVICES in packages/catalogue/src/catalogue.ts',
      });
    }
  }
  return findings;
}

/** A finding when the catalogue states a piece the tree lacks (missing), or the reverse (extra). */
function mismatch(
  path: string,
  stated: boolean,
  present: boolean,
  messages: { missing: string; extra: string },
): Finding[] {
  if (stated === present) return [];
  return [{ path, message: stated ? messages.missing : messages.extra }];
}

/** The lists in files that cannot read the catalogue: each must name exactly its services. */
async function checkToolLists(root: string, services: readonly ServiceEntry[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const names = services.map((service) => service.name);
  const report = (
    path: string,
    what: string,
    listed: readonly string[],
    wanted: readonly string[],
  ) => {
    const { missing, extra } = compare(listed, wanted);
    if (missing.length > 0) findings.push({ path, message: `${what} lacks ${missing.join(', ')}` });
    if (extra.length > 0)
      findings.push({
        path,
        message: `${what} has ${extra.join(', ')}, which the catalogue does not list`,
      });
  };

  // The bake file as images --check reads it, against these services.
  const bake = await readBakeFile(join(root, BAKE_FILE));
  for (const message of checkWrittenFile(bake, names)) findings.push({ path: BAKE_FILE, message });

  // changesets versions the services and ignores the tooling: `!@appdist/<service>` exempts each.
  const changesets = readJson(join(root, '.changeset', 'config.json'));
  const ignore = isRecord(changesets) ? (stringList(changesets.ignore) ?? []) : [];
  report(
    '.changeset/config.json',
    'ignore (the `!@appdist/<service>` exemptions)',
    ignore
      .filter((entry) => entry.startsWith('!'))
      .map((entry) => entry.replace(/^!@appdist\//, '')),
    names,
  );

  // turbo cannot depend on one task of every workspace from a root task, so bump names them.
  const turbo = readJson(join(root, 'turbo.json'));
  const tasks = isRecord(turbo) && isRecord(turbo.tasks) ? turbo.tasks : {};
  const bump = isRecord(tasks['//#bump']) ? (stringList(tasks['//#bump'].dependsOn) ?? []) : [];
  report(
    'turbo.json',
    'tasks."//#bump".dependsOn',
    bump.map((task) => task.replace(/^@appdist\//, '').replace(/#image$/, '')),
    names,
  );
  return findings;
}

function checkMeshes(root: string, catalogue: Catalogue): Finding[] {
  const findings: Finding[] = [];
  const distributions = catalogue.meshes.map((mesh) => distributionOf(mesh.name));
  for (const mesh of catalogue.meshes) {
    const component = join('dist', 'components', mesh.name);
    if (!kustomizationFile(join(root, component))) {
      findings.push({
        path: component,
        message: `no mesh component: create ${component}/ (kind: Component) with its Canary patches, MetricTemplates and a README.md`,
      });
    }
    const distribution = join('dist', distributionOf(mesh.name));
    const composed = kustomization(join(root, distribution));
    if (!composed) {
      findings.push({
        path: distribution,
        message: `no distribution: create ${distribution}/kustomization.yaml with resources [../base] and components [../components/${mesh.name}], and a README.md`,
      });
    } else if (!listAt(composed, 'components').includes(`../components/${mesh.name}`)) {
      findings.push({
        path: join(distribution, 'kustomization.yaml'),
        message: `does not compose ../components/${mesh.name}`,
      });
    }
  }
  for (const folder of folders(join(root, 'dist'))) {
    if (folder.startsWith('app-') && !distributions.includes(folder)) {
      findings.push({
        path: join('dist', folder),
        message:
          'a distribution the catalogue does not list: add its mesh to MESHES in packages/catalogue/src/catalogue.ts',
      });
    }
  }

  // The Kind matrix of GitHub Actions takes a literal list.
  const e2e = load(readFileSync(join(root, '.github', 'workflows', 'e2e.yml'), 'utf8'));
  const jobs = isRecord(e2e) && isRecord(e2e.jobs) ? Object.values(e2e.jobs) : [];
  const matrix = jobs.flatMap((job) =>
    isRecord(job) && isRecord(job.strategy) && isRecord(job.strategy.matrix)
      ? (stringList(job.strategy.matrix.dist) ?? [])
      : [],
  );
  const { missing, extra } = compare(matrix, distributions);
  if (missing.length > 0 || extra.length > 0) {
    findings.push({
      path: '.github/workflows/e2e.yml',
      message: `strategy.matrix.dist must be ${distributions.join(', ')}`,
    });
  }
  return findings;
}

function checkOptions(root: string, catalogue: Catalogue): Finding[] {
  const findings: Finding[] = [];
  const meshes = catalogue.meshes.map((mesh) => mesh.name as string);
  for (const option of catalogue.options) {
    const component = join('dist', 'components', option);
    const written = kustomization(join(root, component));
    if (written?.kind !== 'Component') {
      findings.push({
        path: component,
        message: `no option component: create ${component}/kustomization.yaml (kind: Component) and a README.md saying what it needs`,
      });
    }
  }
  for (const folder of folders(join(root, 'dist', 'components'))) {
    if (!meshes.includes(folder) && !catalogue.options.includes(folder)) {
      findings.push({
        path: join('dist', 'components', folder),
        message:
          'a component the catalogue does not list: add it to PROVIDER_OPTIONS (or its mesh to MESHES)',
      });
    }
  }
  return findings;
}

function checkReadmes(root: string): Finding[] {
  const missing: Finding[] = [];
  const visit = (dir: string) => {
    if (!existsSync(join(root, dir, 'README.md'))) {
      missing.push({
        path: dir,
        message: 'no README.md: say what it is, what it needs, how a provider changes it',
      });
    }
    for (const folder of folders(join(root, dir))) visit(join(dir, folder));
  };
  visit('dist');
  return missing;
}

/**
 * Everything the repository must hold for what the catalogue lists, and nothing it does not
 * list: each finding names the file or folder and what to add.
 */
export async function checkRepository(
  root: string,
  catalogue: Catalogue = CATALOGUE,
): Promise<Finding[]> {
  return [
    ...checkServices(root, catalogue.services),
    ...(await checkToolLists(root, catalogue.services)),
    ...checkMeshes(root, catalogue),
    ...checkOptions(root, catalogue),
    ...checkReadmes(root),
  ];
}
