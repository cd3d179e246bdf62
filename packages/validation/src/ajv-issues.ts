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
  const messageOf = (error: AjvLikeError): string => {
    switch (error.keyword) {
      case 'additionalProperties':
        return `unknown field ${JSON.stringify(String(error.params.additionalProperty))}`;
      case 'required':
        return 'required field is missing';
      case 'enum':
        return `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      case 'oneOf':
      case 'anyOf': {
        const alternatives = describeAlternatives(resolveSchemaPath(schema, error.schemaPath));
        if (alternatives) return `set exactly one of: ${alternatives}`;
        const branchTypes = errors
          .filter((other) => compositeOf(other) === error)
          .map((other) => (other.keyword === 'type' ? String(other.params.type) : undefined));
        if (branchTypes.length > 0 && branchTypes.every((type) => type !== undefined))
          return `must be ${[...new Set(branchTypes)].join(' or ')}`;
        return error.message ?? `does not match the ${error.keyword} alternatives`;
      }
      default:
        return error.message ?? `fails ${error.keyword}`;
    }
  };
  const issues = errors
    .filter((error) => !compositeOf(error))
    .map((error): SchemaIssue => {
      const { instancePath, keyword, params } = error;
      const property = params.additionalProperty ?? params.missingProperty;
      const named = keyword === 'additionalProperties' || keyword === 'required';
      return {
        field: instancePathToField(instancePath, ...(named ? [String(property)] : [])),
        rule: keyword === 'additionalProperties' ? 'schema.unknown-field' : 'schema.invalid',
        message: messageOf(error),
      };
    });
  // A schema reached through two references reports the same problem twice.
  return [
    ...new Map(
      issues.map((issue) => [`${issue.field}\0${issue.rule}\0${issue.message}`, issue]),
    ).values(),
  ];
}
