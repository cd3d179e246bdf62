import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionPin, findActionReferences } from '../src/action-pins.js';
import { lintWorkflow } from '../src/actionlint.js';
import { ciScriptProblems, ciScriptsCalled } from '../src/ci-scripts.js';
import { permissionProblems } from '../src/permissions.js';
import { readmeTestCommand } from '../src/readme.js';
import { callProblems } from '../src/reusable-workflows.js';
import { type TaskGraph, waitsFor } from '../src/turbo-graph.js';
import { findJob, parseWorkflow } from '../src/workflow.js';
import { writeTree } from './sandbox.js';

const SHA = 'de0fac2e4500dabe0009e67214ff5f5447ce83dd';

function pinOf(line: string) {
  const [reference] = findActionReferences(line);
  if (!reference) throw new Error(`no uses: in ${line}`);
  return actionPin(reference);
}

describe('action pins', () => {
  it('accepts a full SHA with the release in a comment', () => {
    expect(pinOf(`      - uses: actions/checkout@${SHA} # v6.0.2`)).toEqual({
      action: 'actions/checkout',
      sha: SHA,
      version: 'v6.0.2',
    });
    expect(pinOf(`uses: "github/codeql-action/init@${SHA}"  # v3.28.1 pinned`)).toMatchObject({
      action: 'github/codeql-action/init',
      version: 'v3.28.1',
    });
  });

  it.each([
    ['a tag', 'uses: actions/checkout@v6 # v6.0.2', /not pinned to a full 40-hex commit SHA/],
    ['a short SHA', 'uses: actions/checkout@de0fac2 # v6.0.2', /not pinned/],
    ['an upper-case SHA', `uses: actions/checkout@${SHA.toUpperCase()} # v6.0.2`, /not pinned/],
    ['no comment', `uses: actions/checkout@${SHA}`, /no "# vX.Y.Z" comment/],
    ['a vague comment', `uses: actions/checkout@${SHA} # v6`, /no "# vX.Y.Z" comment/],
    ['no ref', 'uses: actions/checkout', /is not owner\/repo@ref/],
  ])('rejects %s', (_case, line, problem) => {
    expect(pinOf(line)).toMatch(problem);
  });

  it('finds uses: in steps and jobs, with their line numbers', () => {
    const text = `jobs:\n  a:\n    uses: ./.github/workflows/e2e.yml\n  b:\n    steps:\n      - uses: x/y@${SHA} # v1.2.3\n      - run: echo uses: not/this@v1\n`;
    expect(findActionReferences(text)).toEqual([
      { line: 3, target: './.github/workflows/e2e.yml' },
      { line: 6, target: `x/y@${SHA}`, comment: 'v1.2.3' },
    ]);
  });
});

describe('actionlint', () => {
  const workflow = (runsOn: string, body = 'echo ok') =>
    `on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ${runsOn}\n    steps:\n      - run: ${body}\n`;

  it('passes a sound workflow on a current hosted runner', async () => {
    expect(await lintWorkflow(workflow('ubuntu-24.04'), 'ok.yml')).toEqual([]);
  });

  it('still reports a runner label that does not exist', async () => {
    const findings = await lintWorkflow(workflow('ubuntu-2404'), 'typo.yml');
    expect(findings).toMatchObject([{ kind: 'runner-label', line: 6 }]);
  });

  it('reports untrusted input in a script and a job that needs a missing one', async () => {
    const untrusted = `echo "\${{ github.event.pull_request.title }}"`;
    const text = `${workflow('ubuntu-latest', untrusted)}  b:\n    needs: [c]\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n`;
    const kinds = (await lintWorkflow(text, 'bad.yml')).map((finding) => finding.kind).sort();
    expect(kinds).toEqual(['expression', 'job-needs']);
  });
});

describe('permissions', () => {
  const parse = (text: string) => parseWorkflow(text, 'w.yml');
  const job = (permissions: string) =>
    `jobs:\n  release:\n    runs-on: ubuntu-latest\n    permissions:${permissions}\n    steps:\n      - run: echo\n`;

  it('accepts read-only defaults and the writes a job is allowed', () => {
    const w = parse(`permissions:\n  contents: read\n${job('\n      contents: write')}`);
    expect(permissionProblems(w, 'w.yml', { release: ['contents'] })).toEqual([]);
  });

  it('rejects a missing top-level block, write access for every job, and blanket grants', () => {
    expect(permissionProblems(parse(job(' read-all')), 'w.yml', {})).toEqual([
      "w.yml: no top-level permissions, so jobs get the repository's default token",
      'w.yml: job release has permissions read-all; list the scopes',
    ]);
    expect(permissionProblems(parse('permissions: write-all\njobs: {}\n'), 'w.yml', {})).toEqual([
      'w.yml: top-level permissions is write-all; list the scopes',
    ]);
    expect(
      permissionProblems(parse('permissions:\n  packages: write\njobs: {}\n'), 'w.yml', {}),
    ).toEqual(['w.yml: top-level permissions grant packages: write to every job']);
  });

  it('rejects a write the job is not allowed', () => {
    const w = parse(`permissions: {}\n${job('\n      contents: write\n      packages: write')}`);
    expect(permissionProblems(w, 'w.yml', { release: ['contents'] })).toEqual([
      'w.yml: job release may not have packages: write',
    ]);
  });
});

describe('ci/ scripts', () => {
  it('finds the scripts a run: block calls', () => {
    expect(ciScriptsCalled('bash ci/e2e.sh "$DIST"')).toEqual(['ci/e2e.sh']);
    expect(ciScriptsCalled('./ci/a.sh && ci/b.sh x\nbash ci/a.sh')).toEqual(['ci/a.sh', 'ci/b.sh']);
    expect(ciScriptsCalled('npm run lint; echo ci/notes.txt; bash other/ci/x.sh')).toEqual([]);
  });

  it('reports a missing, non-executable, unparsable or lenient script', async () => {
    const dir = await writeTree({
      'ci/lenient.sh': '#!/usr/bin/env bash\n# a comment\nset -e\n',
      'ci/broken.sh': '#!/usr/bin/env bash\nset -euo pipefail\nif then\n',
      'ci/good.sh': '#!/usr/bin/env bash\n# why\n\nset -euo pipefail\necho ok\n',
    });
    await chmod(join(dir, 'ci/broken.sh'), 0o755);
    await chmod(join(dir, 'ci/good.sh'), 0o755);
    expect(await ciScriptProblems(dir, 'ci/missing.sh')).toEqual(['ci/missing.sh does not exist']);
    expect(await ciScriptProblems(dir, 'ci/lenient.sh')).toEqual([
      'ci/lenient.sh is not executable',
      'ci/lenient.sh starts with "set -e", not "set -euo pipefail"',
    ]);
    expect(await ciScriptProblems(dir, 'ci/broken.sh')).toEqual([
      expect.stringMatching(/^ci\/broken.sh does not parse: .*syntax error/),
    ]);
    expect(await ciScriptProblems(dir, 'ci/good.sh')).toEqual([]);
  });
});

describe('readmeTestCommand', () => {
  it('reads the command commented as running the tests from the Quick start block', () => {
    const readme =
      '# x\n## Quick start\n\n```sh\nnpm ci && npm start   # starts it\nnpm run check   # lint and tests\n```\n';
    expect(readmeTestCommand(readme)).toBe('npm run check');
  });

  it('fails when the README no longer says how to test', () => {
    expect(() => readmeTestCommand('## Quick start\n```sh\nnpm start # run\n```\n')).toThrow(
      /no command commented as running the tests/,
    );
  });
});

describe('reusable workflow calls', () => {
  const called = parseWorkflow(
    'on:\n  workflow_call:\n    inputs:\n      a: {type: string, required: true}\n      b: {type: string, default: ""}\njobs: {}\n',
    'called.yml',
  );
  const caller = (withBlock: string) =>
    findJob(
      parseWorkflow(`on: push\njobs:\n  e2e:\n    uses: ./called.yml\n${withBlock}`, 'c.yml'),
      'e2e',
    );

  it('accepts the required inputs, with or without the optional ones', () => {
    expect(callProblems(caller('    with:\n      a: x\n'), called, 'c.yml')).toEqual([]);
    expect(callProblems(caller('    with:\n      a: x\n      b: y\n'), called, 'c.yml')).toEqual(
      [],
    );
  });

  it('reports an unknown input, a missing required one, and a workflow that cannot be called', () => {
    expect(callProblems(caller('    with:\n      c: x\n'), called, 'c.yml')).toEqual([
      'c.yml: job e2e passes unknown input c',
      'c.yml: job e2e does not pass required input a',
    ]);
    const plain = parseWorkflow('on: push\njobs: {}\n', 'plain.yml');
    expect(callProblems(caller(''), plain, 'c.yml')).toEqual([
      'c.yml: job e2e calls ./called.yml, which has no workflow_call trigger',
    ]);
  });
});

describe('waitsFor', () => {
  const graph: TaskGraph = new Map(
    [
      ['a#e2e', ['//#bump']],
      ['//#bump', ['a#image', 'b#image']],
      ['a#image', ['a#build']],
      ['b#image', ['b#build']],
      ['a#build', []],
      ['b#build', ['a#build']],
    ].map(([taskId, dependencies]) => [
      taskId as string,
      {
        taskId: taskId as string,
        command: '',
        dependencies: dependencies as string[],
        cache: true,
        inputs: [],
      },
    ]),
  );

  it('follows dependencies through other tasks', () => {
    expect(waitsFor(graph, 'a#e2e', 'b#build')).toBe(true);
    expect(waitsFor(graph, 'b#image', 'a#build')).toBe(true);
  });

  it('does not run backwards or to itself', () => {
    expect(waitsFor(graph, 'a#build', 'a#e2e')).toBe(false);
    expect(waitsFor(graph, 'a#image', 'b#image')).toBe(false);
    expect(waitsFor(graph, 'a#e2e', 'a#e2e')).toBe(false);
  });
});
