import { asList, asRecord, asString, at, fieldPath } from '../access.js';
import { APP_PORT } from '../appdist-contract.js';
import { type ContainerRef, isAppWorkload, type RenderIndex, type Workload } from '../render.js';
import { finding, findingsOn, flag, type PolicyRule, type RuleFinding } from '../rule.js';

function eachContainer(
  render: RenderIndex,
  visit: (workload: Workload, ref: ContainerRef) => RuleFinding[],
): RuleFinding[] {
  return render.workloads.flatMap((workload) =>
    workload.containers.flatMap((ref) => visit(workload, ref)),
  );
}

export const containerLimits: PolicyRule = {
  id: 'container.limits',
  description: 'Every container requests and limits cpu and memory.',
  check(render) {
    return eachContainer(render, (workload, ref) => {
      const missing = ['requests', 'limits'].flatMap((section) =>
        ['cpu', 'memory']
          .filter((resource) => at(ref.container, 'resources', section, resource) === undefined)
          .map((resource) => `${section}.${resource}`),
      );
      if (missing.length === 0) return [];
      return flag(
        workload.object,
        fieldPath(...ref.path, 'resources'),
        `container ${ref.name} has no ${missing.join(', ')}`,
      );
    });
  },
};

function httpProbeProblem(probe: unknown, path: string): string | undefined {
  const httpGet = asRecord(at(probe, 'httpGet'));
  if (!httpGet) return `is not an HTTP GET of ${path} on port ${APP_PORT.name}`;
  if (httpGet.path !== path) return `checks ${String(httpGet.path)}, expected ${path}`;
  if (httpGet.port !== APP_PORT.name)
    return `uses port ${String(httpGet.port)}, expected ${APP_PORT.name}`;
  return undefined;
}

export const containerProbes: PolicyRule = {
  id: 'container.probes',
  description:
    'Every container has liveness and readiness probes; app containers probe GET /healthz and /readyz on port http.',
  check(render) {
    return eachContainer(render, (workload, ref): RuleFinding[] => {
      if (ref.init) return [];
      const { list: findings, add } = findingsOn(workload.object);
      for (const [probe, path] of [
        ['livenessProbe', '/healthz'],
        ['readinessProbe', '/readyz'],
      ] as const) {
        const field = fieldPath(...ref.path, probe);
        if (ref.container[probe] === undefined) {
          add(field, `container ${ref.name} has none`);
          continue;
        }
        const problem = isAppWorkload(workload)
          ? httpProbeProblem(ref.container[probe], path)
          : undefined;
        if (problem) add(field, problem);
      }
      return findings;
    });
  },
};

export const containerSecurityContext: PolicyRule = {
  id: 'container.security-context',
  description:
    'Containers run without privilege escalation, on a read-only root filesystem, with all capabilities dropped.',
  check(render) {
    return eachContainer(render, (workload, ref) => {
      const context = asRecord(ref.container.securityContext) ?? {};
      const problems: string[] = [];
      if (context.allowPrivilegeEscalation !== false)
        problems.push('allowPrivilegeEscalation: false');
      if (context.readOnlyRootFilesystem !== true) problems.push('readOnlyRootFilesystem: true');
      const drop = asList(at(context, 'capabilities', 'drop'));
      if (!drop.includes('ALL')) problems.push('capabilities.drop: [ALL]');
      if (context.privileged === true) problems.push('no privileged: true');
      if (problems.length === 0) return [];
      return flag(
        workload.object,
        fieldPath(...ref.path, 'securityContext'),
        `container ${ref.name} needs ${problems.join(', ')}`,
      );
    });
  },
};

export const containerPortNames: PolicyRule = {
  id: 'container.port-names',
  description:
    'Every container port is named (meshes pick the protocol from it); app containers expose exactly 8080 named http.',
  check(render) {
    return eachContainer(render, (workload, ref): RuleFinding[] => {
      const ports = asList(ref.container.ports);
      const findings: RuleFinding[] = ports.flatMap((port, index): RuleFinding[] =>
        asString(at(port, 'name'))
          ? []
          : flag(
              workload.object,
              fieldPath(...ref.path, 'ports', index, 'name'),
              `port ${String(at(port, 'containerPort'))} of container ${ref.name} has no name`,
            ),
      );
      if (isAppWorkload(workload) && !ref.init) {
        const only = ports.length === 1 ? ports[0] : undefined;
        if (at(only, 'containerPort') !== APP_PORT.number || at(only, 'name') !== APP_PORT.name) {
          findings.push(
            finding(
              workload.object,
              fieldPath(...ref.path, 'ports'),
              `app container ${ref.name} exposes one port, ${APP_PORT.number} named ${APP_PORT.name}`,
            ),
          );
        }
      }
      return findings;
    });
  },
};

/** The tag of an image reference, or undefined; `registry:5000/app` has a port, not a tag. */
export function imageTag(image: string): { tag?: string; digest?: string } {
  const [reference = '', digest] = image.split('@');
  const lastSlash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  const tag = colon > lastSlash ? reference.slice(colon + 1) : undefined;
  return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export const imagePinned: PolicyRule = {
  id: 'image.pinned',
  description:
    'Every image is pinned to a version tag (or digest) by the images: block; never latest, never untagged.',
  check(render) {
    return eachContainer(render, (workload, ref): RuleFinding[] => {
      const image = asString(ref.container.image) ?? '';
      const { tag, digest } = imageTag(image);
      if (digest || (tag && tag !== 'latest')) return [];
      return flag(
        workload.object,
        fieldPath(...ref.path, 'image'),
        `${image || '(none)'} is ${tag === 'latest' ? 'latest' : 'untagged'}: pin its version with a newTag in the images: block of dist/base/kustomization.yaml`,
      );
    });
  },
};
