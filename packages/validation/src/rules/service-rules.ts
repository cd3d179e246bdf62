import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { asList, asRecord, asString, at, fieldPath } from '../access.js';
import { canaryServiceName } from '../canary-view.js';
import { namespaceOf, type Workload } from '../render.js';
import { finding, flag, type PolicyRule, type RuleFinding } from '../rule.js';

/** Does some container of `workload` expose `port`, by name (string) or number? */
function exposes(workload: Workload, port: unknown): boolean {
  return workload.containers.some(
    (ref) =>
      !ref.init &&
      asList(ref.container.ports).some((candidate) =>
        typeof port === 'string'
          ? at(candidate, 'name') === port
          : at(candidate, 'containerPort') === port,
      ),
  );
}

function describe(workload: Workload): string {
  return `${workload.object.kind}/${workload.object.metadata.name}`;
}

export const servicePortsMatchContainerPorts: PolicyRule = {
  id: 'service.ports-match-container-ports',
  description:
    'Every Service selects pods of the render and each targetPort (and each Canary service.targetPort) is a port their containers expose.',
  check(render) {
    const services = render.ofKind('Service').flatMap((service): RuleFinding[] => {
      const selector = asRecord(at(service, 'spec', 'selector'));
      if (!selector || Object.keys(selector).length === 0) return [];
      const selected = render.selectedWorkloads(selector, namespaceOf(service));
      if (selected.length === 0) {
        return flag(service, 'spec.selector', 'selects no pods in this render');
      }
      return asList(at(service, 'spec', 'ports')).flatMap((port, index) => {
        const target = at(port, 'targetPort') ?? at(port, 'port');
        return selected
          .filter((workload) => !exposes(workload, target))
          .map((workload) =>
            finding(
              service,
              fieldPath('spec', 'ports', index, 'targetPort'),
              `${JSON.stringify(target)} is no container port of ${describe(workload)}`,
            ),
          );
      });
    });
    const canaries = render.canaryTargets().flatMap(({ canary, workload }): RuleFinding[] => {
      const target =
        at(canary, 'spec', 'service', 'targetPort') ?? at(canary, 'spec', 'service', 'port');
      if (target === undefined || exposes(workload, target)) return [];
      return flag(
        canary,
        'spec.service.targetPort',
        `${JSON.stringify(target)} is no container port of ${describe(workload)}`,
      );
    });
    return [...services, ...canaries];
  },
};

export const servicePortNames: PolicyRule = {
  id: 'service.port-names',
  description:
    'Every Service port is named (http, tcp-redis, tcp-postgres): meshes pick the protocol from it.',
  check(render) {
    return render
      .ofKind('Service')
      .flatMap((service) =>
        asList(at(service, 'spec', 'ports')).flatMap((port, index): RuleFinding[] =>
          asString(at(port, 'name'))
            ? []
            : flag(
                service,
                fieldPath('spec', 'ports', index, 'name'),
                `port ${String(at(port, 'port'))} has no name`,
              ),
        ),
      );
  },
};

export const serviceNotForCanaried: PolicyRule = {
  id: 'service.not-for-canaried',
  description:
    'No Service named <name>, <name>-primary or <name>-canary for a Canary: Flagger generates and owns them.',
  check(render) {
    return render.ofKind('Canary').flatMap((canary) => {
      const name = canaryServiceName(canary);
      return [name, `${name}-primary`, `${name}-canary`]
        .map((service) => render.find('Service', service, namespaceOf(canary)))
        .filter((service): service is KubernetesObject => service !== undefined)
        .map((service) =>
          finding(
            service,
            '',
            `Flagger generates this Service from Canary/${canary.metadata.name}.spec.service; shipping it too makes Flux and Flagger overwrite each other`,
          ),
        );
    });
  },
};
