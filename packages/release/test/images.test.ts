import { describe, expect, it } from 'vitest';
import { imagesOf } from '../src/images.js';

describe('image references', () => {
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
