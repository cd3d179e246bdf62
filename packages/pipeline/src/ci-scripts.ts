import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The ci/ scripts a `run:` block calls, as repository paths (`ci/e2e.sh`). */
export function ciScriptsCalled(run: string): string[] {
  const called = run.matchAll(/(?:^|[\s;&|(])(?:\.\/)?(ci\/[\w./-]+\.sh)(?=$|[\s;&|)])/gm);
  return [...new Set([...called].map((match) => match[1]).filter((path) => path !== undefined))];
}

/**
 * Why a ci/ script breaks the rules every one of them keeps, or nothing: it exists, is executable,
 * parses (`bash -n`), and stops at the first failing command, unset variable or failing pipe stage.
 */
export async function ciScriptProblems(root: string, path: string): Promise<string[]> {
  const absolute = join(root, path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch {
    return [`${path} does not exist`];
  }
  const problems: string[] = [];
  try {
    await access(absolute, constants.X_OK);
  } catch {
    problems.push(`${path} is not executable`);
  }
  const firstCommand = text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('#'));
  try {
    await promisify(execFile)('bash', ['-n', absolute]);
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    problems.push(`${path} does not parse: ${typeof stderr === 'string' ? stderr.trim() : error}`);
  }
  if (firstCommand !== 'set -euo pipefail') {
    problems.push(`${path} starts with ${JSON.stringify(firstCommand)}, not "set -euo pipefail"`);
  }
  return problems;
}
