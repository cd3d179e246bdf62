import { describe, expect, it } from 'vitest';
import { imagesOf, parseImageReference } from '../src/images.js';

describe('image references', () => {
  it('split name, tag and digest, with a registry port in the name', () => {
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
    expect(parseImageReference('localhost:5000/cache:1.0.0@sha256:abc')).toEqual({
      name: 'localhost:5000/cache',
      tag: '1.0.0',
      digest: 'sha256:abc',
    });
  });

  it('are collected from every container list of every workload kind', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'backend' },
      spec: {
        template: {
          spec: {
            initContainers: [{ name: 'migrate', image: 'ghcr.io/appdist/database:0.1.0' }],
            containers: [{ name: 'backend', image: 'ghcr.io/appdist/backend:0.1.0' }],
          },
        },
      },
    };
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'warm' },
      spec: {
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: 'warm', image: 'busybox:1.37' }] } } },
        },
      },
    };
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: { image: 'not-an-image' },
    };
    expect(imagesOf([deployment, cronJob, configMap])).toEqual([
      'ghcr.io/appdist/database:0.1.0',
      'ghcr.io/appdist/backend:0.1.0',
      'busybox:1.37',
    ]);
  });
});
