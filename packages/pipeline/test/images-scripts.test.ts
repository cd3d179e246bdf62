import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@appdist/catalogue';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeCalls, installFakes } from './fakes.js';
import { copyCiScripts, root, run, servicePackages, withFakes, writeTree } from './sandbox.js';

let repo: string;
let bin: string;
let log: string;

beforeEach(async () => {
  repo = await writeTree(servicePackages({ backend: '1.2.0', frontend: '2.0.0' }));
  await copyCiScripts(repo);
  bin = join(repo, '.fake-bin');
  log = join(repo, 'docker.log');
  await installFakes(bin, 'docker');
});

const script = (name: string) => join(repo, 'ci', name);

describe('ci/services.sh', () => {
  it("lists the catalogue's services: exactly the folders of services/ holding a package.json", async () => {
    const result = await run('bash', [join(root, 'ci/services.sh')], { cwd: '/' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(SERVICE_NAMES);
    const folders = (await readdir(join(root, 'services'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .filter((name) => existsSync(join(root, 'services', name, 'package.json')));
    expect(folders.sort()).toEqual([...SERVICE_NAMES].sort());
  });
});

describe('ci/bake.sh', () => {
  /** A docker that prints the VERSIONS it was given and its arguments. */
  async function echoDocker(): Promise<string> {
    const dir = await writeTree({ docker: '#!/bin/sh\necho "$PWD $VERSIONS $*"\n' });
    await chmod(join(dir, 'docker'), 0o755);
    return dir;
  }

  it('bakes docker-bake.hcl (named) from the repository root with VERSIONS read from services/<name>/package.json', async () => {
    const result = await run('bash', [script('bake.sh'), '--print', 'kind'], {
      cwd: '/',
      env: withFakes(await echoDocker()),
    });
    expect(result).toMatchObject({
      code: 0,
      stdout: `${repo} {"backend":"1.2.0","frontend":"2.0.0"} buildx bake --file docker-bake.hcl --print kind\n`,
    });
  });

  it('reads the versions of the services ci/services.sh lists, not of every folder', async () => {
    await mkdir(join(repo, 'services/stray'));
    await writeFile(join(repo, 'services/stray/package.json'), '{"version": "6.6.6"}\n');
    await writeFile(script('services.sh'), '#!/usr/bin/env bash\nprintf "frontend\\nbackend\\n"\n');
    const result = await run('bash', [script('bake.sh'), '--print'], {
      cwd: repo,
      env: withFakes(await echoDocker()),
    });
    expect(result).toMatchObject({
      code: 0,
      stdout: `${repo} {"frontend":"2.0.0","backend":"1.2.0"} buildx bake --file docker-bake.hcl --print\n`,
    });
  });

  it('keeps VERSIONS when it is already set', async () => {
    const result = await run('bash', [script('bake.sh'), 'backend'], {
      cwd: repo,
      env: withFakes(await echoDocker(), { VERSIONS: '{"backend":"9.9.9"}' }),
    });
    expect(result.stdout).toBe(
      `${repo} {"backend":"9.9.9"} buildx bake --file docker-bake.hcl backend\n`,
    );
  });
});

describe('ci/image.sh (the turbo image task)', () => {
  it('bakes the Kind target of the service turbo runs it in, from the repository root', async () => {
    const result = await run('bash', ['../../ci/image.sh'], {
      cwd: join(repo, 'services/backend'),
      env: withFakes(bin, { FAKE_LOG: log }),
    });
    expect(result.code).toBe(0);
    expect(await fakeCalls(log)).toEqual([
      `docker ${repo} buildx bake --file docker-bake.hcl --load kind-backend`,
    ]);
  });

  it('pushes the release target, then pulls each of its tags for this platform', async () => {
    const result = await run('bash', [script('image.sh'), 'frontend'], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log, APPDIST_IMAGE_MODE: 'push' }),
    });
    expect(result.code).toBe(0);
    expect(await fakeCalls(log)).toEqual([
      `docker ${repo} buildx bake --file docker-bake.hcl --push frontend`,
      `docker ${repo} version --format {{.Server.Os}}/{{.Server.Arch}}`,
      `docker ${repo} buildx bake --file docker-bake.hcl --print frontend`,
      `docker ${repo} pull --quiet --platform linux/amd64 registry.test/frontend:1.0.0`,
    ]);
  });

  it('refuses a folder that is not a service, and an unknown mode, before building anything', async () => {
    const notService = await run('bash', [script('image.sh'), 'nope'], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log }),
    });
    expect(notService).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no service 'nope'/),
    });
    const badMode = await run('bash', [script('image.sh'), 'backend'], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log, APPDIST_IMAGE_MODE: 'load' }),
    });
    expect(badMode).toMatchObject({ code: 2, stderr: expect.stringMatching(/use kind or push/) });
    expect(await fakeCalls(log)).toEqual([]);
  });
});

describe('ci/images-save.sh', () => {
  it('saves the Kind image of every service, listing them in images.txt', async () => {
    const result = await run('bash', [script('images-save.sh'), 'out'], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log }),
    });
    expect(result.code).toBe(0);
    const images = ['registry.test/backend:1.0.0', 'registry.test/frontend:1.0.0'];
    expect(await readFile(join(repo, 'out/images.txt'), 'utf8')).toBe(`${images.join('\n')}\n`);
    expect(await fakeCalls(log)).toEqual([
      `docker ${repo} buildx bake --file docker-bake.hcl --print kind-backend kind-frontend`,
      `docker ${repo} save --output ${repo}/out/images.tar ${images.join(' ')}`,
    ]);
  });

  it('saves the pushed release images in push mode', async () => {
    const result = await run('bash', [script('images-save.sh'), join(repo, 'out')], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log, APPDIST_IMAGE_MODE: 'push' }),
    });
    expect(result.code).toBe(0);
    expect((await fakeCalls(log))[0]).toBe(
      `docker ${repo} buildx bake --file docker-bake.hcl --print backend frontend`,
    );
  });

  it('fails when the bake targets name no image', async () => {
    const result = await run('bash', [script('images-save.sh'), 'out'], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log, FAKE_NO_TAGS: '1' }),
    });
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/name no image/) });
  });
});

describe('ci/images-load.sh', () => {
  it('loads the saved images and checks each one is there', async () => {
    const dir = await writeTree({ 'images.tar': '', 'images.txt': 'a:1\nb:2\n' });
    const result = await run('bash', [script('images-load.sh'), dir], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log }),
    });
    expect(result.code).toBe(0);
    expect((await fakeCalls(log)).map((call) => call.split(' ').slice(2).join(' '))).toEqual([
      `load --input ${dir}/images.tar`,
      'image inspect a:1',
      'image inspect b:2',
    ]);
  });

  it('fails naming an image the archive did not hold', async () => {
    const dir = await writeTree({ 'images.tar': '', 'images.txt': 'a:1\nb:2\n' });
    const result = await run('bash', [script('images-load.sh'), dir], {
      cwd: repo,
      env: withFakes(bin, { FAKE_LOG: log, FAKE_MISSING: 'b:2' }),
    });
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/b:2 is listed/) });
  });
});
