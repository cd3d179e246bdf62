import { join } from 'node:path';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { CANARY_COLUMNS, canaryPhases } from './canary-status.js';
import {
  argvOf,
  type BackgroundCommand,
  type ExecCommand,
  exec,
  type OutputExpectation,
  outputContains,
  outputIs,
  outputLacks,
  type PollCommand,
  rolloutStatus,
} from './command.js';
import type { Step } from './executor.js';
import { releaseImage } from './images.js';
import type { StepContext } from './plan.js';
import type { CanaryFacts } from './rendered-app.js';

/** Local ports of the port-forwards: fixed, so a plan is the same on every run. */
const E2E_PORTS = { tester: 18090, ingress: 18080 } as const;

/**
 * A release takes interval (15 s) × iterations or steps (10, or 5 weight steps) plus the
 * pre-rollout hook and promotion: 3–5 minutes; a rollback takes threshold (5) × interval.
 * Flagger's e2e allows 50 × 10 s for that and 50 × 5 s for Initialized; 60 × 10 s leaves room
 * for four canaries, image pulls and two releases at once on one node.
 */
const CANARY_POLL = { attempts: 60, intervalSeconds: 10 };

/** The release a provider would get from Git, made here with kubectl (see the promote step). */
const GOOD_CONFIG = { name: 'APPDIST_RELEASE', value: '2' };
/** Every request but probes, /metrics and /version answers 500 (service-kit's fault injection). */
const BAD_CONFIG = { name: 'FAULT_ERROR_RATE', value: '1' };

const SMOKE_LINK = { url: 'https://example.com/appdist-e2e', code: 'e2e-smoke' };

function canary(context: StepContext, name: string): CanaryFacts {
  const found = context.app.canaries.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${context.dist} renders no Canary ${name}`);
  return found;
}

/** kubectl in the app's namespace, with `args` (plain words: names, images, ports). */
function kubectl(context: StepContext, args: string): string {
  return `kubectl -n ${context.app.namespace} ${args}`;
}

/** Waits until each of `canaries` reaches `phase`, failing at once when one reaches `stopOn`. */
function waitForPhase(
  context: StepContext,
  canaries: readonly CanaryFacts[],
  phase: string,
  stopOn: string,
): PollCommand {
  const each = (value: string) => Object.fromEntries(canaries.map(({ name }) => [name, value]));
  return {
    kind: 'poll',
    command: exec(kubectl(context, `get canaries -o ${CANARY_COLUMNS}`), 60),
    ...CANARY_POLL,
    until: canaryPhases(each(phase), each(stopOn)),
  };
}

type PortForward = [namespace: string, service: string, local: number, port: unknown, log: string];

/** `kubectl port-forward service/<service> <local>:<port>` in `namespace`, logged as `log`. */
function portForward(context: StepContext, [namespace, service, local, port, log]: PortForward) {
  const logFile = join(context.workDir, 'logs', `port-forward-${log}.log`);
  const line = `kubectl -n ${namespace} port-forward service/${service} ${local}:${port}`;
  return { kind: 'background', argv: argvOf(line), logFile } satisfies BackgroundCommand;
}

const kindLoad = (context: StepContext, image: string) =>
  exec(`kind load docker-image ${image} --name ${context.clusterName}`, 600);

function pollHttp(url: string, headers: string[]): PollCommand {
  return {
    kind: 'poll',
    command: exec(['curl', '-fsS', '--max-time', '5', '-o', '/dev/null', ...headers, url], 15),
    attempts: 30,
    intervalSeconds: 2,
    until: { description: `${url} answers`, check: () => ({ state: 'done' }) },
  };
}

interface PostOptions {
  file: string;
  status: string;
  maxTime: number;
  headers?: string[];
}

/** POSTs `body` as JSON; the answer goes to `file`, which explains a status other than `status`. */
function postJson(
  url: string,
  body: unknown,
  { file, status, maxTime, headers = [] }: PostOptions,
): ExecCommand {
  const curl = argvOf(`curl -sS --max-time ${maxTime} --create-dirs -o`);
  const json = ['-H', 'content-type: application/json', '-d', JSON.stringify(body), url];
  return exec([...curl, file, '-w', '%{http_code}', ...headers, ...json], maxTime + 20, {
    expect: outputIs(status),
    explainFile: file,
  });
}

/** Checks one field of a primary's application container, as jsonpath prints it. */
function expectPrimary(
  context: StepContext,
  facts: CanaryFacts,
  field: 'env' | 'image',
  expect: OutputExpectation,
): ExecCommand {
  const path = `jsonpath={.spec.template.spec.containers[?(@.name=="${facts.container}")].${field}}`;
  return exec(kubectl(context, `get deployment/${facts.target}-primary -o ${path}`), 60, {
    expect,
  });
}

function setEnv(context: StepContext, facts: CanaryFacts, config: typeof GOOD_CONFIG) {
  const { target, container } = facts;
  const line = `set env deployment/${target} --containers=${container} ${config.name}=${config.value}`;
  return exec(kubectl(context, line), 60);
}

export function imagesStep(context: StepContext): Step {
  return {
    id: 'images',
    title: 'images: load the locally built images into Kind',
    commands: SERVICE_NAMES.map((service) => kindLoad(context, context.app.images[service])),
  };
}

export function deployStep(context: StepContext): Step {
  const { app } = context;
  return {
    id: 'deploy',
    title: `deploy: apply ${app.manifest}, wait for every Canary Initialized and every primary ready`,
    commands: [
      exec(['kubectl', 'apply', '-f', app.manifest], 180),
      ...app.plainWorkloads.map(({ kind, name }) =>
        rolloutStatus(app.namespace, `${kind.toLowerCase()}/${name}`),
      ),
      waitForPhase(context, app.canaries, 'Initialized', 'Failed'),
      ...app.canaries.map(({ target }) =>
        rolloutStatus(app.namespace, `deployment/${target}-primary`),
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
  const local = `http://127.0.0.1:${E2E_PORTS.tester}`;
  const { namespace } = context.app;
  const forward: PortForward = [namespace, tester.service, E2E_PORTS.tester, tester.port, 'tester'];
  return {
    id: 'conformance',
    title: "conformance: every service's suite through the tester, with Flagger's payload",
    commands: [
      // A port-forward, not a pod calling http://tester.app: the tester's NetworkPolicy admits
      // only Flagger's pods, and a port-forward reaches the pod without crossing it.
      portForward(context, forward),
      pollHttp(`${local}/healthz`, []),
      // Flagger's payload for each Canary's pre-rollout hook (docs/architecture.md, tester).
      ...context.app.canaries.map(({ name, conformance }) =>
        postJson(
          `${local}${tester.path}`,
          {
            name,
            namespace,
            phase: 'Progressing',
            checksum: 'appdist-e2e',
            metadata: conformance.metadata,
          },
          { file: join(context.workDir, 'conformance', `${name}.txt`), status: '200', maxTime: 70 },
        ),
      ),
    ],
  };
}

export function smokeStep(context: StepContext): Step {
  const local = `http://127.0.0.1:${E2E_PORTS.ingress}`;
  const frontend = canary(context, 'frontend');
  const { gatewayHost } = context.app;
  const viaGateway = context.mesh.name === 'istio';
  if (viaGateway && !gatewayHost) {
    throw new Error(`${context.dist} renders no Istio Gateway host for the ingress smoke test`);
  }
  // Istio: through the ingress gateway, with the host its Gateway serves. Without an ingress
  // controller in Kind, the others go to the frontend's apex Service (what an Ingress targets).
  const forward: PortForward = viaGateway
    ? ['istio-system', 'istio-ingressgateway', E2E_PORTS.ingress, 80, 'ingress']
    : [context.app.namespace, frontend.name, E2E_PORTS.ingress, frontend.port, 'frontend'];
  const host = viaGateway ? ['-H', `Host: ${gatewayHost}`] : [];
  const follow = ['-w', '%{http_code} %{redirect_url}', ...host, `${local}/${SMOKE_LINK.code}`];
  return {
    id: 'smoke',
    title: `smoke: create a link and follow it through ${viaGateway ? 'the Istio ingress gateway' : 'the frontend Service'}`,
    commands: [
      portForward(context, forward),
      pollHttp(`${local}/healthz`, host),
      postJson(`${local}/api/links`, SMOKE_LINK, {
        file: join(context.workDir, 'smoke', 'create-link.json'),
        status: '201',
        maxTime: 10,
        headers: host,
      }),
      exec([...argvOf('curl -sS --max-time 10 -o /dev/null'), ...follow], 20, {
        expect: outputIs(`302 ${SMOKE_LINK.url}`),
      }),
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
  const newCache = releaseImage(context.app.images.cache);
  return {
    id: 'promote',
    title: `promote: release frontend (${GOOD_CONFIG.name}=${GOOD_CONFIG.value}) and cache (${newCache}), wait for Succeeded`,
    commands: [
      setEnv(context, frontend, GOOD_CONFIG),
      exec(`docker tag ${context.app.images.cache} ${newCache}`, 60),
      kindLoad(context, newCache),
      exec(
        kubectl(context, `set image deployment/${cache.target} ${cache.container}=${newCache}`),
        60,
      ),
      waitForPhase(context, [frontend, cache], 'Succeeded', 'Failed'),
      expectPrimary(context, frontend, 'env', outputContains(JSON.stringify(GOOD_CONFIG))),
      expectPrimary(context, cache, 'image', outputIs(newCache)),
    ],
  };
}

/** A bad backend release: Flagger must roll it back and leave the primary as it was. */
export function rollbackStep(context: StepContext): Step {
  const backend = canary(context, 'backend');
  return {
    id: 'rollback',
    title: `rollback: release backend with ${BAD_CONFIG.name}=${BAD_CONFIG.value}, wait for Failed, primary unchanged`,
    commands: [
      setEnv(context, backend, BAD_CONFIG),
      waitForPhase(context, [backend], 'Failed', 'Succeeded'),
      expectPrimary(context, backend, 'image', outputIs(context.app.images.backend)),
      expectPrimary(context, backend, 'env', outputLacks(BAD_CONFIG.name)),
    ],
  };
}
