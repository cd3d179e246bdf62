import { isRecord } from '@appdist/catalogue/repository';
import { load } from 'js-yaml';

/** One step of a job: an action (`uses`) or a shell script (`run`). */
export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with: Record<string, unknown>;
  env: Record<string, unknown>;
}

/** `permissions` as GitHub accepts it: a scope map, or `read-all` / `write-all`. */
export type Permissions = Record<string, string> | string;

export interface Job {
  id: string;
  permissions?: Permissions;
  /** A reusable workflow this job calls instead of having steps. */
  uses?: string;
  with: Record<string, unknown>;
  needs: string[];
  steps: Step[];
  matrix: Record<string, unknown>;
  services: Record<string, unknown>;
  env: Record<string, unknown>;
  container?: unknown;
}

export interface Workflow {
  name?: string;
  /** The trigger map (`on:`); a bare event name or list becomes `{ event: null }`. */
  on: Record<string, unknown>;
  permissions?: Permissions;
  concurrency?: unknown;
  jobs: Job[];
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** `{ key: value }` when value is a string, else nothing: the optional text fields. */
function stringField<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' ? ({ [key]: value } as Record<K, string>) : {};
}

function permissions(value: unknown, where: string): Permissions | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([scope, level]) => {
        if (typeof level !== 'string')
          throw new Error(`${where}: permission ${scope} is not a string`);
        return [scope, level];
      }),
    );
  }
  throw new Error(`${where}: permissions is neither a map nor a string`);
}

function triggers(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { [value]: null };
  if (Array.isArray(value)) return Object.fromEntries(value.map((event) => [String(event), null]));
  return record(value);
}

function step(value: unknown, where: string): Step {
  if (!isRecord(value)) throw new Error(`${where} is not a map`);
  return {
    with: record(value.with),
    env: record(value.env),
    ...stringField('name', value.name),
    ...stringField('uses', value.uses),
    ...stringField('run', value.run),
  };
}

function job(id: string, value: unknown, where: string): Job {
  if (!isRecord(value)) throw new Error(`${where}: job ${id} is not a map`);
  const needs = value.needs;
  const steps = Array.isArray(value.steps) ? value.steps : [];
  const parsed: Job = {
    id,
    with: record(value.with),
    needs: typeof needs === 'string' ? [needs] : Array.isArray(needs) ? needs.map(String) : [],
    steps: steps.map((entry, index) => step(entry, `${where}: jobs.${id}.steps[${index}]`)),
    matrix: record(record(value.strategy).matrix),
    services: record(value.services),
    env: record(value.env),
    ...stringField('uses', value.uses),
  };
  const jobPermissions = permissions(value.permissions, `${where}: jobs.${id}`);
  if (jobPermissions !== undefined) parsed.permissions = jobPermissions;
  if (value.container !== undefined) parsed.container = value.container;
  return parsed;
}

/** Parses a workflow file's text into the parts the pipeline checks look at. */
export function parseWorkflow(text: string, where: string): Workflow {
  const document = load(text);
  if (!isRecord(document)) throw new Error(`${where} is not a YAML map`);
  const parsed: Workflow = {
    on: triggers(document.on),
    jobs: Object.entries(record(document.jobs)).map(([id, value]) => job(id, value, where)),
    ...stringField('name', document.name),
  };
  const workflowPermissions = permissions(document.permissions, where);
  if (workflowPermissions !== undefined) parsed.permissions = workflowPermissions;
  if (document.concurrency !== undefined) parsed.concurrency = document.concurrency;
  return parsed;
}

export function findJob(workflow: Workflow, id: string): Job {
  const found = workflow.jobs.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no job ${id}; jobs: ${workflow.jobs.map((j) => j.id).join(', ')}`);
  return found;
}
