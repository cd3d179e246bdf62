import { join } from 'node:path';
import { CANARY_COLUMNS, canaryPhases } from './canary-status.js';
import type { Command, ExecCommand, PollCommand, PollCondition } from './command.js';
import type { Step } from './executor.js';
import { E2E_SERVICES, releaseImage } from './images.js';
import type { CanaryFacts } from './rendered-app.js';
import {
  exec,
  outputContains,
  outputIs,
  outputLacks,
  rolloutStatus,
  type StepContext,
} from './step-context.js';

/** Flagger's e2e polls 50 × 5 s for Initialized; four canaries and image pulls need a little more. */
const INITIALIZE_POLL = { attempts: 60, intervalSeconds: 10 };
/**
 * A release takes interval (15 s) × iterations or steps (10, or 5 weight steps) plus the
 * pre-rollout hook and promotion: 3–5 minutes; a rollback takes threshold (5) × interval.
 * Flagger's e2e allows 50 × 10 s; 60 × 10 s leaves room for two canaries at once on one node.
 */
const RELEASE_POLL = { attempts: 60, intervalSeconds: 10 };

/** The release a provider would get from Git, made here with kubectl (see the promote step). */
const GOOD_CONFIG = { name: 'APPDIST_RELEASE', value: '2' };
/** Every request but probes, /metrics and /version answers 500 (service-kit's fault injection). */
const BAD_CONFIG = { name: 'FAULT_ERROR_RATE', value: '1' };

const SMOKE_LINK = { url: 'https://example.com/appdist-e2e', code: 'e2e-smoke' };

function canary(context: StepContext, name: string): CanaryFacts {
  const found = context.app.canaries.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${context.profile.dist} renders no Canary ${name}`);
  return found;
}

function kubectl(context: StepContext, ...args: string[]): [string, ...string[]] {
  return ['kubectl', '-n', context.app.namespace, ...args];
}

function pollCanaries(
  context: StepContext,
  until: PollCondition,
  bound: typeof RELEASE_POLL,
): PollCommand {
  return {
    kind: 'poll',
    command: exec(kubectl(context, 'get', 'canaries', '-o', CANARY_COLUMNS), 60),
    ...bound,
    until,
  };
}

function pollHttp(url: string, headers: string[]): PollCommand {
  return {
    kind: 'poll',
    command: exec(['curl', '-fsS', '--max-time', '5', '-o', '/dev/null', ...headers, url], 15),
    attempts: 30,
    intervalSeconds: 2,
    until: { description: `${url} answers`, check: () => ({ state: 'done' }) },
  };
}

/** One field of the application container of a Deployment, as jsonpath prints it. */
function containerField(
  context: StepContext,
  deployment: string,
  container: string,
  field: string,
): [string, ...string[]] {
  return kubectl(
    context,
    'get',
    `deployment/${deployment}`,
    '-o',
    `jsonpath={.spec.template.spec.containers[?(@.name=="${container}")].${field}}`,
  );
}

export function imagesStep(context: StepContext): Step {
  return {
    id: 'images',
    title: 'images: load the locally built images into Kind',
    commands: E2E_SERVICES.map((service) =>
      exec(
        [
          'kind',
          'load',
          'docker-image',
          context.images[service],
          '--name',
          context.profile.clusterName,
        ],
        600,
      ),
    ),
  };
}

export function deployStep(context: StepContext): Step {
  const { app } = context;
  const initialized = Object.fromEntries(app.canaries.map((facts) => [facts.name, 'Initialized']));
  const failed = Object.fromEntries(app.canaries.map((facts) => [facts.name, 'Failed']));
  return {
    id: 'deploy',
    title: `deploy: apply ${app.manifest}, wait for every Canary Initialized and every primary ready`,
    commands: [
      exec(['kubectl', 'apply', '-f', app.manifest], 180),
      ...app.plainWorkloads.map((workload) =>
        rolloutStatus(app.namespace, `${workload.kind.toLowerCase()}/${workload.name}`),
      ),
      pollCanaries(context, canaryPhases(initialized, failed), INITIALIZE_POLL),
      ...app.canaries.map((facts) =>
        rolloutStatus(app.namespace, `deployment/${facts.target}-primary`),
      ),
    ],
  };
}

/** The tester's Service, port and hook path, from the URL the Canaries give Flagger. */
function testerAddress(context: StepContext): { service: string; port: string; path: string } {
  const urls = new Set(
    context.app.canaries.map((facts) => facts.conformance.url.replace(/\/hooks\/.*$/, '')),
  );
  const [first] = context.app.canaries;
  if (!first || urls.size !== 1) {
    throw new Error(`the Canaries do not share one tester: ${[...urls].join(', ')}`);
  }
  const url = new URL(first.conformance.url);
  const service = url.hostname.split('.')[0] ?? url.hostname;
  return { service, port: url.port || '80', path: url.pathname };
}

export function conformanceStep(context: StepContext): Step {
  const tester = testerAddress(context);
  const local = `http://127.0.0.1:${context.ports.tester}`;
  const commands: Command[] = [
    // A port-forward, not a pod calling http://tester.app: the tester's NetworkPolicy admits
    // only Flagger's pods, and a port-forward reaches the pod without crossing it.
    {
      kind: 'background',
      argv: kubectl(
        context,
        'port-forward',
        `service/${tester.service}`,
        `${context.ports.tester}:${tester.port}`,
      ),
      logFile: join(context.workDir, 'logs', 'port-forward-tester.log'),
    },
    pollHttp(`${local}/healthz`, []),
  ];
  for (const facts of context.app.canaries) {
    // Flagger's payload for this Canary's pre-rollout hook (docs/architecture.md, tester).
    const payload = {
      name: facts.name,
      namespace: context.app.namespace,
      phase: 'Progressing',
      checksum: 'appdist-e2e',
      metadata: facts.conformance.metadata,
    };
    const report = join(context.workDir, 'conformance', `${facts.name}.txt`);
    commands.push(
      exec(
        [
          'curl',
          '-sS',
          '--max-time',
          '70',
          '--create-dirs',
          '-o',
          report,
          '-w',
          '%{http_code}',
          '-H',
          'content-type: application/json',
          '-d',
          JSON.stringify(payload),
          `${local}${tester.path}`,
        ],
        90,
        { expect: outputIs('200'), explainFile: report },
      ),
    );
  }
  return {
    id: 'conformance',
    title: "conformance: every service's suite through the tester, with Flagger's payload",
    commands,
  };
}

export function smokeStep(context: StepContext): Step {
  const local = `http://127.0.0.1:${context.ports.ingress}`;
  const viaGateway = context.profile.mesh === 'istio';
  const frontend = canary(context, 'frontend');
  if (viaGateway && !context.app.gatewayHost) {
    throw new Error(
      `${context.profile.dist} renders no Istio Gateway host for the ingress smoke test`,
    );
  }
  // Istio: through the ingress gateway, with the host its Gateway serves. Without an ingress
  // controller in Kind, the others go to the frontend's apex Service (what an Ingress targets).
  const forward: Command = viaGateway
    ? {
        kind: 'background',
        argv: [
          'kubectl',
          '-n',
          'istio-system',
          'port-forward',
          'service/istio-ingressgateway',
          `${context.ports.ingress}:80`,
        ],
        logFile: join(context.workDir, 'logs', 'port-forward-ingress.log'),
      }
    : {
        kind: 'background',
        argv: kubectl(
          context,
          'port-forward',
          `service/${frontend.name}`,
          `${context.ports.ingress}:${frontend.port}`,
        ),
        logFile: join(context.workDir, 'logs', 'port-forward-frontend.log'),
      };
  const host =
    viaGateway && context.app.gatewayHost ? ['-H', `Host: ${context.app.gatewayHost}`] : [];
  const created = join(context.workDir, 'smoke', 'create-link.json');
  return {
    id: 'smoke',
    title: `smoke: create a link and follow it through ${viaGateway ? 'the Istio ingress gateway' : 'the frontend Service'}`,
    commands: [
      forward,
      pollHttp(`${local}/healthz`, host),
      exec(
        [
          'curl',
          '-sS',
          '--max-time',
          '10',
          '--create-dirs',
          '-o',
          created,
          '-w',
          '%{http_code}',
          ...host,
          '-H',
          'content-type: application/json',
          '-d',
          JSON.stringify(SMOKE_LINK),
          `${local}/api/links`,
        ],
        20,
        { expect: outputIs('201'), explainFile: created },
      ),
      exec(
        [
          'curl',
          '-sS',
          '--max-time',
          '10',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code} %{redirect_url}',
          ...host,
          `${local}/${SMOKE_LINK.code}`,
        ],
        20,
        { expect: outputIs(`302 ${SMOKE_LINK.url}`) },
      ),
    ],
  };
}

/**
 * Good releases of frontend (a config change) and cache (a new image tag), promoted together.
 * Providers release through Git and Flux; here kubectl changes the pod template directly. Flagger
 * reacts to the Deployment's pod template, whoever changed it (its own e2e uses `kubectl set
 * image`), and this cluster runs no Flux that would revert the change.
 */
export function promoteStep(context: StepContext): Step {
  const frontend = canary(context, 'frontend');
  const cache = canary(context, 'cache');
  const newCache = releaseImage(context.images.cache);
  return {
    id: 'promote',
    title: `promote: release frontend (${GOOD_CONFIG.name}=${GOOD_CONFIG.value}) and cache (${newCache}), wait for Succeeded`,
    commands: [
      exec(
        kubectl(
          context,
          'set',
          'env',
          `deployment/${frontend.target}`,
          `--containers=${frontend.container}`,
          `${GOOD_CONFIG.name}=${GOOD_CONFIG.value}`,
        ),
        60,
      ),
      exec(['docker', 'tag', context.images.cache, newCache], 60),
      exec(['kind', 'load', 'docker-image', newCache, '--name', context.profile.clusterName], 600),
      exec(
        kubectl(
          context,
          'set',
          'image',
          `deployment/${cache.target}`,
          `${cache.container}=${newCache}`,
        ),
        60,
      ),
      pollCanaries(
        context,
        canaryPhases(
          { [frontend.name]: 'Succeeded', [cache.name]: 'Succeeded' },
          { [frontend.name]: 'Failed', [cache.name]: 'Failed' },
        ),
        RELEASE_POLL,
      ),
      exec(containerField(context, `${frontend.target}-primary`, frontend.container, 'env'), 60, {
        expect: outputContains(JSON.stringify(GOOD_CONFIG)),
      }),
      exec(containerField(context, `${cache.target}-primary`, cache.container, 'image'), 60, {
        expect: outputIs(newCache),
      }),
    ],
  };
}

/** A bad backend release: Flagger must roll it back and leave the primary as it was. */
export function rollbackStep(context: StepContext): Step {
  const backend = canary(context, 'backend');
  const primary = `${backend.target}-primary`;
  const checks: ExecCommand[] = [
    exec(containerField(context, primary, backend.container, 'image'), 60, {
      expect: outputIs(context.images.backend),
    }),
    exec(containerField(context, primary, backend.container, 'env'), 60, {
      expect: outputLacks(BAD_CONFIG.name),
    }),
  ];
  return {
    id: 'rollback',
    title: `rollback: release backend with ${BAD_CONFIG.name}=${BAD_CONFIG.value}, wait for Failed, primary unchanged`,
    commands: [
      exec(
        kubectl(
          context,
          'set',
          'env',
          `deployment/${backend.target}`,
          `--containers=${backend.container}`,
          `${BAD_CONFIG.name}=${BAD_CONFIG.value}`,
        ),
        60,
      ),
      pollCanaries(
        context,
        canaryPhases({ [backend.name]: 'Failed' }, { [backend.name]: 'Succeeded' }),
        RELEASE_POLL,
      ),
      ...checks,
    ],
  };
}

/** What a failed run leaves behind: every command best effort, each into its own file. */
export function collectStep(context: StepContext): Step {
  const dir = join(context.workDir, 'collected');
  const { namespace } = context.app;
  const save = (file: string, argv: [string, ...string[]]): ExecCommand =>
    exec(argv, 120, { stdoutFile: join(dir, file), bestEffort: true });
  const commands: Command[] = [
    save('nodes.txt', ['kubectl', 'get', 'nodes', '-o', 'wide']),
    save('pods.txt', ['kubectl', 'get', 'pods', '--all-namespaces', '-o', 'wide']),
    save('events.txt', [
      'kubectl',
      'get',
      'events',
      '--all-namespaces',
      '--sort-by=.lastTimestamp',
    ]),
    save('canaries.yaml', ['kubectl', '-n', namespace, 'get', 'canaries', '-o', 'yaml']),
    save('canaries-describe.txt', ['kubectl', '-n', namespace, 'describe', 'canaries']),
    save('app-objects.txt', [
      'kubectl',
      '-n',
      namespace,
      'get',
      'deployments,statefulsets,hpa,services,endpointslices',
      '-o',
      'wide',
    ]),
    save('flagger.log', [
      'kubectl',
      '-n',
      context.profile.flaggerNamespace,
      'logs',
      'deployment/flagger',
      '--tail=-1',
    ]),
    save('app-pods.log', [
      'kubectl',
      '-n',
      namespace,
      'logs',
      '--selector=app.kubernetes.io/part-of=appdist',
      '--all-containers',
      '--prefix',
      '--tail=-1',
      '--max-log-requests=50',
    ]),
  ];
  if (context.profile.mesh === 'istio') {
    commands.push(
      save('istiod.log', [
        'kubectl',
        '-n',
        'istio-system',
        'logs',
        'deployment/istiod',
        '--tail=-1',
      ]),
    );
  }
  if (context.profile.mesh === 'linkerd') {
    commands.push(save('linkerd-check.txt', ['linkerd', 'check', '--output', 'short']));
  }
  // Every container's log and the node's journal, as kind sees them.
  commands.push(
    exec(
      ['kind', 'export', 'logs', join(dir, 'kind'), '--name', context.profile.clusterName],
      300,
      {
        bestEffort: true,
      },
    ),
  );
  return {
    id: 'collect',
    title: `collect: events, Flagger logs, Canaries and pod logs into ${dir}`,
    commands,
  };
}

export function teardownStep(context: StepContext): Step {
  return {
    id: 'teardown',
    title: `teardown: delete the Kind cluster ${context.profile.clusterName}`,
    commands: [
      exec(['kind', 'delete', 'cluster', '--name', context.profile.clusterName], 300, {
        bestEffort: true,
      }),
    ],
  };
}
