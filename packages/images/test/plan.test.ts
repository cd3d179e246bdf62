// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bake's HCL, whose ${…} is theirs.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceVersions } from '../src/bake.js';
import { runImagesPlan } from '../src/plan.js';
import { BAKE_FILE, REPOSITORY_ROOT } from './repository.js';

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

const WRITTEN =
  'appdist images: docker buildx is not on PATH: docker-bake.hcl as written (matrix, inherits and ${…} unresolved)\n';
const RESOLVED = 'appdist images: resolved by docker buildx bake --print\n';

/**
 * A `docker` whose `buildx bake --print [names]` prints, from `print` (every group and target of
 * the file, resolved), what bake prints for those names: their targets, the groups named, and a
 * default group to which each name but an existing `default` is added (bake's ReadTargets). It
 * adds the arguments, working directory and VERSIONS it ran with: what buildx resolves is buildx's
 * business, not these tests'.
 */
async function fakeBuildx(print: {
  group: Record<string, { targets: string[] }>;
  target: Record<string, unknown>;
}): Promise<Record<string, string>> {
  const bin = await mkdtemp(join(tmpdir(), 'appdist-images-buildx-'));
  temporary.push(bin);
  await writeFile(join(bin, 'print.json'), JSON.stringify(print));
  const script = `#!/usr/bin/env node
const { readFileSync } = require('node:fs');
const args = process.argv.slice(2);
if (args.join(' ') === 'buildx version') {
  console.log('github.com/docker/buildx v0.30.0');
  process.exit(0);
}
if (args[0] !== 'buildx' || args[1] !== 'bake' || !args.includes('--print')) process.exit(1);
const all = JSON.parse(readFileSync(require('node:path').join(__dirname, 'print.json'), 'utf8'));
const names = args.slice(args.indexOf('--print') + 1);
const requested = names.length > 0 ? names : ['default'];
const group = {};
const target = {};
for (const name of requested) {
  if (all.group[name]) group[name] = structuredClone(all.group[name]);
  for (const member of all.group[name]?.targets ?? [name]) {
    if (!all.target[member]) {
      console.error('ERROR: failed to find target ' + member);
      process.exit(1);
    }
    target[member] = all.target[member];
  }
}
for (const name of requested) {
  if (name === 'default' && group.default) continue;
  group.default = { targets: [...(group.default?.targets ?? []), name] };
}
group.default.targets = [...new Set(group.default.targets)].sort();
const run = { argv: args.join(' '), cwd: process.cwd(), versions: process.env.VERSIONS };
console.log(JSON.stringify({ group, target, run }));
`;
  await writeFile(join(bin, 'docker'), script);
  await chmod(join(bin, 'docker'), 0o755);
  return { PATH: `${bin}:${process.env.PATH}` };
}

/** Every group and target of the repository's bake file, as buildx resolves them (the fields the checks read). */
function repositoryPrint() {
  const versions = serviceVersions(REPOSITORY_ROOT);
  const target: Record<string, unknown> = {};
  for (const service of SERVICE_NAMES) {
    const release = {
      context: '.',
      dockerfile: 'services/Dockerfile',
      args: { SERVICE: service, VERSION: versions[service], GIT_COMMIT: 'unknown' },
      tags: [`ghcr.io/appdist/${service}:${versions[service]}`],
      platforms: ['linux/amd64', 'linux/arm64'],
      attest: [{ type: 'sbom' }, { type: 'provenance', mode: 'max' }],
    };
    target[service] = release;
    target[`kind-${service}`] = {
      ...release,
      platforms: ['linux/amd64'],
      attest: [
        { type: 'sbom', disabled: true },
        { type: 'provenance', disabled: true },
      ],
      output: [{ type: 'docker' }],
    };
  }
  target.validate = { context: '.', dockerfile: 'services/Dockerfile', call: 'check' };
  return {
    group: {
      default: { targets: [...SERVICE_NAMES] },
      kind: { targets: SERVICE_NAMES.map((name) => `kind-${name}`) },
    },
    target,
  };
}

describe('runImagesPlan', () => {
  it('prints docker-bake.hcl as written when buildx is not there, saying so', async () => {
    const { out, output } = capture();
    const code = await runImagesPlan(
      // From a folder deep in the repository: the bake file at its root.
      { cwd: join(REPOSITORY_ROOT, 'services/backend/src'), env: { PATH: '/nonexistent' } },
      output,
    );
    expect(code).toBe(0);
    expect(out.stderr).toBe(WRITTEN);
    const blocks = out.stdout.trim().split('\n\n');
    expect(blocks.map((block) => block.split('\n')[0])).toEqual([
      'kind-service',
      'service',
      'validate',
    ]);
    expect(blocks[1]).toContain('  matrix        {"service":"${APPDIST_SERVICES}"}');
    expect(blocks[1]).toContain('  tags          ${REGISTRY}/${service}:');
    expect(blocks[1]).toContain('  platforms     linux/amd64 linux/arm64');
    expect(blocks[1]).toContain('  attestations  sbom provenance(mode=max)');
    expect(blocks[1]).toContain('  output        build cache only (--push or --load to export)');
    expect(blocks[0]).toContain('  attestations  none');
    expect(blocks[0]).toContain('  inherits      ${service}');
  });

  it('prints what buildx resolves, run with the package versions, as bake --print JSON', async () => {
    const { out, output } = capture();
    const all = repositoryPrint();
    const code = await runImagesPlan(
      { targets: ['kind'], format: 'json', cwd: REPOSITORY_ROOT, env: await fakeBuildx(all) },
      output,
    );
    expect(code).toBe(0);
    expect(out.stderr).toBe(RESOLVED);
    const kindTargets = SERVICE_NAMES.map((name) => `kind-${name}`);
    expect(JSON.parse(out.stdout)).toEqual({
      group: { default: { targets: ['kind'] }, kind: { targets: kindTargets } },
      target: Object.fromEntries(kindTargets.map((name) => [name, all.target[name]])),
      run: {
        argv: `buildx bake --file ${BAKE_FILE} --print kind`,
        cwd: REPOSITORY_ROOT.replace(/\/$/, ''),
        versions: JSON.stringify(serviceVersions(REPOSITORY_ROOT)),
      },
    });
  });

  it("checks the file against the catalogue and every target's inputs with --check", async () => {
    const written = capture();
    expect(
      await runImagesPlan(
        { check: true, cwd: REPOSITORY_ROOT, env: { PATH: '/nonexistent' } },
        written.output,
      ),
    ).toBe(0);
    expect(written.out.stderr).toBe(
      `${WRITTEN}3 targets checked: the catalogue's images, contexts, Dockerfiles and their essentials are fine\n`,
    );

    const resolved = capture();
    const env = await fakeBuildx(repositoryPrint());
    expect(await runImagesPlan({ check: true, cwd: REPOSITORY_ROOT, env }, resolved.output)).toBe(
      0,
    );
    expect(resolved.out.stderr).toBe(
      `${RESOLVED}5 targets checked: the catalogue's images, contexts, Dockerfiles and their essentials are fine\n`,
    );

    // What bake resolves is held to the versions it was given: here an image tagged latest.
    const latest = repositoryPrint();
    Object.assign(latest.target, {
      backend: { ...(latest.target.backend as object), tags: ['ghcr.io/appdist/backend:latest'] },
    });
    const failing = capture();
    const failingEnv = await fakeBuildx(latest);
    expect(
      await runImagesPlan({ check: true, cwd: REPOSITORY_ROOT, env: failingEnv }, failing.output),
    ).toBe(1);
    const version = serviceVersions(REPOSITORY_ROOT).backend;
    expect(failing.out.stderr.split('\n')).toEqual([
      RESOLVED.trim(),
      `target backend: tags ghcr.io/appdist/backend:latest are not ghcr.io/appdist/backend:${version}`,
      `target kind-backend: tags ghcr.io/appdist/backend:${version} differ from ghcr.io/appdist/backend:latest`,
      '2 problems in 5 targets',
      '',
    ]);
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
    // A repository of its own (package.json with workspaces): its root holds the bake file.
    await writeFile(join(root, 'package.json'), '{"workspaces": []}\n');
    await writeFile(
      join(root, 'docker-bake.hcl'),
      'target "api" {\n  dockerfile = "api/Dockerfile"\n}\ntarget "gone" {\n  dockerfile = "nope/Dockerfile"\n}\n',
    );
    const { out, output } = capture();
    const code = await runImagesPlan(
      { targets: ['api', 'gone'], check: true, cwd: root, env: { PATH: '/nonexistent' } },
      output,
    );
    expect(code).toBe(1);
    expect(out.stderr.split('\n')).toEqual([
      WRITTEN.trim(),
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
      await runImagesPlan(
        { targets: ['nope'], cwd: REPOSITORY_ROOT, env: { PATH: '/nonexistent' } },
        unknown.output,
      ),
    ).toBe(2);
    expect(unknown.out.stderr).toBe(
      `${WRITTEN}appdist images: no target or group "nope" written in the bake file (targets: kind-service, service, validate; groups: default, kind); the names a matrix makes are resolved by docker buildx only\n`,
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
    expect(
      await runImagesPlan(
        { file: 'broken.hcl', cwd: empty, env: { PATH: '/nonexistent' } },
        broken.output,
      ),
    ).toBe(1);
    expect(broken.out.stderr).toMatch(/^appdist images: .*broken\.hcl:/);
  });
});
