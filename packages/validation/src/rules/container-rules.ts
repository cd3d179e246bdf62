import { parseImageReference } from '@appdist/catalogue';
import { asList, asRecord, asString, at, fieldPath } from '../access.js';
import { APP_PORT } from '../appdist-contract.js';
import { isAppWorkload, type Workload } from '../render.js';
import type { RuleTable } from '../rule.js';

function httpProbeProblem(probe: unknown, path: string): string | undefined {
  const httpGet = asRecord(at(probe, 'httpGet'));
  if (!httpGet) return `is not an HTTP GET of ${path} on port ${APP_PORT.name}`;
  if (httpGet.path !== path) return `checks ${String(httpGet.path)}, expected ${path}`;
  if (httpGet.port !== APP_PORT.name)
    return `uses port ${String(httpGet.port)}, expected ${APP_PORT.name}`;
  return undefined;
}

/** A pod-level setting, or the same setting on every container, satisfies `ok`. */
function podOrEveryContainer(
  workload: Workload,
  path: readonly string[],
  ok: (value: unknown) => boolean,
): boolean {
  if (ok(at(workload.podSpec.securityContext, ...path))) return true;
  return (
    workload.containers.length > 0 &&
    workload.containers.every((ref) => ok(at(ref.container.securityContext, ...path)))
  );
}

const POD_SECURITY: ReadonlyArray<[string, readonly string[], (value: unknown) => boolean]> = [
  ['runAsNonRoot: true', ['runAsNonRoot'], (value) => value === true],
  [
    'a numeric non-zero runAsUser',
    ['runAsUser'],
    (value) => Number.isInteger(value) && (value as number) > 0,
  ],
  [
    'seccompProfile: {type: RuntimeDefault}',
    ['seccompProfile', 'type'],
    (value) => value === 'RuntimeDefault',
  ],
];

export const RULES: RuleTable = {
  /** Every container requests and limits cpu and memory. */
  'container.limits'(render, report) {
    for (const { workload, ref } of render.containers()) {
      const missing = ['requests', 'limits'].flatMap((section) =>
        ['cpu', 'memory']
          .filter((resource) => at(ref.container, 'resources', section, resource) === undefined)
          .map((resource) => `${section}.${resource}`),
      );
      if (missing.length === 0) continue;
      const message = `container ${ref.name} has no ${missing.join(', ')}`;
      report(workload.object, fieldPath(...ref.path, 'resources'), message);
    }
  },
  /**
   * Every container has liveness and readiness probes; app containers probe GET /healthz and
   * /readyz on port http.
   */
  'container.probes'(render, report) {
    for (const { workload, ref } of render.containers()) {
      if (ref.init) continue;
      for (const [probe, path] of [
        ['livenessProbe', '/healthz'],
        ['readinessProbe', '/readyz'],
      ] as const) {
        const problem =
          ref.container[probe] === undefined
            ? `container ${ref.name} has none`
            : isAppWorkload(workload) && httpProbeProblem(ref.container[probe], path);
        if (problem) report(workload.object, fieldPath(...ref.path, probe), problem);
      }
    }
  },
  /**
   * Containers run without privilege escalation, on a read-only root filesystem, with all
   * capabilities dropped.
   */
  'container.security-context'(render, report) {
    for (const { workload, ref } of render.containers()) {
      const context = asRecord(ref.container.securityContext) ?? {};
      const needs = [
        context.allowPrivilegeEscalation !== false && 'allowPrivilegeEscalation: false',
        context.readOnlyRootFilesystem !== true && 'readOnlyRootFilesystem: true',
        !asList(at(context, 'capabilities', 'drop')).includes('ALL') && 'capabilities.drop: [ALL]',
        context.privileged === true && 'no privileged: true',
      ].filter(Boolean);
      if (needs.length === 0) continue;
      const message = `container ${ref.name} needs ${needs.join(', ')}`;
      report(workload.object, fieldPath(...ref.path, 'securityContext'), message);
    }
  },
  /** Pods run as a numeric non-root user with the RuntimeDefault seccomp profile. */
  'pod.security-context'(render, report) {
    for (const workload of render.workloads) {
      const needs = POD_SECURITY.filter(([, path, ok]) => !podOrEveryContainer(workload, path, ok));
      if (needs.length === 0) continue;
      const message = `needs ${needs.map(([needed]) => needed).join(', ')}`;
      report(workload.object, fieldPath(...workload.podSpecPath, 'securityContext'), message);
    }
  },
  /**
   * Every container port is named (meshes pick the protocol from it); app containers expose exactly
   * 8080 named http.
   */
  'container.port-names'(render, report) {
    for (const { workload, ref } of render.containers()) {
      const ports = asList(ref.container.ports);
      ports.forEach((port, index) => {
        if (asString(at(port, 'name'))) return;
        report(
          workload.object,
          fieldPath(...ref.path, 'ports', index, 'name'),
          `port ${String(at(port, 'containerPort'))} of container ${ref.name} has no name`,
        );
      });
      const only = ports.length === 1 ? ports[0] : undefined;
      if (
        isAppWorkload(workload) &&
        !ref.init &&
        (at(only, 'containerPort') !== APP_PORT.number || at(only, 'name') !== APP_PORT.name)
      ) {
        report(
          workload.object,
          fieldPath(...ref.path, 'ports'),
          `app container ${ref.name} exposes one port, ${APP_PORT.number} named ${APP_PORT.name}`,
        );
      }
    }
  },
  /**
   * Every image is pinned to a version tag (or digest) by the images: block; never latest, never
   * untagged.
   */
  'image.pinned'(render, report) {
    for (const { workload, ref } of render.containers()) {
      const image = asString(ref.container.image) ?? '';
      const { tag, digest } = parseImageReference(image);
      if (digest || (tag && tag !== 'latest')) continue;
      report(
        workload.object,
        fieldPath(...ref.path, 'image'),
        `${image || '(none)'} is ${tag === 'latest' ? 'latest' : 'untagged'}: pin its version with a newTag in the images: block of dist/base/kustomization.yaml`,
      );
    }
  },
};
