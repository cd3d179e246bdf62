import { SERVICE_NAMES } from '@appdist/catalogue';
import { describe, expect, it } from 'vitest';
import { ciScriptProblems, ciScriptsCalled } from '../src/ci-scripts.js';
import { planTasks, type TaskGraph, waitsFor } from '../src/turbo-graph.js';
import { root } from './sandbox.js';

const services = [...SERVICE_NAMES].sort();

function task(graph: TaskGraph, id: string) {
  const found = graph.get(id);
  if (!found) throw new Error(`turbo plans no ${id}; it plans ${[...graph.keys()].join(', ')}`);
  return found;
}

/** The ci/ scripts a package script calls, from the root or from a package two levels down. */
function scriptsOf(command: string): string[] {
  return ciScriptsCalled(command.replaceAll('../../ci/', 'ci/'));
}

describe('the turbo release pipeline (turbo run e2e --dry=json)', async () => {
  const graph = await planTasks(root, ['e2e']);

  it.each(services)('builds %s, then bakes its image', (service) => {
    const image = task(graph, `@appdist/${service}#image`);
    expect(image.dependencies).toEqual([`@appdist/${service}#build`]);
    expect(image.command).toBe('bash ../../ci/image.sh');
  });

  it('bumps once every service image is baked, and no sooner', () => {
    const bump = task(graph, '//#bump');
    expect([...bump.dependencies].sort()).toEqual(
      services.map((s) => `@appdist/${s}#image`).sort(),
    );
    expect(bump.command).toBe('bash ci/bump.sh');
  });

  it('runs the Kind end-to-end tests after the bump, so after every build and image', () => {
    const e2e = task(graph, '@appdist/e2e#e2e');
    expect(e2e.dependencies).toEqual(['//#bump']);
    expect(e2e.command).toBe('bash ../../ci/e2e.sh');
    for (const service of services) {
      expect(waitsFor(graph, '@appdist/e2e#e2e', `@appdist/${service}#build`)).toBe(true);
    }
  });

  it('never replays images, bumps or Kind runs from the cache', () => {
    const steps = [...graph.values()].filter((t) => /#(image|bump|e2e)$/.test(t.taskId));
    expect(steps.filter((t) => t.cache).map((t) => t.taskId)).toEqual([]);
  });

  it('calls ci/ scripts that exist, run, parse and stop on errors', async () => {
    const called = [...graph.values()].flatMap((t) => scriptsOf(t.command));
    expect([...new Set(called)].sort()).toEqual(['ci/bump.sh', 'ci/e2e.sh', 'ci/image.sh']);
    const problems = await Promise.all(called.map((path) => ciScriptProblems(root, path)));
    expect(problems.flat()).toEqual([]);
  });
});

describe('the release task (turbo run release --dry=json)', async () => {
  const graph = await planTasks(root, ['release']);

  it('tags last: after the Kind runs of every distribution', () => {
    const release = task(graph, '//#release');
    expect(release.dependencies).toEqual(['@appdist/e2e#e2e']);
    expect(release.command).toBe('bash ci/release-publish.sh');
    expect(release.cache).toBe(false);
    expect(waitsFor(graph, '//#release', '//#bump')).toBe(true);
  });
});

describe("what reruns a package's tests (turbo run test --dry=json)", async () => {
  const graph = await planTasks(root, ['test']);
  const tests = [...graph.values()].filter((t) => t.taskId.endsWith('#test'));
  const reads = (id: string, path: string) => task(graph, id).inputs.includes(path);

  it("every package's tests rerun when the shared vitest or TypeScript configuration changes", () => {
    expect(tests.length).toBeGreaterThan(10);
    for (const test of tests) {
      expect(test.inputs, test.taskId).toContain('../../vitest.shared.ts');
      expect(test.inputs, test.taskId).toContain('../../tsconfig.base.json');
    }
  });

  it('a manifest under dist/ reruns the tests that render it, and only those', () => {
    const rendering = tests.filter((t) => t.inputs.includes('../../dist/base/kustomization.yaml'));
    expect(rendering.map((t) => t.taskId)).toEqual(
      expect.arrayContaining([
        '@appdist/validation#test',
        '@appdist/cli#test',
        '@appdist/pipeline#test',
      ]),
    );
    for (const id of [
      '@appdist/service-kit#test',
      '@appdist/backend#test',
      '@appdist/testing#test',
    ]) {
      expect(
        task(graph, id).inputs.filter((path) => path.startsWith('../../dist/')),
        id,
      ).toEqual([]);
    }
  });

  it('the files the catalogue check reads rerun it', () => {
    for (const path of [
      '../../docker-bake.hcl',
      '../../turbo.json',
      '../../.changeset/config.json',
    ]) {
      expect(reads('@appdist/pipeline#test', path), path).toBe(true);
    }
    expect(reads('@appdist/service-kit#test', '../../docker-bake.hcl')).toBe(false);
  });
});
