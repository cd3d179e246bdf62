import { afterEach, describe, expect, it } from 'vitest';
import { applyRelease } from '../src/apply.js';
import { applyPendingChanges, readPendingChanges } from '../src/changesets.js';
import { planRelease } from '../src/plan.js';
import {
  addChangeset,
  bumped,
  cloneRepository,
  git,
  serviceVersion,
  type TempRepository,
} from './temp-repository.js';

let repositories: TempRepository[] = [];

afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.remove()));
  repositories = [];
});

describe('a release after `changeset version` was run on its own', () => {
  it('releases what package.json declares and dist/base does not pin yet', async () => {
    const repository = await cloneRepository();
    repositories.push(repository);
    const { dir, versions } = repository;
    await git(dir, 'tag', '--annotate', '--message', 'appdist 1.0.0', '1.0.0');
    await addChangeset(dir, 'expiry', { backend: 'minor', cache: 'patch' }, 'Links can expire.');
    const backend = bumped(versions.backend ?? '', 'minor');
    const cache = bumped(versions.cache ?? '', 'patch');
    // What `npx changeset version` does: versions and service changelogs, changesets consumed.
    await applyPendingChanges(await readPendingChanges(dir));
    await git(dir, 'add', '--all');
    await git(dir, 'commit', '--quiet', '--message', 'changeset version');
    expect(await serviceVersion(dir, 'backend')).toBe(backend);

    const plan = await planRelease({ cwd: dir });
    expect(plan.services).toEqual([
      expect.objectContaining({
        name: 'backend',
        from: versions.backend,
        to: backend,
        bump: 'minor',
        changesets: [],
        // From services/backend/CHANGELOG.md, which changesets wrote.
        changes: ['Links can expire.'],
      }),
      expect.objectContaining({ name: 'cache', from: versions.cache, to: cache, bump: 'patch' }),
    ]);
    expect(plan.distribution).toMatchObject({ from: '1.0.0', to: '1.1.0' });

    const result = await applyRelease(plan, { dryRun: false });
    expect(result.files).toEqual(['CHANGELOG.md', 'dist/base/kustomization.yaml']);
    expect(await git(dir, 'tag', '--list', '--format=%(contents)', '1.1.0')).toContain(
      `### backend ${backend} (was ${versions.backend}, minor)\n\n- Links can expire.`,
    );
    expect(await git(dir, 'show', '1.1.0:dist/base/kustomization.yaml')).toContain(
      `newTag: ${backend}`,
    );

    // Released: everything pinned, nothing due.
    expect((await planRelease({ cwd: dir })).distribution.to).toBeNull();
  });
});
