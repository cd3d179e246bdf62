import { findRepositoryRoot } from '@appdist/catalogue/repository';
import type { Output } from '@appdist/e2e/e2e-command';
import { type BuildOptions, build, buildYaml } from '@appdist/kustomize/kustomize';
import { prepareProviderExample } from '@appdist/validation/provider-example';
import { checkoutFor, resolveTarget } from './targets.js';

/** `appdist render`: prints what kustomize renders for one distribution or the provider example. */
export async function runRender(
  distribution: string,
  options: { format: 'yaml' | 'json' },
  output: Output,
  cwd: string,
): Promise<number> {
  const root = findRepositoryRoot(cwd);
  const target = resolveTarget(distribution, root, cwd);
  const render = async (dir: string, buildOptions: BuildOptions = {}) => {
    if (options.format === 'yaml') output.stdout(await buildYaml(dir, buildOptions));
    else output.stdout(`${JSON.stringify(await build(dir, buildOptions), null, 2)}\n`);
  };
  if (!target.providerExample) {
    await render(target.dir);
    return 0;
  }
  const example = await prepareProviderExample(
    checkoutFor(target, root, ': run inside the repository to render it against the checkout'),
    target.dir,
  );
  try {
    await render(example.dir, { loadRestrictor: 'LoadRestrictionsNone' });
  } finally {
    await example.cleanup();
  }
  return 0;
}
