import { isRecord } from '@appdist/kustomize/kubernetes-object';
import { fieldPath } from './access.js';
import { splitApiVersion } from './models.js';

interface Attribute {
  baseName: string;
  type: string;
}

interface TypedModel {
  getAttributeTypeMap(): readonly Attribute[];
}

export interface UnknownField {
  field: string;
  message: string;
}

function isTypedModel(value: unknown): value is TypedModel {
  return (
    typeof value === 'function' &&
    typeof (value as { getAttributeTypeMap?: unknown }).getAttributeTypeMap === 'function'
  );
}

let typeMaps: Promise<Map<string, TypedModel>> | undefined;

/**
 * @kubernetes/client-node's generated models know every field of every core type. Only the
 * models module is imported: the package root also loads the HTTP client, at triple the cost.
 */
function loadTypeMaps(): Promise<Map<string, TypedModel>> {
  typeMaps ??= import('@kubernetes/client-node/dist/gen/models/all.js').then(
    (models: Record<string, unknown>) =>
      new Map(
        Object.entries(models).filter((entry): entry is [string, TypedModel] =>
          isTypedModel(entry[1]),
        ),
      ),
  );
  return typeMaps;
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
  models: Map<string, TypedModel>,
  found: UnknownField[],
): void {
  if (PRIMITIVES.has(type) || value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        walk(item, array[1] ?? 'any', [...path, index], models, found);
      });
    }
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        walk(item, map[1] ?? 'any', [...path, key], models, found);
      }
    }
    return;
  }
  const model = models.get(type);
  if (!model || !isRecord(value)) return;
  const attributes = new Map(
    model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute]),
  );
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.get(key);
    if (!attribute) {
      found.push({
        field: fieldPath(...path, key),
        message: `unknown field ${JSON.stringify(key)}`,
      });
    } else {
      walk(item, attribute.type, [...path, key], models, found);
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
  const models = await loadTypeMaps();
  const type = typeNameCandidates(object.apiVersion, object.kind).find((name) => models.has(name));
  if (!type) return undefined;
  const found: UnknownField[] = [];
  walk(object, type, [], models, found);
  return found;
}

/** Unknown fields of an object's metadata, for kinds whose own schema treats it as opaque. */
export async function unknownMetadataFields(metadata: unknown): Promise<UnknownField[]> {
  const models = await loadTypeMaps();
  const found: UnknownField[] = [];
  walk(metadata, 'V1ObjectMeta', ['metadata'], models, found);
  return found;
}
