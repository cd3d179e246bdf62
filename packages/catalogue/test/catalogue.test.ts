import { describe, expect, it } from 'vitest';
import {
  CANARY_SERVICES,
  CONFORMANCE_SERVICES,
  DISTRIBUTIONS,
  meshOfDistribution,
  meshOfProvider,
  parseImageReference,
  SERVICES,
  startOrder,
} from '../src/catalogue.js';

describe('catalogue', () => {
  it('derives the start order from the calls: callees first', () => {
    expect(startOrder()).toEqual([['cache', 'database', 'tester'], ['backend'], ['frontend']]);
  });

  it('refuses calls that name an unknown service or form a cycle', () => {
    expect(() =>
      startOrder([
        { name: 'a', localPort: 1, calls: { B_URL: 'b' }, conformance: false },
        { name: 'b', localPort: 2, calls: { A_URL: 'a' }, conformance: false },
      ]),
    ).toThrow('cycle or name an unknown service: a, b');
  });

  it('lists the canaried and conformance-tested services', () => {
    expect(CANARY_SERVICES).toEqual(['frontend', 'backend', 'cache', 'database']);
    expect(CONFORMANCE_SERVICES).toEqual(['frontend', 'backend', 'cache', 'database']);
    expect(SERVICES.map((service) => service.name)).toContain('tester');
  });

  it('names one distribution per mesh and maps Canary providers back to meshes', () => {
    expect(DISTRIBUTIONS).toEqual(['app-kubernetes', 'app-istio', 'app-linkerd']);
    expect(meshOfDistribution('app-linkerd')).toBe('linkerd');
    expect(meshOfDistribution('app-nginx')).toBeUndefined();
    expect(meshOfProvider('gatewayapi:v1beta1')).toBe('linkerd');
    expect(meshOfProvider('smi:v1alpha3')).toBe('linkerd');
    expect(meshOfProvider('istio')).toBe('istio');
    expect(meshOfProvider('contour')).toBeUndefined();
  });

  it('splits image references into name, tag and digest, with a registry port in the name', () => {
    expect(parseImageReference('ghcr.io/appdist/backend:0.2.0')).toEqual({
      name: 'ghcr.io/appdist/backend',
      tag: '0.2.0',
      digest: undefined,
    });
    expect(parseImageReference('localhost:5000/appdist/cache')).toEqual({
      name: 'localhost:5000/appdist/cache',
      tag: undefined,
      digest: undefined,
    });
    expect(parseImageReference('localhost:5000/team/api:1.2.3@sha256:abc')).toEqual({
      name: 'localhost:5000/team/api',
      tag: '1.2.3',
      digest: 'sha256:abc',
    });
  });
});
