import { isRecord } from '@appdist/catalogue/repository';
import { fieldPath } from './access.js';
import { type FieldTypes, loadFieldTypes } from './field-types.js';
import { splitApiVersion } from './models.js';

export interface UnknownField {
  field: string;
  message: string;
}

let loading: Promise<FieldTypes> | undefined;

/** The field types, loaded once; SchemaValidator starts this in the background. */
export function fieldTypes(): Promise<FieldTypes> {
  loading ??= loadFieldTypes();
  return loading;
}

/** client-node names types by version and kind, prefixed by group where names collide (CoreV1Event). */
function typeNameCandidates(apiVersion: string, kind: string): string[] {
  const { group, version } = splitApiVersion(apiVersion);
  const versionName = version.charAt(0).toUpperCase() + version.slice(1);
  const first = group.split('.')[0] ?? '';
  const groupName = group ? first.charAt(0).toUpperCase() + first.slice(1) : 'Core';
  return [`${groupName}${versionName}${kind}`, `${versionName}${kind}`];
}

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

function walk(
  value: unknown,
  type: string,
  path: Array<string | number>,
  models: FieldTypes,
  found: UnknownField[],
): void {
  if (PRIMITIVES.has(type) || value === null || value === undefined) return;
  const element = /^Array<(.+)>$/.exec(type) ?? /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (element) {
    const isArray = type.startsWith('Array<');
    if (isArray ? !Array.isArray(value) : !isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) {
      walk(item, element[1] ?? 'any', [...path, isArray ? Number(key) : key], models, found);
    }
    return;
  }
  const fields = models[type];
  if (!fields || !isRecord(value)) return;
  for (const [key, item] of Object.entries(value)) {
    // Own fields only: a field named `constructor` is no field of Object.prototype's.
    const fieldType = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (fieldType === undefined) {
      found.push({
        field: fieldPath(...path, key),
        message: `unknown field ${JSON.stringify(key)}`,
      });
    } else {
      walk(item, fieldType, [...path, key], models, found);
    }
  }
}

/**
 * Fields of a core object that its type does not define: the API server drops them silently
 * (or rejects them under strict field validation), and kubernetes-models does not notice them.
 * Returns undefined when client-node has no type for the kind.
 */
export async function unknownCoreFields(
  object: Record<string, unknown> & { apiVersion: string; kind: string },
): Promise<UnknownField[] | undefined> {
  const models = await fieldTypes();
  const type = typeNameCandidates(object.apiVersion, object.kind).find((name) => models[name]);
  if (!type) return undefined;
  const found: UnknownField[] = [];
  walk(object, type, [], models, found);
  return found;
}

/** Unknown fields of an object's metadata, for kinds whose own schema treats it as opaque. */
export async function unknownMetadataFields(metadata: unknown): Promise<UnknownField[]> {
  const models = await fieldTypes();
  const found: UnknownField[] = [];
  walk(metadata, 'V1ObjectMeta', ['metadata'], models, found);
  return found;
}
