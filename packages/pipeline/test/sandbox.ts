import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findRepositoryRoot } from '@appdist/catalogue/repository';
import { afterAll } from 'vitest';

const found = findRepositoryRoot(import.meta.dirname);
if (!found) throw new Error(`no npm workspaces root above ${import.meta.dirname}`);
export const root: string = found;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and reports how it ended, never throwing on a non-zero exit. */
export function run(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * Writes files (path → content) under a new temporary folder and returns the folder, which is
 * removed when the test file is done.
 */
export async function writeTree(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appdist-pipeline-'));
  temporary.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** The environment a ci/ script sees with the fakes in `bin` shadowing the real programs. */
export function withFakes(bin: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, PATH: `${bin}:${process.env.PATH}` };
  // The scripts behave differently on GitHub Actions; a test run there must not inherit that.
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_SHA', 'CI']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** A copy of this repository's ci/ scripts in `dir`, where they treat `dir` as the repository. */
export async function copyCiScripts(dir: string): Promise<void> {
  await cp(join(root, 'ci'), join(dir, 'ci'), { recursive: true });
}

/** services/<name>/package.json for each name and version, as a repository has them. */
export function servicePackages(versions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(versions).map(([name, version]) => [
      `services/${name}/package.json`,
      `${JSON.stringify({ name: `@appdist/${name}`, version })}\n`,
    ]),
  );
}

export async function ciScriptNames(): Promise<string[]> {
  return (await readdir(join(root, 'ci'))).filter((name) => name.endsWith('.sh')).sort();
}
