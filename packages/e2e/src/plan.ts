import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  collectStep,
  conformanceStep,
  deployStep,
  imagesStep,
  promoteStep,
  rollbackStep,
  smokeStep,
  teardownStep,
} from './app-steps.js';
import { clusterStep, flaggerStep, kindConfig, meshStep, toolsStep } from './cluster-steps.js';
import { formatCommand, shellQuote } from './command.js';
import { distributionProfile, type E2EDistribution, type Mesh } from './distributions.js';
import type { Step } from './executor.js';
import { E2E_SERVICES, type E2EImages } from './images.js';
import { type RenderedApp, renderApp } from './rendered-app.js';
import type { StepContext } from './step-context.js';
import { E2E_VERSIONS } from './versions.js';

/** Local ports of the port-forwards: fixed, so a plan is the same on every run. */
export const E2E_PORTS = { tester: 18090, ingress: 18080 } as const;

export interface PlanOptions {
  dist: string;
  /** Locally built images per service; a service left out keeps the distribution's image. */
  images?: Partial<E2EImages>;
  /** The tag of every service image not given in `images` (docker-bake.hcl's TAG). */
  tag?: string;
  /** The run's folder: tools, kubeconfig, the rendered manifest, logs and collected artifacts. */
  artifacts: string;
  /** The repository root holding dist/. */
  root: string;
  /** Keep the cluster at the end (local debugging); CI runners are thrown away anyway. */
  keepCluster?: boolean;
  /** Environment used to find kustomize. */
  env?: NodeJS.ProcessEnv;
}

export interface E2EPlan {
  dist: E2EDistribution;
  mesh: Mesh;
  clusterName: string;
  workDir: string;
  app: RenderedApp;
  images: E2EImages;
  /** Set on top of the caller's environment for every command. */
  env: { KUBECONFIG: string; binDir: string };
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
  const profile = distributionProfile(options.dist);
  const workDir = resolve(options.artifacts);
  await mkdir(workDir, { recursive: true });
  const kindConfigFile = join(workDir, 'kind-config.yaml');
  await writeFile(kindConfigFile, kindConfig(profile));
  const app = await renderApp({
    distDir: join(options.root, 'dist', profile.dist),
    dist: profile.dist,
    images: options.images ?? {},
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    workDir,
    ...(options.env ? { env: options.env } : {}),
  });
  for (const canary of app.canaries) {
    // Flagger honours spec.provider per Canary, but the install (metrics server, RBAC for the
    // mesh's objects) is for one provider: a mismatch would fail late and obscurely.
    const provider = canary.provider ?? profile.flaggerProvider;
    if (provider !== profile.flaggerProvider) {
      throw new Error(
        `${profile.dist}: Canary ${canary.name} uses provider ${provider}, but the run installs Flagger for ${profile.flaggerProvider}`,
      );
    }
  }
  const context: StepContext = {
    profile,
    app,
    images: app.images,
    workDir,
    binDir: join(workDir, 'bin'),
    kindConfigFile,
    ports: E2E_PORTS,
  };
  const mesh = meshStep(context);
  const steps = [
    toolsStep(context),
    clusterStep(context),
    ...(mesh ? [mesh] : []),
    flaggerStep(context),
    imagesStep(context),
    deployStep(context),
    conformanceStep(context),
    smokeStep(context),
    promoteStep(context),
    rollbackStep(context),
  ];
  return {
    dist: profile.dist,
    mesh: profile.mesh,
    clusterName: profile.clusterName,
    workDir,
    app,
    images: app.images,
    env: { KUBECONFIG: join(workDir, 'kubeconfig'), binDir: context.binDir },
    steps,
    collect: collectStep(context),
    ...(options.keepCluster ? {} : { teardown: teardownStep(context) }),
  };
}

function versionSummary(mesh: Mesh): string {
  const versions = [
    `kind ${E2E_VERSIONS.kind.version}`,
    `node ${E2E_VERSIONS.kindNode.image}`,
    `kubectl ${E2E_VERSIONS.kubectl.version}`,
    ...(mesh === 'istio' ? [`Istio ${E2E_VERSIONS.istio.version}`] : []),
    ...(mesh === 'linkerd'
      ? [
          `Gateway API ${E2E_VERSIONS.gatewayApi.version}`,
          `Linkerd ${E2E_VERSIONS.linkerd.version}`,
        ]
      : []),
    `Flagger ${E2E_VERSIONS.flagger.version}`,
  ];
  return versions.join(', ');
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
  const lines = [
    `# appdist e2e ${plan.dist}: Kind cluster ${plan.clusterName}, work and artifacts in ${plan.workDir}`,
    `# versions (packages/e2e/src/versions.ts): ${versionSummary(plan.mesh)}`,
    `# manifest: ${plan.app.manifest}, rendered by kustomize from ${join(plan.app.overlayDir, 'kustomization.yaml')} (dist/${plan.dist} with these images)`,
    ...E2E_SERVICES.map((service) => `#   ${service}: ${plan.images[service]}`),
    `export KUBECONFIG=${shellQuote(plan.env.KUBECONFIG)} PATH=${shellQuote(plan.env.binDir)}:"$PATH"`,
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
