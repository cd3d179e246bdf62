import type { ExecCommand, OutputExpectation, ShellCommand } from './command.js';
import type { DistributionProfile } from './distributions.js';
import type { E2EImages } from './images.js';
import type { RenderedApp } from './rendered-app.js';

/** Everything the step builders read: fixed before the first command runs. */
export interface StepContext {
  profile: DistributionProfile;
  app: RenderedApp;
  images: E2EImages;
  /** The run's folder: tools, kubeconfig, rendered manifest, logs and collected artifacts. */
  workDir: string;
  binDir: string;
  kindConfigFile: string;
  /** Local ports of the port-forwards: the tester, and the frontend or ingress gateway. */
  ports: { tester: number; ingress: number };
}

/** Bound of a `kubectl rollout status` and similar waits; the process gets a little more. */
export const ROLLOUT_TIMEOUT_SECONDS = 300;

export function exec(
  argv: readonly [string, ...string[]],
  timeoutSeconds: number,
  extra: Partial<Omit<ExecCommand, 'kind' | 'argv' | 'timeoutSeconds'>> = {},
): ExecCommand {
  return { kind: 'exec', argv, timeoutSeconds, ...extra };
}

export function shell(script: string, timeoutSeconds: number): ShellCommand {
  return { kind: 'shell', script, timeoutSeconds };
}

export function rolloutStatus(namespace: string, resource: string): ExecCommand {
  return exec(
    [
      'kubectl',
      '-n',
      namespace,
      'rollout',
      'status',
      resource,
      `--timeout=${ROLLOUT_TIMEOUT_SECONDS}s`,
    ],
    ROLLOUT_TIMEOUT_SECONDS + 30,
  );
}

export function outputIs(expected: string): OutputExpectation {
  return {
    description: `output ${expected}`,
    check: (stdout) =>
      stdout === expected
        ? undefined
        : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(stdout)}`,
  };
}

export function outputContains(expected: string): OutputExpectation {
  return {
    description: `output containing ${expected}`,
    check: (stdout) =>
      stdout.includes(expected)
        ? undefined
        : `expected ${JSON.stringify(expected)} in ${JSON.stringify(stdout)}`,
  };
}

export function outputLacks(unwanted: string): OutputExpectation {
  return {
    description: `no ${unwanted} in the output`,
    check: (stdout) =>
      stdout.includes(unwanted)
        ? `${JSON.stringify(unwanted)} is there: ${JSON.stringify(stdout)}`
        : undefined,
  };
}
