import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'appdist.js');

/** The validation package's fixture distribution: the backend, the tester, three meshes. */
export const FIXTURE = join(
  import.meta.dirname,
  '..',
  '..',
  'validation',
  'test',
  'fixtures',
  'distribution',
);

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `appdist <args>` as a real process, the way npx would, on this test's Node. */
export async function appdist(args: readonly string[], cwd = process.cwd()): Promise<CliResult> {
  const result = await execa(process.execPath, [BIN, ...args], {
    cwd,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const copies: string[] = [];
afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A copy of the fixture distribution with `edit` applied to one of its files. */
export async function brokenFixture(file: string, edit: (text: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appdist-cli-'));
  copies.push(dir);
  await cp(FIXTURE, dir, { recursive: true });
  const path = join(dir, file);
  const text = await readFile(path, 'utf8');
  const edited = edit(text);
  if (edited === text) throw new Error(`the edit changed nothing in ${file}`);
  await writeFile(path, edited);
  return dir;
}
