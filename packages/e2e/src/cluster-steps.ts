import { basename, join } from 'node:path';
import type { Command } from './command.js';
import { shellQuote } from './command.js';
import type { DistributionProfile } from './distributions.js';
import type { Step } from './executor.js';
import {
  exec,
  outputContains,
  ROLLOUT_TIMEOUT_SECONDS,
  rolloutStatus,
  type StepContext,
  shell,
} from './step-context.js';
import { type Download, E2E_VERSIONS, KIND_NODE_IMAGE } from './versions.js';

const DOWNLOAD_TIMEOUT_SECONDS = 300;
const INSTALL_TIMEOUT_SECONDS = 600;

/** The Kind cluster of one distribution: one node, the pinned image. */
export function kindConfig(profile: DistributionProfile): string {
  return [
    `# Written by the appdist e2e harness for ${profile.dist}.`,
    'kind: Cluster',
    'apiVersion: kind.x-k8s.io/v1alpha4',
    `name: ${profile.clusterName}`,
    'nodes:',
    '  - role: control-plane',
    `    image: ${KIND_NODE_IMAGE}`,
    '',
  ].join('\n');
}

/**
 * Downloads `download` into `binDir` and checks it against the sha256 its release publishes,
 * before anything runs it. The checksum file's format differs per project (a bare digest, or
 * `digest  file`), so the first 64 hex digits in it are the digest.
 */
function fetchVerified(download: Download, binDir: string): Command[] {
  const target = join(binDir, basename(new URL(download.url).pathname));
  const checksum = `${target}.sha256`;
  return [
    exec(['curl', '-fsSL', '--retry', '3', '-o', target, download.url], DOWNLOAD_TIMEOUT_SECONDS),
    exec(
      ['curl', '-fsSL', '--retry', '3', '-o', checksum, download.checksumUrl],
      DOWNLOAD_TIMEOUT_SECONDS,
    ),
    shell(
      `echo "$(grep -oE '[0-9a-f]{64}' ${shellQuote(checksum)} | head -n 1)  ${shellQuote(target)}" | sha256sum --check --strict`,
      60,
    ),
  ];
}

/** kubectl (and istioctl or linkerd) of the pinned versions into the run's bin folder, checksums verified. */
export function toolsStep(context: StepContext): Step {
  const { binDir, profile } = context;
  const commands: Command[] = [
    exec(['mkdir', '-p', binDir], 10),
    // kind is the caller's (it must exist before a cluster does); the pinned version is required.
    exec(['kind', 'version'], 30, {
      expect: {
        // It prints `kind v<version> go<version> <os>/<arch>`: the second word is the version.
        description: `kind ${E2E_VERSIONS.kind.version}`,
        check: (stdout) =>
          stdout.split(/\s+/)[1] === E2E_VERSIONS.kind.version
            ? undefined
            : `found ${JSON.stringify(stdout)}; the run pins kind ${E2E_VERSIONS.kind.version} (packages/e2e/src/versions.ts)`,
      },
    }),
    ...fetchVerified({ name: 'kubectl', ...E2E_VERSIONS.kubectl }, binDir),
    exec(['chmod', '0755', join(binDir, 'kubectl')], 10),
    exec(['kubectl', 'version', '--client'], 30, {
      expect: outputContains(`Client Version: ${E2E_VERSIONS.kubectl.version}`),
    }),
  ];
  if (profile.mesh === 'istio') {
    const archive = join(binDir, basename(new URL(E2E_VERSIONS.istio.url).pathname));
    commands.push(
      ...fetchVerified({ name: 'istio', ...E2E_VERSIONS.istio }, binDir),
      exec(['tar', '-xzf', archive, '-C', binDir], 120),
      exec(
        [
          'ln',
          '-sf',
          join(binDir, E2E_VERSIONS.istio.directory, 'bin', 'istioctl'),
          join(binDir, 'istioctl'),
        ],
        10,
      ),
      exec(['istioctl', 'version', '--remote=false'], 30, {
        expect: outputContains(E2E_VERSIONS.istio.version),
      }),
    );
  }
  if (profile.mesh === 'linkerd') {
    const cli = join(binDir, basename(new URL(E2E_VERSIONS.linkerd.url).pathname));
    commands.push(
      ...fetchVerified({ name: 'linkerd', ...E2E_VERSIONS.linkerd }, binDir),
      exec(['chmod', '0755', cli], 10),
      exec(['ln', '-sf', cli, join(binDir, 'linkerd')], 10),
      exec(['linkerd', 'version', '--client', '--short'], 30, {
        expect: outputContains(E2E_VERSIONS.linkerd.version),
      }),
    );
  }
  return {
    id: 'tools',
    title: `tools: kind ${E2E_VERSIONS.kind.version} present; kubectl${profile.mesh === 'istio' ? ', istioctl' : ''}${profile.mesh === 'linkerd' ? ', linkerd' : ''} downloaded and checked`,
    commands,
  };
}

export function clusterStep(context: StepContext): Step {
  const { profile } = context;
  return {
    id: 'cluster',
    title: `cluster: Kind ${profile.clusterName} on ${E2E_VERSIONS.kindNode.image}`,
    commands: [
      exec(
        [
          'kind',
          'create',
          'cluster',
          '--name',
          profile.clusterName,
          '--image',
          KIND_NODE_IMAGE,
          '--config',
          context.kindConfigFile,
          '--wait',
          `${ROLLOUT_TIMEOUT_SECONDS}s`,
        ],
        INSTALL_TIMEOUT_SECONDS,
      ),
      exec(
        [
          'kubectl',
          'wait',
          '--for=condition=Ready',
          'nodes',
          '--all',
          `--timeout=${ROLLOUT_TIMEOUT_SECONDS}s`,
        ],
        ROLLOUT_TIMEOUT_SECONDS + 30,
      ),
    ],
  };
}

function istioSteps(context: StepContext): Command[] {
  return [
    exec(
      [
        'istioctl',
        'install',
        '--skip-confirmation',
        '--set',
        `profile=${E2E_VERSIONS.istio.profile}`,
      ],
      INSTALL_TIMEOUT_SECONDS,
    ),
    rolloutStatus('istio-system', 'deployment/istiod'),
    rolloutStatus('istio-system', 'deployment/istio-ingressgateway'),
    // The Prometheus addon of the same release (from the verified archive): the distribution's
    // MetricTemplates and Flagger's -metrics-server both point at prometheus.istio-system:9090.
    exec(
      [
        'kubectl',
        'apply',
        '-f',
        join(context.binDir, E2E_VERSIONS.istio.directory, 'samples', 'addons', 'prometheus.yaml'),
      ],
      120,
    ),
    rolloutStatus('istio-system', 'deployment/prometheus'),
  ];
}

function linkerdSteps(): Command[] {
  return [
    // Linkerd 2.18 and later need the Gateway API CRDs before they install, and no longer own
    // them; Flagger drives Linkerd through HTTPRoutes (provider gatewayapi:v1beta1).
    exec(['kubectl', 'apply', '--server-side', '-f', E2E_VERSIONS.gatewayApi.manifest], 120),
    exec(
      [
        'kubectl',
        'wait',
        '--for=condition=Established',
        'crd/httproutes.gateway.networking.k8s.io',
        '--timeout=60s',
      ],
      90,
    ),
    exec(['linkerd', 'check', '--pre'], 300),
    shell('linkerd install --crds | kubectl apply -f -', 120),
    shell('linkerd install | kubectl apply -f -', 120),
    exec(
      ['linkerd', 'check', '--wait', `${ROLLOUT_TIMEOUT_SECONDS}s`],
      ROLLOUT_TIMEOUT_SECONDS + 60,
    ),
    shell('linkerd viz install | kubectl apply -f -', 120),
    rolloutStatus('linkerd-viz', 'deployment/prometheus'),
    exec(
      ['linkerd', 'viz', 'check', '--wait', `${ROLLOUT_TIMEOUT_SECONDS}s`],
      ROLLOUT_TIMEOUT_SECONDS + 60,
    ),
    // As Flagger's e2e does: the dashboard and tap take CPU the canaries need on one Kind node,
    // and only viz's Prometheus is used. The tap APIService goes too, or every discovery call
    // (and namespace deletion) trips over its missing endpoints.
    exec(
      [
        'kubectl',
        '-n',
        'linkerd-viz',
        'scale',
        'deployment',
        'web',
        'tap',
        'tap-injector',
        'metrics-api',
        '--replicas=0',
      ],
      60,
    ),
    exec(['kubectl', 'delete', 'apiservice', 'v1alpha1.tap.linkerd.io', '--ignore-not-found'], 60),
  ];
}

/** The service mesh of the distribution; none for app-kubernetes. */
export function meshStep(context: StepContext): Step | undefined {
  switch (context.profile.mesh) {
    case 'none':
      return undefined;
    case 'istio':
      return {
        id: 'mesh',
        title: `mesh: Istio ${E2E_VERSIONS.istio.version} (profile ${E2E_VERSIONS.istio.profile}) and its Prometheus addon`,
        commands: istioSteps(context),
      };
    case 'linkerd':
      return {
        id: 'mesh',
        title: `mesh: Gateway API CRDs ${E2E_VERSIONS.gatewayApi.version}, Linkerd ${E2E_VERSIONS.linkerd.version} and linkerd-viz`,
        commands: linkerdSteps(),
      };
  }
}

/** What each of Flagger's overlays brings besides Flagger (flagger.md 1.8, 4.1–4.3). */
const FLAGGER_EXTRAS: Record<DistributionProfile['flaggerOverlay'], string> = {
  kubernetes: ', with its own Prometheus',
  istio: ", querying Istio's Prometheus",
  linkerd: ", querying linkerd-viz's Prometheus, with the AuthorizationPolicy that allows it",
};

/** Flagger from its own kustomize overlay for the provider, as Flagger's e2e installs it. */
export function flaggerStep(context: StepContext): Step {
  const { profile } = context;
  const overlay = E2E_VERSIONS.flagger.kustomize[profile.flaggerOverlay];
  const commands: Command[] = [
    exec(['kubectl', 'apply', '-k', overlay], INSTALL_TIMEOUT_SECONDS),
    exec(
      [
        'kubectl',
        'wait',
        '--for=condition=Established',
        'crd/canaries.flagger.app',
        'crd/metrictemplates.flagger.app',
        '--timeout=60s',
      ],
      90,
    ),
    rolloutStatus(profile.flaggerNamespace, 'deployment/flagger'),
  ];
  // Without a mesh there is no Prometheus in the cluster: the overlay brings Flagger's own,
  // which the kubernetes distribution's MetricTemplates query.
  if (profile.flaggerOverlay === 'kubernetes') {
    commands.push(rolloutStatus(profile.flaggerNamespace, 'deployment/flagger-prometheus'));
  }
  return {
    id: 'flagger',
    title: `flagger: ${E2E_VERSIONS.flagger.version}, kustomize/${profile.flaggerOverlay} (provider ${profile.flaggerProvider}${FLAGGER_EXTRAS[profile.flaggerOverlay]}) in ${profile.flaggerNamespace}`,
    commands,
  };
}
