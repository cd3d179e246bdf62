import { CANARY_SERVICES, type CanaryService, type Mesh, meshEntry } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { strategyOf } from '../src/appdist-contract.js';

/**
 * An in-memory render that keeps every rule of docs/distribution.md, for one mesh. Rule tests
 * break one thing in a fresh copy and expect exactly that rule to notice.
 */

const NAMESPACE = 'app';

function meta(name: string, component?: string) {
  return {
    name,
    namespace: NAMESPACE,
    labels: {
      ...(component
        ? { 'app.kubernetes.io/name': component, 'app.kubernetes.io/component': component }
        : {}),
      'app.kubernetes.io/part-of': 'appdist',
    },
  };
}

const RESTRICTED = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

const RESOURCES = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

function podLabels(name: string) {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': name,
    'app.kubernetes.io/part-of': 'appdist',
  };
}

function appDeployment(name: string, canaried: boolean): KubernetesObject {
  const spread = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { 'app.kubernetes.io/component': name } },
  }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name, name),
    spec: {
      ...(canaried ? {} : { replicas: 1 }),
      progressDeadlineSeconds: 120,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: {
          labels: podLabels(name),
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': '8080',
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          serviceAccountName: name,
          terminationGracePeriodSeconds: 30,
          securityContext: POD_SECURITY,
          ...(canaried ? { topologySpreadConstraints: spread } : {}),
          containers: [
            {
              name,
              image: `ghcr.io/appdist/${name}:1.0.0`,
              ports: [{ name: 'http', containerPort: 8080 }],
              envFrom: [{ configMapRef: { name: `${name}-config-7b9k2mt4f8` } }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
              lifecycle: { preStop: { sleep: { seconds: 5 } } },
              resources: RESOURCES,
              securityContext: RESTRICTED,
            },
          ],
        },
      },
    },
  };
}

function configMap(name: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${name}-config-7b9k2mt4f8`, name),
    data: { SHUTDOWN_DELAY_MS: '1000', SHUTDOWN_TIMEOUT_MS: '10000' },
  };
}

function serviceAccount(name: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, name) };
}

function hpa(name: string): KubernetesObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(name, name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
        },
      ],
    },
  };
}

function pdb(name: string): KubernetesObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(name, name),
    spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/component': name } } },
  };
}

function analysis(service: CanaryService, mesh: Mesh): Record<string, unknown> {
  switch (strategyOf(service, mesh)) {
    case 'canary':
      return { stepWeight: 10, maxWeight: 50 };
    case 'ab':
      return { iterations: 10, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] };
    case 'mirror':
      return { iterations: 10, mirror: true, mirrorWeight: 100 };
    default:
      return { iterations: 10 };
  }
}

function entrypoint(mesh: Mesh): KubernetesObject {
  if (mesh === 'istio') {
    return {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: meta('public-gateway'),
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['appdist.example.com'] },
        ],
      },
    };
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta('frontend', 'frontend'),
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'frontend', port: { number: 8080 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

function canary(service: CanaryService, mesh: Mesh): KubernetesObject {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: meta(service, service),
    spec: {
      provider: meshEntry(mesh).canaryProvider,
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service },
      autoscalerRef: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        name: service,
      },
      progressDeadlineSeconds: 120,
      service: {
        port: 8080,
        targetPort: 'http',
        portName: 'http',
        ...(mesh === 'linkerd'
          ? { gatewayRefs: [{ name: service, group: 'core', kind: 'Service', port: 8080 }] }
          : {}),
        ...(mesh === 'istio' && service === 'frontend'
          ? { gateways: ['public-gateway', 'mesh'], hosts: ['appdist.example.com'] }
          : {}),
      },
      analysis: {
        interval: '15s',
        threshold: 5,
        ...analysis(service, mesh),
        metrics: [
          {
            name: 'success-rate',
            templateRef: { name: 'success-rate' },
            thresholdRange: { min: 99 },
            interval: '1m',
          },
          {
            name: 'latency',
            templateRef: { name: 'latency' },
            thresholdRange: { max: 500 },
            interval: '1m',
          },
        ],
        webhooks: [
          {
            name: 'conformance',
            type: 'pre-rollout',
            url: 'http://tester.app/hooks/conformance',
            timeout: '60s',
            metadata: { service, url: `http://${service}-canary.app:8080` },
          },
          {
            name: 'load',
            type: 'rollout',
            url: 'http://tester.app/hooks/load',
            timeout: '5s',
            metadata: { url: `http://${service}-canary.app:8080/`, rps: '10', duration: '1m' },
          },
        ],
      },
    },
  };
}

function metricTemplate(name: string): KubernetesObject {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: meta(name),
    spec: {
      provider: { type: 'prometheus', address: 'http://prometheus.monitoring:9090' },
      query: 'sum(rate(http_requests_total{namespace="{{ namespace }}"}[{{ interval }}]))',
    },
  };
}

function store(name: 'redis' | 'postgres', port: number): KubernetesObject[] {
  const portName = `tcp-${name}`;
  return [
    serviceAccount(name),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(name, name),
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: {
          metadata: { labels: podLabels(name) },
          spec: {
            serviceAccountName: name,
            securityContext: { ...POD_SECURITY, runAsUser: 999 },
            containers: [
              {
                name,
                image: `docker.io/library/${name}:7.4.5-alpine`,
                ports: [{ name: portName, containerPort: port }],
                livenessProbe: { tcpSocket: { port: portName } },
                readinessProbe: { tcpSocket: { port: portName } },
                resources: RESOURCES,
                securityContext: RESTRICTED,
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, name),
      spec: {
        selector: { 'app.kubernetes.io/name': name },
        ports: [{ name: portName, port, targetPort: portName }],
      },
    },
  ];
}

function allowFrom(name: string, sources: readonly string[], port: string): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(name),
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/component': name } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: sources.map((source) => ({
            podSelector: { matchLabels: { 'app.kubernetes.io/component': source } },
          })),
          ports: [{ protocol: 'TCP', port }],
        },
      ],
    },
  };
}

function namespace(mesh: Mesh): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: NAMESPACE,
      labels: {
        'app.kubernetes.io/part-of': 'appdist',
        ...(mesh === 'istio' ? { 'istio-injection': 'enabled' } : {}),
      },
      ...(mesh === 'linkerd' ? { annotations: { 'linkerd.io/inject': 'enabled' } } : {}),
    },
  };
}

export function goodRender(mesh: Mesh): KubernetesObject[] {
  // A deep copy: the objects share constants (security contexts, resources) that tests edit.
  return structuredClone([
    namespace(mesh),
    ...CANARY_SERVICES.flatMap((service) => [
      serviceAccount(service),
      configMap(service),
      appDeployment(service, true),
      hpa(service),
      pdb(service),
      canary(service, mesh),
    ]),
    metricTemplate('success-rate'),
    metricTemplate('latency'),
    entrypoint(mesh),
    serviceAccount('tester'),
    configMap('tester'),
    appDeployment('tester', false),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('tester', 'tester'),
      spec: {
        selector: { 'app.kubernetes.io/name': 'tester' },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },
    ...store('redis', 6379),
    ...store('postgres', 5432),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny-ingress'),
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    allowFrom('backend', ['frontend', 'tester'], 'http'),
    allowFrom('cache', ['backend', 'tester'], 'http'),
    allowFrom('database', ['backend', 'tester'], 'http'),
    allowFrom('frontend', ['tester'], 'http'),
    allowFrom('redis', ['cache'], 'tcp-redis'),
    allowFrom('postgres', ['database'], 'tcp-postgres'),
  ]);
}

/** The alerts-slack option on top of a render: an AlertProvider, its Secret and alerts on every Canary. */
export function withSlackAlerts(objects: KubernetesObject[]): KubernetesObject[] {
  for (const object of objects) {
    if (object.kind !== 'Canary') continue;
    const spec = object.spec as { analysis: Record<string, unknown> };
    spec.analysis.alerts = [{ name: 'slack', severity: 'warn', providerRef: { name: 'slack' } }];
  }
  return [
    ...objects,
    {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'AlertProvider',
      metadata: meta('slack'),
      spec: { type: 'slack', channel: 'releases', secretRef: { name: 'slack-url' } },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('slack-url'), stringData: { address: 'x' } },
  ];
}

/** The object of `kind` named `name`; fails the test when it is missing. */
export function find(
  objects: readonly KubernetesObject[],
  kind: string,
  name: string,
): KubernetesObject & { spec: Record<string, unknown> } {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`test render has no ${kind}/${name}`);
  return found as KubernetesObject & { spec: Record<string, unknown> };
}
