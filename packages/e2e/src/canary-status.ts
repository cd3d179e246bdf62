import type { PollCondition } from './command.js';

/**
 * `kubectl get canaries` with fixed columns: a table a person reads in the log on every poll
 * (like Flagger's own e2e) and that parses without depending on the CRD's printer columns.
 */
export const CANARY_COLUMNS =
  'custom-columns=NAME:.metadata.name,STATUS:.status.phase,WEIGHT:.status.canaryWeight,FAILED:.status.failedChecks,LAST:.status.lastTransitionTime';

/** Canary name → phase, from the CANARY_COLUMNS table (`<none>` before Flagger set a status). */
export function parseCanaryPhases(table: string): Map<string, string> {
  const phases = new Map<string, string>();
  const [header, ...rows] = table.split('\n').filter((line) => line.trim() !== '');
  if (!header?.startsWith('NAME')) return phases;
  for (const row of rows) {
    const [name, phase] = row.trim().split(/\s+/);
    if (name && phase) phases.set(name, phase);
  }
  return phases;
}

function describe(phases: Record<string, string>): string {
  return Object.entries(phases)
    .map(([name, phase]) => `${name} ${phase}`)
    .join(', ');
}

/**
 * Done when every Canary of `wanted` is in its phase; fails at once when one reaches its phase
 * in `stopOn` (e.g. `Failed` while waiting for `Succeeded`): waiting longer cannot help.
 */
export function canaryPhases(
  wanted: Record<string, string>,
  stopOn: Record<string, string>,
): PollCondition {
  const stops = Object.keys(stopOn).length > 0 ? ` (stop on ${describe(stopOn)})` : '';
  return {
    description: `${describe(wanted)}${stops}`,
    check(stdout) {
      const phases = parseCanaryPhases(stdout);
      for (const [name, phase] of Object.entries(stopOn)) {
        if (phases.get(name) === phase) {
          return { state: 'fail', reason: `Canary ${name} is ${phase}` };
        }
      }
      const done = Object.entries(wanted).every(([name, phase]) => phases.get(name) === phase);
      return done ? { state: 'done' } : { state: 'wait' };
    },
  };
}
