import { MESH_NAMES, type Mesh } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { describe, expect, it } from 'vitest';
import { checkPolicy, POLICY_RULES } from '../src/policy.js';
import { get, push, set, unset } from './mutate.js';
import { find, goodRender, withSlackAlerts } from './render-factory.js';

interface RuleCase {
  rule: string;
  name: string;
  mesh?: Mesh;
  alerts?: boolean;
  breakIt(objects: KubernetesObject[]): void;
  field: string;
  message: RegExp;
}

const CONTAINER = 'spec.template.spec.containers.0';
const POD = 'spec.template.spec';

function labels(object: KubernetesObject, path: string): Record<string, unknown> {
  const value = get(object, path);
  if (typeof value !== 'object' || value === null) throw new Error(`${path} is not a map`);
  return value as Record<string, unknown>;
}

function remove(objects: KubernetesObject[], kind: string, name: string): void {
  objects.splice(objects.indexOf(find(objects, kind, name)), 1);
}

const CASES: RuleCase[] = [
  {
    rule: 'api.deprecated',
    name: 'a PodDisruptionBudget on policy/v1beta1',
    breakIt: (o) => set(find(o, 'PodDisruptionBudget', 'backend'), 'apiVersion', 'policy/v1beta1'),
    field: 'apiVersion',
    message: /policy\/v1beta1 PodDisruptionBudget is no longer served: use policy\/v1/,
  },
  {
    rule: 'hpa.api-version',
    name: 'an HPA on autoscaling/v2beta1',
    breakIt: (o) =>
      set(find(o, 'HorizontalPodAutoscaler', 'backend'), 'apiVersion', 'autoscaling/v2beta1'),
    field: 'apiVersion',
    message: /autoscaling\/v2beta1 HorizontalPodAutoscaler: use autoscaling\/v2/,
  },
  {
    rule: 'hpa.api-version',
    name: 'a Canary autoscalerRef on autoscaling/v2beta2',
    breakIt: (o) =>
      set(find(o, 'Canary', 'cache'), 'spec.autoscalerRef.apiVersion', 'autoscaling/v2beta2'),
    field: 'spec.autoscalerRef.apiVersion',
    message: /requires autoscaling\/v2/,
  },
  {
    rule: 'canary.target-exists',
    name: 'a target that is not rendered',
    breakIt: (o) => set(find(o, 'Canary', 'backend'), 'spec.targetRef.name', 'backnd'),
    field: 'spec.targetRef',
    message: /targets Deployment\/backnd, which is not in this render/,
  },
  {
    rule: 'canary.target-exists',
    name: 'a target of another apiVersion',
    breakIt: (o) => set(find(o, 'Canary', 'backend'), 'spec.targetRef.apiVersion', 'apps/v1beta2'),
    field: 'spec.targetRef.apiVersion',
    message: /is apps\/v1beta2 but Deployment\/backend is apps\/v1/,
  },
  {
    rule: 'canary.autoscaler-exists',
    name: 'no autoscalerRef',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.autoscalerRef'),
    field: 'spec.autoscalerRef',
    message: /no autoscalerRef/,
  },
  {
    rule: 'canary.autoscaler-exists',
    name: 'an HPA scaling another workload',
    breakIt: (o) =>
      set(find(o, 'HorizontalPodAutoscaler', 'backend'), 'spec.scaleTargetRef.name', 'frontend'),
    field: 'spec.autoscalerRef',
    message: /scales frontend, not the Canary target backend/,
  },
  {
    rule: 'canary.provider',
    name: "another mesh's provider",
    mesh: 'istio',
    breakIt: (o) => set(find(o, 'Canary', 'backend'), 'spec.provider', 'kubernetes'),
    field: 'spec.provider',
    message: /the istio distribution uses istio/,
  },
  {
    rule: 'canary.provider',
    name: 'Gateway API without gatewayRefs',
    mesh: 'linkerd',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.service.gatewayRefs'),
    field: 'spec.service.gatewayRefs',
    message: /needs gatewayRefs to the apex Service/,
  },
  {
    rule: 'canary.strategy',
    name: 'A/B without match on Istio',
    mesh: 'istio',
    breakIt: (o) => unset(find(o, 'Canary', 'frontend'), 'spec.analysis.match'),
    field: 'spec.analysis',
    message: /frontend on istio is A\/B \(iterations \+ match\), not blue\/green/,
  },
  {
    rule: 'canary.strategy',
    name: 'iterations and stepWeight together',
    breakIt: (o) => set(find(o, 'Canary', 'cache'), 'spec.analysis.stepWeight', 10),
    field: 'spec.analysis',
    message: /sets iterations and stepWeight: set exactly one/,
  },
  {
    rule: 'canary.strategy',
    name: 'mirroring off Istio',
    mesh: 'linkerd',
    breakIt: (o) => set(find(o, 'Canary', 'database'), 'spec.analysis.mirror', true),
    field: 'spec.analysis',
    message: /database on linkerd is blue\/green \(iterations\), not blue\/green with mirror/,
  },
  {
    rule: 'canary.strategy',
    name: 'progressive shifting on Istio without maxWeight',
    mesh: 'istio',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.analysis.maxWeight'),
    field: 'spec.analysis.maxWeight',
    message: /sets maxWeight with stepWeight/,
  },
  {
    rule: 'canary.service',
    name: 'another service port',
    breakIt: (o) => set(find(o, 'Canary', 'backend'), 'spec.service.port', 80),
    field: 'spec.service.port',
    message: /is 80, expected 8080/,
  },
  {
    rule: 'canary.metrics',
    name: 'no latency check',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.analysis.metrics.1'),
    field: 'spec.analysis.metrics',
    message: /no latency check/,
  },
  {
    rule: 'canary.metrics',
    name: 'a MetricTemplate that is not rendered',
    breakIt: (o) => remove(o, 'MetricTemplate', 'success-rate'),
    field: 'spec.analysis.metrics[0].templateRef',
    message: /MetricTemplate\/success-rate \(namespace app\) is not in this render/,
  },
  {
    rule: 'canary.progress-deadline',
    name: 'no progressDeadlineSeconds',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.progressDeadlineSeconds'),
    field: 'spec.progressDeadlineSeconds',
    message: /not set/,
  },
  {
    rule: 'canary.pre-rollout-webhook',
    name: 'no pre-rollout webhook',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.analysis.webhooks.0'),
    field: 'spec.analysis.webhooks',
    message: /no pre-rollout webhook/,
  },
  {
    rule: 'canary.pre-rollout-webhook',
    name: 'conformance against the primary instead of the canary',
    breakIt: (o) =>
      set(
        find(o, 'Canary', 'backend'),
        'spec.analysis.webhooks.0.metadata.url',
        'http://backend-primary.app:8080',
      ),
    field: 'spec.analysis.webhooks[0].metadata.url',
    message: /expected "http:\/\/backend-canary.app:8080"/,
  },
  {
    rule: 'canary.rollout-webhook',
    name: 'a load hook without rps',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.analysis.webhooks.1.metadata.rps'),
    field: 'spec.analysis.webhooks[1].metadata.rps',
    message: /needs url, rps and duration/,
  },
  {
    rule: 'canary.rollout-webhook',
    name: 'no load hook',
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.analysis.webhooks.1'),
    field: 'spec.analysis.webhooks',
    message: /no rollout webhook to http:\/\/tester.app\/hooks\/load/,
  },
  {
    rule: 'canary.webhook-timeouts',
    name: 'a load hook slower than the interval',
    breakIt: (o) => set(find(o, 'Canary', 'backend'), 'spec.analysis.webhooks.1.timeout', '1m'),
    field: 'spec.analysis.webhooks',
    message: /add up to 60s, not below the 15s analysis interval/,
  },
  {
    rule: 'webhook.metadata-strings',
    name: 'a number in metadata',
    breakIt: (o) => set(find(o, 'Canary', 'backend'), 'spec.analysis.webhooks.1.metadata.rps', 10),
    field: 'spec.analysis.webhooks[1].metadata.rps',
    message: /is number 10: quote it/,
  },
  {
    rule: 'webhook.tester-endpoints',
    name: 'an endpoint the tester does not have',
    breakIt: (o) =>
      push(find(o, 'Canary', 'backend'), 'spec.analysis.webhooks', {
        name: 'smoke',
        type: 'post-rollout',
        url: 'http://tester.app/run',
      }),
    field: 'spec.analysis.webhooks[2].url',
    message: /\/run is not a tester endpoint/,
  },
  {
    rule: 'webhook.tester-endpoints',
    name: 'a rollback hook on the gate',
    breakIt: (o) =>
      push(find(o, 'Canary', 'backend'), 'spec.analysis.webhooks', {
        name: 'rollback',
        type: 'rollback',
        url: 'http://tester.app/gate/check',
      }),
    field: 'spec.analysis.webhooks[2].type',
    message: /rollback webhook calls \/gate\/check/,
  },
  {
    rule: 'webhook.tester-endpoints',
    name: 'the container port instead of the Service port',
    breakIt: (o) =>
      set(
        find(o, 'Canary', 'backend'),
        'spec.analysis.webhooks.1.url',
        'http://tester.app:8080/hooks/load',
      ),
    field: 'spec.analysis.webhooks[1].url',
    message: /uses port 8080: the tester Service listens on 80/,
  },
  {
    rule: 'alertprovider.address-or-secret',
    name: 'an inline address',
    alerts: true,
    breakIt: (o) =>
      set(find(o, 'AlertProvider', 'slack'), 'spec.address', 'https://hooks.slack.com/x'),
    field: 'spec.address',
    message: /set together with secretRef/,
  },
  {
    rule: 'alertprovider.address-or-secret',
    name: 'a generated Secret whose hash suffix the reference misses',
    alerts: true,
    breakIt: (o) => set(find(o, 'Secret', 'slack-url'), 'metadata.name', 'slack-url-5g2mt8dbkk'),
    field: 'spec.secretRef.name',
    message: /the generated Secret is slack-url-5g2mt8dbkk/,
  },
  {
    rule: 'alerts.severity',
    name: 'an alert without severity',
    alerts: true,
    breakIt: (o) => unset(find(o, 'Canary', 'backend'), 'spec.analysis.alerts.0.severity'),
    field: 'spec.analysis.alerts[0].severity',
    message: /Flagger matches no events without it/,
  },
  {
    rule: 'alerts.provider-exists',
    name: 'an AlertProvider that is not rendered',
    alerts: true,
    breakIt: (o) =>
      set(find(o, 'Canary', 'backend'), 'spec.analysis.alerts.0.providerRef.name', 'slak'),
    field: 'spec.analysis.alerts[0].providerRef',
    message: /AlertProvider\/slak \(namespace app\) is not in this render/,
  },
  {
    rule: 'deployment.no-replicas-when-canaried',
    name: 'replicas on a canaried Deployment',
    breakIt: (o) => set(find(o, 'Deployment', 'backend'), 'spec.replicas', 2),
    field: 'spec.replicas',
    message: /the HPA owns replicas/,
  },
  {
    rule: 'deployment.progress-deadline',
    name: 'no progressDeadlineSeconds',
    breakIt: (o) => unset(find(o, 'Deployment', 'backend'), 'spec.progressDeadlineSeconds'),
    field: 'spec.progressDeadlineSeconds',
    message: /not set/,
  },
  {
    rule: 'workload.labels',
    name: 'no component label on the pods',
    breakIt: (o) => {
      delete labels(find(o, 'Deployment', 'backend'), 'spec.template.metadata.labels')[
        'app.kubernetes.io/component'
      ];
    },
    field: 'spec.template.metadata.labels',
    message: /missing app.kubernetes.io\/component/,
  },
  {
    rule: 'container.limits',
    name: 'a container without limits',
    breakIt: (o) => unset(find(o, 'Deployment', 'backend'), `${CONTAINER}.resources.limits`),
    field: 'spec.template.spec.containers[0].resources',
    message: /container backend has no limits.cpu, limits.memory/,
  },
  {
    rule: 'container.probes',
    name: 'no readiness probe',
    breakIt: (o) => unset(find(o, 'StatefulSet', 'redis'), `${CONTAINER}.readinessProbe`),
    field: 'spec.template.spec.containers[0].readinessProbe',
    message: /container redis has none/,
  },
  {
    rule: 'container.probes',
    name: 'readiness on the liveness endpoint',
    breakIt: (o) =>
      set(find(o, 'Deployment', 'backend'), `${CONTAINER}.readinessProbe.httpGet.path`, '/healthz'),
    field: 'spec.template.spec.containers[0].readinessProbe',
    message: /checks \/healthz, expected \/readyz/,
  },
  {
    rule: 'container.security-context',
    name: 'a writable root filesystem',
    breakIt: (o) =>
      set(
        find(o, 'Deployment', 'backend'),
        `${CONTAINER}.securityContext.readOnlyRootFilesystem`,
        false,
      ),
    field: 'spec.template.spec.containers[0].securityContext',
    message: /needs readOnlyRootFilesystem: true/,
  },
  {
    rule: 'pod.security-context',
    name: 'no seccomp profile',
    breakIt: (o) =>
      unset(find(o, 'Deployment', 'backend'), `${POD}.securityContext.seccompProfile`),
    field: 'spec.template.spec.securityContext',
    message: /needs seccompProfile: \{type: RuntimeDefault\}/,
  },
  {
    rule: 'pod.security-context',
    name: 'root',
    breakIt: (o) => set(find(o, 'StatefulSet', 'postgres'), `${POD}.securityContext.runAsUser`, 0),
    field: 'spec.template.spec.securityContext',
    message: /needs a numeric non-zero runAsUser/,
  },
  {
    rule: 'container.port-names',
    name: 'an unnamed port',
    breakIt: (o) => unset(find(o, 'StatefulSet', 'redis'), `${CONTAINER}.ports.0.name`),
    field: 'spec.template.spec.containers[0].ports[0].name',
    message: /port 6379 of container redis has no name/,
  },
  {
    rule: 'container.port-names',
    name: 'an app container on another port',
    breakIt: (o) => set(find(o, 'Deployment', 'cache'), `${CONTAINER}.ports.0.containerPort`, 6379),
    field: 'spec.template.spec.containers[0].ports',
    message: /exposes one port, 8080 named http/,
  },
  {
    rule: 'image.pinned',
    name: 'an untagged image',
    breakIt: (o) =>
      set(find(o, 'Deployment', 'backend'), `${CONTAINER}.image`, 'ghcr.io/appdist/backend'),
    field: 'spec.template.spec.containers[0].image',
    message: /ghcr.io\/appdist\/backend is untagged/,
  },
  {
    rule: 'image.pinned',
    name: 'a registry port but no tag',
    breakIt: (o) =>
      set(find(o, 'Deployment', 'backend'), `${CONTAINER}.image`, 'registry:5000/appdist/backend'),
    field: 'spec.template.spec.containers[0].image',
    message: /registry:5000\/appdist\/backend is untagged/,
  },
  {
    rule: 'image.pinned',
    name: 'latest',
    breakIt: (o) => set(find(o, 'StatefulSet', 'redis'), `${CONTAINER}.image`, 'redis:latest'),
    field: 'spec.template.spec.containers[0].image',
    message: /redis:latest is latest/,
  },
  {
    rule: 'pod.termination-grace',
    name: 'a grace period shorter than the drain',
    breakIt: (o) =>
      set(find(o, 'Deployment', 'backend'), `${POD}.terminationGracePeriodSeconds`, 16),
    field: 'spec.template.spec.terminationGracePeriodSeconds',
    message: /is 16s, not above preStop 5s \+ drain \(1000 \+ 10000\) ms = 16s/,
  },
  {
    rule: 'pod.termination-grace',
    name: 'no preStop sleep',
    breakIt: (o) => unset(find(o, 'Deployment', 'tester'), `${CONTAINER}.lifecycle`),
    field: 'spec.template.spec.containers[0].lifecycle.preStop',
    message: /has no preStop sleep/,
  },
  {
    rule: 'pod.prometheus-annotations',
    name: 'scraping another port',
    breakIt: (o) => {
      labels(find(o, 'Deployment', 'backend'), 'spec.template.metadata.annotations')[
        'prometheus.io/port'
      ] = '9090';
    },
    field: 'spec.template.metadata.annotations["prometheus.io/port"]',
    message: /is "9090", expected "8080"/,
  },
  {
    rule: 'pod.topology-spread',
    name: 'no zone spread',
    breakIt: (o) => unset(find(o, 'Deployment', 'backend'), `${POD}.topologySpreadConstraints.1`),
    field: 'spec.template.spec.topologySpreadConstraints',
    message: /no spread over topology.kubernetes.io\/zone/,
  },
  {
    rule: 'pod.topology-spread',
    name: 'a spread selecting other pods',
    breakIt: (o) => {
      labels(
        find(o, 'Deployment', 'backend'),
        `${POD}.topologySpreadConstraints.0.labelSelector.matchLabels`,
      )['app.kubernetes.io/component'] = 'frontend';
    },
    field: 'spec.template.spec.topologySpreadConstraints[0].labelSelector',
    message: /does not select the pods it spreads/,
  },
  {
    rule: 'pod.service-account',
    name: 'a ServiceAccount that is not rendered',
    breakIt: (o) => remove(o, 'ServiceAccount', 'cache'),
    field: 'spec.template.spec.serviceAccountName',
    message: /ServiceAccount\/cache is not in this render/,
  },
  {
    rule: 'pod.config-refs',
    name: 'a ConfigMap reference without the generated hash',
    breakIt: (o) =>
      set(
        find(o, 'Deployment', 'backend'),
        `${CONTAINER}.envFrom.0.configMapRef.name`,
        'backend-config',
      ),
    field: 'spec.template.spec.containers[0].envFrom[0].configMapRef',
    message: /ConfigMap\/backend-config is not in this render/,
  },
  {
    rule: 'pod.config-refs',
    name: 'a Secret reference that missed the generated hash',
    breakIt: (o) => {
      push(find(o, 'Deployment', 'cache'), `${CONTAINER}.envFrom`, {
        secretRef: { name: 'cache-credentials' },
      });
      o.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'cache-credentials-5g2mt8dbkk', namespace: 'app' },
      });
    },
    field: 'spec.template.spec.containers[0].envFrom[1].secretRef',
    message:
      /Secret\/cache-credentials does not exist, the generated one is cache-credentials-5g2mt8dbkk/,
  },
  {
    rule: 'service.ports-match-container-ports',
    name: 'a targetPort no container exposes',
    breakIt: (o) => set(find(o, 'Service', 'tester'), 'spec.ports.0.targetPort', 'web'),
    field: 'spec.ports[0].targetPort',
    message: /"web" is no container port of Deployment\/tester/,
  },
  {
    rule: 'service.ports-match-container-ports',
    name: 'a selector matching no pods',
    breakIt: (o) =>
      set(find(o, 'Service', 'redis'), 'spec.selector', { 'app.kubernetes.io/name': 'valkey' }),
    field: 'spec.selector',
    message: /selects no pods in this render/,
  },
  {
    rule: 'service.ports-match-container-ports',
    name: 'a Canary targetPort the target does not expose',
    breakIt: (o) => set(find(o, 'Canary', 'backend'), 'spec.service.targetPort', 'web'),
    field: 'spec.service.targetPort',
    message: /"web" is no container port of Deployment\/backend/,
  },
  {
    rule: 'service.port-names',
    name: 'an unnamed Service port',
    breakIt: (o) => unset(find(o, 'Service', 'postgres'), 'spec.ports.0.name'),
    field: 'spec.ports[0].name',
    message: /port 5432 has no name/,
  },
  {
    rule: 'service.not-for-canaried',
    name: 'a shipped Service for a canaried workload',
    breakIt: (o) =>
      o.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'backend-canary', namespace: 'app' },
        spec: {
          selector: { 'app.kubernetes.io/name': 'backend' },
          ports: [{ name: 'http', port: 8080 }],
        },
      }),
    field: '',
    message: /Flagger generates this Service from Canary\/backend/,
  },
  {
    rule: 'ingress.backend-exists',
    name: 'an Ingress to a Service nobody creates',
    breakIt: (o) =>
      set(find(o, 'Ingress', 'frontend'), 'spec.rules.0.http.paths.0.backend.service.name', 'web'),
    field: 'spec.rules[0].http.paths[0].backend.service.name',
    message: /Service web is neither in this render nor generated by a Canary/,
  },
  {
    rule: 'ingress.backend-exists',
    name: 'an Ingress to a port a two-port Service does not have (numbers, then names)',
    breakIt: (o) => {
      push(find(o, 'Service', 'redis'), 'spec.ports', { name: 'metrics', port: 9121 });
      const backend = 'spec.rules.0.http.paths.0.backend.service';
      set(find(o, 'Ingress', 'frontend'), backend, { name: 'redis', port: { number: 80 } });
    },
    field: 'spec.rules[0].http.paths[0].backend.service.port',
    message: /^Service redis has no port 80 \(ports: 6379, 9121, tcp-redis, metrics\)$/,
  },
  {
    rule: 'ingress.backend-exists',
    name: "an Ingress to a port the Canary's Service does not have",
    mesh: 'linkerd',
    breakIt: (o) =>
      set(
        find(o, 'Ingress', 'frontend'),
        'spec.rules.0.http.paths.0.backend.service.port.number',
        80,
      ),
    field: 'spec.rules[0].http.paths[0].backend.service.port',
    message: /Service frontend has no port 80 \(ports: 8080, http\)/,
  },
  {
    rule: 'canary.gateways',
    name: 'a host the Gateway does not serve',
    mesh: 'istio',
    breakIt: (o) => set(find(o, 'Canary', 'frontend'), 'spec.service.hosts', ['shop.example.com']),
    field: 'spec.service.hosts',
    message: /shop.example.com not served by Gateway public-gateway \(hosts: appdist.example.com\)/,
  },
  {
    rule: 'canary.gateways',
    name: 'a Gateway that is not rendered',
    mesh: 'istio',
    breakIt: (o) =>
      set(find(o, 'Canary', 'frontend'), 'spec.service.gateways.0', 'istio-system/public'),
    field: 'spec.service.gateways[0]',
    message: /Gateway istio-system\/public is not in this render/,
  },
  {
    rule: 'networkpolicy.default-deny',
    name: 'no default deny',
    breakIt: (o) => remove(o, 'NetworkPolicy', 'default-deny-ingress'),
    field: '',
    message: /no default-deny NetworkPolicy in namespace app/,
  },
  {
    rule: 'networkpolicy.allowed-paths',
    name: 'a documented path left closed',
    breakIt: (o) => remove(o, 'NetworkPolicy', 'cache'),
    field: '',
    message: /backend cannot reach cache on port http/,
  },
  {
    rule: 'networkpolicy.allowed-paths',
    name: 'a shortcut past the backend',
    breakIt: (o) =>
      push(find(o, 'NetworkPolicy', 'database'), 'spec.ingress.0.from', {
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'frontend' } },
      }),
    field: 'spec.ingress',
    message: /lets frontend reach database directly/,
  },
  {
    rule: 'networkpolicy.allowed-paths',
    name: 'a way back from cache to the backend',
    breakIt: (o) =>
      push(find(o, 'NetworkPolicy', 'backend'), 'spec.ingress.0.from', {
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'cache' } },
      }),
    field: 'spec.ingress',
    message:
      /^lets cache reach backend directly; only frontend → backend → cache\/database → redis\/postgres is allowed$/,
  },
  {
    rule: 'networkpolicy.allowed-paths',
    name: 'a way back from database to the backend',
    breakIt: (o) =>
      push(find(o, 'NetworkPolicy', 'backend'), 'spec.ingress.0.from', {
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'database' } },
      }),
    field: 'spec.ingress',
    message:
      /^lets database reach backend directly; only frontend → backend → cache\/database → redis\/postgres is allowed$/,
  },
  {
    rule: 'selector.component-label',
    name: 'a PDB selecting on the name label',
    breakIt: (o) =>
      set(find(o, 'PodDisruptionBudget', 'backend'), 'spec.selector', {
        matchLabels: { 'app.kubernetes.io/name': 'backend' },
      }),
    field: 'spec.selector.matchLabels["app.kubernetes.io/name"]',
    message: /primary pods \(backend-primary\) do not carry/,
  },
  {
    rule: 'selector.component-label',
    name: 'a NetworkPolicy peer on the name label',
    breakIt: (o) =>
      set(find(o, 'NetworkPolicy', 'cache'), 'spec.ingress.0.from.0.podSelector', {
        matchLabels: { 'app.kubernetes.io/name': 'backend' },
      }),
    field: 'spec.ingress[0].from[0].podSelector.matchLabels["app.kubernetes.io/name"]',
    message: /select on app.kubernetes.io\/component/,
  },
  {
    rule: 'pdb.matches-pods',
    name: 'a PDB selecting nothing',
    breakIt: (o) =>
      set(find(o, 'PodDisruptionBudget', 'cache'), 'spec.selector', {
        matchLabels: { 'app.kubernetes.io/component': 'cach' },
      }),
    field: 'spec.selector',
    message: /selects no pods in this render/,
  },
  {
    rule: 'namespace.mesh-injection',
    name: 'an Istio namespace without injection',
    mesh: 'istio',
    breakIt: (o) => {
      delete labels(find(o, 'Namespace', 'app'), 'metadata.labels')['istio-injection'];
    },
    field: 'metadata.labels',
    message: /no istio-injection: enabled label/,
  },
  {
    rule: 'namespace.mesh-injection',
    name: 'a Linkerd namespace without injection',
    mesh: 'linkerd',
    breakIt: (o) => unset(find(o, 'Namespace', 'app'), 'metadata.annotations'),
    field: 'metadata.annotations',
    message: /no linkerd.io\/inject: enabled annotation/,
  },
];

function renderFor(testCase: Pick<RuleCase, 'mesh' | 'alerts'>): KubernetesObject[] {
  const objects = goodRender(testCase.mesh ?? 'kubernetes');
  return testCase.alerts ? withSlackAlerts(objects) : objects;
}

function findingsOf(rule: string, objects: KubernetesObject[], mesh: Mesh) {
  const selected = POLICY_RULES.filter((candidate) => candidate.id === rule);
  return checkPolicy(objects, { mesh }, selected).map((finding) => ({
    object: `${finding.object.kind}/${finding.object.metadata.name}`,
    field: finding.field,
    message: finding.message,
    rule: finding.rule,
  }));
}

describe('policy rules', () => {
  it.each(MESH_NAMES)('find nothing in a render that follows the contract (%s)', (mesh) => {
    expect(checkPolicy(withSlackAlerts(goodRender(mesh)), { mesh })).toEqual([]);
    // Renders that are not a distribution (the provider example) read the mesh off each Canary.
    expect(checkPolicy(goodRender(mesh), { mesh: undefined })).toEqual([]);
  });

  it.each(CASES)('$rule fails on $name and passes without it', (testCase) => {
    const mesh = testCase.mesh ?? 'kubernetes';
    expect(findingsOf(testCase.rule, renderFor(testCase), mesh)).toEqual([]);

    const broken = renderFor(testCase);
    testCase.breakIt(broken);
    expect(findingsOf(testCase.rule, broken, mesh)).toContainEqual(
      expect.objectContaining({
        rule: testCase.rule,
        field: testCase.field,
        message: expect.stringMatching(testCase.message),
      }),
    );
  });

  it("accepts a Secret the provider creates (external-postgres' connection string)", () => {
    const objects = goodRender('kubernetes');
    set(find(objects, 'Deployment', 'database'), `${CONTAINER}.env`, [
      {
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'external-postgres', key: 'DATABASE_URL' } },
      },
    ]);
    expect(findingsOf('pod.config-refs', objects, 'kubernetes')).toEqual([]);
  });

  it('reports findings rule by rule, in the order of the rule list (as before the rule tables)', () => {
    expect(POLICY_RULES.map((rule) => rule.id)).toEqual([
      'api.deprecated',
      'hpa.api-version',
      'canary.target-exists',
      'canary.autoscaler-exists',
      'canary.provider',
      'canary.strategy',
      'canary.service',
      'canary.metrics',
      'canary.progress-deadline',
      'canary.pre-rollout-webhook',
      'canary.rollout-webhook',
      'canary.webhook-timeouts',
      'webhook.metadata-strings',
      'webhook.tester-endpoints',
      'alertprovider.address-or-secret',
      'alerts.severity',
      'alerts.provider-exists',
      'deployment.no-replicas-when-canaried',
      'deployment.progress-deadline',
      'workload.labels',
      'container.limits',
      'container.probes',
      'container.security-context',
      'pod.security-context',
      'container.port-names',
      'image.pinned',
      'pod.termination-grace',
      'pod.prometheus-annotations',
      'pod.topology-spread',
      'pod.service-account',
      'pod.config-refs',
      'service.ports-match-container-ports',
      'service.port-names',
      'service.not-for-canaried',
      'ingress.backend-exists',
      'canary.gateways',
      'networkpolicy.default-deny',
      'networkpolicy.allowed-paths',
      'selector.component-label',
      'pdb.matches-pods',
      'namespace.mesh-injection',
    ]);
    // Broken in reverse order, so the findings' order can only come from the rule list.
    const broken = [
      'pod.termination-grace',
      'image.pinned',
      'pod.security-context',
      'container.limits',
      'workload.labels',
      'canary.metrics',
      'canary.service',
    ];
    const objects = goodRender('kubernetes');
    for (const rule of broken) CASES.find((testCase) => testCase.rule === rule)?.breakIt(objects);
    const reported = checkPolicy(objects, { mesh: 'kubernetes' }).map((finding) => finding.rule);
    expect([...new Set(reported)].filter((rule) => broken.includes(rule))).toEqual(
      [...broken].reverse(),
    );
  });

  it("anchors a missing default deny at the namespace's first workload when no Namespace is rendered", () => {
    const objects = goodRender('kubernetes');
    remove(objects, 'Namespace', 'app');
    remove(objects, 'NetworkPolicy', 'default-deny-ingress');
    const workloads = objects.filter((object) =>
      ['Deployment', 'StatefulSet'].includes(object.kind),
    );
    expect(workloads.length).toBeGreaterThan(1);
    expect(findingsOf('networkpolicy.default-deny', objects, 'kubernetes')).toEqual([
      expect.objectContaining({ object: `${workloads[0]?.kind}/${workloads[0]?.metadata.name}` }),
    ]);
  });

  it('takes a tag behind a registry port, or a digest, as pinned', () => {
    const objects = goodRender('kubernetes');
    set(
      find(objects, 'Deployment', 'backend'),
      `${CONTAINER}.image`,
      'registry:5000/x/backend:1.2.0',
    );
    set(find(objects, 'StatefulSet', 'redis'), `${CONTAINER}.image`, 'redis@sha256:abc');
    expect(findingsOf('image.pinned', objects, 'kubernetes')).toEqual([]);
  });

  it('has a failing case for every rule, and unique rule ids', () => {
    const ids = POLICY_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...new Set(CASES.map((testCase) => testCase.rule))].sort()).toEqual([...ids].sort());
  });
});
