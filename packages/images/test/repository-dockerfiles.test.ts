// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are bake's HCL, whose ${…} is theirs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { parseImageReference, SERVICE_NAMES } from '@appdist/catalogue';
import { isRecord } from '@appdist/catalogue/repository';
import dockerignore from '@balena/dockerignore';
import { DockerfileParser } from 'dockerfile-ast';
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceVersions } from '../src/bake.js';
import { type BakeFile, readBakeFile } from '../src/bake-file.js';
import { readDockerfile } from '../src/dockerfile.js';
import { checkDockerfile, formatFinding } from '../src/dockerfile-essentials.js';
import { BAKE_FILE, lockedNodeVersion, REPOSITORY_ROOT } from './repository.js';

const ignore = dockerignore as unknown as typeof dockerignore.default;
const run = promisify(execFile);

let text: string;
let versions: Record<string, string>;
let bake: BakeFile;

beforeAll(async () => {
  text = await readFile(join(REPOSITORY_ROOT, 'services/Dockerfile'), 'utf8');
  versions = serviceVersions(REPOSITORY_ROOT);
  bake = await readBakeFile(BAKE_FILE);
});

/** The build args docker-bake.hcl's release target passes for a service, its expressions filled. */
function argsOf(service: string): Record<string, string> {
  const filled: Record<string, string> = {
    '${service}': service,
    '${version(service)}': versions[service] ?? '',
    '${GIT_COMMIT}': String(bake.variables.GIT_COMMIT),
  };
  const written = Object.entries(bake.targets.service?.args ?? {}).map(([name, value]) => {
    const arg = filled[String(value)] ?? String(value);
    expect(
      arg,
      `docker-bake.hcl args.${name}: an expression this test does not fill`,
    ).not.toContain('${');
    return [name, arg];
  });
  expect(written.map(([name]) => name)).toContain('SERVICE');
  return Object.fromEntries(written);
}

async function dockerignorePatterns() {
  return ignore().add((await readFile(join(REPOSITORY_ROOT, '.dockerignore'), 'utf8')).split('\n'));
}

const parse = () => DockerfileParser.parse(text);

/** Each RUN as the shell gets it: flags removed, continuations joined. */
const runs = () =>
  parse()
    .getInstructions()
    .filter((instruction) => instruction.getKeyword() === 'RUN')
    .map((instruction) => ({
      arguments: instruction.getArgumentsContent() ?? '',
      line: instruction.getRange().start.line + 1,
    }));

describe('services/Dockerfile', () => {
  it("keeps the essentials with each service's build args, and with the defaults", () => {
    for (const service of SERVICE_NAMES) {
      expect(checkDockerfile(text, argsOf(service)).map(formatFinding), service).toEqual([]);
    }
    expect(checkDockerfile(text).map(formatFinding)).toEqual([]);
  });

  it('has no default SERVICE, and a build without one stops first, saying how to pass it', async () => {
    expect(
      parse()
        .getInitialARGs()
        .map((arg) => arg.getArgumentsContent()),
    ).toEqual(['SERVICE']);
    const [guard] = runs();
    if (guard === undefined) throw new Error('services/Dockerfile has no RUN');
    const empty = await mkdtemp(join(tmpdir(), 'appdist-images-guard-'));
    try {
      for (const [service, cwd] of [
        ['', REPOSITORY_ROOT],
        ['backend', empty],
      ] as const) {
        await expect(
          run('sh', ['-c', guard.arguments], { cwd, env: { ...process.env, SERVICE: service } }),
        ).rejects.toMatchObject({
          code: 1,
          stderr: `services/Dockerfile: SERVICE is '${service}': pass --build-arg SERVICE=<name>, a folder of services/\n`,
        });
      }
      for (const service of SERVICE_NAMES) {
        await run('sh', ['-c', guard.arguments], {
          cwd: REPOSITORY_ROOT,
          env: { ...process.env, SERVICE: service },
        });
      }
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("runs node on the service's compiled entry point as uid 1000 with the release labels", () => {
    for (const service of SERVICE_NAMES) {
      const { config } = readDockerfile(text, argsOf(service));
      expect(config.cmd?.form).toBe('exec');
      const argv = config.cmd?.form === 'exec' ? config.cmd.argv : [];
      expect(argv[0]).toBe('node');
      expect(posix.join(config.workdir, argv[1] ?? '')).toBe(
        `/app/services/${service}/dist/main.js`,
      );
      expect(config.user?.value).toBe('1000:1000');
      expect(config.env).toMatchObject({
        NODE_ENV: 'production',
        EMBEDDED_DATA_DIR: '/tmp/pglite',
      });
      expect(config.env.EMBEDDED_DATA_DIR?.startsWith('/tmp/')).toBe(true);
      expect(config.labels).toEqual({
        'org.opencontainers.image.title': `appdist ${service}`,
        'org.opencontainers.image.source': 'https://github.com/appdist/appdist',
        'org.opencontainers.image.licenses': 'Apache-2.0',
        'org.opencontainers.image.version': versions[service],
        'org.opencontainers.image.revision': 'unknown',
      });
      expect(config.healthcheck).toBe(false);
    }
  });

  it('starts from the Node the repository runs, on Debian slim, in every stage', async () => {
    const node = await lockedNodeVersion();
    const images = readDockerfile(text).bases.map((base) => base.image);
    expect(images).toEqual([`node:${node}-bookworm-slim`]);
    const { tag } = parseImageReference(images[0] ?? '');
    expect(tag?.startsWith(`${node}-`)).toBe(true);
  });

  it('copies from the build context only files that exist and .dockerignore keeps', async () => {
    const patterns = await dockerignorePatterns();
    const { sources } = readDockerfile(text);
    expect(sources.map((source) => source.path)).toEqual([
      'tsconfig.base.json',
      'packages/images/scripts/production-files.sh',
      'packages/images/scripts/production-files.sh',
    ]);
    for (const { path } of sources) {
      expect(existsSync(join(REPOSITORY_ROOT, path)), path).toBe(true);
      expect(patterns.ignores(path), path).toBe(false);
    }
  });

  it('has RUN commands that parse as /bin/sh scripts', async () => {
    expect(runs().length).toBeGreaterThan(0);
    for (const command of runs()) {
      // sh -n reads without running: a syntax error exits non-zero and fails the test.
      await expect(
        run('sh', ['-n', '-c', command.arguments]),
        `line ${command.line}`,
      ).resolves.toBeDefined();
    }
  });
});

describe('shell code of the images', () => {
  /** shellcheck's findings for a file, or a failure that says how to get shellcheck. */
  async function shellcheck(args: string[]): Promise<string> {
    await run('shellcheck', ['--version']).catch(() => {
      throw new Error(
        'shellcheck is not installed: apt-get install shellcheck (Debian package shellcheck)',
      );
    });
    try {
      await run('shellcheck', args);
      return '';
    } catch (error) {
      return isRecord(error) ? String(error.stdout) : String(error);
    }
  }

  it('passes shellcheck: production-files.sh and every RUN command (as /bin/sh)', async () => {
    expect(
      await shellcheck([join(REPOSITORY_ROOT, 'packages/images/scripts/production-files.sh')]),
    ).toBe('');
    const dir = await mkdtemp(join(tmpdir(), 'appdist-images-run-'));
    try {
      for (const instruction of runs()) {
        const file = join(dir, `line-${instruction.line}.sh`);
        await writeFile(file, `#!/bin/sh\n${instruction.arguments}\n`);
        expect(await shellcheck(['--shell=sh', file]), `Dockerfile line ${instruction.line}`).toBe(
          '',
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('.dockerignore', () => {
  it('leaves out dependencies, build output, caches and local state at any depth', async () => {
    const patterns = await dockerignorePatterns();
    for (const path of [
      'node_modules/express/index.js',
      'services/backend/node_modules/x/package.json',
      'services/backend/dist/main.js',
      'packages/service-kit/dist/serve.js',
      'dist/base/kustomization.yaml',
      '.turbo/cache/x',
      'packages/images/.turbo/turbo-build.log',
      '.git/HEAD',
      '.data/pglite/PG_VERSION',
      'packages/validation/coverage/index.html',
      'services/backend/tsconfig.build.tsbuildinfo',
    ]) {
      expect(patterns.ignores(path), path).toBe(true);
    }
    for (const path of [
      'package.json',
      'package-lock.json',
      'turbo.json',
      'tsconfig.base.json',
      'services/backend/src/main.ts',
      'services/backend/package.json',
      'packages/service-kit/src/serve.ts',
      'packages/images/scripts/production-files.sh',
    ]) {
      expect(patterns.ignores(path), path).toBe(false);
    }
  });
});
