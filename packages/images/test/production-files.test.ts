import { execFile } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { isRecord } from '@appdist/catalogue/repository';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from './repository.js';

const run = promisify(execFile);
const SCRIPT = join(REPOSITORY_ROOT, 'packages/images/scripts/production-files.sh');

const temporary: string[] = [];

async function temporaryDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `appdist-images-${prefix}-`));
  temporary.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

beforeAll(async () => {
  for (const tool of ['bash', 'npm']) {
    await run(tool, ['--version']).catch(() => {
      throw new Error(
        `${tool} is not on the PATH: production-files.sh needs bash and npm (install Node.js with npm)`,
      );
    });
  }
});

async function productionFiles(
  cwd: string,
  mode: string,
  workspace: string,
  dest: string,
): Promise<{ code: number; stderr: string }> {
  try {
    await run('bash', [SCRIPT, mode, workspace, dest], { cwd });
    return { code: 0, stderr: '' };
  } catch (error) {
    if (!isRecord(error)) throw error;
    return { code: typeof error.code === 'number' ? error.code : -1, stderr: String(error.stderr) };
  }
}

/** Every path under `root`, relative, links not followed. */
function listTree(root: string, prefix = ''): string[] {
  const paths: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    paths.push(path);
    if (entry.isDirectory()) paths.push(...listTree(root, path));
  }
  return paths.sort();
}

/**
 * A workspace as npm lays it out after `npm ci`: the service depends on a workspace library and
 * on packages hoisted, nested below another package, and nested below the service itself; a
 * devDependency workspace and package, and an unrelated workspace, must stay out.
 */
async function writeFixture(): Promise<string> {
  const root = await temporaryDir('fixture');
  const files: Record<string, object | string> = {
    'package.json': { name: 'fx', private: true, workspaces: ['services/*', 'packages/*'] },
    'services/app/package.json': {
      name: '@fx/app',
      version: '1.0.0',
      dependencies: { '@fx/lib': '*', left: '^1.0.0', shared: '^1.0.0', solo: '^1.0.0' },
      devDependencies: { '@fx/devlib': '*', devonly: '^1.0.0' },
    },
    'services/app/dist/main.js': 'export {};\n',
    'services/app/src/main.ts': 'export {};\n',
    'services/app/node_modules/solo/package.json': { name: 'solo', version: '1.0.0' },
    'packages/lib/package.json': {
      name: '@fx/lib',
      version: '1.0.0',
      dependencies: { 'left-pad': '^1.0.0' },
    },
    'packages/lib/dist/index.js': 'export {};\n',
    'packages/lib/test/index.test.ts': 'export {};\n',
    'packages/devlib/package.json': { name: '@fx/devlib', version: '1.0.0' },
    'packages/devlib/dist/index.js': 'export {};\n',
    'packages/other/package.json': { name: '@fx/other', version: '1.0.0' },
    'node_modules/left/package.json': {
      name: 'left',
      version: '1.0.0',
      dependencies: { shared: '^2.0.0' },
    },
    'node_modules/left/node_modules/shared/package.json': { name: 'shared', version: '2.0.0' },
    'node_modules/shared/package.json': { name: 'shared', version: '1.0.0' },
    'node_modules/left-pad/package.json': { name: 'left-pad', version: '1.0.0' },
    'node_modules/devonly/package.json': { name: 'devonly', version: '1.0.0' },
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(
      join(root, path),
      typeof content === 'string' ? content : `${JSON.stringify(content)}\n`,
    );
  }
  const links: [string, string][] = [
    ['app', 'services/app'],
    ['lib', 'packages/lib'],
    ['devlib', 'packages/devlib'],
    ['other', 'packages/other'],
  ];
  await mkdir(join(root, 'node_modules/@fx'), { recursive: true });
  for (const [name, folder] of links) {
    await symlink(`../../${folder}`, join(root, 'node_modules/@fx', name));
  }
  return root;
}

describe('production-files.sh on a workspace fixture', () => {
  it('copies the production dependency closure, workspace links as links, each package once', async () => {
    const root = await writeFixture();
    const dest = await temporaryDir('deps');
    expect(await productionFiles(root, 'dependencies', '@fx/app', dest)).toEqual({
      code: 0,
      stderr: '',
    });
    expect(listTree(dest)).toEqual([
      'node_modules',
      'node_modules/@fx',
      'node_modules/@fx/app',
      'node_modules/@fx/lib',
      'node_modules/left',
      'node_modules/left-pad',
      'node_modules/left-pad/package.json',
      'node_modules/left/node_modules',
      'node_modules/left/node_modules/shared',
      'node_modules/left/node_modules/shared/package.json',
      'node_modules/left/package.json',
      'node_modules/shared',
      'node_modules/shared/package.json',
      'services',
      'services/app',
      'services/app/node_modules',
      'services/app/node_modules/solo',
      'services/app/node_modules/solo/package.json',
    ]);
    expect(lstatSync(join(dest, 'node_modules/@fx/lib')).isSymbolicLink()).toBe(true);
  });

  it('copies package.json and dist/ of the workspace packages in the closure, nothing else', async () => {
    const root = await writeFixture();
    const dest = await temporaryDir('workspaces');
    expect(await productionFiles(root, 'workspaces', '@fx/app', dest)).toEqual({
      code: 0,
      stderr: '',
    });
    expect(listTree(dest)).toEqual([
      'packages',
      'packages/lib',
      'packages/lib/dist',
      'packages/lib/dist/index.js',
      'packages/lib/package.json',
      'services',
      'services/app',
      'services/app/dist',
      'services/app/dist/main.js',
      'services/app/package.json',
    ]);
  });

  it('lists the closure without copying', async () => {
    const root = await writeFixture();
    const { stdout } = await run('bash', [SCRIPT, 'list', '@fx/app'], { cwd: root });
    expect(stdout.split('\n')).toEqual([
      'node_modules/@fx/app',
      'node_modules/@fx/lib',
      'node_modules/left',
      'node_modules/left-pad',
      'node_modules/left/node_modules/shared',
      'node_modules/shared',
      'services/app/node_modules/solo',
      '',
    ]);
  });

  it('fails with a message when a workspace package is not built, and on bad usage', async () => {
    const root = await writeFixture();
    await rm(join(root, 'packages/lib/dist'), { recursive: true });
    const result = await productionFiles(root, 'workspaces', '@fx/app', await temporaryDir('x'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('packages/lib/dist does not exist: build @fx/app first');
    const usage = await productionFiles(root, 'everything', '@fx/app', await temporaryDir('y'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: production-files.sh dependencies|workspaces');
  });
});

describe('production-files.sh on this repository', () => {
  const expectations: Record<string, { workspaces: string[]; includes: string[] }> = {
    backend: { workspaces: ['backend', 'service-kit'], includes: ['express', 'pino', 'zod'] },
    cache: { workspaces: ['cache', 'service-kit'], includes: ['express', 'ioredis'] },
    database: {
      workspaces: ['catalogue', 'database', 'service-kit'],
      includes: ['@electric-sql/pglite', 'pg', 'express'],
    },
    frontend: { workspaces: ['frontend', 'service-kit'], includes: ['express', 'helmet'] },
    tester: {
      workspaces: ['catalogue', 'conformance', 'service-kit', 'tester'],
      includes: ['express', 'ioredis', 'undici', 'prom-client'],
    },
  };
  // Test-only and build-only packages the images must never carry.
  const excluded = [
    'testcontainers',
    'playwright-core',
    'typescript',
    'vitest',
    'turbo',
    'node',
    '@biomejs/biome',
    '@aws-cdk/lambda-layer-kubectl-v35',
    '@appdist/testing',
    // The repository tooling's parsers: the catalogue the services ship has no dependencies.
    '@cdktf/hcl2json',
    'js-yaml',
  ];

  it('gives each service its own closure, without test tooling or the npm node package', async () => {
    const lock: unknown = JSON.parse(
      await readFile(join(REPOSITORY_ROOT, 'package-lock.json'), 'utf8'),
    );
    const lockPackages = isRecord(lock) && isRecord(lock.packages) ? lock.packages : {};
    const listings = await Promise.all(
      Object.entries(expectations).map(async ([service, expected]) => ({
        service,
        expected,
        listing: await run('bash', [SCRIPT, 'list', `@appdist/${service}`], {
          cwd: REPOSITORY_ROOT,
        }),
      })),
    );
    for (const { service, expected, listing } of listings) {
      const paths = listing.stdout.trim().split('\n');
      const workspaces = paths
        .filter((path) => path.startsWith('node_modules/@appdist/'))
        .map((path) => path.slice('node_modules/@appdist/'.length));
      expect(workspaces, service).toEqual(expected.workspaces);
      for (const name of expected.includes) {
        expect(paths, `${service}: ${name}`).toContain(`node_modules/${name}`);
      }
      for (const name of excluded) {
        expect(paths, `${service}: ${name}`).not.toContain(`node_modules/${name}`);
      }
      // The images install with --ignore-scripts: nothing they carry may need an install script.
      const withScripts = paths.filter((path) => {
        const entry = lockPackages[path];
        return isRecord(entry) && entry.hasInstallScript === true;
      });
      expect(withScripts, service).toEqual([]);
    }
  });
});
