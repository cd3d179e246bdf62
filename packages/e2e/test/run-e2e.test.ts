import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { E2EImages } from '../src/images.js';
import { type E2EResult, runE2E } from '../src/run-e2e.js';
import { fakeTools, REPO_ROOT, temporaryDir } from './helpers.js';

const SYSTEM_PATH = '/usr/bin:/bin';
// A fake run starts about 80 short processes (each fake tool is a Node process): seconds alone,
// more on a busy 2-core machine running other test files at the same time.
const FAKE_RUN_TIMEOUT = 90_000;

const IMAGES: E2EImages = {
  frontend: 'ghcr.io/appdist/frontend:e2e',
  backend: 'ghcr.io/appdist/backend:e2e',
  cache: 'ghcr.io/appdist/cache:e2e',
  database: 'ghcr.io/appdist/database:e2e',
  tester: 'ghcr.io/appdist/tester:e2e',
};

interface FakeRun {
  result: E2EResult;
  log: string[];
  calls: string[];
  artifacts: string;
}

/**
 * A real run (not a plan) of app-kubernetes against fake kind, docker, curl and kubectl
 * (fake-tools/fake-tool.mjs): every command, poll, expectation and the trap are exercised; only
 * the cluster is pretend. bash, sha256sum, tar and the rest are the machine's own.
 */
async function fakeRun(scenario: string): Promise<FakeRun> {
  const dir = await temporaryDir();
  const bin = await fakeTools(dir, ['kind', 'docker', 'curl']);
  const state = join(dir, 'state.json');
  const log: string[] = [];
  const artifacts = join(dir, 'artifacts');
  const result = await runE2E({
    dist: 'app-kubernetes',
    images: IMAGES,
    artifacts,
    root: REPO_ROOT,
    log: (line) => log.push(line),
    env: {
      PATH: `${bin}:${SYSTEM_PATH}`,
      FAKE_STATE: state,
      FAKE_SCENARIO: scenario,
      FAKE_IMAGES: JSON.stringify(IMAGES),
    },
    sleep: async () => undefined,
  });
  const { calls } = JSON.parse(await readFile(state, 'utf8')) as { calls: string[] };
  return { result, log, calls, artifacts };
}

function statuses(result: E2EResult): Record<string, string> {
  return Object.fromEntries(result.steps.map((step) => [step.id, step.status]));
}

describe('a real run (against fake tools)', () => {
  it('runs every step in order, prints the Canaries on every poll and deletes the cluster', {
    timeout: FAKE_RUN_TIMEOUT,
  }, async () => {
    const { result, log, calls, artifacts } = await fakeRun('ok');
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(statuses(result)).toEqual({
      tools: 'passed',
      cluster: 'passed',
      flagger: 'passed',
      images: 'passed',
      deploy: 'passed',
      conformance: 'passed',
      smoke: 'passed',
      promote: 'passed',
      rollback: 'passed',
      teardown: 'passed',
    });
    const create = calls.findIndex((call) => call.startsWith('kind create cluster'));
    const apply = calls.findIndex((call) => call.startsWith(`kubectl apply -f ${artifacts}`));
    expect(create).toBeGreaterThan(-1);
    expect(apply).toBeGreaterThan(create);
    expect(calls.at(-1)).toBe('kind delete cluster --name appdist-kubernetes');
    // The downloaded kubectl passed its checksum and is the one on the PATH.
    expect(log).toContainEqual(expect.stringMatching(/bin\/kubectl: OK$/));
    expect(log).toContain('  frontend   Progressing   0   0   2026-01-01T00:00:00Z');
    expect(log).toContain('  backend   Failed   0   0   2026-01-01T00:00:00Z');
    const saved = JSON.parse(await readFile(join(artifacts, 'result.json'), 'utf8')) as E2EResult;
    expect(saved.ok).toBe(true);
    expect(saved.steps.map((step) => step.id)).not.toContain('collect');
    // Each step's commands, as logged, for rerunning a failed CI step by hand.
    const teardown = saved.steps.find((step) => step.id === 'teardown');
    expect(teardown?.commands).toEqual([
      expect.stringContaining('kind delete cluster --name appdist-kubernetes'),
    ]);
  });

  it('stops at a failing conformance suite, skips the rest, collects artifacts and still tears down', {
    timeout: FAKE_RUN_TIMEOUT,
  }, async () => {
    const { result, calls, artifacts } = await fakeRun('conformance-fails');
    expect(result.ok).toBe(false);
    expect(result.failedStep).toBe('conformance');
    expect(result.error).toContain('expected "200", got "412"');
    expect(result.error).toContain(
      'cache conformance failed: get: GET /v1/keys/x: expected 200, got 500',
    );
    expect(statuses(result)).toMatchObject({
      conformance: 'failed',
      smoke: 'skipped',
      promote: 'skipped',
      rollback: 'skipped',
      collect: 'passed',
      teardown: 'passed',
    });
    expect(calls.some((call) => call.includes('set env'))).toBe(false);
    const collected = join(artifacts, 'collected');
    expect(await readFile(join(collected, 'canaries.yaml'), 'utf8')).toContain('kind: List');
    for (const file of [
      'events.txt',
      'flagger.log',
      'app-pods.log',
      'pods.txt',
      'kind/kind-version.txt',
    ]) {
      await expect(readFile(join(collected, file), 'utf8')).resolves.toBeTypeOf('string');
    }
    expect(calls.at(-1)).toBe('kind delete cluster --name appdist-kubernetes');
    const saved = JSON.parse(await readFile(join(artifacts, 'result.json'), 'utf8')) as E2EResult;
    expect(saved.failedStep).toBe('conformance');
  });

  it('fails the rollback step when Flagger promotes the faulty backend', {
    timeout: FAKE_RUN_TIMEOUT,
  }, async () => {
    const { result } = await fakeRun('bad-release-promoted');
    expect(result.failedStep).toBe('rollback');
    expect(result.error).toContain('Canary backend is Succeeded');
    expect(statuses(result)).toMatchObject({
      promote: 'passed',
      rollback: 'failed',
      collect: 'passed',
    });
  });
});
