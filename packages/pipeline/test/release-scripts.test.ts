import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeCalls, installFakes } from './fakes.js';
import { git, initRepository } from './git.js';
import { copyCiScripts, root, run, servicePackages, withFakes, writeTree } from './sandbox.js';

/** What `appdist render app-kubernetes --format json` prints, reduced to the workloads' images. */
function rendered(images: Record<string, string>): string {
  const deployment = (name: string, image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { template: { spec: { containers: [{ name, image }] } } },
  });
  const objects = Object.entries(images).map(([name, image]) => deployment(name, image));
  objects.push(deployment('redis', 'docker.io/library/redis:7.4.5-alpine'));
  return JSON.stringify(objects);
}

const pinned = {
  backend: 'ghcr.io/appdist/backend:1.1.0',
  frontend: 'ghcr.io/appdist/frontend:2.0.0',
};

let repo: string;
let bin: string;
let log: string;
let release: string;

/**
 * A repository of two services at 1.1.0 and 2.0.0 whose distribution runs `images`, with fakes
 * for npx (render, and `release` running the script `releaseTool`), docker, gh and npm.
 */
async function repository(
  images: Record<string, string>,
  releaseTool = 'exit 70\n',
): Promise<void> {
  repo = await writeTree({
    ...servicePackages({ backend: '1.1.0', frontend: '2.0.0' }),
    'dist/app-kubernetes/kustomization.yaml': 'resources: []\n',
    'package-lock.json': '{}\n',
    '.gitignore': '.fake-bin/\n',
  });
  await copyCiScripts(repo);
  bin = join(repo, '.fake-bin');
  log = join(bin, 'calls.log');
  release = join(bin, 'release.sh');
  await installFakes(bin, 'npx', 'docker', 'gh', 'npm');
  await writeFile(join(bin, 'render.json'), rendered(images));
  await writeFile(release, `set -euo pipefail\n${releaseTool}`);
}

function script(name: string, env: NodeJS.ProcessEnv = {}) {
  return run('bash', [join(repo, 'ci', name)], {
    cwd: repo,
    env: withFakes(bin, {
      FAKE_LOG: log,
      FAKE_RENDER: join(bin, 'render.json'),
      FAKE_RELEASE: release,
      ...env,
    }),
  });
}

/** A copy of this repository's distributions and services, rendered by the real `appdist`. */
async function realCopy(): Promise<string> {
  const copy = await writeTree({
    'package.json': await readFile(join(root, 'package.json'), 'utf8'),
  });
  await cp(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  for (const service of ['backend', 'cache', 'database', 'frontend', 'tester']) {
    await mkdir(join(copy, 'services', service), { recursive: true });
    await cp(
      join(root, 'services', service, 'package.json'),
      join(copy, 'services', service, 'package.json'),
    );
  }
  await copyCiScripts(copy);
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

describe('ci/service-images.sh', () => {
  it('names the image the distribution runs for each service, beside its version', async () => {
    await repository(pinned);
    expect(await script('service-images.sh')).toMatchObject({
      code: 0,
      stdout:
        'backend ghcr.io/appdist/backend:1.1.0 1.1.0\nfrontend ghcr.io/appdist/frontend:2.0.0 2.0.0\n',
    });
  });

  it('fails when a service runs two images, or none', async () => {
    await repository({ ...pinned, 'backend-next': 'ghcr.io/appdist/backend:1.2.0' });
    expect(await script('service-images.sh')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/runs 2 images for backend/),
    });
    await repository({ backend: pinned.backend });
    expect(await script('service-images.sh')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/runs 0 images for frontend \(none\)/),
    });
  });

  it('reads the real appdist render of this repository’s distribution', async () => {
    const copy = await realCopy();
    const result = await run('bash', [join(copy, 'ci/service-images.sh')], { cwd: copy });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((line) => line.split(' ')[0])).toEqual([
      'backend',
      'cache',
      'database',
      'frontend',
      'tester',
    ]);
    for (const line of lines) expect(line).toMatch(/^(\w+) ghcr\.io\/appdist\/\1:\S+ \S+$/);
  }, 60_000);
});

describe('ci/bump.sh (the turbo bump task)', () => {
  it('passes when dist/ pins every service at its version', async () => {
    await repository(pinned);
    expect(await script('bump.sh')).toMatchObject({
      code: 0,
      stdout: 'bump.sh: dist/ pins the tag of every service image\n',
    });
  });

  it('stops the pipeline when a version moved without its pin, saying how to pin', async () => {
    await repository({ ...pinned, frontend: 'ghcr.io/appdist/frontend:1.9.0' });
    const result = await script('bump.sh');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /dist\/ runs ghcr.io\/appdist\/frontend:1.9.0 for frontend, but its image is built as ghcr.io\/appdist\/frontend:2.0.0/,
    );
    expect(result.stderr).toMatch(/npx appdist release apply --no-tag/);
  });

  it('agrees with this repository, and notices a version changed by hand', async () => {
    const copy = await realCopy();
    const bump = () => run('bash', [join(copy, 'ci/bump.sh')], { cwd: copy });
    expect((await bump()).code).toBe(0);
    const manifest = join(copy, 'services/cache/package.json');
    const cache = JSON.parse(await readFile(manifest, 'utf8')) as Record<string, unknown>;
    await writeFile(manifest, JSON.stringify({ ...cache, version: '9.9.9' }));
    expect(await bump()).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /for cache, but its image is built as ghcr.io\/appdist\/cache:9.9.9/,
      ),
    });
  }, 60_000);
});

describe('ci/release-due.sh', () => {
  const answer = (status: number, json: object) =>
    `echo '${JSON.stringify(json)}'\nexit ${status}\n`;

  it('is due when the release tool would tag HEAD, and says which version', async () => {
    await repository(pinned, answer(0, { dryRun: true, version: '1.3.0', commit: 'abc' }));
    const output = join(repo, 'github-output');
    expect(await script('release-due.sh', { GITHUB_OUTPUT: output })).toMatchObject({
      code: 0,
      stdout: 'due=true\nversion=1.3.0\n',
    });
    expect(await readFile(output, 'utf8')).toBe('due=true\nversion=1.3.0\n');
    expect(await fakeCalls(log)).toEqual([
      'npx --no-install appdist release tag --dry-run --format json',
    ]);
  });

  it.each(['nothing-to-release', 'tag-exists'])(
    'is not due when the tool answers %s',
    async (reason) => {
      await repository(pinned, answer(1, { error: { reason, message: 'no' } }));
      expect(await script('release-due.sh')).toMatchObject({
        code: 0,
        stdout: 'due=false\nversion=\n',
      });
    },
  );

  it('fails when HEAD is not a release the tool would tag for any other reason', async () => {
    await repository(pinned, answer(1, { error: { reason: 'out-of-sync', message: 'pins' } }));
    expect(await script('release-due.sh')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/refused \(out-of-sync\)/),
    });
    await repository(pinned, 'echo "TypeError: boom" >&2\nexit 1\n');
    expect(await script('release-due.sh')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/boom[\s\S]*refused \(no reason given\)/),
    });
  });
});

/** The release tool's `release tag --format json`: tags HEAD as 1.2.0 with notes, as it does. */
const TAG = `[ "$*" = "tag --format json" ]
git tag --annotate --message 'appdist 1.2.0

- backend 1.1.0' 1.2.0
echo '{"dryRun":false,"version":"1.2.0","commit":"abc","message":"appdist 1.2.0"}'
`;

describe('ci/release-publish.sh (the turbo release task)', () => {
  let origin: string;

  async function published(releaseTool: string): Promise<void> {
    await repository(pinned, releaseTool);
    await initRepository(repo);
    origin = await writeTree();
    await git(origin, 'init', '--quiet', '--bare', '--initial-branch=main');
    await git(repo, 'remote', 'add', 'origin', origin);
    await git(repo, 'push', '--quiet', 'origin', 'main');
  }

  it('checks the images, tags HEAD with the release tool, pushes the tag, then releases', async () => {
    await published(TAG);
    const result = await script('release-publish.sh');
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/released 1\.2\.0/) });
    expect(await git(origin, 'cat-file', '-t', 'refs/tags/1.2.0')).toBe('tag');
    expect(await git(origin, 'rev-parse', '1.2.0^{commit}')).toBe(
      await git(repo, 'rev-parse', 'HEAD'),
    );
    expect(await fakeCalls(log)).toEqual([
      'npx --no-install appdist render app-kubernetes --format json',
      `docker ${repo} buildx imagetools inspect ${pinned.backend}`,
      `docker ${repo} buildx imagetools inspect ${pinned.frontend}`,
      'npx --no-install appdist release tag --format json',
      'gh release create 1.2.0 --verify-tag --title 1.2.0 --notes-from-tag',
    ]);
  });

  it('tags as github-actions[bot] on a CI runner where nobody configured an identity', async () => {
    await published(TAG);
    await git(repo, 'config', '--unset', 'user.name');
    await git(repo, 'config', '--unset', 'user.email');
    const result = await script('release-publish.sh', {
      CI: 'true',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    });
    expect(result.code).toBe(0);
    expect(await git(repo, 'tag', '--list', '--format=%(taggername) %(taggeremail)', '1.2.0')).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );
  });

  it('tags nothing when a pinned image is not in the registry', async () => {
    await published(TAG);
    const result = await script('release-publish.sh', { FAKE_MISSING: pinned.frontend });
    expect(result).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /ghcr.io\/appdist\/frontend:2.0.0 \(frontend\) is not in the registry/,
      ),
    });
    expect(await git(repo, 'tag', '--list')).toBe('');
    expect(await git(origin, 'tag', '--list')).toBe('');
  });

  it('pushes and releases nothing when the release tool refuses or makes no tag', async () => {
    await published('echo "out of sync" >&2\nexit 1\n');
    expect((await script('release-publish.sh')).code).not.toBe(0);
    await writeFile(release, 'echo \'{"version":"1.2.0"}\'\n');
    expect(await script('release-publish.sh')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/made no annotated tag '1.2.0'/),
    });
    expect(await git(origin, 'tag', '--list')).toBe('');
    expect((await fakeCalls(log)).some((call) => call.startsWith('gh '))).toBe(false);
  });
});

describe('ci/version-packages.sh (the Version Packages pull request)', () => {
  /** The release tool's `release apply --no-tag`: one release commit, no tag. */
  const APPLY = `[ "$*" = "apply --no-tag" ]
echo '{"name":"@appdist/backend","version":"1.2.0"}' >services/backend/package.json
git add services && git commit --quiet --message 'release: 1.3.0'
`;

  it('makes the release commit without a tag, the lockfile in it', async () => {
    await repository(pinned, APPLY);
    await initRepository(repo);
    const result = await script('version-packages.sh', { FAKE_NPM_WRITES: '{"version":"1.2.0"}' });
    expect(result.code).toBe(0);
    expect(await git(repo, 'log', '--format=%s')).toBe('release: 1.3.0\ninitial');
    expect(await git(repo, 'show', '--name-only', '--format=', 'HEAD')).toBe(
      'package-lock.json\nservices/backend/package.json',
    );
    expect(await git(repo, 'status', '--porcelain')).toBe('');
    expect(await git(repo, 'tag', '--list')).toBe('');
    expect(await fakeCalls(log)).toEqual([
      'npx --no-install appdist release apply --no-tag',
      'npm install --package-lock-only --ignore-scripts --no-audit --no-fund',
    ]);
  });

  it('leaves the release commit as it is when the lockfile did not change', async () => {
    await repository(pinned, APPLY);
    await initRepository(repo);
    expect((await script('version-packages.sh')).code).toBe(0);
    expect(await git(repo, 'show', '--name-only', '--format=', 'HEAD')).toBe(
      'services/backend/package.json',
    );
  });
});

describe('ci/kind-version.sh', () => {
  it('prints the kind version the harness pins', async () => {
    const versions = await readFile(join(root, 'packages/e2e/src/versions.ts'), 'utf8');
    const pinnedKind = /kind: \{[^}]*version: '(v[\d.]+)'/.exec(versions)?.[1];
    const output = join(await writeTree(), 'github-output');
    const result = await run('bash', [join(root, 'ci/kind-version.sh')], {
      cwd: '/',
      env: withFakes('/nonexistent', { GITHUB_OUTPUT: output }),
    });
    expect(result).toMatchObject({ code: 0, stdout: `version=${pinnedKind}\n` });
    expect(await readFile(output, 'utf8')).toBe(`version=${pinnedKind}\n`);
  });

  it('refuses a version that is not vX.Y.Z', async () => {
    const copy = await writeTree({
      'packages/e2e/src/versions.ts':
        "export const E2E_VERSIONS = { kind: { version: 'latest' } } as const;\n",
    });
    await copyCiScripts(copy);
    expect(await run('bash', [join(copy, 'ci/kind-version.sh')], { cwd: copy })).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/pins kind 'latest', not vX.Y.Z/),
    });
  });
});

describe('the CI setup scripts', () => {
  beforeEach(async () => {
    await repository(pinned);
  });

  it('ci/crds.sh fetches the CRDs and hands their folder to the later steps', async () => {
    // The real fetch-crds.sh downloads; this one records where it was asked to put the files.
    await mkdir(join(repo, 'packages/validation/scripts'), { recursive: true });
    await writeFile(
      join(repo, 'packages/validation/scripts/fetch-crds.sh'),
      'set -euo pipefail\necho "$1" >"$FETCHED"\n',
    );
    const env = join(repo, 'github-env');
    const fetched = join(repo, 'fetched');
    const result = await script('crds.sh', {
      GITHUB_ENV: env,
      RUNNER_TEMP: '/runner/temp',
      FETCHED: fetched,
    });
    expect(result.code).toBe(0);
    expect(await readFile(fetched, 'utf8')).toBe('/runner/temp/crds\n');
    expect(await readFile(env, 'utf8')).toBe('APPDIST_CRDS_DIR=/runner/temp/crds\n');
  });

  it('ci/test-packages.sh installs the Debian packages the tests use', async () => {
    await installFakes(bin, 'apt-get');
    expect((await script('test-packages.sh')).code).toBe(0);
    expect(await fakeCalls(log)).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core prometheus postgresql redis-server jq shellcheck',
    ]);
  });
});
