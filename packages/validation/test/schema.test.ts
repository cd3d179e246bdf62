import { MESH_NAMES } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { beforeAll, describe, expect, it } from 'vitest';
import { SchemaValidator } from '../src/schema.js';
import { push, set, unset } from './mutate.js';
import { find, goodRender, withSlackAlerts } from './render-factory.js';

let schemas: SchemaValidator;
beforeAll(async () => {
  schemas = await SchemaValidator.create();
});

async function issuesOf(object: KubernetesObject) {
  return schemas.validate(object);
}

function canary(): KubernetesObject {
  return find(goodRender('istio'), 'Canary', 'backend');
}

describe('schema validation', () => {
  it.each(MESH_NAMES)(
    'accepts every object of a render that follows the contract (%s)',
    async (mesh) => {
      for (const object of withSlackAlerts(goodRender(mesh))) {
        expect({
          object: `${object.kind}/${object.metadata.name}`,
          issues: await issuesOf(object),
        }).toEqual({
          object: `${object.kind}/${object.metadata.name}`,
          issues: [],
        });
      }
    },
  );

  describe('core kinds (kubernetes-models, client-node field lists)', () => {
    it('fails wrong types and missing required fields', async () => {
      const deployment = find(goodRender('istio'), 'Deployment', 'backend');
      set(deployment, 'spec.replicas', '3');
      unset(deployment, 'spec.template.spec.containers.0.name');
      expect(await issuesOf(deployment)).toEqual([
        { field: 'spec.replicas', rule: 'schema.invalid', message: 'must be integer' },
        {
          field: 'spec.template.spec.containers[0].name',
          rule: 'schema.invalid',
          message: 'required field is missing',
        },
      ]);
    });

    it('fails unknown fields at any depth', async () => {
      const deployment = find(goodRender('istio'), 'Deployment', 'backend');
      set(deployment, 'spec.replicaz', 2);
      set(deployment, 'spec.template.spec.containers.0.resources.limitz', {});
      set(deployment, 'status2', {});
      expect(await issuesOf(deployment)).toEqual(
        expect.arrayContaining([
          {
            field: 'spec.replicaz',
            rule: 'schema.unknown-field',
            message: 'unknown field "replicaz"',
          },
          {
            field: 'spec.template.spec.containers[0].resources.limitz',
            rule: 'schema.unknown-field',
            message: 'unknown field "limitz"',
          },
          { field: 'status2', rule: 'schema.unknown-field', message: 'unknown field "status2"' },
        ]),
      );
    });

    it('folds an int-or-string mismatch into one message', async () => {
      const budget = find(goodRender('istio'), 'PodDisruptionBudget', 'backend');
      set(budget, 'spec.maxUnavailable', { percent: 1 });
      expect(await issuesOf(budget)).toEqual([
        {
          field: 'spec.maxUnavailable',
          rule: 'schema.invalid',
          message: expect.stringMatching(/must be/),
        },
      ]);
    });
  });

  describe('CRD kinds (ajv over the upstream CRDs)', () => {
    it('fails an unknown field in a Canary, naming its path', async () => {
      const object = canary();
      set(object, 'spec.analysis.webhooks.0.timout', '5s');
      expect(await issuesOf(object)).toEqual([
        {
          field: 'spec.analysis.webhooks[0].timout',
          rule: 'schema.unknown-field',
          message: 'unknown field "timout"',
        },
      ]);
    });

    it('fails enums, listing the allowed values', async () => {
      const object = canary();
      set(object, 'spec.provider', 'isito');
      const [issue] = await issuesOf(object);
      expect(issue).toMatchObject({ field: 'spec.provider', rule: 'schema.invalid' });
      expect(issue?.message).toMatch(/^must be one of .*"gatewayapi:v1beta1".*"istio"/);
    });

    it('explains the analysis oneOf instead of listing each branch', async () => {
      const object = canary();
      set(object, 'spec.analysis.iterations', 10);
      expect(await issuesOf(object)).toEqual([
        {
          field: 'spec.analysis',
          rule: 'schema.invalid',
          message:
            'set exactly one of: interval + threshold + iterations | interval + threshold + stepWeight | interval + threshold + stepWeights',
        },
      ]);
    });

    it('fails an AlertProvider with both address and secretRef', async () => {
      const provider = find(withSlackAlerts(goodRender('istio')), 'AlertProvider', 'slack');
      set(provider, 'spec.address', 'https://hooks.slack.com/services/x');
      expect(await issuesOf(provider)).toEqual([
        {
          field: 'spec',
          rule: 'schema.invalid',
          message: 'set exactly one of: type + address | type + secretRef',
        },
      ]);
    });

    it('checks x-kubernetes-int-or-string fields as integer or string', async () => {
      const object = canary();
      set(object, 'spec.service.targetPort', { name: 'http' });
      expect(await issuesOf(object)).toEqual([
        {
          field: 'spec.service.targetPort',
          rule: 'schema.invalid',
          message: 'must be integer or string',
        },
      ]);
    });

    it('checks metadata as an ObjectMeta', async () => {
      const object = canary();
      set(object, 'metadata.lables', {});
      set(object, 'metadata.annotations', { 'flagger.app/config-tracking': false });
      expect(await issuesOf(object)).toEqual(
        expect.arrayContaining([
          {
            field: 'metadata.lables',
            rule: 'schema.unknown-field',
            message: 'unknown field "lables"',
          },
          expect.objectContaining({
            field: 'metadata.annotations["flagger.app/config-tracking"]',
            rule: 'schema.invalid',
          }),
        ]),
      );
    });

    it('validates HTTPRoutes from the Gateway API CRD, unknown fields included', async () => {
      const route: KubernetesObject = {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'frontend', namespace: 'app' },
        spec: {
          parentRefs: [{ name: 'public' }],
          rules: [{ backendRefs: [{ name: 'frontend', port: 8080, weigth: 10 }] }],
        },
      };
      expect(await issuesOf(route)).toEqual([
        {
          field: 'spec.rules[0].backendRefs[0].weigth',
          rule: 'schema.unknown-field',
          message: 'unknown field "weigth"',
        },
      ]);
    });

    it('names the served versions when a CRD does not serve the one used', async () => {
      const object = canary();
      set(object, 'apiVersion', 'flagger.app/v1alpha1');
      expect(await issuesOf(object)).toEqual([
        {
          field: 'apiVersion',
          rule: 'schema.unknown-kind',
          message: expect.stringMatching(
            /flagger.app\/v1alpha1 Canary is not served by the CRD .*served: v1beta1/,
          ),
        },
      ]);
    });
  });

  describe('Flux, Istio and Gateway API models', () => {
    it('fails wrong types in Flux objects', async () => {
      const kustomization: KubernetesObject = {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'appdist', namespace: 'flux-system' },
        spec: {
          interval: '10m',
          path: './dist/app-istio',
          prune: 'yes',
          sourceRef: { kind: 'GitRepository', name: 'appdist' },
        },
      };
      expect(await issuesOf(kustomization)).toEqual([
        { field: 'spec.prune', rule: 'schema.invalid', message: 'must be boolean' },
      ]);
    });

    it('fails wrong types in Istio objects and unknown metadata fields', async () => {
      const service: KubernetesObject = {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'frontend', namespace: 'app', annotation: {} },
        spec: {
          hosts: ['frontend'],
          http: [{ route: [{ destination: { host: 'frontend' }, weight: 'ten' }] }],
        },
      };
      expect(await issuesOf(service)).toEqual([
        {
          field: 'spec.http[0].route[0].weight',
          rule: 'schema.invalid',
          message: 'must be integer',
        },
        {
          field: 'metadata.annotation',
          rule: 'schema.unknown-field',
          message: 'unknown field "annotation"',
        },
      ]);
    });

    it('takes Gateway API kinds the CRD folder lacks from the models', async () => {
      const gateway: KubernetesObject = {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'public', namespace: 'app' },
        spec: {
          gatewayClassName: 'istio',
          listeners: [{ name: 'http', port: '80', protocol: 'HTTP' }],
        },
      };
      expect(await issuesOf(gateway)).toEqual([
        { field: 'spec.listeners[0].port', rule: 'schema.invalid', message: 'must be integer' },
      ]);
    });
  });

  it('fails a kind no schema knows, saying where CRDs come from', async () => {
    const issues = await issuesOf({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'prometheus' },
    });
    expect(issues).toEqual([
      {
        field: 'apiVersion',
        rule: 'schema.unknown-kind',
        message: expect.stringMatching(
          /^no schema for policy.linkerd.io\/v1alpha1 AuthorizationPolicy: .*no CRD in .* defines it$/,
        ),
      },
    ]);
  });

  it('leaves retired apiVersions to the api rules, without schema noise', async () => {
    const hpa = find(goodRender('istio'), 'HorizontalPodAutoscaler', 'backend');
    set(hpa, 'apiVersion', 'autoscaling/v2beta1');
    push(hpa, 'spec.metrics', {
      type: 'Resource',
      resource: { name: 'memory', targetAverageUtilization: 80 },
    });
    expect(await issuesOf(hpa)).toEqual([]);
  });
});
