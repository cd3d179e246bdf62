import { asList, asRecord, asString, at, fieldPath } from '../access.js';
import { canaryServiceName } from '../canary-view.js';
import { namespaceOf, type Workload } from '../render.js';
import type { RuleTable } from '../rule.js';

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

function notExposed(target: unknown, workload: Workload): string {
  const { kind, metadata } = workload.object;
  return `${JSON.stringify(target)} is no container port of ${kind}/${metadata.name}`;
}

export const RULES: RuleTable = {
  /**
   * Every Service selects pods of the render and each targetPort (and each Canary
   * service.targetPort) is a port their containers expose.
   */
  'service.ports-match-container-ports'(render, report) {
    for (const service of render.ofKind('Service')) {
      const selector = asRecord(at(service, 'spec', 'selector'));
      if (!selector || Object.keys(selector).length === 0) continue;
      const selected = render.selectedWorkloads(selector, namespaceOf(service));
      if (selected.length === 0) report(service, 'spec.selector', 'selects no pods in this render');
      asList(at(service, 'spec', 'ports')).forEach((port, index) => {
        const target = at(port, 'targetPort') ?? at(port, 'port');
        for (const workload of selected) {
          if (exposes(workload, target)) continue;
          const field = fieldPath('spec', 'ports', index, 'targetPort');
          report(service, field, notExposed(target, workload));
        }
      });
    }
    for (const { canary, workload } of render.canaryTargets()) {
      const target =
        at(canary, 'spec', 'service', 'targetPort') ?? at(canary, 'spec', 'service', 'port');
      if (target === undefined || exposes(workload, target)) continue;
      report(canary, 'spec.service.targetPort', notExposed(target, workload));
    }
  },
  /**
   * Every Service port is named (http, tcp-redis, tcp-postgres): meshes pick the protocol from it.
   */
  'service.port-names'(render, report) {
    for (const service of render.ofKind('Service')) {
      asList(at(service, 'spec', 'ports')).forEach((port, index) => {
        if (asString(at(port, 'name'))) return;
        const field = fieldPath('spec', 'ports', index, 'name');
        report(service, field, `port ${String(at(port, 'port'))} has no name`);
      });
    }
  },
  /**
   * No Service named <name>, <name>-primary or <name>-canary for a Canary: Flagger generates and
   * owns them.
   */
  'service.not-for-canaried'(render, report) {
    for (const canary of render.ofKind('Canary')) {
      const name = canaryServiceName(canary);
      for (const suffix of ['', '-primary', '-canary']) {
        const service = render.find('Service', `${name}${suffix}`, namespaceOf(canary));
        if (!service) continue;
        report(
          service,
          '',
          `Flagger generates this Service from Canary/${canary.metadata.name}.spec.service; shipping it too makes Flux and Flagger overwrite each other`,
        );
      }
    }
  },
};
