import { basename, join } from 'node:path';
import type { Mesh } from '@appdist/catalogue';
import {
  type Command,
  exec,
  outputContains,
  ROLLOUT_TIMEOUT_SECONDS,
  rolloutStatus,
  shell,
  shellQuote,
} from './command.js';
import type { Step } from './executor.js';
import type { StepContext } from './plan.js';
import { E2E_VERSIONS, KIND_NODE_IMAGE } from './versions.js';

const DOWNLOAD_TIMEOUT_SECONDS = 300;
const INSTALL_TIMEOUT_SECONDS = 600;
const WAIT = `${ROLLOUT_TIMEOUT_SECONDS}s`;

/** The Kind cluster of one distribution: one node, the pinned image. */
export function kindConfig(dist: string, clusterName: string): string {
  return `# Written by the appdist e2e harness for ${dist}.
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: ${clusterName}
nodes:
  - role: control-plane
    image: ${KIND_NODE_IMAGE}
`;
}

/**
 * Downloads `url` into `binDir` and checks it against the `<url>.sha256` its release publishes
 * beside it, before anything runs it. The checksum file's format differs per project (a bare
 * digest, or `digest  file`), so the first 64 hex digits in it are the digest.
 */
function fetchVerified({ url }: { url: string }, binDir: string) {
  const file = join(binDir, basename(new URL(url).pathname));
  const checksum = `${file}.sha256`;
  const curl = (target: string, url: string) =>
    exec(['curl', '-fsSL', '--retry', '3', '-o', target, url], DOWNLOAD_TIMEOUT_SECONDS);
  const commands = [
    curl(file, url),
    curl(checksum, `${url}.sha256`),
    shell(
      `echo "$(grep -oE '[0-9a-f]{64}' ${shellQuote(checksum)} | head -n 1)  ${shellQuote(file)}" | sha256sum --check --strict`,
      60,
    ),
  ];
  return { file, commands };
}

/** What a mesh adds to the run: its CLI, its install and what a failed run collects from it. */
interface MeshSetup {
  versions?: string[];
  cli?: { name: string; install(binDir: string): Command[] };
  install?: { title: string; commands(binDir: string): Command[] };
  /** What Flagger's overlay for the mesh brings besides Flagger (flagger.md 1.8, 4.1–4.3). */
  flaggerExtras: string;
  /** Deployments of that overlay besides Flagger's, in Flagger's namespace. */
  flaggerDeployments?: string[];
  collect?: Array<[file: string, argv: string]>;
}

const ISTIO = E2E_VERSIONS.istio;
const LINKERD = E2E_VERSIONS.linkerd;
const GATEWAY_API = E2E_VERSIONS.gatewayApi;
const ISTIO_PROMETHEUS = 'samples/addons/prometheus.yaml';

const MESH_SETUP: Record<Mesh, MeshSetup> = {
  kubernetes: {
    // Without a mesh there is no Prometheus in the cluster: the overlay brings Flagger's own,
    // which the kubernetes distribution's MetricTemplates query.
    flaggerExtras: ', with its own Prometheus',
    flaggerDeployments: ['flagger-prometheus'],
  },
  istio: {
    versions: [`Istio ${ISTIO.version}`],
    cli: {
      name: 'istioctl',
      install: (binDir) => {
        // The release archive, not only istioctl: it holds the Prometheus addon of that release.
        const archive = fetchVerified(ISTIO, binDir);
        const release = join(binDir, ISTIO.directory);
        return [
          ...archive.commands,
          exec(['tar', '-xzf', archive.file, '-C', binDir], 120),
          exec(['ln', '-sf', join(release, 'bin', 'istioctl'), join(binDir, 'istioctl')], 10),
          exec('istioctl version --remote=false', 30, { expect: outputContains(ISTIO.version) }),
        ];
      },
    },
    install: {
      title: `mesh: Istio ${ISTIO.version} (profile ${ISTIO.profile}) and its Prometheus addon`,
      commands: (binDir) => [
        exec(
          `istioctl install --skip-confirmation --set profile=${ISTIO.profile}`,
          INSTALL_TIMEOUT_SECONDS,
        ),
        rolloutStatus('istio-system', 'deployment/istiod'),
        rolloutStatus('istio-system', 'deployment/istio-ingressgateway'),
        // The distribution's MetricTemplates and Flagger's -metrics-server both point at
        // prometheus.istio-system:9090: the addon of the same (verified) release.
        exec(['kubectl', 'apply', '-f', join(binDir, ISTIO.directory, ISTIO_PROMETHEUS)], 120),
        rolloutStatus('istio-system', 'deployment/prometheus'),
      ],
    },
    flaggerExtras: ", querying Istio's Prometheus",
    collect: [['istiod.log', 'kubectl -n istio-system logs deployment/istiod --tail=-1']],
  },
  linkerd: {
    versions: [`Gateway API ${GATEWAY_API.version}`, `Linkerd ${LINKERD.version}`],
    cli: {
      name: 'linkerd',
      install: (binDir) => {
        const cli = fetchVerified(LINKERD, binDir);
        return [
          ...cli.commands,
          exec(['chmod', '0755', cli.file], 10),
          exec(['ln', '-sf', cli.file, join(binDir, 'linkerd')], 10),
          exec('linkerd version --client --short', 30, { expect: outputContains(LINKERD.version) }),
        ];
      },
    },
    install: {
      title: `mesh: Gateway API CRDs ${GATEWAY_API.version}, Linkerd ${LINKERD.version} and linkerd-viz`,
      commands: () => [
        // Linkerd 2.18 and later need the Gateway API CRDs before they install, and no longer own
        // them; Flagger drives Linkerd through HTTPRoutes (provider gatewayapi:v1beta1).
        exec(`kubectl apply --server-side -f ${GATEWAY_API.manifest}`, 120),
        exec(
          'kubectl wait --for=condition=Established crd/httproutes.gateway.networking.k8s.io --timeout=60s',
          90,
        ),
        exec('linkerd check --pre', 300),
        shell('linkerd install --crds | kubectl apply -f -', 120),
        shell('linkerd install | kubectl apply -f -', 120),
        exec(`linkerd check --wait ${WAIT}`, ROLLOUT_TIMEOUT_SECONDS + 60),
        shell('linkerd viz install | kubectl apply -f -', 120),
        rolloutStatus('linkerd-viz', 'deployment/prometheus'),
        exec(`linkerd viz check --wait ${WAIT}`, ROLLOUT_TIMEOUT_SECONDS + 60),
        // As Flagger's e2e does: the dashboard and tap take CPU the canaries need on one Kind
        // node, and only viz's Prometheus is used. The tap APIService goes too, or every
        // discovery call (and namespace deletion) trips over its missing endpoints.
        exec(
          'kubectl -n linkerd-viz scale deployment web tap tap-injector metrics-api --replicas=0',
          60,
        ),
        exec('kubectl delete apiservice v1alpha1.tap.linkerd.io --ignore-not-found', 60),
      ],
    },
    flaggerExtras:
      ", querying linkerd-viz's Prometheus, with the AuthorizationPolicy that allows it",
    collect: [['linkerd-check.txt', 'linkerd check --output short']],
  },
};

/** The pinned versions a run of `mesh` uses, for the plan's header. */
export function versionSummary(mesh: Mesh): string {
  return [
    `kind ${E2E_VERSIONS.kind.version}`,
    `node ${E2E_VERSIONS.kindNode.image}`,
    `kubectl ${E2E_VERSIONS.kubectl.version}`,
    ...(MESH_SETUP[mesh].versions ?? []),
    `Flagger ${E2E_VERSIONS.flagger.version}`,
  ].join(', ');
}

/** kubectl (and the mesh's CLI) of the pinned versions into the run's bin folder, checksums verified. */
export function toolsStep({ binDir, mesh }: StepContext): Step {
  const kind = E2E_VERSIONS.kind.version;
  const kubectl = fetchVerified(E2E_VERSIONS.kubectl, binDir);
  const cli = MESH_SETUP[mesh.name].cli;
  return {
    id: 'tools',
    title: `tools: kind ${kind} present; kubectl${cli ? `, ${cli.name}` : ''} downloaded and checked`,
    commands: [
      exec(['mkdir', '-p', binDir], 10),
      // kind is the caller's (it must exist before a cluster does); the pinned version is required.
      exec('kind version', 30, {
        expect: {
          // It prints `kind v<version> go<version> <os>/<arch>`: the second word is the version.
          description: `kind ${kind}`,
          check: (stdout) =>
            stdout.split(/\s+/)[1] === kind
              ? undefined
              : `found ${JSON.stringify(stdout)}; the run pins kind ${kind} (packages/e2e/src/versions.ts)`,
        },
      }),
      ...kubectl.commands,
      exec(['chmod', '0755', kubectl.file], 10),
      exec('kubectl version --client', 30, {
        expect: outputContains(`Client Version: ${E2E_VERSIONS.kubectl.version}`),
      }),
      ...(cli?.install(binDir) ?? []),
    ],
  };
}

export function clusterStep({ clusterName, kindConfigFile }: StepContext): Step {
  return {
    id: 'cluster',
    title: `cluster: Kind ${clusterName} on ${E2E_VERSIONS.kindNode.image}`,
    commands: [
      exec(
        [
          ...`kind create cluster --name ${clusterName} --image ${KIND_NODE_IMAGE}`.split(' '),
          ...['--config', kindConfigFile, '--wait', WAIT],
        ],
        INSTALL_TIMEOUT_SECONDS,
      ),
      exec(
        `kubectl wait --for=condition=Ready nodes --all --timeout=${WAIT}`,
        ROLLOUT_TIMEOUT_SECONDS + 30,
      ),
    ],
  };
}

/** The service mesh of the distribution; none for app-kubernetes. */
export function meshStep({ binDir, mesh }: StepContext): Step | undefined {
  const install = MESH_SETUP[mesh.name].install;
  return install && { id: 'mesh', title: install.title, commands: install.commands(binDir) };
}

/** Flagger from its own kustomize overlay for the provider, as Flagger's e2e installs it. */
export function flaggerStep({ mesh }: StepContext): Step {
  const { overlay, namespace } = mesh.flagger;
  const setup = MESH_SETUP[mesh.name];
  const kustomization = (E2E_VERSIONS.flagger.kustomize as Record<string, string>)[overlay];
  if (!kustomization) {
    throw new Error(`packages/e2e/src/versions.ts pins no Flagger overlay kustomize/${overlay}`);
  }
  return {
    id: 'flagger',
    title: `flagger: ${E2E_VERSIONS.flagger.version}, kustomize/${overlay} (provider ${mesh.canaryProvider}${setup.flaggerExtras}) in ${namespace}`,
    commands: [
      exec(['kubectl', 'apply', '-k', kustomization], INSTALL_TIMEOUT_SECONDS),
      exec(
        'kubectl wait --for=condition=Established crd/canaries.flagger.app crd/metrictemplates.flagger.app --timeout=60s',
        90,
      ),
      ...['flagger', ...(setup.flaggerDeployments ?? [])].map((name) =>
        rolloutStatus(namespace, `deployment/${name}`),
      ),
    ],
  };
}

/** What a failed run leaves behind: every command best effort, each into its own file. */
export function collectStep({ workDir, app, mesh, clusterName }: StepContext): Step {
  const dir = join(workDir, 'collected');
  const ns = app.namespace;
  const saved: Array<[string, string]> = [
    ['nodes.txt', 'kubectl get nodes -o wide'],
    ['pods.txt', 'kubectl get pods --all-namespaces -o wide'],
    ['events.txt', 'kubectl get events --all-namespaces --sort-by=.lastTimestamp'],
    ['canaries.yaml', `kubectl -n ${ns} get canaries -o yaml`],
    ['canaries-describe.txt', `kubectl -n ${ns} describe canaries`],
    [
      'app-objects.txt',
      `kubectl -n ${ns} get deployments,statefulsets,hpa,services,endpointslices -o wide`,
    ],
    ['flagger.log', `kubectl -n ${mesh.flagger.namespace} logs deployment/flagger --tail=-1`],
    [
      'app-pods.log',
      `kubectl -n ${ns} logs --selector=app.kubernetes.io/part-of=appdist --all-containers --prefix --tail=-1 --max-log-requests=50`,
    ],
    ...(MESH_SETUP[mesh.name].collect ?? []),
  ];
  return {
    id: 'collect',
    title: `collect: events, Flagger logs, Canaries and pod logs into ${dir}`,
    commands: [
      ...saved.map(([file, argv]) =>
        exec(argv, 120, { stdoutFile: join(dir, file), bestEffort: true }),
      ),
      // Every container's log and the node's journal, as kind sees them.
      exec(['kind', 'export', 'logs', join(dir, 'kind'), '--name', clusterName], 300, {
        bestEffort: true,
      }),
    ],
  };
}

export function teardownStep({ clusterName }: StepContext): Step {
  return {
    id: 'teardown',
    title: `teardown: delete the Kind cluster ${clusterName}`,
    commands: [exec(`kind delete cluster --name ${clusterName}`, 300, { bestEffort: true })],
  };
}
