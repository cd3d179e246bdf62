import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { indentQuotedContinuations, loadCrdDocuments } from '../src/crd-yaml.js';
import {
  CrdRegistry,
  CrdsInvalidError,
  CrdsNotFoundError,
  resolveCrdsDir,
  strictSchema,
} from '../src/crds.js';
import { writeTree } from './tree.js';

describe('resolveCrdsDir', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('takes the option first, then APPDIST_CRDS_DIR, then ../shared/crds beside the repository', async () => {
    const option = await writeTree({ 'option/.keep': '' });
    const fromEnv = await writeTree({ 'env/.keep': '' });
    const root = await writeTree({ 'shared/crds/.keep': '', 'repo/package.json': '{}' });
    const repo = join(root, 'repo');
    vi.stubEnv('APPDIST_CRDS_DIR', join(fromEnv, 'env'));

    expect(resolveCrdsDir(join(option, 'option'), repo)).toBe(join(option, 'option'));
    expect(resolveCrdsDir(undefined, repo)).toBe(join(fromEnv, 'env'));
    vi.stubEnv('APPDIST_CRDS_DIR', '');
    expect(resolveCrdsDir(undefined, repo)).toBe(join(root, 'shared/crds'));
  });

  it('says how to provide CRDs when there are none', async () => {
    const lonely = await writeTree({ 'repo/package.json': '{}' });
    const repo = join(lonely, 'repo');
    vi.stubEnv('APPDIST_CRDS_DIR', '');
    const attempt = () => resolveCrdsDir(undefined, repo);
    expect(attempt).toThrow(CrdsNotFoundError);
    expect(attempt).toThrow(/set APPDIST_CRDS_DIR/);
    expect(attempt).toThrow(/packages\/validation\/scripts\/fetch-crds.sh/);
  });

  it('names a configured folder that does not exist', () => {
    expect(() => resolveCrdsDir('/nonexistent/crds')).toThrow(
      /CRD folder \/nonexistent\/crds does not exist/,
    );
    vi.stubEnv('APPDIST_CRDS_DIR', '/nonexistent/env');
    expect(() => resolveCrdsDir()).toThrow(/APPDIST_CRDS_DIR=\/nonexistent\/env does not exist/);
  });
});

describe('strictSchema', () => {
  it('closes objects with properties, except inside compositions and preserved fields', () => {
    const schema = strictSchema({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { port: { 'x-kubernetes-int-or-string': true } },
          oneOf: [{ properties: { a: { type: 'string' } } }],
        },
        extra: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { x: { type: 'string' } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            port: {
              'x-kubernetes-int-or-string': true,
              anyOf: [{ type: 'integer' }, { type: 'string' }],
            },
          },
          oneOf: [{ properties: { a: { type: 'string' } } }],
        },
        extra: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { x: { type: 'string' } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
  });
});

describe('loadCrds', () => {
  it('registers every served version once, though Flagger ships its CRDs twice', async () => {
    const kinds = await (await CrdRegistry.open(resolveCrdsDir())).all();
    const versions = (key: string) => kinds.get(key)?.map((crd) => crd.version);
    expect(versions('flagger.app/Canary')).toEqual(['v1beta1']);
    expect(versions('flagger.app/MetricTemplate')).toEqual(['v1beta1']);
    expect(versions('flagger.app/AlertProvider')).toEqual(['v1beta1']);
    expect(versions('gateway.networking.k8s.io/HTTPRoute')).toEqual(['v1', 'v1beta1']);
    expect(versions('split.smi-spec.io/TrafficSplit')).toEqual(['v1alpha1', 'v1alpha2']);
  });

  it('refuses a folder without CRDs', async () => {
    const empty = await writeTree({ 'notes.yaml': 'kind: ConfigMap\n' });
    await expect((await CrdRegistry.open(empty)).all()).rejects.toThrow(
      /no CustomResourceDefinitions under/,
    );
    const nothing = await writeTree({ 'README.md': 'no YAML here\n' });
    await expect(CrdRegistry.open(nothing)).rejects.toThrow(/no CustomResourceDefinitions under/);
  });

  it('reads files only as far as a lookup needs', async () => {
    const crd = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'spec:',
      '  group: example.com',
      '  names: { kind: Widget }',
      '  versions:',
      '    - name: v1',
      '      served: true',
      '      schema: { openAPIV3Schema: { type: object } }',
      '',
    ].join('\n');
    const dir = await writeTree({ 'a.yaml': crd, 'b.yaml': 'spec: [never closed\n' });
    const registry = await CrdRegistry.open(dir);
    // b.yaml is broken, and a lookup that a.yaml answers never reads it.
    expect((await registry.find('example.com/Widget'))?.map((version) => version.file)).toEqual([
      'a.yaml',
    ]);
    await expect(registry.find('example.com/Gadget')).rejects.toThrow(CrdsInvalidError);
  });
});

describe('reading upstream CRD files', () => {
  it('accepts quoted descriptions continued at the key indentation, as kubectl does', () => {
    const text = [
      'properties:',
      '  apiVersion:',
      "    description: 'APIVersion defines the versioned schema",
      "    of an object. It''s a string.",
      "    more: text'",
      '    type: string',
      '  kind:',
      '    description: |',
      "      a block with a ' quote",
      '    type: string',
    ].join('\n');
    expect(loadCrdDocuments(text, 'crd.yaml')).toEqual([
      {
        properties: {
          apiVersion: {
            description:
              "APIVersion defines the versioned schema of an object. It's a string. more: text",
            type: 'string',
          },
          kind: { description: "a block with a ' quote\n", type: 'string' },
        },
      },
    ]);
    expect(indentQuotedContinuations('a: "one line"\n')).toBe('a: "one line"\n');
  });

  it("parses Flagger's CRD file", () => {
    const file = join(resolveCrdsDir(), 'flagger', 'crd.yaml');
    const kinds = loadCrdDocuments(readFileSync(file, 'utf8'), file).map(
      (document) => (document as { spec: { names: { kind: string } } }).spec.names.kind,
    );
    expect(kinds).toEqual(['Canary', 'MetricTemplate', 'AlertProvider']);
  });
});
