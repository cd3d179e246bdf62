import { join } from 'node:path';
import { setImage } from '@appdist/kustomize/kustomize';
import { afterEach, describe, expect, it } from 'vitest';
import { applyRelease } from '../src/apply.js';
import { planRelease } from '../src/plan.js';
import { tagRelease } from '../src/tag.js';
import { addChangeset, cloneRepository, git, type TempRepository } from './temp-repository.js';

let repositories: TempRepository[] = [];

afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.remove()));
  repositories = [];
});

/** A clone whose HEAD is a prepared, untagged release 1.0.0 (backend minor). */
async function preparedRelease(): Promise<string> {
  const repository = await cloneRepository();
  repositories.push(repository);
  await addChangeset(repository.dir, 'expiry', { backend: 'minor' }, 'Links can expire.');
  await applyRelease(await planRelease({ cwd: repository.dir }), { dryRun: false, tag: false });
  return repository.dir;
}

describe('tagRelease', () => {
  it('tags HEAD as the newest release of CHANGELOG.md, with its notes', async () => {
    const dir = await preparedRelease();
    const head = await git(dir, 'rev-parse', 'HEAD');

    const dry = await tagRelease({ cwd: dir, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, version: '1.0.0', commit: head });
    expect(await git(dir, 'tag', '--list')).toBe('');

    const result = await tagRelease({ cwd: dir, dryRun: false });
    expect(result.message).toMatch(/^appdist 1\.0\.0\n\nImages pinned in dist\/base:\n/);
    expect(await git(dir, 'cat-file', '-t', '1.0.0')).toBe('tag');
    expect(await git(dir, 'rev-parse', '1.0.0^{commit}')).toBe(head);
    expect(await git(dir, 'tag', '--list', '--format=%(contents)', '1.0.0')).toContain(
      '- Links can expire.',
    );

    await expect(tagRelease({ cwd: dir, dryRun: false })).rejects.toMatchObject({
      reason: 'tag-exists',
    });
  });

  it('refuses a commit whose dist/base does not pin the versions it declares', async () => {
    const dir = await preparedRelease();
    await setImage(join(dir, 'dist', 'base'), 'ghcr.io/appdist/backend', '0.0.9');
    await git(dir, 'commit', '--quiet', '--all', '--message', 'pin an old backend');

    await expect(tagRelease({ cwd: dir, dryRun: false })).rejects.toMatchObject({
      reason: 'out-of-sync',
      message: expect.stringMatching(
        /dist\/base renders ghcr\.io\/appdist\/backend:0\.0\.9 but @appdist\/backend is \d+\.\d+\.\d+/,
      ),
    });
    expect(await git(dir, 'tag', '--list')).toBe('');
  });

  it('has nothing to tag before a release was prepared', async () => {
    const repository = await cloneRepository();
    repositories.push(repository);
    await expect(tagRelease({ cwd: repository.dir, dryRun: false })).rejects.toMatchObject({
      reason: 'nothing-to-release',
      message: expect.stringContaining('appdist release apply --no-tag'),
    });
  });
});
