import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from '@appdist/kustomize/kustomize';
import { afterEach, describe, expect, it } from 'vitest';
import { applyRelease } from '../src/apply.js';
import { ReleaseRefusedError } from '../src/errors.js';
import { imagesOf } from '../src/images.js';
import { planRelease } from '../src/plan.js';
import {
  addChangeset,
  bumped,
  cloneRepository,
  git,
  SERVICES,
  serviceVersion,
  type TempRepository,
} from './temp-repository.js';

let repositories: TempRepository[] = [];

afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.remove()));
  repositories = [];
});

async function repositoryWithChanges(): Promise<TempRepository> {
  const repository = await cloneRepository();
  repositories.push(repository);
  await addChangeset(
    repository.dir,
    'links-expire',
    { backend: 'minor', cache: 'patch' },
    'Links can expire: `expiresAt` on create, 410 after it.',
  );
  return repository;
}

async function renderedImages(dir: string): Promise<string[]> {
  return imagesOf(await build(dir)).sort();
}

async function status(dir: string): Promise<string> {
  return git(dir, 'status', '--porcelain', '--untracked-files=all');
}

describe('planRelease', () => {
  it('plans the service versions, image tags and the first distribution version, 1.0.0', async () => {
    const { dir, versions } = await repositoryWithChanges();
    const backend = bumped(versions.backend ?? '', 'minor');
    const cache = bumped(versions.cache ?? '', 'patch');

    const plan = await planRelease({ cwd: join(dir, 'services') });

    expect(plan.root).toBe(dir);
    expect(plan.services).toEqual([
      {
        name: 'backend',
        package: '@appdist/backend',
        from: versions.backend,
        to: backend,
        bump: 'minor',
        changesets: [
          {
            id: 'links-expire',
            summary: 'Links can expire: `expiresAt` on create, 410 after it.',
            bump: 'minor',
          },
        ],
        changes: ['Links can expire: `expiresAt` on create, 410 after it.'],
      },
      expect.objectContaining({ name: 'cache', from: versions.cache, to: cache, bump: 'patch' }),
    ]);
    expect(plan.images).toEqual([
      { service: 'backend', name: 'ghcr.io/appdist/backend', from: versions.backend, tag: backend },
      { service: 'cache', name: 'ghcr.io/appdist/cache', from: versions.cache, tag: cache },
    ]);
    expect(plan.distribution).toMatchObject({ from: null, to: '1.0.0', bump: 'minor' });
    expect(plan.changelog).toContain('## 1.0.0');
    expect(plan.changelog).toContain(`### backend ${backend}`);
    expect(plan.changelog).toContain(`- ghcr.io/appdist/cache:${cache}`);
    expect(plan.changelog).toContain('- Links can expire: `expiresAt` on create, 410 after it.');
    expect(await status(dir)).toBe('');
  });

  it('bumps the distribution from the newest version tag by the largest service bump', async () => {
    const { dir } = await repositoryWithChanges();
    await git(dir, 'tag', '--annotate', '--message', 'appdist 1.0.0', '1.0.0');
    // Tags that are not plain versions are not distribution releases.
    await git(dir, 'tag', 'v9.0.0');
    await git(dir, 'tag', '2.0.0-rc.1');

    const plan = await planRelease({ cwd: dir });
    expect(plan.distribution).toEqual({
      from: '1.0.0',
      to: '1.1.0',
      bump: 'minor',
      reason: expect.stringContaining('backend'),
    });

    await addChangeset(dir, 'new-api', { frontend: 'major' }, 'Drop the legacy /go route.');
    expect((await planRelease({ cwd: dir })).distribution).toMatchObject({
      to: '2.0.0',
      bump: 'major',
    });
  });

  it('makes a patch release when every change is a patch', async () => {
    const repository = await cloneRepository();
    repositories.push(repository);
    await git(repository.dir, 'tag', '1.4.2');
    await addChangeset(repository.dir, 'fix', { database: 'patch' }, 'Fix a slow query.');
    const plan = await planRelease({ cwd: repository.dir });
    expect(plan.distribution).toMatchObject({ from: '1.4.2', to: '1.4.3', bump: 'patch' });
    expect(plan.services.map((service) => service.name)).toEqual(['database']);
  });

  it('says there is nothing to release without changesets', async () => {
    const repository = await cloneRepository();
    repositories.push(repository);
    const plan = await planRelease({ cwd: repository.dir });
    expect(plan.services).toEqual([]);
    expect(plan.images).toEqual([]);
    expect(plan.distribution).toEqual({
      from: null,
      to: null,
      bump: null,
      reason:
        "nothing to release: dist/base pins every service's version and there are no changesets in .changeset/",
    });
    await expect(applyRelease(plan, { dryRun: false })).rejects.toMatchObject({
      reason: 'nothing-to-release',
      message: expect.stringContaining('npx changeset'),
    });
  });
});

describe('applyRelease', () => {
  it('bumps versions, pins the new tags with kustomize, tags the release', async () => {
    const { dir, versions } = await repositoryWithChanges();
    await git(dir, 'tag', '--annotate', '--message', 'appdist 1.0.0', '1.0.0');
    const backend = bumped(versions.backend ?? '', 'minor');
    const cache = bumped(versions.cache ?? '', 'patch');
    const kustomizationPath = join(dir, 'dist', 'base', 'kustomization.yaml');
    const kustomizationBefore = (await readFile(kustomizationPath, 'utf8')).split('\n');
    const bakeBefore = await readFile(join(dir, 'docker-bake.hcl'), 'utf8');
    const imagesBefore = await renderedImages(join(dir, 'dist', 'app-istio'));
    const start = await git(dir, 'rev-parse', 'HEAD');

    const plan = await planRelease({ cwd: dir });
    const result = await applyRelease(plan, { dryRun: false });

    expect(result).toMatchObject({ dryRun: false, version: '1.1.0', tag: '1.1.0' });
    // The service versions.
    expect(await serviceVersion(dir, 'backend')).toBe(backend);
    expect(await serviceVersion(dir, 'cache')).toBe(cache);
    for (const service of SERVICES.filter((name) => name !== 'backend' && name !== 'cache')) {
      expect(await serviceVersion(dir, service)).toBe(versions[service]);
    }
    // dist/base: exactly the two newTag lines changed, nothing else.
    const kustomizationAfter = (await readFile(kustomizationPath, 'utf8')).split('\n');
    expect(kustomizationAfter).toHaveLength(kustomizationBefore.length);
    expect(
      kustomizationAfter.flatMap((line, index) =>
        line === kustomizationBefore[index] ? [] : [[kustomizationBefore[index], line]],
      ),
    ).toEqual([
      [`    newTag: ${versions.backend}`, `    newTag: ${backend}`],
      [`    newTag: ${versions.cache}`, `    newTag: ${cache}`],
    ]);
    // What a provider renders: the new tags, every other image as before.
    const imagesAfter = await renderedImages(join(dir, 'dist', 'app-istio'));
    expect(imagesAfter).toContain(`ghcr.io/appdist/backend:${backend}`);
    expect(imagesAfter).toContain(`ghcr.io/appdist/cache:${cache}`);
    expect(imagesAfter.filter((image) => !imagesBefore.includes(image)).sort()).toEqual([
      `ghcr.io/appdist/backend:${backend}`,
      `ghcr.io/appdist/cache:${cache}`,
    ]);
    expect(imagesBefore.filter((image) => !imagesAfter.includes(image)).sort()).toEqual([
      `ghcr.io/appdist/backend:${versions.backend}`,
      `ghcr.io/appdist/cache:${versions.cache}`,
    ]);
    // The one proof that versions live in package.json only: the release leaves the bake file
    // (as committed) untouched, since ci/bake.sh reads the versions from package.json.
    expect(await readFile(join(dir, 'docker-bake.hcl'), 'utf8')).toBe(bakeBefore);
    // Changelogs: per service from changesets, and the distribution's at the root.
    expect(await readFile(join(dir, 'services', 'backend', 'CHANGELOG.md'), 'utf8')).toMatch(
      new RegExp(
        `## ${backend.replaceAll('.', '\\.')}\\n\\n### Minor Changes\\n\\n- [0-9a-f]{7}: Links can expire`,
      ),
    );
    const changelog = await readFile(join(dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^# Changelog\n/);
    expect(changelog).toContain(plan.changelog.trim());
    // One commit with exactly the release's files; the changeset consumed; the tree clean.
    expect(await git(dir, 'log', '-1', '--format=%s')).toBe('release: 1.1.0');
    expect(await git(dir, 'rev-parse', 'HEAD~1')).toBe(start);
    expect((await git(dir, 'diff', '--name-only', 'HEAD~1', 'HEAD')).split('\n').sort()).toEqual([
      '.changeset/links-expire.md',
      'CHANGELOG.md',
      'dist/base/kustomization.yaml',
      'services/backend/CHANGELOG.md',
      'services/backend/package.json',
      'services/cache/CHANGELOG.md',
      'services/cache/package.json',
    ]);
    expect(result.files).toEqual(
      (await git(dir, 'diff', '--name-only', 'HEAD~1', 'HEAD')).split('\n').sort(),
    );
    expect(await status(dir)).toBe('');
    // The annotated tag on the release commit, the release notes as its message.
    expect(await git(dir, 'cat-file', '-t', '1.1.0')).toBe('tag');
    expect(await git(dir, 'rev-parse', '1.1.0^{commit}')).toBe(await git(dir, 'rev-parse', 'HEAD'));
    expect(await git(dir, 'tag', '-n', '1.1.0')).toMatch(/^1\.1\.0\s+appdist 1\.1\.0$/);
    const message = await git(dir, 'tag', '--list', '--format=%(contents)', '1.1.0');
    expect(message).toContain(`### backend ${backend} (was ${versions.backend}, minor)`);
    expect(message).toContain(`- ghcr.io/appdist/backend:${backend} (was ${versions.backend})`);
    expect(message).toContain('- Links can expire');
  });

  it('changes nothing in a dry run', async () => {
    const { dir } = await repositoryWithChanges();
    const head = await git(dir, 'rev-parse', 'HEAD');
    const plan = await planRelease({ cwd: dir });

    const result = await applyRelease(plan, { dryRun: true });

    expect(result).toMatchObject({ dryRun: true, version: '1.0.0', commit: null, tag: '1.0.0' });
    expect(result.files).toEqual([
      '.changeset/links-expire.md',
      'CHANGELOG.md',
      'dist/base/kustomization.yaml',
      'services/backend/CHANGELOG.md',
      'services/backend/package.json',
      'services/cache/CHANGELOG.md',
      'services/cache/package.json',
    ]);
    expect(await status(dir)).toBe('');
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(await git(dir, 'tag', '--list')).toBe('');
  });

  it('refuses a dirty tree, naming the changes and --allow-dirty', async () => {
    const { dir } = await repositoryWithChanges();
    await writeFile(join(dir, 'notes.txt'), 'work in progress\n');
    const plan = await planRelease({ cwd: dir });

    const refused = applyRelease(plan, { dryRun: false });
    await expect(refused).rejects.toBeInstanceOf(ReleaseRefusedError);
    await expect(refused).rejects.toMatchObject({
      reason: 'dirty-tree',
      message: expect.stringMatching(/uncommitted changes \(\?\? notes\.txt\).*--allow-dirty/),
    });
    expect(await status(dir)).toBe('?? notes.txt');
    expect(await git(dir, 'tag', '--list')).toBe('');
  });

  it('with --allow-dirty, commits only the release files', async () => {
    const { dir } = await repositoryWithChanges();
    await writeFile(join(dir, 'notes.txt'), 'work in progress\n');
    const plan = await planRelease({ cwd: dir });

    const result = await applyRelease(plan, { dryRun: false, allowDirty: true });

    expect(result.tag).toBe('1.0.0');
    expect(await git(dir, 'show', '--name-only', '--format=', 'HEAD')).not.toContain('notes.txt');
    expect(await status(dir)).toBe('?? notes.txt');
  });

  it('prepares the release commit without a tag, for tagging after the end-to-end tests', async () => {
    const { dir } = await repositoryWithChanges();
    const result = await applyRelease(await planRelease({ cwd: dir }), {
      dryRun: false,
      tag: false,
    });
    expect(result).toMatchObject({ version: '1.0.0', tag: null });
    expect(await git(dir, 'log', '-1', '--format=%s')).toBe('release: 1.0.0');
    expect(await git(dir, 'tag', '--list')).toBe('');
  });

  it('refuses a plan made before the repository changed', async () => {
    const { dir } = await repositoryWithChanges();
    const plan = await planRelease({ cwd: dir });
    await addChangeset(dir, 'late', { tester: 'patch' }, 'A late change.');

    await expect(applyRelease(plan, { dryRun: false })).rejects.toMatchObject({
      reason: 'stale-plan',
      message: expect.stringContaining('plan again'),
    });
    expect(await git(dir, 'log', '-1', '--format=%s')).toBe('changeset: late');
  });

  it('undoes everything when a step fails half-way', async () => {
    const { dir } = await repositoryWithChanges();
    const head = await git(dir, 'rev-parse', 'HEAD');
    const plan = await planRelease({ cwd: dir });
    // Every file is written by then; the commit is refused.
    const hook = join(dir, '.git', 'hooks', 'pre-commit');
    await writeFile(hook, '#!/bin/sh\necho "pre-commit: no" >&2\nexit 1\n');
    await chmod(hook, 0o755);

    await expect(applyRelease(plan, { dryRun: false })).rejects.toThrow(
      /release 1\.0\.0 failed and was undone \(the tree is back at [0-9a-f]{12}\): .*pre-commit: no/s,
    );
    expect(await status(dir)).toBe('');
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(await git(dir, 'tag', '--list')).toBe('');
    expect(await readdir(join(dir, '.changeset'))).toContain('links-expire.md');
  });
});
