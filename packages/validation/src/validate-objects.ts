import { type Mesh, meshOfDistribution } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { type Finding, findingOf } from './finding.js';
import { checkPolicy } from './policy.js';
import { SchemaValidator } from './schema.js';

export interface ValidationContext {
  /** Name printed with every finding; `app-<mesh>` also selects the mesh's strategy table. */
  distribution: string;
  /** Overrides the mesh read from the distribution name; without either, each Canary's provider decides. */
  mesh?: Mesh | undefined;
  /** A validator to reuse across renders, or false to run the policy rules only. */
  schemas?: SchemaValidator | false;
}

/** Schema, cross-reference and policy findings for the objects of one render. */
export async function validateObjects(
  objects: readonly KubernetesObject[],
  context: ValidationContext,
): Promise<Finding[]> {
  const schemas =
    context.schemas === false ? undefined : (context.schemas ?? (await SchemaValidator.create()));
  const findings: Finding[] = [];
  if (schemas) {
    for (const object of objects) {
      for (const issue of await schemas.validate(object)) {
        findings.push(findingOf(context.distribution, object, issue));
      }
    }
  }
  const mesh = context.mesh ?? meshOfDistribution(context.distribution);
  for (const finding of checkPolicy(objects, { mesh })) {
    findings.push(findingOf(context.distribution, finding.object, finding));
  }
  return findings;
}
