import type { Permissions, Workflow } from './workflow.js';

/** The scopes a permissions block grants write access to; `write-all` grants every one. */
function writeScopes(permissions: Permissions): string[] {
  if (typeof permissions === 'string') return permissions === 'write-all' ? ['*'] : [];
  return Object.entries(permissions)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope);
}

/**
 * Why a workflow's permissions are broader than least privilege, or nothing. The workflow itself
 * grants no write access (every job starts from read-only), and a job may write only to the
 * scopes `allowedWrites` lists for it. `write-all` and `read-all` are never accepted: they grant
 * whatever scopes GitHub adds later.
 */
export function permissionProblems(
  workflow: Workflow,
  where: string,
  allowedWrites: Record<string, string[]>,
): string[] {
  const problems: string[] = [];
  if (workflow.permissions === undefined) {
    problems.push(`${where}: no top-level permissions, so jobs get the repository's default token`);
  } else if (typeof workflow.permissions === 'string') {
    problems.push(`${where}: top-level permissions is ${workflow.permissions}; list the scopes`);
  } else {
    for (const scope of writeScopes(workflow.permissions)) {
      problems.push(`${where}: top-level permissions grant ${scope}: write to every job`);
    }
  }
  for (const job of workflow.jobs) {
    if (job.permissions === undefined) continue;
    if (typeof job.permissions === 'string') {
      problems.push(`${where}: job ${job.id} has permissions ${job.permissions}; list the scopes`);
      continue;
    }
    const allowed = allowedWrites[job.id] ?? [];
    for (const scope of writeScopes(job.permissions)) {
      if (!allowed.includes(scope)) {
        problems.push(`${where}: job ${job.id} may not have ${scope}: write`);
      }
    }
  }
  return problems;
}
