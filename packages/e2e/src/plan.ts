import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DISTRIBUTIONS, type MeshEntry, meshEntry, meshOfDistribution } from '@appdist/catalogue';
import * as appSteps from './app-steps.js';
import * as clusterSteps from './cluster-steps.js';
import { formatCommand, shellQuote } from './command.js';
import type { Step } from './executor.js';
import type { E2EImages } from './images.js';
import { type RenderedApp, renderApp } from './rendered-app.js';

/** The mesh a distribution runs on; the message of an unknown one lists the distributions. */
export function distributionMesh(dist: string): MeshEntry {
  const mesh = meshOfDistribution(dist);
  if (!mesh) {
    throw new Error(
      `unknown distribution ${JSON.stringify(dist)}: the Kind end-to-end run knows ${DISTRIBUTIONS.join(', ')}`,
    );
  }
  return meshEntry(mesh);
}

/** Everything the step builders read: fixed before the first command runs. */
export interface StepContext {
  dist: string;
  /** Its mesh: which Flagger overlay, namespace and provider the run installs. */
  mesh: MeshEntry;
  /** Kind cluster name; kubectl's context is `kind-<clusterName>`. */
  clusterName: string;
  app: RenderedApp;
  /** The run's folder: tools, kubeconfig, rendered manifest, logs and collected artifacts. */
  workDir: string;
  binDir: string;
  kindConfigFile: string;
}

export interface PlanOptions {
  dist: string;
  /** Locally built images per service; a service left out keeps the distribution's image. */
  images?: Partial<E2EImages>;
  /** The tag of every service image not given in `images` (docker-bake.hcl's TAG). */
  tag?: string | undefined;
  /** The run's folder: tools, kubeconfig, the rendered manifest, logs and collected artifacts. */
  artifacts: string;
  /** The repository root holding dist/. */
  root: string;
  /** Keep the cluster at the end (local debugging); CI runners are thrown away anyway. */
  keepCluster?: boolean | undefined;
  /** Environment used to find kustomize. */
  env?: NodeJS.ProcessEnv | undefined;
}

export interface E2EPlan extends StepContext {
  /** KUBECONFIG of every command (the run's bin folder also leads their PATH). */
  kubeconfig: string;
  /** Run in order; the run stops at the first failing one. */
  steps: Step[];
  /** Runs when a step failed, before teardown. */
  collect: Step;
  /** Runs at the end whatever happened, unless the cluster is kept. */
  teardown?: Step;
}

/**
 * Everything a run will do, decided before it starts: the files it needs are written (the Kind
 * config, the image overlay and the manifest kustomize renders from it), the commands listed.
 * Nothing touches a cluster here, so `--plan` and tests call it freely.
 */
export async function planE2E(options: PlanOptions): Promise<E2EPlan> {
  const { dist } = options;
  const mesh = distributionMesh(dist);
  const clusterName = `appdist-${mesh.name}`;
  const workDir = resolve(options.artifacts);
  await mkdir(workDir, { recursive: true });
  const kindConfigFile = join(workDir, 'kind-config.yaml');
  await writeFile(kindConfigFile, clusterSteps.kindConfig(dist, clusterName));
  const app = await renderApp(options, workDir);
  for (const canary of app.canaries) {
    // Flagger honours spec.provider per Canary, but the install (metrics server, RBAC for the
    // mesh's objects) is for one provider: a mismatch would fail late and obscurely.
    const provider = canary.provider ?? mesh.canaryProvider;
    if (provider !== mesh.canaryProvider) {
      throw new Error(
        `${dist}: Canary ${canary.name} uses provider ${provider}, but the run installs Flagger for ${mesh.canaryProvider}`,
      );
    }
  }
  const binDir = join(workDir, 'bin');
  const context: StepContext = { dist, mesh, clusterName, app, workDir, binDir, kindConfigFile };
  const steps = [
    clusterSteps.toolsStep(context),
    clusterSteps.clusterStep(context),
    clusterSteps.meshStep(context),
    clusterSteps.flaggerStep(context),
    appSteps.imagesStep(context),
    appSteps.deployStep(context),
    appSteps.conformanceStep(context),
    appSteps.smokeStep(context),
    appSteps.promoteStep(context),
    appSteps.rollbackStep(context),
  ].filter((step) => step !== undefined);
  return {
    ...context,
    kubeconfig: join(workDir, 'kubeconfig'),
    steps,
    collect: clusterSteps.collectStep(context),
    ...(!options.keepCluster && { teardown: clusterSteps.teardownStep(context) }),
  };
}

/** The header line of each step, numbered as in the printed plan. */
export function stepHeader(index: number, step: Step, note = ''): string {
  return `## ${index}. ${step.title}${note}`;
}

/**
 * The plan as text: a few comment lines, the environment, then every command in order under
 * its step's header. No timestamps or generated names: the same inputs print the same plan.
 */
export function formatPlan(plan: E2EPlan): string {
  const { dist, clusterName, workDir, app, mesh } = plan;
  const lines = [
    `# appdist e2e ${dist}: Kind cluster ${clusterName}, work and artifacts in ${workDir}`,
    `# versions (packages/e2e/src/versions.ts): ${clusterSteps.versionSummary(mesh.name)}`,
    `# manifest: ${app.manifest}, rendered by kustomize from ${join(app.overlayDir, 'kustomization.yaml')} (dist/${dist} with these images)`,
    ...Object.entries(app.images).map(([service, image]) => `#   ${service}: ${image}`),
    `export KUBECONFIG=${shellQuote(plan.kubeconfig)} PATH=${shellQuote(plan.binDir)}:"$PATH"`,
  ];
  const sections: Array<[Step, string]> = [
    ...plan.steps.map((step): [Step, string] => [step, '']),
    [plan.collect, ' (only when a step failed)'],
    ...(plan.teardown
      ? [[plan.teardown, ' (always, unless --keep-cluster)'] as [Step, string]]
      : []),
  ];
  sections.forEach(([step, note], index) => {
    lines.push('', stepHeader(index + 1, step, note), ...step.commands.map(formatCommand));
  });
  return `${lines.join('\n')}\n`;
}
