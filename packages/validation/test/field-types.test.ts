import { describe, expect, it } from 'vitest';
import { fieldTypesFromClientNode, loadFieldTypes } from '../src/field-types.js';
import { RENDERED_KINDS } from '../src/models.js';

const BUILT = new URL('../dist/field-types.json', import.meta.url);

describe('the models bundle', () => {
  it('holds the model of every rendered kind that is not a CRD, from the packages findModel reads', async () => {
    const bundle: Record<string, { apiVersion: string; kind: string }> = await import(
      new URL('../dist/models-bundle.js', import.meta.url).href
    );
    const key = ([apiVersion, kind]: readonly [string, string]) => `${apiVersion} ${kind}`;
    expect(
      Object.values(bundle)
        .map(({ apiVersion, kind }) => key([apiVersion, kind]))
        .sort(),
    ).toEqual(
      RENDERED_KINDS.filter(([apiVersion]) => !apiVersion.startsWith('flagger.app/'))
        .map(key)
        .sort(),
    );
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment');
    const bundled = Object.values(bundle).find((model) => model.kind === 'Deployment') as
      | (new (
          data: unknown,
        ) => { validate(): void })
      | undefined;
    // The same schema: the bundled class rejects what the package's rejects.
    const broken = { metadata: { name: 'x' }, spec: { replicas: 'two' } };
    expect(() => new Deployment(broken as never).validate()).toThrow();
    expect(() => bundled && new bundled(broken).validate()).toThrow();
  });
});

describe('field types', () => {
  it('the built file holds exactly what client-node’s models say (rebuild after upgrading it)', async () => {
    const built = await loadFieldTypes(BUILT);
    const fromClientNode = await fieldTypesFromClientNode();
    expect(Object.keys(built).length).toBe(Object.keys(fromClientNode).length);
    for (const [name, fields] of Object.entries(built)) {
      expect(fields, name).toEqual(fromClientNode[name]);
    }
    expect(built.V1ObjectMeta?.labels).toBe('{ [key: string]: string; }');
    expect(built.V1PodSpec?.containers).toBe('Array<V1Container>');
  });

  it('come from client-node itself where no file was built', async () => {
    const types = await loadFieldTypes(new URL('./no-such-file.json', import.meta.url));
    expect(types.V1Deployment?.spec).toBe('V1DeploymentSpec');
  });
});
