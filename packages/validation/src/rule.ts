import type { Mesh } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
import { asRecord, at, fieldPath } from './access.js';
import type { RenderIndex } from './render.js';

export interface RuleContext {
  /** The distribution's mesh; undefined when the render is not one of dist/app-*. */
  mesh: Mesh | undefined;
}

export interface RuleFinding {
  object: KubernetesObject;
  field: string;
  message: string;
}

/** Reports one problem at `field` of `object`. */
export type Report = (object: KubernetesObject, field: string, message: string) => void;

/** A policy check: reports each problem of one render. */
export type Check = (render: RenderIndex, report: Report, context: RuleContext) => void;

/** Each module's checks by stable rule id, so findings can be searched for and documented. */
export type RuleTable = Record<string, Check>;

export interface PolicyRule {
  id: string;
  check: Check;
}

/** Reports each key of `expected` that the record at `path` of `object` does not hold. */
export function reportUnexpected(
  report: Report,
  object: KubernetesObject,
  path: ReadonlyArray<string | number>,
  expected: Record<string, unknown>,
): void {
  const actual = asRecord(at(object, ...path)) ?? {};
  for (const [key, value] of Object.entries(expected)) {
    if (actual[key] === value) continue;
    const is = JSON.stringify(actual[key] ?? null);
    report(object, fieldPath(...path, key), `is ${is}, expected ${JSON.stringify(value)}`);
  }
}
