import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { execa } from 'execa';

/** This checkout: the repository the temporary clones are made from. */
export const ROOT = resolve(import.meta.dirname, '../../..');

export const SERVICES = SERVICE_NAMES;

export async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    return (await execa('git', args, { cwd })).stdout;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error('these tests need git on the PATH: install it (Debian: apt-get install git)');
    }
    throw error;
  }
}

export async function serviceVersion(repo: string, service: string): Promise<string> {
  const json: unknown = JSON.parse(
    await readFile(join(repo, 'services', service, 'package.json'), 'utf8'),
  );
  if (typeof json === 'object' && json !== null && 'version' in json) return String(json.version);
  throw new Error(`services/${service}/package.json has no version`);
}

export interface TempRepository {
  dir: string;
  /** Each service's version at the start. */
  versions: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * A clone of this checkout with the release configuration of the working tree: its
 * .changeset/config.json, committed, so the clone starts clean. Tags and pending changesets of
 * the checkout are dropped: every test starts before the first release with nothing recorded.
 */
export async function cloneRepository(): Promise<TempRepository> {
  const dir = await mkdtemp(join(tmpdir(), 'appdist-release-'));
  await git(ROOT, 'clone', '--quiet', ROOT, dir);
  for (const [key, value] of Object.entries({
    'user.name': 'Release Test',
    'user.email': 'release-test@example.com',
    'commit.gpgsign': 'false',
    'tag.gpgsign': 'false',
  })) {
    await git(dir, 'config', key, value);
  }
  const tags = (await git(dir, 'tag', '--list')).split('\n').filter(Boolean);
  if (tags.length > 0) await git(dir, 'tag', '--delete', ...tags);

  await mkdir(join(dir, '.changeset'), { recursive: true });
  for (const entry of await readdir(join(dir, '.changeset'))) {
    if (entry.endsWith('.md') && entry !== 'README.md') await rm(join(dir, '.changeset', entry));
  }
  await copyFile(join(ROOT, '.changeset', 'config.json'), join(dir, '.changeset', 'config.json'));

  const versions: Record<string, string> = {};
  for (const service of SERVICES) versions[service] = await serviceVersion(dir, service);
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--allow-empty', '--message', 'release tooling under test');
  return { dir, versions, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Records a change as `npx changeset` would (a `.changeset/<id>.md`) and commits it. */
export async function addChangeset(
  repo: string,
  id: string,
  releases: Record<string, 'major' | 'minor' | 'patch'>,
  summary: string,
): Promise<void> {
  const front = Object.entries(releases)
    .map(([service, bump]) => `"@appdist/${service}": ${bump}`)
    .join('\n');
  await writeFile(join(repo, '.changeset', `${id}.md`), `---\n${front}\n---\n\n${summary}\n`);
  await git(repo, 'add', '--all');
  await git(repo, 'commit', '--quiet', '--message', `changeset: ${id}`);
}

/** The version `bump` makes of `version`, written out independently of the code under test. */
export function bumped(version: string, bump: 'major' | 'minor' | 'patch'): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}
