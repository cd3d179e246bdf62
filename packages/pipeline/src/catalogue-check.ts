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
import { isRecord, kustomizationFile, stringList } from '@appdist/catalogue/repository';
import { checkWrittenFile, sameNames } from '@appdist/images/bake';
import { BAKE_FILE, readBakeFile } from '@appdist/images/bake-file';
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

const CATALOGUE_FILE = 'packages/catalogue/src/catalogue.ts';

/** The repository's files as this check reads them, and the findings it collects. */
class Tree {
  readonly findings: Finding[] = [];
  constructor(readonly root: string) {}

  add(path: string, message: string): void {
    this.findings.push({ path, message });
  }

  /** A finding when the catalogue states a piece the tree lacks, or the tree has one it does not state. */
  expect(path: string, stated: boolean, present: boolean, missing: string, extra: string): void {
    if (stated !== present) this.add(path, stated ? missing : extra);
  }

  /** Both lists name the same services; `listed` comes from `path`. */
  sameNames(path: string, what: string, listed: readonly string[], wanted: readonly string[]) {
    for (const message of sameNames(what, listed, wanted)) this.add(path, message);
  }

  exists(path: string): boolean {
    return existsSync(join(this.root, path));
  }

  /** The parsed file, or undefined (and a finding) when the tree lacks it. */
  read(path: string): unknown {
    if (!this.exists(path)) {
      this.add(path, 'missing: the catalogue check reads it (restore it from git)');
      return undefined;
    }
    const text = readFileSync(join(this.root, path), 'utf8');
    return path.endsWith('.json') ? JSON.parse(text) : load(text);
  }

  folders(dir: string): string[] {
    if (!this.exists(dir)) return [];
    return readdirSync(join(this.root, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  }

  kustomization(dir: string): Record<string, unknown> | undefined {
    const file = kustomizationFile(join(this.root, dir));
    if (!file) return undefined;
    const parsed = load(readFileSync(file, 'utf8'));
    return isRecord(parsed) ? parsed : {};
  }

  /** The objects of the files a folder's kustomization lists in `resources` (folders left out). */
  resources(dir: string): Record<string, unknown>[] {
    return list(this.kustomization(dir)?.resources)
      .filter((file): file is string => typeof file === 'string' && /\.ya?ml$/.test(file))
      .filter((file) => this.exists(join(dir, file)))
      .flatMap((file) => loadAll(readFileSync(join(this.root, dir, file), 'utf8')))
      .filter(isRecord);
  }
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function checkServices(tree: Tree, services: readonly ServiceEntry[]): void {
  const base = tree.kustomization('dist/base');
  const images = list(base?.images).map((image) => (isRecord(image) ? image.name : undefined));
  for (const { name, canary, conformance, calls, store } of services) {
    const workspace = `services/${name}/package.json`;
    const manifest = tree.exists(workspace) ? tree.read(workspace) : undefined;
    if (!isRecord(manifest) || manifest.name !== packageName(name)) {
      tree.add(
        workspace,
        `no workspace ${packageName(name)}: create services/${name} (package.json named ${packageName(name)}, src/main.ts on @appdist/service-kit)`,
      );
    }
    const workload = `dist/base/${name}`;
    if (!tree.kustomization(workload)) {
      tree.add(
        workload,
        `no manifests: create ${workload}/ with a kustomization.yaml, the Deployment and a README.md`,
      );
    } else {
      tree.expect(
        workload,
        canary !== undefined,
        tree.resources(workload).some((object) => object.kind === 'Canary'),
        'the catalogue rolls it out with Flagger, but the folder has no Canary',
        'has a Canary, but the catalogue entry has no `canary` strategies',
      );
      checkCalls(tree, name, calls);
    }
    if (store !== undefined && !tree.kustomization(`dist/base/${store}`)) {
      tree.add(
        `dist/base/${store}`,
        `no manifests for ${store}, the store of ${name}: create dist/base/${store}/ with a kustomization.yaml and a README.md`,
      );
    }
    const image = imageName(name);
    const resources = list(base?.resources);
    if (!resources.includes(name))
      tree.add('dist/base/kustomization.yaml', `resources do not list ${name}`);
    if (store !== undefined && !resources.includes(store))
      tree.add(
        'dist/base/kustomization.yaml',
        `resources do not list ${store} (the store of ${name})`,
      );
    if (!images.includes(image)) {
      tree.add(
        'dist/base/kustomization.yaml',
        `images do not pin ${image} (kustomize edit set image ${image}=${image}:<version>)`,
      );
    }
    const suite = `packages/conformance/src/${name}-suite.ts`;
    tree.expect(
      suite,
      conformance,
      tree.exists(suite),
      'no conformance suite: write it and add it to SUITES',
      'a suite for a service the catalogue marks without one',
    );
  }
  const names = services.map((service) => service.name);
  for (const folder of tree.folders('services')) {
    if (tree.exists(`services/${folder}/package.json`) && !names.includes(folder)) {
      tree.add(
        `services/${folder}`,
        `a workspace the catalogue does not list: add it to SERVICES in ${CATALOGUE_FILE}`,
      );
    }
  }
}

/**
 * Each variable by which the service calls another is set in its Deployment: in a container's
 * `env`, or in a ConfigMap its `envFrom` names that the folder's configMapGenerator writes.
 */
function checkCalls(tree: Tree, name: string, calls: Readonly<Record<string, string>>): void {
  const dir = `dist/base/${name}`;
  const deployment = tree.resources(dir).find((object) => object.kind === 'Deployment');
  const spec =
    isRecord(deployment?.spec) && isRecord(deployment.spec.template)
      ? deployment.spec.template.spec
      : undefined;
  const containers = list(isRecord(spec) ? spec.containers : undefined).filter(isRecord);
  const configMaps = containers.flatMap((container) =>
    list(container.envFrom).flatMap((source) =>
      isRecord(source) && isRecord(source.configMapRef) ? [source.configMapRef.name] : [],
    ),
  );
  const generated = list(tree.kustomization(dir)?.configMapGenerator)
    .filter(isRecord)
    .filter((generator) => configMaps.includes(generator.name))
    .flatMap((generator) =>
      list(generator.literals).map((literal) => String(literal).split('=')[0]),
    );
  const set = [
    ...containers.flatMap((container) =>
      list(container.env).map((entry) => (isRecord(entry) ? entry.name : undefined)),
    ),
    ...generated,
  ];
  for (const [variable, callee] of Object.entries(calls)) {
    if (!set.includes(variable)) {
      tree.add(
        `${dir}/deployment.yaml`,
        `the Deployment does not set ${variable} (the URL of ${callee}, which it calls): add it to the configMapGenerator literals of ${dir}/kustomization.yaml its envFrom names, or to the container's env`,
      );
    }
  }
}

/** The lists in files that cannot read the catalogue: each must name exactly its services. */
async function checkToolLists(tree: Tree, services: readonly ServiceEntry[]): Promise<void> {
  const names = services.map((service) => service.name);
  // The bake file as `appdist images --check` reads it, against these services.
  if (!tree.exists(BAKE_FILE))
    tree.add(BAKE_FILE, 'missing: the catalogue check reads it (restore it from git)');
  else {
    const bake = await readBakeFile(join(tree.root, BAKE_FILE));
    for (const message of checkWrittenFile(bake, names)) tree.add(BAKE_FILE, message);
  }

  // changesets versions the services and ignores the tooling: `!@appdist/<service>` exempts each.
  const changesets = tree.read('.changeset/config.json');
  const ignore = isRecord(changesets) ? (stringList(changesets.ignore) ?? []) : [];
  if (changesets !== undefined)
    tree.sameNames(
      '.changeset/config.json',
      'ignore (the `!@appdist/<service>` exemptions)',
      ignore
        .filter((entry) => entry.startsWith('!'))
        .map((entry) => entry.slice('!@appdist/'.length)),
      names,
    );

  // turbo cannot depend on one task of every workspace from a root task, so bump names them.
  const turbo = tree.read('turbo.json');
  const bump = isRecord(turbo) && isRecord(turbo.tasks) ? turbo.tasks['//#bump'] : undefined;
  if (turbo !== undefined)
    tree.sameNames(
      'turbo.json',
      'tasks."//#bump".dependsOn',
      (stringList(isRecord(bump) ? bump.dependsOn : undefined) ?? []).map((task) =>
        task.replace(/^@appdist\//, '').replace(/#image$/, ''),
      ),
      names,
    );
}

function checkMeshes(tree: Tree, catalogue: Catalogue): void {
  const distributions = catalogue.meshes.map((mesh) => distributionOf(mesh.name));
  for (const { name } of catalogue.meshes) {
    const component = `dist/components/${name}`;
    if (tree.kustomization(component)?.kind !== 'Component') {
      tree.add(
        component,
        `no mesh component: create ${component}/ (kind: Component) with its Canary patches, MetricTemplates and a README.md`,
      );
    }
    const distribution = `dist/${distributionOf(name)}`;
    const composed = tree.kustomization(distribution);
    if (!composed) {
      tree.add(
        distribution,
        `no distribution: create ${distribution}/kustomization.yaml with resources [../base] and components [../components/${name}], and a README.md`,
      );
    } else if (!list(composed.components).includes(`../components/${name}`)) {
      tree.add(`${distribution}/kustomization.yaml`, `does not compose ../components/${name}`);
    }
  }
  for (const folder of tree.folders('dist')) {
    if (folder.startsWith('app-') && !distributions.includes(folder)) {
      tree.add(
        `dist/${folder}`,
        `a distribution the catalogue does not list: add its mesh to MESHES in ${CATALOGUE_FILE}`,
      );
    }
  }
  // The Kind matrix of GitHub Actions takes a literal list.
  const workflow = tree.read('.github/workflows/e2e.yml');
  const matrix = Object.values(isRecord(workflow) && isRecord(workflow.jobs) ? workflow.jobs : {})
    .map((job) => (isRecord(job) && isRecord(job.strategy) ? job.strategy.matrix : undefined))
    .flatMap((jobMatrix) => (isRecord(jobMatrix) ? (stringList(jobMatrix.dist) ?? []) : []));
  if (workflow !== undefined && [...matrix].sort().join() !== [...distributions].sort().join()) {
    tree.add(
      '.github/workflows/e2e.yml',
      `strategy.matrix.dist must be ${distributions.join(', ')}`,
    );
  }
}

function checkOptions(tree: Tree, catalogue: Catalogue): void {
  for (const option of catalogue.options) {
    const component = `dist/components/${option}`;
    if (tree.kustomization(component)?.kind !== 'Component') {
      tree.add(
        component,
        `no option component: create ${component}/kustomization.yaml (kind: Component) and a README.md saying what it needs`,
      );
    }
  }
  const known = [...catalogue.meshes.map((mesh) => mesh.name as string), ...catalogue.options];
  for (const folder of tree.folders('dist/components')) {
    if (!known.includes(folder)) {
      tree.add(
        `dist/components/${folder}`,
        'a component the catalogue does not list: add it to PROVIDER_OPTIONS (or its mesh to MESHES)',
      );
    }
  }
}

function checkReadmes(tree: Tree, dir = 'dist'): void {
  if (!tree.exists(`${dir}/README.md`)) {
    tree.add(dir, 'no README.md: say what it is, what it needs, how a provider changes it');
  }
  for (const folder of tree.folders(dir)) checkReadmes(tree, `${dir}/${folder}`);
}

/**
 * Everything the repository must hold for what the catalogue lists, and nothing it does not
 * list: each finding names the file or folder and what to add.
 */
export async function checkRepository(
  root: string,
  catalogue: Catalogue = CATALOGUE,
): Promise<Finding[]> {
  const tree = new Tree(root);
  checkServices(tree, catalogue.services);
  await checkToolLists(tree, catalogue.services);
  checkMeshes(tree, catalogue);
  checkOptions(tree, catalogue);
  checkReadmes(tree);
  return tree.findings;
}
