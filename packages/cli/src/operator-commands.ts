import { NAMESPACE, serviceEntry } from '@appdist/catalogue';
import type { Output } from '@appdist/e2e/e2e-command';
import { UsageError } from './targets.js';

// Forwarded to the port the tester listens on under `npm start`, so one default fits both.
const TESTER_PORT = serviceEntry('tester').localPort;
export const DEFAULT_TESTER_URL = `http://localhost:${TESTER_PORT}`;
export const TESTER_PORT_FORWARD = `kubectl -n ${NAMESPACE} port-forward svc/tester ${TESTER_PORT}:80`;

// What each operator command does on the tester, in flagger-loadtester's vocabulary.
export const GATE_ACTIONS = {
  approve: {
    description:
      'Open the approval gate of a canary: its confirm-rollout/confirm-promotion webhooks pass.',
    path: '/gate/open',
    done: 'approved: its confirm gates now pass',
  },
  halt: {
    description: 'Close the approval gate of a canary: Flagger waits at its next confirm webhook.',
    path: '/gate/close',
    done: 'halted: its confirm gates hold it until approved',
  },
  rollback: {
    description: 'Ask Flagger to roll a canary back: its rollback webhook answers 2xx from now on.',
    path: '/rollback/open',
    done: 'rollback requested: Flagger rolls it back at its next check',
  },
} as const;

export type GateAction = keyof typeof GATE_ACTIONS;

export interface GateOptions {
  tester?: string;
  namespace?: string;
}

/** `backend` or `app/backend` → the canary Flagger names in its webhook payloads. */
export function parseCanaryRef(
  ref: string,
  namespace = NAMESPACE,
): { name: string; namespace: string } {
  const parts = ref.split('/');
  const [ns, name] = parts.length === 2 ? parts : [namespace, parts[0]];
  const valid = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (parts.length > 2 || !name || !ns || !valid.test(name) || !valid.test(ns)) {
    throw new UsageError(
      `not a canary: ${JSON.stringify(ref)} (write <name> or <namespace>/<name>, e.g. app/backend)`,
    );
  }
  return { name, namespace: ns };
}

export async function runGateCommand(
  action: GateAction,
  ref: string,
  options: GateOptions,
  output: Output,
): Promise<number> {
  const canary = parseCanaryRef(ref, options.namespace);
  const given = options.tester ?? process.env.APPDIST_TESTER_URL ?? DEFAULT_TESTER_URL;
  const tester = given.replace(/\/+$/, '');
  const { path, done } = GATE_ACTIONS[action];
  let response: Response;
  try {
    response = await fetch(`${tester}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(canary),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    output.stderr(
      `appdist ${action}: cannot reach the tester at ${tester} (${(error as Error).message}).\n` +
        `  In a cluster: ${TESTER_PORT_FORWARD}, or pass --tester <url>.\n`,
    );
    return 1;
  }
  if (response.status !== 202) {
    output.stderr(
      `appdist ${action}: the tester answered ${response.status}: ${(await response.text()).trim()}\n`,
    );
    return 1;
  }
  output.stdout(`${canary.namespace}/${canary.name} ${done}\n`);
  return 0;
}
