import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BakeFile } from '../src/bake.js';
import { baseImage, contextSources, finalImageConfig, parseDockerfile } from '../src/dockerfile.js';
import {
  checkDockerfile,
  formatFinding,
  parseImageReference,
} from '../src/dockerfile-essentials.js';
import { isIgnored, parseDockerignore } from '../src/dockerignore.js';
import { listServices, type ServicePackage } from '../src/services.js';
import {
  isRecord,
  loadRepositoryBake,
  lockedNodeVersion,
  REPOSITORY_ROOT,
  targetNamed,
} from './repository.js';

let services: ServicePackage[];
let bake: BakeFile;
const dockerfiles = new Map<string, string>();

beforeAll(async () => {
  [services, bake] = await Promise.all([listServices(REPOSITORY_ROOT), loadRepositoryBake()]);
  for (const service of services) {
    dockerfiles.set(service.name, await readFile(join(service.directory, 'Dockerfile'), 'utf8'));
  }
});

function dockerfileOf(service: ServicePackage): string {
  const text = dockerfiles.get(service.name);
  if (text === undefined) throw new Error(`services/${service.name}/Dockerfile is missing`);
  return text;
}

describe('services/*/Dockerfile', () => {
  it('keep the essentials with the build args their bake target passes', () => {
    for (const service of services) {
      const args = targetNamed(bake, service.name).args;
      expect(checkDockerfile(dockerfileOf(service), args).map(formatFinding), service.name).toEqual(
        [],
      );
      expect(checkDockerfile(dockerfileOf(service)).map(formatFinding), service.name).toEqual([]);
    }
  });

  it('are one file that differs only in the default of ARG SERVICE, which names the folder', () => {
    const pattern = /^ARG SERVICE=([a-z-]+)$/m;
    const normalised = new Set<string>();
    for (const service of services) {
      const text = dockerfileOf(service);
      expect(text.match(pattern)?.[1], `services/${service.name}/Dockerfile`).toBe(service.name);
      normalised.add(text.replace(pattern, 'ARG SERVICE=<name>'));
    }
    expect(normalised.size).toBe(1);
  });

  it("run node on the service's compiled entry point as uid 1000 with the release labels", () => {
    for (const service of services) {
      const config = finalImageConfig(
        parseDockerfile(dockerfileOf(service)),
        targetNamed(bake, service.name).args,
      );
      expect(config.cmd?.form).toBe('exec');
      const argv = config.cmd?.form === 'exec' ? config.cmd.argv : [];
      expect(argv[0]).toBe('node');
      expect(posix.join(config.workdir, argv[1] ?? '')).toBe(
        `/app/services/${service.name}/dist/main.js`,
      );
      expect(config.user?.value).toBe('1000:1000');
      expect(config.env).toMatchObject({
        NODE_ENV: 'production',
        EMBEDDED_DATA_DIR: '/tmp/pglite',
      });
      expect(config.env.EMBEDDED_DATA_DIR?.startsWith('/tmp/')).toBe(true);
      expect(config.labels).toEqual({
        'org.opencontainers.image.title': `appdist ${service.name}`,
        'org.opencontainers.image.source': 'https://github.com/appdist/appdist',
        'org.opencontainers.image.licenses': 'Apache-2.0',
        'org.opencontainers.image.version': service.version,
        'org.opencontainers.image.revision': 'unknown',
      });
      expect(config.healthcheck).toBe(false);
    }
  });

  it('start from the Node the repository runs, on Debian slim, in every stage', async () => {
    const node = await lockedNodeVersion();
    for (const service of services) {
      const dockerfile = parseDockerfile(dockerfileOf(service));
      const images = dockerfile.stages
        .map((stage) => baseImage(dockerfile, stage))
        .filter((image) => image !== undefined);
      expect(images, service.name).toEqual([`node:${node}-bookworm-slim`]);
      const { tag } = parseImageReference(images[0] ?? '');
      expect(tag?.startsWith(`${node}-`)).toBe(true);
    }
  });

  it('copy from the build context only files that exist and .dockerignore keeps', async () => {
    const patterns = parseDockerignore(
      await readFile(join(REPOSITORY_ROOT, '.dockerignore'), 'utf8'),
    );
    for (const service of services) {
      const sources = contextSources(parseDockerfile(dockerfileOf(service)));
      expect(sources.map((source) => source.path)).toEqual([
        'tsconfig.base.json',
        'packages/images/scripts/production-files.sh',
        'packages/images/scripts/production-files.sh',
      ]);
      for (const { path } of sources) {
        expect(existsSync(join(REPOSITORY_ROOT, path)), path).toBe(true);
        expect(isIgnored(patterns, path), path).toBe(false);
      }
    }
  });
  it('have RUN commands that parse as /bin/sh scripts', async () => {
    const run = promisify(execFile);
    const [first] = services;
    if (first === undefined) throw new Error('no services');
    const commands = parseDockerfile(dockerfileOf(first)).stages.flatMap((stage) =>
      stage.instructions.filter((instruction) => instruction.keyword === 'RUN'),
    );
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      // sh -n reads without running: a syntax error exits non-zero and fails the test.
      await expect(
        run('sh', ['-n', '-c', command.arguments]),
        `line ${command.line}`,
      ).resolves.toBeDefined();
    }
  });
});

describe('shell code of the images', () => {
  const run = promisify(execFile);

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
    const [first] = services;
    if (first === undefined) throw new Error('no services');
    const dir = await mkdtemp(join(tmpdir(), 'appdist-images-run-'));
    try {
      const runs = parseDockerfile(dockerfileOf(first)).stages.flatMap((stage) =>
        stage.instructions.filter((instruction) => instruction.keyword === 'RUN'),
      );
      for (const instruction of runs) {
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
    const patterns = parseDockerignore(
      await readFile(join(REPOSITORY_ROOT, '.dockerignore'), 'utf8'),
    );
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
      expect(isIgnored(patterns, path), path).toBe(true);
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
      expect(isIgnored(patterns, path), path).toBe(false);
    }
  });
});
