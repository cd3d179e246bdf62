import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { type AjvLikeError, ajvIssues, type SchemaIssue } from './ajv-issues.js';
import { type CrdRegistry, type CrdVersion, loadCrds, resolveCrdsDir } from './crds.js';
import { deprecatedApi } from './deprecated-apis.js';
import { findModel, type ModelClass, splitApiVersion } from './models.js';
import { unknownCoreFields, unknownMetadataFields } from './strict-fields.js';

export interface SchemaValidatorOptions {
  /** Folder of upstream CRDs; see resolveCrdsDir for the fallbacks. */
  crdsDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
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
  readonly crds: CrdRegistry;

  private constructor(crds: CrdRegistry) {
    this.crds = crds;
  }

  static async create(options: SchemaValidatorOptions = {}): Promise<SchemaValidator> {
    const dir = resolveCrdsDir({ crdsDir: options.crdsDir, env: options.env ?? process.env });
    return new SchemaValidator(await loadCrds(dir));
  }

  async validate(object: KubernetesObject): Promise<SchemaIssue[]> {
    // Retired apiVersions get one precise finding from the policy rules instead.
    if (deprecatedApi(object.apiVersion, object.kind)) return [];
    const { group, version } = splitApiVersion(object.apiVersion);
    const crdVersions = this.crds.kinds.get(`${group}/${object.kind}`);
    if (crdVersions) return this.validateCustomResource(object, version, crdVersions);

    const found = await findModel(object.apiVersion, object.kind);
    if (!found) {
      return [
        {
          field: 'apiVersion',
          rule: 'schema.unknown-kind',
          message: `no schema for ${object.apiVersion} ${object.kind}: not a Kubernetes, Flux, Istio or Gateway API kind, and no CRD in ${this.crds.dir} defines it`,
        },
      ];
    }
    const issues = ajvIssues(modelErrors(found.model, object));
    const unknown =
      found.source === 'kubernetes'
        ? ((await unknownCoreFields(object)) ?? (await unknownMetadataFields(object.metadata)))
        : await unknownMetadataFields(object.metadata);
    return [
      ...issues,
      ...unknown.map((field) => ({ ...field, rule: 'schema.unknown-field' as const })),
    ];
  }

  private async validateCustomResource(
    object: KubernetesObject,
    version: string,
    versions: readonly CrdVersion[],
  ): Promise<SchemaIssue[]> {
    const crd = versions.find((candidate) => candidate.version === version && candidate.served);
    if (!crd) {
      const served = versions
        .filter((candidate) => candidate.served)
        .map((candidate) => candidate.version);
      return [
        {
          field: 'apiVersion',
          rule: 'schema.unknown-kind',
          message: `${object.apiVersion} ${object.kind} is not served by the CRD (${versions[0]?.file ?? this.crds.dir}); served: ${served.join(', ') || 'none'}`,
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
    const typed = configMap
      ? ajvIssues(modelErrors(configMap.model, { metadata: object.metadata }))
      : [];
    const unknown = await unknownMetadataFields(object.metadata);
    return [
      ...typed,
      ...unknown.map((field) => ({ ...field, rule: 'schema.unknown-field' as const })),
    ];
  }
}
