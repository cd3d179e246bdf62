import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReleasePlan } from '../src/plan.js';
import { type ReleaseCommandOptions, runReleaseCommand } from '../src/release-command.js';
import {
  addChangeset,
  bumped,
  cloneRepository,
  git,
  type TempRepository,
} from './temp-repository.js';

let repositories: TempRepository[] = [];

afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.remove()));
  repositories = [];
});

async function run(
  options: ReleaseCommandOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runReleaseCommand(options, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

async function repository(withChanges: boolean): Promise<TempRepository> {
  const cloned = await cloneRepository();
  repositories.push(cloned);
  if (withChanges) {
    await addChangeset(
      cloned.dir,
      'expiry',
      { backend: 'minor', cache: 'patch' },
      'Links can expire.',
    );
  }
  return cloned;
}

describe('appdist release plan', () => {
  it('prints service versions, image tags, the next distribution version and the changelog', async () => {
    const { dir, versions } = await repository(true);
    const backend = bumped(versions.backend ?? '', 'minor');

    const { code, stdout, stderr } = await run({ action: 'plan', format: 'text', cwd: dir });

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Release 1\.0\.0 of the distribution \(from no tag\): first release/);
    expect(stdout).toMatch(
      new RegExp(`\\n  backend  ${versions.backend} → ${backend}  minor  1 changeset\\n`),
    );
    expect(stdout).toMatch(/Image tags to pin in dist\/base \(kustomize edit set image\):\n/);
    expect(stdout).toContain(`  ghcr.io/appdist/backend  ${versions.backend} → ${backend}\n`);
    expect(stdout).toMatch(/Changelog:\n {2}## 1\.0\.0\n/);
  });

  it('prints the plan as JSON', async () => {
    const { dir } = await repository(true);
    const { code, stdout } = await run({ action: 'plan', format: 'json', cwd: dir });
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as ReleasePlan;
    expect(plan.distribution.to).toBe('1.0.0');
    expect(plan.images.map((image) => image.name)).toEqual([
      'ghcr.io/appdist/backend',
      'ghcr.io/appdist/cache',
    ]);
  });

  it('says there is nothing to release without changesets', async () => {
    const { dir } = await repository(false);
    const { code, stdout } = await run({ action: 'plan', format: 'text', cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toBe(
      "Nothing to release: dist/base pins every service's version and there are no changesets in .changeset/ (no distribution tag yet).\n",
    );
  });
});

describe('appdist release apply', () => {
  it('exits 1 with a message when there is nothing to release', async () => {
    const { dir } = await repository(false);
    const { code, stderr } = await run({ action: 'apply', format: 'text', cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "appdist release apply: nothing to release: dist/base pins every service's version and there are no changesets in .changeset/: record a change with `npx changeset` first\n",
    );
  });

  it('shows the dry run and refuses in a dirty tree', async () => {
    const { dir } = await repository(true);
    await writeFile(join(dir, 'README.md'), 'edited\n');

    const { code, stdout, stderr } = await run({ action: 'apply', format: 'text', cwd: dir });

    expect(code).toBe(1);
    expect(stdout).toContain('Dry run: nothing was changed.');
    expect(stdout).toContain('and create the annotated tag 1.0.0.');
    expect(stderr).toMatch(
      /^appdist release apply: refusing to apply in a dirty working tree \(M README\.md\).*--allow-dirty/,
    );
    expect(await git(dir, 'status', '--porcelain')).toBe(' M README.md');
    expect(await git(dir, 'tag', '--list')).toBe('');
  });

  it('applies and tags in a clean tree; --dry-run first changes nothing', async () => {
    const { dir } = await repository(true);
    const dry = await run({ action: 'apply', dryRun: true, format: 'text', cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was changed.');
    expect(await git(dir, 'log', '-1', '--format=%s')).toBe('changeset: expiry');

    const { code, stdout } = await run({ action: 'apply', format: 'json', cwd: dir });
    expect(code).toBe(0);
    const { result } = JSON.parse(stdout) as { result: { tag: string; commit: string } };
    expect(result.tag).toBe('1.0.0');
    expect(result.commit).toBe(await git(dir, 'rev-parse', 'HEAD'));
    expect(await git(dir, 'cat-file', '-t', '1.0.0')).toBe('tag');
  });
});

describe('appdist release tag', () => {
  it('tags a release prepared with --no-tag', async () => {
    const { dir } = await repository(true);
    const prepared = await run({ action: 'apply', tag: false, format: 'text', cwd: dir });
    expect(prepared.code).toBe(0);
    expect(prepared.stdout).toContain('not tagged');
    expect(await git(dir, 'tag', '--list')).toBe('');

    const tagged = await run({ action: 'tag', format: 'text', cwd: dir });
    expect(tagged.stderr).toBe('');
    expect(tagged.code).toBe(0);
    expect(tagged.stdout).toMatch(
      /^Tagged [0-9a-f]{12} as 1\.0\.0 \(annotated\):\n {2}appdist 1\.0\.0\n/,
    );
    expect(await git(dir, 'tag', '--list')).toBe('1.0.0');

    const again = await run({ action: 'tag', format: 'json', cwd: dir });
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({
      error: { reason: 'tag-exists', message: expect.stringContaining('is tagged already') },
    });
  });
});
