import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionPin, findActionReferences, isLocal } from '../src/action-pins.js';
import { lintWorkflow } from '../src/actionlint.js';
import { ciScriptProblems, ciScriptsCalled } from '../src/ci-scripts.js';
import { permissionProblems } from '../src/permissions.js';
import { readmeTestCommand } from '../src/readme.js';
import { callProblems } from '../src/reusable-workflows.js';
import { findJob, parseWorkflow, type Workflow } from '../src/workflow.js';
import { root } from './sandbox.js';

const workflowsDir = join(root, '.github', 'workflows');
const files = (await readdir(workflowsDir)).filter((name) => /\.ya?ml$/.test(name)).sort();
const texts = new Map(
  await Promise.all(
    files.map(async (file) => [file, await readFile(join(workflowsDir, file), 'utf8')] as const),
  ),
);
const workflows = new Map<string, Workflow>(
  [...texts].map(([file, text]) => [file, parseWorkflow(text, file)]),
);

/** A GitHub Actions expression as a workflow writes it: `${{ inner }}`. */
function expression(inner: string): string {
  return `\${{ ${inner} }}`;
}

function workflow(file: string): Workflow {
  const found = workflows.get(file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
}

/**
 * Least privilege, job by job: the only write access any workflow grants. Everything else reads
 * the repository and nothing more (the top-level `contents: read`).
 */
const ALLOWED_WRITES: Record<string, Record<string, string[]>> = {
  'ci.yml': {},
  'e2e.yml': {},
  'release.yml': {
    // changesets/action pushes its branch and opens or updates the Version Packages PR.
    version: ['contents', 'pull-requests'],
    // Pushes the release images; the only job that can write to the registry.
    images: ['packages'],
    // The tag and the release commit, after every Kind run passed; tagging is this job alone.
    publish: ['contents'],
  },
};

describe('the workflows', () => {
  it('are ci.yml, e2e.yml and release.yml', () => {
    expect(files).toEqual(['ci.yml', 'e2e.yml', 'release.yml']);
  });

  it.each(files)('%s has no actionlint findings', async (file) => {
    const findings = await lintWorkflow(texts.get(file) ?? '', `.github/workflows/${file}`);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.message} (${f.kind})`)).toEqual([]);
  });

  it.each(files)('%s pins every action to a commit SHA with its release in a comment', (file) => {
    const references = findActionReferences(texts.get(file) ?? '').filter((r) => !isLocal(r));
    expect(references.length).toBeGreaterThan(0);
    const problems = references
      .map((reference) => ({ reference, pin: actionPin(reference) }))
      .flatMap(({ reference, pin }) =>
        typeof pin === 'string' ? [`line ${reference.line}: ${pin}`] : [],
      );
    expect(problems).toEqual([]);
  });

  it('pin each action to one SHA and release everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const text of texts.values()) {
      for (const reference of findActionReferences(text)) {
        const pin = actionPin(reference);
        if (typeof pin === 'string') continue;
        const seen = pins.get(pin.action) ?? new Set<string>();
        seen.add(`${pin.sha} ${pin.version}`);
        pins.set(pin.action, seen);
      }
    }
    const inconsistent = [...pins].filter(([, seen]) => seen.size > 1);
    expect(inconsistent.map(([action, seen]) => `${action}: ${[...seen].join(' | ')}`)).toEqual([]);
  });

  it.each(files)('%s grants no permission beyond what its jobs need', (file) => {
    expect(permissionProblems(workflow(file), file, ALLOWED_WRITES[file] ?? {})).toEqual([]);
  });

  it.each(files)(
    '%s calls only ci/ scripts that exist, run, parse and stop on errors',
    async (file) => {
      // In `run:`, and in an action's inputs (changesets/action runs its `version:` command).
      const commands = workflow(file).jobs.flatMap((job) =>
        job.steps.flatMap((step) => [
          step.run ?? '',
          ...Object.values(step.with).filter((value) => typeof value === 'string'),
        ]),
      );
      const called = commands.flatMap((command) => ciScriptsCalled(command));
      expect(called.length).toBeGreaterThan(0);
      const problems = await Promise.all(called.map((path) => ciScriptProblems(root, path)));
      expect(problems.flat()).toEqual([]);
    },
  );

  it('call the reusable e2e workflow with the inputs it takes', () => {
    const callers = [...workflows].flatMap(([file, caller]) =>
      caller.jobs.filter((job) => job.uses !== undefined).map((job) => ({ file, job })),
    );
    expect(callers.map(({ file, job }) => `${file} ${job.id} → ${job.uses}`)).toEqual([
      'ci.yml e2e → ./.github/workflows/e2e.yml',
      'release.yml e2e → ./.github/workflows/e2e.yml',
    ]);
    const problems = callers.flatMap(({ file, job }) =>
      callProblems(job, workflow((job.uses ?? '').replace('./.github/workflows/', '')), file),
    );
    expect(problems).toEqual([]);
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');

  it('runs on pull requests and on pushes to main', () => {
    expect(ci.on).toEqual({ pull_request: null, push: { branches: ['main'] } });
  });

  it('cancels superseded runs of a pull request, never runs on main', () => {
    expect(ci.concurrency).toEqual({
      group: `ci-${expression('github.ref')}`,
      'cancel-in-progress': expression("github.event_name == 'pull_request'"),
    });
  });

  it("runs the README's test command, after lint and typecheck, with PostgreSQL and Redis", async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const test = findJob(ci, 'test');
    const runs = test.steps.flatMap((step) => (step.run ? [step.run] : []));
    const testAt = runs.indexOf(readmeTestCommand(readme));
    expect(runs.slice(testAt - 3, testAt + 1)).toEqual([
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      readmeTestCommand(readme),
    ]);
    // The dependency audit needs the registry's advisory endpoint, which GitHub's runners reach.
    expect(runs.slice(testAt + 1)).toEqual(['npm run audit']);
    expect(Object.keys(test.services).sort()).toEqual(['postgres', 'redis']);
    expect(test.services.postgres).toMatchObject({
      image: 'postgres:17',
      env: { POSTGRES_HOST_AUTH_METHOD: 'trust' },
    });
    expect(test.services.redis).toMatchObject({ image: 'redis:7' });
    expect(test.env).toEqual({
      TEST_DATABASE_URL: 'postgres://postgres@postgres:5432/postgres',
      TEST_REDIS_URL: 'redis://redis:6379',
    });
  });

  it('validates every distribution and option component', () => {
    const runs = findJob(ci, 'validate').steps.map((step) => step.run);
    expect(runs).toContain('npm run validate -- --options');
    expect(runs).toContain('bash ci/crds.sh');
  });

  it('checks the bake file with buildx, builds the Kind images once and hands them to the Kind matrix', () => {
    const images = findJob(ci, 'images');
    const upload = images.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(images.steps.map((step) => step.run).filter(Boolean)).toEqual([
      'npm ci',
      'npm run images',
      'bash ci/bake.sh validate',
      'npx turbo run image',
      'bash ci/images-save.sh "$RUNNER_TEMP/images"',
    ]);
    // `appdist images --check` resolves the file with buildx only once it is set up.
    const buildx = images.steps.findIndex((step) =>
      step.uses?.startsWith('docker/setup-buildx-action@'),
    );
    expect(buildx).toBeGreaterThan(-1);
    expect(images.steps.findIndex((step) => step.run === 'npm run images')).toBeGreaterThan(buildx);
    expect(upload?.with.name).toBe('kind-images');
    expect(findJob(ci, 'e2e')).toMatchObject({
      uses: './.github/workflows/e2e.yml',
      needs: ['images', 'validate'],
      with: { 'images-artifact': 'kind-images' },
    });
  });
});

describe('e2e.yml', () => {
  const e2e = workflow('e2e.yml');

  it('runs one Kind job for each distribution under dist/, letting each finish', async () => {
    const distributions = (await readdir(join(root, 'dist'), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && entry.name.startsWith('app-'))
      .map((entry) => entry.name)
      .sort();
    expect(distributions).toHaveLength(3);
    const kind = findJob(e2e, 'kind');
    expect([...((kind.matrix.dist as string[] | undefined) ?? [])].sort()).toEqual(distributions);
    expect(texts.get('e2e.yml')).toMatch(/fail-fast: false/);
  });

  it('installs the kind the harness pins, without a second copy of its version', () => {
    const steps = findJob(e2e, 'kind').steps;
    const kind = steps.find((step) => step.uses?.startsWith('helm/kind-action@'));
    expect(kind?.with).toEqual({
      version: expression('steps.kind.outputs.version'),
      install_only: true,
    });
    expect(texts.get('e2e.yml')).toMatch(/- id: kind\n\s+run: bash ci\/kind-version\.sh\n/);
  });

  it('loads the images, runs the harness on them, and uploads its diagnostics only on failure', () => {
    const steps = findJob(e2e, 'kind').steps;
    const runs = steps.flatMap((step) => (step.run ? [step.run] : []));
    expect(runs).toContain('bash ci/images-load.sh "$RUNNER_TEMP/images"');
    const harness = steps.find((step) => step.run === 'bash ci/e2e.sh "$DIST"');
    expect(harness?.env).toEqual({
      DIST: expression('matrix.dist'),
      APPDIST_E2E_IMAGES: `${expression('runner.temp')}/images/images.txt`,
      APPDIST_E2E_ARTIFACTS: `${expression('runner.temp')}/e2e-artifacts`,
    });
    const upload = texts
      .get('e2e.yml')
      ?.match(/- if: failure\(\)\n\s+uses: actions\/upload-artifact@/);
    expect(upload).not.toBeNull();
  });
});

describe('release.yml', () => {
  const release = workflow('release.yml');
  const order = (id: string) => findJob(release, id).needs;

  it('runs on pushes to main and by hand, one run at a time, never cancelled', () => {
    expect(Object.keys(release.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(release.concurrency).toEqual({ group: 'release', 'cancel-in-progress': false });
  });

  it('tags last: version → images → e2e → publish', () => {
    expect(release.jobs.map((job) => job.id)).toEqual(['version', 'images', 'e2e', 'publish']);
    expect(order('images')).toEqual(['version']);
    expect(order('e2e')).toEqual(['images']);
    expect(order('publish')).toEqual(['e2e']);
    expect(findJob(release, 'e2e')).toMatchObject({
      uses: './.github/workflows/e2e.yml',
      with: { 'images-artifact': 'release-images' },
    });
  });

  it('opens the Version Packages pull request with changesets, and releases only when due', () => {
    const version = findJob(release, 'version');
    const changesets = version.steps.find((step) => step.uses?.startsWith('changesets/action@'));
    expect(changesets?.with).toMatchObject({
      title: 'Version Packages',
      version: 'bash ci/version-packages.sh',
    });
    // The due check reads the pushed commit, before changesets/action switches to its branch.
    const steps = version.steps.map((step) => step.run ?? step.uses?.split('@')[0]);
    expect(steps.slice(-2)).toEqual(['bash ci/release-due.sh', 'changesets/action']);
    expect(texts.get('release.yml')).toMatch(/if: needs\.version\.outputs\.due == 'true'/);
  });

  it('pushes images only from the images job, and tags only from the publish job', () => {
    const jobsRunning = (command: string) =>
      release.jobs
        .filter((job) => job.steps.some((step) => step.run?.includes(command)))
        .map((job) => job.id);
    const pushing = release.jobs.filter((job) =>
      job.steps.some((step) => step.env.APPDIST_IMAGE_MODE === 'push'),
    );
    expect(pushing.map((job) => job.id)).toEqual(['images']);
    expect(jobsRunning('ci/release-publish.sh')).toEqual(['publish']);
  });
});
