import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type E2ECommandEnvironment,
  type E2ECommandOptions,
  runE2ECommand,
} from '../src/e2e-command.js';
import { preflightProblems } from '../src/preflight.js';
import { E2E_VERSIONS } from '../src/versions.js';
import { fakeTools, REPO_ROOT, temporaryDir } from './helpers.js';

const SYSTEM_PATH = '/usr/bin:/bin';

async function e2e(options: E2ECommandOptions, environment: E2ECommandEnvironment = {}) {
  let stdout = '';
  let stderr = '';
  const exitCode = await runE2ECommand(
    options,
    {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    },
    { cwd: REPO_ROOT, ...environment },
  );
  return { exitCode, stdout, stderr };
}

describe('appdist e2e --plan', () => {
  it('prints the ordered commands under step headers and runs nothing', async () => {
    const artifacts = await temporaryDir();
    const { exitCode, stdout, stderr } = await e2e(
      {
        dist: 'app-istio',
        plan: true,
        artifacts,
        images: ['backend=localhost:5000/appdist/backend:pr-1'],
        tag: 'sha-3f2c1e0',
      },
      // No tool at all: a plan needs none.
      { env: { PATH: '' } },
    );
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^# appdist e2e app-istio: Kind cluster appdist-istio/);
    expect(
      stdout.match(/^## \d+\. [a-z]+:/gm)?.map((header) => header.replace(/^## \d+\. /, '')),
    ).toEqual([
      'tools:',
      'cluster:',
      'mesh:',
      'flagger:',
      'images:',
      'deploy:',
      'conformance:',
      'smoke:',
      'promote:',
      'rollback:',
      'collect:',
      'teardown:',
    ]);
    expect(stdout).toContain(
      'kind load docker-image localhost:5000/appdist/backend:pr-1 --name appdist-istio\n',
    );
    expect(stdout).toContain(
      'kind load docker-image ghcr.io/appdist/frontend:sha-3f2c1e0 --name appdist-istio\n',
    );
    const rendered = await readFile(join(artifacts, 'rendered', 'app-istio.yaml'), 'utf8');
    expect(rendered).toContain('image: localhost:5000/appdist/backend:pr-1\n');
    // Nothing ran: no kubeconfig, no downloaded tools, no result.
    await expect(access(join(artifacts, 'kubeconfig'))).rejects.toThrow(/ENOENT/);
    await expect(access(join(artifacts, 'bin'))).rejects.toThrow(/ENOENT/);
    await expect(access(join(artifacts, 'result.json'))).rejects.toThrow(/ENOENT/);
  });

  it('keeps the cluster with --keep-cluster: no teardown step', async () => {
    const { stdout } = await e2e({
      dist: 'app-kubernetes',
      plan: true,
      artifacts: await temporaryDir(),
      keepCluster: true,
    });
    expect(stdout).not.toContain('teardown');
    expect(stdout).not.toContain('kind delete cluster');
  });
});

describe('where artifacts go', () => {
  it('is $APPDIST_E2E_ARTIFACTS/<dist> when set (the CI job uploads that folder)', async () => {
    const base = await temporaryDir();
    const { exitCode, stdout } = await e2e(
      { dist: 'app-linkerd', plan: true },
      { env: { PATH: '', APPDIST_E2E_ARTIFACTS: base } },
    );
    expect(exitCode).toBe(0);
    expect(stdout).toContain(`work and artifacts in ${join(base, 'app-linkerd')}\n`);
    await expect(
      access(join(base, 'app-linkerd', 'rendered', 'app-linkerd.yaml')),
    ).resolves.toBeUndefined();
  });
});

describe('usage errors', () => {
  it('names the known distributions for an unknown one', async () => {
    const result = await e2e({ dist: 'app-consul', plan: true, artifacts: await temporaryDir() });
    expect(result).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        'appdist e2e: unknown distribution "app-consul": the Kind end-to-end run knows app-kubernetes, app-istio, app-linkerd\n',
    });
  });

  it('explains a malformed --image', async () => {
    const result = await e2e({
      dist: 'app-istio',
      plan: true,
      images: ['ghcr.io/appdist/backend:e2e'],
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      '--image "ghcr.io/appdist/backend:e2e": write it as <service>=<image>',
    );
    const unknown = await e2e({ dist: 'app-istio', plan: true, images: ['redis=redis:7'] });
    expect(unknown.stderr).toContain('unknown service "redis"');
    const tag = await e2e({ dist: 'app-istio', plan: true, tag: 'v1/2' });
    expect(tag).toMatchObject({
      exitCode: 2,
      stderr: 'appdist e2e: tag "v1/2" is not a valid image tag\n',
    });
  });
});

describe('a real run on a machine without kind or Docker', () => {
  it('is refused with what is missing and how to get the plan instead', async () => {
    const dir = await temporaryDir();
    // docker is there, its engine is not (as on this project's development machine); kind is missing.
    const bin = await fakeTools(dir, ['docker']);
    const artifacts = join(dir, 'artifacts');
    const result = await e2e(
      { dist: 'app-kubernetes', artifacts },
      {
        env: { PATH: `${bin}:${SYSTEM_PATH}`, FAKE_SCENARIO: 'docker-down' },
        platform: 'linux',
        arch: 'x64',
      },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'appdist e2e: a real run creates a Kind cluster, which this machine cannot do:\n',
    );
    expect(result.stderr).toContain('  - kind is not on the PATH (install kind v0.27.0)\n');
    expect(result.stderr).toContain(
      '  - docker cannot reach a Docker engine (Cannot connect to the Docker daemon at unix:///var/run/docker.sock.)\n',
    );
    expect(result.stderr).toContain('appdist e2e --dist app-kubernetes --plan\n');
    await expect(access(artifacts)).rejects.toThrow(/ENOENT/);
  });

  it('lists docker and kind when neither is installed', async () => {
    const result = await e2e(
      { dist: 'app-istio' },
      { env: { PATH: '' }, platform: 'linux', arch: 'x64' },
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('  - docker is not on the PATH\n');
    expect(result.stderr).toContain('  - kind is not on the PATH (install kind v0.27.0)\n');
  });
});

describe('preflight', () => {
  it('passes with kind, a reachable Docker engine and the usual programs on linux/amd64', async () => {
    const bin = await fakeTools(await temporaryDir(), ['docker', 'kind', 'curl']);
    const env = { PATH: `${bin}:${SYSTEM_PATH}` };
    expect(await preflightProblems({ env, platform: 'linux', arch: 'x64' })).toEqual([]);
    expect(await preflightProblems({ env, platform: 'darwin', arch: 'arm64' })).toEqual([
      'darwin/arm64: the pinned tools are linux-amd64 builds',
    ]);
  });

  it('finds nothing with an empty or unset PATH, not even programs in the current folder', async () => {
    const bin = await fakeTools(await temporaryDir(), ['docker', 'kind', 'curl']);
    const cwd = process.cwd();
    process.chdir(bin);
    try {
      for (const env of [{ PATH: '' }, {}]) {
        const problems = await preflightProblems({ env, platform: 'linux', arch: 'x64' });
        expect(problems).toContain('docker is not on the PATH');
        expect(problems).toContain(
          `kind is not on the PATH (install kind ${E2E_VERSIONS.kind.version})`,
        );
      }
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('a real run that fails', () => {
  // About 50 short processes (fake tools): see run-e2e.test.ts.
  it('exits 1 and points at the collected artifacts', { timeout: 90_000 }, async () => {
    const dir = await temporaryDir();
    const bin = await fakeTools(dir, ['docker', 'kind', 'curl']);
    const artifacts = join(dir, 'artifacts');
    const result = await e2e(
      { dist: 'app-kubernetes', artifacts },
      {
        env: {
          PATH: `${bin}:${SYSTEM_PATH}`,
          FAKE_STATE: join(dir, 'state.json'),
          FAKE_SCENARIO: 'conformance-fails',
        },
        platform: 'linux',
        arch: 'x64',
        sleep: async () => undefined,
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      `appdist e2e: app-kubernetes failed at step conformance; events, logs and Canaries are in ${join(artifacts, 'collected')}\n`,
    );
    expect(result.stdout).toContain('## 10. collect:');
  });
});
