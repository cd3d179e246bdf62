import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** The checkout these tests run in: its dist/ is what the plans render. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

const FAKE_TOOL = join(import.meta.dirname, 'fake-tools', 'fake-tool.mjs');

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A temporary folder removed after the test. */
export async function temporaryDir(prefix = 'appdist-e2e-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A folder of fake `tools` (see fake-tools/fake-tool.mjs), to put first on a PATH. */
export async function fakeTools(dir: string, tools: readonly string[]): Promise<string> {
  const bin = join(dir, 'fake-bin');
  await mkdir(bin, { recursive: true });
  for (const tool of tools) {
    const path = join(bin, tool);
    await writeFile(path, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_TOOL}" ${tool} "$@"\n`);
    await chmod(path, 0o755);
  }
  return bin;
}

/** The lines of a plan that are commands: not comments, not headers, not blank. */
export function commandLines(plan: string): string[] {
  return plan.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** Step title → its command lines, in plan order. */
export function planSections(plan: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of plan.split('\n')) {
    const header = /^## \d+\. ([a-z]+):/.exec(line);
    if (header?.[1]) {
      current = [];
      sections.set(header[1], current);
    } else if (current && line.trim() !== '') {
      current.push(line);
    }
  }
  return sections;
}
