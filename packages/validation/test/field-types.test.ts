import { describe, expect, it } from 'vitest';
import { fieldTypesFromClientNode, loadFieldTypes } from '../src/field-types.js';

const BUILT = new URL('../dist/field-types.json', import.meta.url);

describe('field types', () => {
  it('the built file holds exactly what client-node’s models say (rebuild after upgrading it)', async () => {
    const built = await loadFieldTypes(BUILT);
    const fromClientNode = await fieldTypesFromClientNode();
    expect(built.size).toBe(Object.keys(fromClientNode).length);
    for (const [name, fields] of built) {
      expect(Object.fromEntries(fields), name).toEqual(fromClientNode[name]);
    }
    expect(built.get('V1ObjectMeta')?.get('labels')).toBe('{ [key: string]: string; }');
    expect(built.get('V1PodSpec')?.get('containers')).toBe('Array<V1Container>');
  });

  it('come from client-node itself where no file was built', async () => {
    const types = await loadFieldTypes(new URL('./no-such-file.json', import.meta.url));
    expect(types.get('V1Deployment')?.get('spec')).toBe('V1DeploymentSpec');
  });
});
