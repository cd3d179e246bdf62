import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeCalls, installFakes } from './fakes.js';
import { copyCiScripts, run, servicePackages, withFakes, writeTree } from './sandbox.js';

let repo: string;
let bin: string;
let log: string;

const images = ['ghcr.io/appdist/backend:1.1.0', 'ghcr.io/appdist/frontend:2.0.0'];
const imageArgs =
  '--image backend=ghcr.io/appdist/backend:1.1.0 --image frontend=ghcr.io/appdist/frontend:2.0.0';

beforeEach(async () => {
  repo = await writeTree({
    ...servicePackages({ backend: '1.1.0', frontend: '2.0.0' }),
    'dist/app-istio/kustomization.yaml': '',
    'dist/app-kubernetes/kustomization.yaml': '',
    'dist/base/kustomization.yaml': '',
    'images.txt': `${images.join('\n')}\n`,
  });
  await copyCiScripts(repo);
  bin = join(repo, '.fake-bin');
  log = join(repo, 'calls.log');
  await installFakes(bin, 'npx', 'kind', 'docker');
});

function e2e(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run('bash', [join(repo, 'ci/e2e.sh'), ...args], {
    cwd: repo,
    env: withFakes(bin, { FAKE_LOG: log, APPDIST_E2E_IMAGES: join(repo, 'images.txt'), ...env }),
  });
}

const harness = (dist: string) =>
  `npx --no-install appdist e2e --dist ${dist} --artifacts ${repo}/e2e-artifacts/${dist} ${imageArgs}`;

describe('ci/e2e.sh', () => {
  it('runs the harness on every distribution by default, with the images it was given', async () => {
    const result = await e2e([]);
    expect(result.code).toBe(0);
    expect(await fakeCalls(log)).toEqual([harness('app-istio'), harness('app-kubernetes')]);
  });

  it('takes the tags of the kind-<service> bake targets when no image list is given', async () => {
    const result = await e2e(['app-istio'], { APPDIST_E2E_IMAGES: '' });
    expect(result.code).toBe(0);
    expect(await fakeCalls(log)).toEqual([
      `docker ${repo} buildx bake --file docker-bake.hcl --print kind-backend kind-frontend`,
      `npx --no-install appdist e2e --dist app-istio --artifacts ${repo}/e2e-artifacts/app-istio --image backend=registry.test/backend:1.0.0 --image frontend=registry.test/frontend:1.0.0`,
    ]);
  });

  it('stops at the first failing distribution, saving the logs of a cluster left behind', async () => {
    const artifacts = join(repo, 'diagnostics');
    const result = await e2e(['app-istio', 'app-kubernetes'], {
      FAKE_FAIL: 'app-istio',
      FAKE_CLUSTERS: 'appdist-istio',
      APPDIST_E2E_ARTIFACTS: artifacts,
    });
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/app-istio failed/) });
    expect(await fakeCalls(log)).toEqual([
      `npx --no-install appdist e2e --dist app-istio --artifacts ${artifacts}/app-istio ${imageArgs}`,
      'kind get clusters',
      `kind export logs ${artifacts}/app-istio/left-behind/appdist-istio --name appdist-istio`,
    ]);
    expect(await readdir(join(artifacts, 'app-istio/left-behind'))).toEqual(['appdist-istio']);
  });

  it('stops a harness that outlives APPDIST_E2E_TIMEOUT', async () => {
    const started = Date.now();
    const result = await e2e(['app-kubernetes'], { FAKE_SLEEP: '30', APPDIST_E2E_TIMEOUT: '1s' });
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses a distribution that does not exist, or a service without an image', async () => {
    expect(await e2e(['app-nomad'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no distribution dist\/app-nomad/),
    });
    const partial = join(repo, 'partial.txt');
    await writeFile(partial, `${images[0]}\n`);
    expect(await e2e(['app-istio'], { APPDIST_E2E_IMAGES: partial })).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/expected one image for each of backend frontend/),
    });
    expect(await fakeCalls(log)).toEqual([]);
  });
});
