import { isRecord } from '@appdist/catalogue/repository';

/**
 * Safe reads from rendered objects. Policy checks run even on objects that failed their schema,
 * so no field may be assumed to exist or to have its declared type.
 */
export function at(value: unknown, ...path: ReadonlyArray<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number' ? !Array.isArray(current) : !isRecord(current)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asStringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(asRecord(value) ?? {})) {
    if (typeof entry === 'string') result[key] = entry;
  }
  return result;
}

/** A field path as Kubernetes prints them: `spec.template.spec.containers[0].ports`. */
export function fieldPath(...segments: ReadonlyArray<string | number>): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) path += path ? `.${segment}` : segment;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

/** Does `selector` (matchLabels, and matchExpressions where given) select `labels`? */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  const record = asRecord(selector);
  if (!record) return false;
  // A label selector has matchLabels/matchExpressions; a Service selector is a plain map.
  const isLabelSelector = 'matchLabels' in record || 'matchExpressions' in record;
  const matchLabels = asStringMap(isLabelSelector ? record.matchLabels : record);
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) return false;
  }
  for (const expression of isLabelSelector ? asList(record.matchExpressions) : []) {
    const key = asString(at(expression, 'key')) ?? '';
    const values = asList(at(expression, 'values')).filter(
      (v): v is string => typeof v === 'string',
    );
    const operator = asString(at(expression, 'operator'));
    const present = key in labels;
    const value = labels[key] ?? '';
    if (operator === 'In' && !(present && values.includes(value))) return false;
    if (operator === 'NotIn' && present && values.includes(value)) return false;
    if (operator === 'Exists' && !present) return false;
    if (operator === 'DoesNotExist' && present) return false;
  }
  return true;
}
