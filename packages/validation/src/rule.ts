import type { Mesh } from '@appdist/catalogue';
import type { KubernetesObject } from '@appdist/kustomize/kubernetes-object';
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

/** One policy check with a stable id, so findings can be searched for and documented. */
export interface PolicyRule {
  id: string;
  /** One line: what the rule asks and why. */
  description: string;
  check(render: RenderIndex, context: RuleContext): RuleFinding[];
}

export function finding(object: KubernetesObject, field: string, message: string): RuleFinding {
  return { object, field, message };
}

/** Findings on one object, gathered by `add(field, message)`. */
export function findingsOn(object: KubernetesObject) {
  const list: RuleFinding[] = [];
  return { list, add: (field: string, message: string) => list.push({ object, field, message }) };
}

/** One finding, as the list a check returns. */
export function flag(object: KubernetesObject, field: string, message: string): RuleFinding[] {
  return [{ object, field, message }];
}
