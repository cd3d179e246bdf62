import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { type AjvLikeError, ajvIssues, type SchemaIssue } from './ajv-issues.js';
import { CrdRegistry, type CrdVersion, resolveCrdsDir } from './crds.js';
import { deprecatedApi } from './deprecated-apis.js';
import { findModel, type ModelClass, RENDERED_KINDS, splitApiVersion } from './models.js';
import { fieldTypes, unknownCoreFields, unknownMetadataFields } from './strict-fields.js';

type Schema =
  | { source: 'crd'; versions: readonly CrdVersion[] }
  | { source: 'model'; model: ModelClass; kubernetes: boolean }
  | undefined;

/**
 * Where the schema of apiVersion/kind comes from. Built-in Kubernetes kinds never wait for the
 * CRD folder: the API server serves their groups itself, so no CRD can define them. Any other
 * kind is looked up in the CRDs first, which win over the model packages.
 */
async function schemaOf(crds: CrdRegistry, apiVersion: string, kind: string): Promise<Schema> {
  const found = await findModel(apiVersion, kind);
  if (found?.source === 'kubernetes')
    return { source: 'model', model: found.model, kubernetes: true };
  const versions = await crds.find(`${splitApiVersion(apiVersion).group}/${kind}`);
  if (versions) return { source: 'crd', versions };
  return found ? { source: 'model', model: found.model, kubernetes: false } : undefined;
}

let preloadStarted = false;

/**
 * Makes RENDERED_KINDS ready in their order: compiles their CRD schemas and loads their models
 * and the core field types, yielding between kinds so that a finished render is picked up at
 * once. Once per process; what fails here fails again, and is reported, in use.
 */
function preload(crds: Promise<CrdRegistry>): void {
  if (preloadStarted) return;
  preloadStarted = true;
  (async () => {
    await fieldTypes();
    const registry = await crds;
    for (const [apiVersion, kind] of RENDERED_KINDS) {
      const schema = await schemaOf(registry, apiVersion, kind);
      const { version } = splitApiVersion(apiVersion);
      if (schema?.source === 'crd') {
        schema.versions.find((candidate) => candidate.version === version)?.validate();
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  })().catch(() => undefined);
}

function unknownFieldIssues(fields: Omit<SchemaIssue, 'rule'>[]): SchemaIssue[] {
  return fields.map((field) => ({ ...field, rule: 'schema.unknown-field' }));
}

function modelErrors(model: ModelClass, object: Record<string, unknown>): AjvLikeError[] {
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: unknown }).errors;
    if (Array.isArray(errors)) return errors as AjvLikeError[];
    throw error;
  }
}

/**
 * Checks objects against their schemas: Flagger, Gateway API HTTPRoute and Linkerd SMI from
 * CRD files (strict: unknown fields fail), everything else from kubernetes-models and its Flux,
 * Istio and Gateway API companions (types, required fields, enums), plus an unknown-field walk
 * over core kinds and every object's metadata.
 */
export class SchemaValidator {
  readonly #crds: Promise<CrdRegistry>;

  private constructor(crds: Promise<CrdRegistry>) {
    this.#crds = crds;
  }

  /**
   * Resolves the CRD folder (CrdsNotFoundError when there is none) and starts loading the CRDs,
   * the models of the kinds distributions render and the core field types. It does not wait for
   * them: that one-time loading takes longer than validating every object of a distribution,
   * and it runs while the caller renders, whose kustomize leaves this process idle. A failure
   * to load the CRDs is thrown by validate().
   */
  static async create(options: { crdsDir?: string | undefined } = {}): Promise<SchemaValidator> {
    const dir = resolveCrdsDir(options.crdsDir);
    // From the next turn of the event loop on, so that the caller's first render starts first.
    const crds = new Promise((resolve) => setImmediate(resolve)).then(() => CrdRegistry.open(dir));
    crds.catch(() => undefined);
    preload(crds);
    return new SchemaValidator(crds);
  }

  async validate(object: KubernetesObject): Promise<SchemaIssue[]> {
    // Retired apiVersions get one precise finding from the policy rules instead.
    if (deprecatedApi(object.apiVersion, object.kind)) return [];
    const crds = await this.#crds;
    const schema = await schemaOf(crds, object.apiVersion, object.kind);
    if (schema?.source === 'crd') {
      return this.validateCustomResource(object, crds.dir, schema.versions);
    }
    if (!schema) {
      return [
        {
          field: 'apiVersion',
          rule: 'schema.unknown-kind',
          message: `no schema for ${object.apiVersion} ${object.kind}: not a Kubernetes, Flux, Istio or Gateway API kind, and no CRD in ${crds.dir} defines it`,
        },
      ];
    }
    const unknown = schema.kubernetes ? await unknownCoreFields(object) : undefined;
    return [
      ...ajvIssues(modelErrors(schema.model, object)),
      ...unknownFieldIssues(unknown ?? (await unknownMetadataFields(object.metadata))),
    ];
  }

  private async validateCustomResource(
    object: KubernetesObject,
    crdsDir: string,
    versions: readonly CrdVersion[],
  ): Promise<SchemaIssue[]> {
    const { version } = splitApiVersion(object.apiVersion);
    const crd = versions.find((candidate) => candidate.version === version && candidate.served);
    if (!crd) {
      const served = versions
        .filter((candidate) => candidate.served)
        .map((candidate) => candidate.version);
      return [
        {
          field: 'apiVersion',
          rule: 'schema.unknown-kind',
          message: `${object.apiVersion} ${object.kind} is not served by the CRD (${versions[0]?.file ?? crdsDir}); served: ${served.join(', ') || 'none'}`,
        },
      ];
    }
    const issues: SchemaIssue[] = [];
    if (crd.deprecationWarning) {
      issues.push({ field: 'apiVersion', rule: 'api.deprecated', message: crd.deprecationWarning });
    }
    const validate = crd.validate();
    if (!validate(object)) issues.push(...ajvIssues(validate.errors ?? [], crd.schema));
    issues.push(...(await this.metadataIssues(object)));
    return issues;
  }

  /** CRD schemas leave metadata opaque; check it as the API server does, as an ObjectMeta. */
  private async metadataIssues(object: KubernetesObject): Promise<SchemaIssue[]> {
    const configMap = await findModel('v1', 'ConfigMap');
    return [
      ...(configMap ? ajvIssues(modelErrors(configMap.model, { metadata: object.metadata })) : []),
      ...unknownFieldIssues(await unknownMetadataFields(object.metadata)),
    ];
  }
}
