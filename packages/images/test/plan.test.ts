import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBakeFile, runImagesPlan } from '../src/plan.js';
import { isRecord, REPOSITORY_ROOT } from './repository.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    output: {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
    },
  };
}

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('runImagesPlan', () => {
  it('prints what the default group builds, as text', async () => {
    const { out, output } = capture();
    const code = await runImagesPlan({ cwd: join(REPOSITORY_ROOT, 'packages'), env: {} }, output);
    expect(code).toBe(0);
    expect(out.stderr).toBe('');
    const blocks = out.stdout.trim().split('\n\n');
    expect(blocks.map((block) => block.split('\n')[0])).toEqual([
      'frontend',
      'backend',
      'cache',
      'database',
      'tester',
    ]);
    expect(blocks[1]).toContain('  tags          ghcr.io/appdist/backend:');
    expect(blocks[1]).toContain('  platforms     linux/amd64 linux/arm64');
    expect(blocks[1]).toContain('  attestations  sbom provenance(mode=max)');
    expect(blocks[1]).toContain('  output        build cache only (--push or --load to export)');
  });

  it('prints JSON shaped like `docker buildx bake --print`, with variables from the environment', async () => {
    const { out, output } = capture();
    const code = await runImagesPlan(
      { targets: ['kind'], format: 'json', cwd: REPOSITORY_ROOT, env: { TAG: 'e2e-1' } },
      output,
    );
    expect(code).toBe(0);
    const printed: unknown = JSON.parse(out.stdout);
    if (!isRecord(printed) || !isRecord(printed.target) || !isRecord(printed.group)) {
      throw new Error(`unexpected JSON: ${out.stdout}`);
    }
    expect(printed.group).toEqual({
      kind: {
        targets: ['kind-frontend', 'kind-backend', 'kind-cache', 'kind-database', 'kind-tester'],
      },
    });
    expect(printed.target['kind-backend']).toEqual({
      context: '.',
      dockerfile: 'services/backend/Dockerfile',
      args: { GIT_COMMIT: 'unknown', VERSION: expect.any(String) },
      tags: ['ghcr.io/appdist/backend:e2e-1'],
      platforms: ['linux/amd64'],
      attest: [
        { type: 'sbom', disabled: true },
        { type: 'provenance', disabled: true },
      ],
      'cache-from': [{ type: 'registry', ref: 'ghcr.io/appdist/backend:buildcache' }],
      output: [{ type: 'docker' }],
    });
  });

  it("checks every target's inputs and the Dockerfile essentials with --check", async () => {
    const { out, output } = capture();
    const code = await runImagesPlan({ check: true, cwd: REPOSITORY_ROOT, env: {} }, output);
    expect(out.stderr).toBe(
      '5 targets checked: contexts, Dockerfiles and their essentials are fine\n',
    );
    expect(code).toBe(0);
  });

  it('reports a failing Dockerfile and a missing COPY source, naming target, file and line', async () => {
    const root = await mkdtemp(join(tmpdir(), 'appdist-images-plan-'));
    temporary.push(root);
    await mkdir(join(root, 'api'));
    await writeFile(
      join(root, 'api/Dockerfile'),
      [
        'FROM node:24',
        'COPY tsconfig.base.json ./',
        'COPY scripts/missing.sh /usr/local/bin/',
        'LABEL org.opencontainers.image.title=api org.opencontainers.image.source=s \\',
        '      org.opencontainers.image.version=1 org.opencontainers.image.revision=r \\',
        '      org.opencontainers.image.licenses=MIT',
        'ENV NODE_ENV=production',
        'USER node',
        'EXPOSE 8080',
        'CMD ["node", "dist/main.js"]',
        '',
      ].join('\n'),
    );
    await writeFile(join(root, 'tsconfig.base.json'), '{}');
    await writeFile(join(root, '.dockerignore'), 'tsconfig.base.json\n');
    await writeFile(
      join(root, 'docker-bake.hcl'),
      'target "api" {\n  dockerfile = "api/Dockerfile"\n}\ntarget "gone" {\n  dockerfile = "nope/Dockerfile"\n}\n',
    );
    const { out, output } = capture();
    const code = await runImagesPlan(
      { targets: ['api', 'gone'], check: true, cwd: root, env: {} },
      output,
    );
    expect(code).toBe(1);
    expect(out.stderr.split('\n')).toEqual([
      'api: api/Dockerfile line 1: FROM node:24: tag "24" is not a version; pin at least major.minor (node:<major.minor.patch>…) (rule from-pinned)',
      'api: api/Dockerfile line 8: USER node is not numeric: runAsNonRoot can only verify a numeric user; use USER 1000:1000 (rule user-non-root)',
      'api: api/Dockerfile line 2: COPY tsconfig.base.json: excluded by .dockerignore',
      'api: api/Dockerfile line 3: COPY scripts/missing.sh: not in the build context',
      'gone: dockerfile nope/Dockerfile does not exist (relative to the context)',
      '5 problems in 2 targets',
      '',
    ]);
  });

  it('exits 2 for an unknown target and for a missing bake file, 1 for a broken one', async () => {
    const unknown = capture();
    expect(
      await runImagesPlan({ targets: ['nope'], cwd: REPOSITORY_ROOT, env: {} }, unknown.output),
    ).toBe(2);
    expect(unknown.out.stderr).toMatch(
      /^appdist images: no target or group "nope"; known: backend, cache,/,
    );

    const empty = await mkdtemp(join(tmpdir(), 'appdist-images-empty-'));
    temporary.push(empty);
    const missing = capture();
    expect(await runImagesPlan({ file: 'docker-bake.hcl', cwd: empty }, missing.output)).toBe(2);
    expect(missing.out.stderr).toBe(
      `appdist images: ${join(empty, 'docker-bake.hcl')} not found: run it in the repository, or pass --file\n`,
    );

    await writeFile(join(empty, 'broken.hcl'), 'target "x" {\n  tags = [\n');
    const broken = capture();
    expect(await runImagesPlan({ file: 'broken.hcl', cwd: empty }, broken.output)).toBe(1);
    expect(broken.out.stderr).toMatch(/^appdist images: .*broken\.hcl:/);
  });
});

describe('findBakeFile', () => {
  it('finds the repository bake file from a folder below it', () => {
    expect(findBakeFile(join(REPOSITORY_ROOT, 'services/backend/src'))).toBe(
      join(REPOSITORY_ROOT, 'docker-bake.hcl'),
    );
  });
});
