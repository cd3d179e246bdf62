import { isRecord } from '@appdist/catalogue/repository';
import { fieldPath } from './access.js';
import type { SchemaIssue } from './ajv-issues.js';
import { type FieldTypes, loadFieldTypes } from './field-types.js';
import { splitApiVersion } from './models.js';

export type UnknownField = Omit<SchemaIssue, 'rule'>;

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

/** Collects into `found` (and returns it) every field of `value` that `type` does not define. */
function walk(
  value: unknown,
  type: string,
  path: Array<string | number>,
  models: FieldTypes,
  found: UnknownField[] = [],
): UnknownField[] {
  if (PRIMITIVES.has(type) || value === null || value === undefined) return found;
  const element = /^Array<(.+)>$/.exec(type) ?? /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (element) {
    const isArray = type.startsWith('Array<');
    if (isArray ? !Array.isArray(value) : !isRecord(value)) return found;
    for (const [key, item] of Object.entries(value)) {
      walk(item, element[1] ?? 'any', [...path, isArray ? Number(key) : key], models, found);
    }
    return found;
  }
  const fields = models[type];
  if (!fields || !isRecord(value)) return found;
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
  return found;
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
  return type ? walk(object, type, [], models) : undefined;
}

/** Unknown fields of an object's metadata, for kinds whose own schema treats it as opaque. */
export async function unknownMetadataFields(metadata: unknown): Promise<UnknownField[]> {
  return walk(metadata, 'V1ObjectMeta', ['metadata'], await fieldTypes());
}
