import { asRecord, fieldPath } from './access.js';

/** The parts of an ajv error this module reads; kubernetes-models' errors have the same shape. */
export interface AjvLikeError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface SchemaIssue {
  field: string;
  rule: 'schema.invalid' | 'schema.unknown-field' | 'schema.unknown-kind' | 'api.deprecated';
  message: string;
}

/** `/spec/ports/0/name` → `spec.ports[0].name`. */
function instancePathToField(pointer: string, ...extra: string[]): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .concat(extra);
  return fieldPath(
    ...segments.map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment)),
  );
}

function resolveSchemaPath(schema: unknown, schemaPath: string): unknown {
  if (!schemaPath.startsWith('#/')) return undefined;
  let node = schema;
  for (const raw of schemaPath.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    node = Array.isArray(node) ? node[Number(key)] : asRecord(node)?.[key];
  }
  return node;
}

/**
 * Reads a oneOf/anyOf whose alternatives only differ by required fields, e.g. Flagger's
 * analysis (`interval + threshold + iterations | … + stepWeight | … + stepWeights`).
 */
function describeAlternatives(branches: unknown): string | undefined {
  if (!Array.isArray(branches)) return undefined;
  const alternatives = branches.map((branch) => {
    const record = asRecord(branch);
    const required = record?.required;
    if (!record || Object.keys(record).length !== 1 || !Array.isArray(required)) return undefined;
    return required.join(' + ');
  });
  if (alternatives.some((alternative) => alternative === undefined)) return undefined;
  return alternatives.join(' | ');
}

/**
 * Turns ajv errors into one issue per problem: alternatives of a oneOf/anyOf are folded into
 * the composite error instead of listing why each branch failed.
 */
export function ajvIssues(errors: readonly AjvLikeError[], schema?: unknown): SchemaIssue[] {
  const composites = errors.filter(
    (error) => error.keyword === 'oneOf' || error.keyword === 'anyOf',
  );
  // Precompiled validators (kubernetes-models) report branch errors with schema paths relative
  // to the branch, so a type error at the composite's own path counts as one of its branches.
  const compositeOf = (error: AjvLikeError) =>
    composites.find(
      (composite) =>
        composite !== error &&
        (error.schemaPath.startsWith(`${composite.schemaPath}/`) ||
          (error.keyword === 'type' && error.instancePath === composite.instancePath)),
    );
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    if (compositeOf(error)) continue;
    switch (error.keyword) {
      case 'additionalProperties': {
        const name = String(error.params.additionalProperty);
        issues.push({
          field: instancePathToField(error.instancePath, name),
          rule: 'schema.unknown-field',
          message: `unknown field ${JSON.stringify(name)}`,
        });
        break;
      }
      case 'required':
        issues.push({
          field: instancePathToField(error.instancePath, String(error.params.missingProperty)),
          rule: 'schema.invalid',
          message: 'required field is missing',
        });
        break;
      case 'enum':
        issues.push({
          field: instancePathToField(error.instancePath),
          rule: 'schema.invalid',
          message: `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
        });
        break;
      case 'oneOf':
      case 'anyOf': {
        const branches = errors.filter((other) => compositeOf(other) === error);
        const branchTypes = branches.map((other) =>
          other.keyword === 'type' ? String(other.params.type) : undefined,
        );
        const alternatives = describeAlternatives(resolveSchemaPath(schema, error.schemaPath));
        let message: string;
        if (alternatives) message = `set exactly one of: ${alternatives}`;
        else if (branchTypes.length > 0 && branchTypes.every((type) => type !== undefined))
          message = `must be ${[...new Set(branchTypes)].join(' or ')}`;
        else message = error.message ?? `does not match the ${error.keyword} alternatives`;
        issues.push({
          field: instancePathToField(error.instancePath),
          rule: 'schema.invalid',
          message,
        });
        break;
      }
      default:
        issues.push({
          field: instancePathToField(error.instancePath),
          rule: 'schema.invalid',
          message: error.message ?? `fails ${error.keyword}`,
        });
    }
  }
  // A schema reached through two references reports the same problem twice.
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.field}\0${issue.rule}\0${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
