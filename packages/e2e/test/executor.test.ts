import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command, ExecCommand } from '../src/command.js';
import { outputIs } from '../src/command.js';
import { CommandFailure, type ExecutionContext, runStep } from '../src/executor.js';
import { temporaryDir } from './helpers.js';

function context(overrides: Partial<ExecutionContext> = {}) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  const value: ExecutionContext = {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    log: (line) => lines.push(line),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  };
  return { value, lines, sleeps };
}

function node(script: string, extra: Partial<ExecCommand> = {}): ExecCommand {
  return { kind: 'exec', argv: [process.execPath, '-e', script], timeoutSeconds: 20, ...extra };
}

async function failureOf(promise: Promise<unknown>): Promise<CommandFailure> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CommandFailure))
    throw new Error(`expected a CommandFailure, got ${String(error)}`);
  return error;
}

describe('runStep', () => {
  it('runs the commands in order, logs each and its output', async () => {
    const run = context();
    await runStep(
      {
        id: 'demo',
        title: 'demo',
        commands: [
          node('console.log("one")'),
          node('console.log("two")', { expect: outputIs('two') }),
        ],
      },
      run.value,
    );
    expect(run.lines.filter((line) => !line.startsWith('$'))).toEqual(['  one', '  two']);
  });

  it('stops at the first failing command and says which, with its exit code and stderr', async () => {
    const dir = await temporaryDir();
    const marker = join(dir, 'never');
    const run = context();
    const failure = await failureOf(
      runStep(
        {
          id: 'demo',
          title: 'demo',
          commands: [
            node('console.error("no such canary"); process.exit(3)'),
            node(`require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x")`),
          ],
        },
        run.value,
      ),
    );
    expect(failure.message).toContain('exited with 3:\n  no such canary');
    expect(failure.command).toContain('process.exit(3)');
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  it('bounds every command by its timeout', async () => {
    const started = performance.now();
    const failure = await failureOf(
      runStep(
        {
          id: 't',
          title: 't',
          commands: [node('setTimeout(() => {}, 20000)', { timeoutSeconds: 0.5 })],
        },
        context().value,
      ),
    );
    expect(failure.message).toContain('timed out after 0.5s');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('explains a failed expectation with the file the command wrote', async () => {
    const dir = await temporaryDir();
    const body = join(dir, 'body.txt');
    await writeFile(
      body,
      'backend conformance failed: create: POST /api/links: expected 201, got 500\n',
    );
    const failure = await failureOf(
      runStep(
        {
          id: 'c',
          title: 'c',
          commands: [
            node('process.stdout.write("412")', { expect: outputIs('200'), explainFile: body }),
          ],
        },
        context().value,
      ),
    );
    expect(failure.message).toContain('expected "200", got "412"');
    expect(failure.message).toContain('backend conformance failed: create');
  });

  it('writes stdout to a file and keeps going past a best-effort failure', async () => {
    const dir = await temporaryDir();
    const file = join(dir, 'nested', 'events.txt');
    const run = context();
    await runStep(
      {
        id: 'collect',
        title: 'collect',
        commands: [
          node('process.exit(1)', { bestEffort: true }),
          node('console.log("LAST SEEN")', { stdoutFile: file, bestEffort: true }),
        ],
      },
      run.value,
    );
    expect(await readFile(file, 'utf8')).toBe('LAST SEEN\n');
    expect(run.lines).toContain('  (best effort) exited with 1');
    expect(run.lines).not.toContain('  LAST SEEN');
  });

  it('runs shell lines with pipefail', async () => {
    const failure = await failureOf(
      runStep(
        {
          id: 's',
          title: 's',
          commands: [{ kind: 'shell', script: 'false | cat', timeoutSeconds: 10 }],
        },
        context().value,
      ),
    );
    expect(failure.message).toContain('exited with 1');
  });
});

describe('polls', () => {
  async function counter(dir: string, succeedAt: number): Promise<ExecCommand> {
    const file = join(dir, 'count');
    await writeFile(file, '0');
    return node(
      `const fs = require("node:fs"); const n = Number(fs.readFileSync(${JSON.stringify(file)}, "utf8")) + 1;
       fs.writeFileSync(${JSON.stringify(file)}, String(n));
       if (n < ${succeedAt}) { console.error("not yet"); process.exit(1); }
       console.log(n >= ${succeedAt + 1} ? "ready" : "warming");`,
    );
  }

  it('prints every attempt and stops when the condition holds', async () => {
    const run = context();
    const command: Command = {
      kind: 'poll',
      command: await counter(await temporaryDir(), 2),
      attempts: 5,
      intervalSeconds: 3,
      until: {
        description: 'ready',
        check: (stdout) => (stdout.includes('ready') ? { state: 'done' } : { state: 'wait' }),
      },
    };
    await runStep({ id: 'p', title: 'p', commands: [command] }, run.value);
    expect(run.lines.filter((line) => line.startsWith('  ['))).toEqual([
      '  [1/5]',
      '  [2/5]',
      '  [3/5]',
    ]);
    expect(run.lines).toContain('  warming');
    expect(run.lines).toContain('  ready');
    expect(run.sleeps).toEqual([3000, 3000]);
  });

  it('gives up after its attempts with the last output', async () => {
    const run = context();
    const failure = await failureOf(
      runStep(
        {
          id: 'p',
          title: 'p',
          commands: [
            {
              kind: 'poll',
              command: node('console.log("backend Progressing")'),
              attempts: 3,
              intervalSeconds: 10,
              until: { description: 'backend Failed', check: () => ({ state: 'wait' }) },
            },
          ],
        },
        run.value,
      ),
    );
    expect(failure.message).toContain(
      'gave up after 3 attempts 10s apart waiting for backend Failed; last output:\n  backend Progressing',
    );
    expect(run.sleeps).toHaveLength(2);
  });

  it('fails at once when the condition says so', async () => {
    const run = context();
    const failure = await failureOf(
      runStep(
        {
          id: 'p',
          title: 'p',
          commands: [
            {
              kind: 'poll',
              command: node('console.log("backend Succeeded")'),
              attempts: 60,
              intervalSeconds: 10,
              until: {
                description: 'backend Failed',
                check: () => ({ state: 'fail', reason: 'Canary backend is Succeeded' }),
              },
            },
          ],
        },
        run.value,
      ),
    );
    expect(failure.message).toContain('Canary backend is Succeeded');
    expect(run.sleeps).toHaveLength(0);
  });

  it('stops when the run is interrupted', async () => {
    const controller = new AbortController();
    const run = context({
      signal: controller.signal,
      sleep: async () => {
        controller.abort(new Error('interrupted'));
      },
    });
    await expect(
      runStep(
        {
          id: 'p',
          title: 'p',
          commands: [
            {
              kind: 'poll',
              command: node('console.log("waiting")'),
              attempts: 60,
              intervalSeconds: 10,
              until: { description: 'never', check: () => ({ state: 'wait' }) },
            },
          ],
        },
        run.value,
      ),
    ).rejects.toThrow('interrupted');
    expect(run.lines.filter((line) => line.startsWith('  ['))).toEqual(['  [1/60]']);
  });
});

describe('background commands', () => {
  it('live until their step ends, failed or not, with output in their log file', async () => {
    const dir = await temporaryDir();
    const pidFile = join(dir, 'pid');
    const logFile = join(dir, 'logs', 'forward.log');
    const forward: Command = {
      kind: 'background',
      argv: [
        process.execPath,
        '-e',
        `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
         console.log("Forwarding from 127.0.0.1:18090"); setInterval(() => {}, 1000);`,
      ],
      logFile,
    };
    const waitForPid = node(
      `const fs = require("node:fs"); const end = Date.now() + 10000;
       while (!fs.existsSync(${JSON.stringify(pidFile)}) && Date.now() < end) {}`,
    );
    await expect(
      runStep(
        { id: 'b', title: 'b', commands: [forward, waitForPid, node('process.exit(2)')] },
        context().value,
      ),
    ).rejects.toThrow(/exited with 2/);
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(await readFile(logFile, 'utf8')).toContain('Forwarding from 127.0.0.1:18090');
  });
});
