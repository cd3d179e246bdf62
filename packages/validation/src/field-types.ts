import { readFile } from 'node:fs/promises';

/** Every core type's fields: type name (`V1PodSpec`) → field name → field type (`Array<V1Container>`). */
export type FieldTypes = Record<string, Record<string, string>>;

/**
 * Written by the build next to this module. @kubernetes/client-node's generated models hold
 * the same data, but importing them loads some 1,400 modules: 110–200 ms of a cold validation.
 */
export const FIELD_TYPES_FILE = new URL('./field-types.json', import.meta.url);

interface TypedModel {
  getAttributeTypeMap(): ReadonlyArray<{ baseName: string; type: string }>;
}

function isTypedModel(value: unknown): value is TypedModel {
  return (
    typeof value === 'function' &&
    typeof (value as { getAttributeTypeMap?: unknown }).getAttributeTypeMap === 'function'
  );
}

/** The field types of client-node's generated models. Only the models module is imported: the package root also loads the HTTP client. */
export async function fieldTypesFromClientNode(): Promise<FieldTypes> {
  const models: Record<string, unknown> = await import(
    '@kubernetes/client-node/dist/gen/models/all.js'
  );
  const types: FieldTypes = {};
  for (const [name, model] of Object.entries(models)) {
    if (!isTypedModel(model)) continue;
    types[name] = Object.fromEntries(
      model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]),
    );
  }
  return types;
}

/** From the built file; from client-node itself where there is none (tests run on sources). */
export function loadFieldTypes(file: URL = FIELD_TYPES_FILE): Promise<FieldTypes> {
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as FieldTypes,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      return fieldTypesFromClientNode();
    },
  );
}
