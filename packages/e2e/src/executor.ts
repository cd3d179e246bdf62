import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import {
  type BackgroundCommand,
  type Command,
  type ExecCommand,
  exec,
  formatCommand,
  type PollCommand,
} from './command.js';

/** A named group of commands: `--plan` prints it, a real run executes it in order. */
export interface Step {
  id: string;
  title: string;
  commands: Command[];
}

export interface ExecutionContext {
  /** The environment every command gets (KUBECONFIG and PATH of the run on top of the caller's). */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Waits between poll attempts; tests pass a fast one. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborting it (Ctrl-C) stops the running command and fails the step, so the run still collects artifacts. */
  signal?: AbortSignal;
}

/** A command of a step failed: the message says which and why, with the end of its output. */
export class CommandFailure extends Error {
  readonly command: string;
  constructor(command: Command, reason: string) {
    const line = formatCommand(command);
    super(`${line}\n  ${reason.trim().replace(/\n/g, '\n  ')}`);
    this.name = 'CommandFailure';
    this.command = line;
  }
}

const TAIL_LINES = 30;

function tail(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-TAIL_LINES).join('\n');
}

function logOutput(log: (line: string) => void, text: string | undefined): void {
  if (!text) return;
  for (const line of text.trimEnd().split('\n')) log(`  ${line}`);
}

interface Outcome {
  ok: boolean;
  stdout: string;
  /** Why the command failed: exit code or timeout, and the end of its stderr. */
  failure: string;
}

async function runProcess(
  argv: readonly [string, ...string[]],
  timeoutSeconds: number,
  context: ExecutionContext,
  stdoutFile?: string,
): Promise<Outcome> {
  if (stdoutFile) await mkdir(dirname(stdoutFile), { recursive: true });
  const [file, ...args] = argv;
  const result = await execa(file, args, {
    env: context.env,
    extendEnv: false,
    reject: false,
    timeout: timeoutSeconds * 1000,
    stdin: 'ignore',
    stdout: stdoutFile ? { file: stdoutFile } : 'pipe',
    stripFinalNewline: false,
    ...(context.signal ? { cancelSignal: context.signal } : {}),
  });
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  let failure = '';
  if (result.timedOut) failure = `timed out after ${timeoutSeconds}s`;
  else if (result.isCanceled) failure = 'interrupted';
  else if (result.failed) {
    failure =
      result.exitCode !== undefined
        ? `exited with ${result.exitCode}`
        : (result.shortMessage ?? 'could not start');
  }
  const detail = tail(stderr || (stdoutFile ? '' : stdout));
  return {
    ok: !result.failed,
    stdout,
    failure: detail ? `${failure}:\n${detail}` : failure,
  };
}

async function explain(file: string | undefined): Promise<string> {
  if (!file) return '';
  try {
    return `\n${file}:\n${tail(await readFile(file, 'utf8'))}`;
  } catch {
    return '';
  }
}

/** Runs `command`; a failure names `shown`, the command as the plan prints it. */
async function runExec(
  command: ExecCommand,
  context: ExecutionContext,
  shown: Command = command,
): Promise<void> {
  const outcome = await runProcess(
    command.argv,
    command.timeoutSeconds,
    context,
    command.stdoutFile,
  );
  if (!command.stdoutFile) logOutput(context.log, outcome.stdout);
  if (!outcome.ok) {
    if (command.bestEffort) {
      context.log(`  (best effort) ${outcome.failure.split('\n')[0]}`);
      return;
    }
    throw new CommandFailure(shown, outcome.failure);
  }
  const problem = command.expect?.check(outcome.stdout.trim());
  if (problem) {
    throw new CommandFailure(shown, `${problem}${await explain(command.explainFile)}`);
  }
}

async function runPoll(command: PollCommand, context: ExecutionContext): Promise<void> {
  let last = '';
  for (let attempt = 1; attempt <= command.attempts; attempt++) {
    if (attempt > 1) await context.sleep(command.intervalSeconds * 1000, context.signal);
    context.signal?.throwIfAborted();
    context.log(`  [${attempt}/${command.attempts}]`);
    const outcome = await runProcess(command.command.argv, command.command.timeoutSeconds, context);
    logOutput(context.log, outcome.ok ? outcome.stdout : outcome.failure);
    last = outcome.ok ? outcome.stdout : outcome.failure;
    if (!outcome.ok) continue;
    const verdict = command.until.check(outcome.stdout);
    if (verdict.state === 'done') return;
    if (verdict.state === 'fail') {
      throw new CommandFailure(command, `${verdict.reason}:\n${tail(outcome.stdout)}`);
    }
  }
  throw new CommandFailure(
    command,
    `gave up after ${command.attempts} attempts ${command.intervalSeconds}s apart waiting for ${command.until.description}; last output:\n${tail(last)}`,
  );
}

interface BackgroundProcess {
  stop(): Promise<void>;
}

async function startBackground(
  command: BackgroundCommand,
  context: ExecutionContext,
): Promise<BackgroundProcess> {
  await mkdir(dirname(command.logFile), { recursive: true });
  const [file, ...args] = command.argv;
  const target = { file: command.logFile, append: true };
  const subprocess = execa(file, args, {
    env: context.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stdout: target,
    stderr: target,
    ...(context.signal ? { cancelSignal: context.signal } : {}),
  });
  return {
    stop: async () => {
      subprocess.kill();
      await subprocess;
    },
  };
}

/**
 * Runs the commands of one step in order and stops at the first failure (a CommandFailure).
 * Background processes started by the step are stopped when it ends, whatever happened.
 */
export async function runStep(step: Step, context: ExecutionContext): Promise<void> {
  const background: BackgroundProcess[] = [];
  try {
    for (const command of step.commands) {
      context.signal?.throwIfAborted();
      context.log(`$ ${formatCommand(command)}`);
      switch (command.kind) {
        case 'exec':
          await runExec(command, context);
          break;
        case 'shell': {
          const bash = ['bash', '-o', 'errexit', '-o', 'nounset', '-o', 'pipefail', '-c'];
          await runExec(exec([...bash, command.script], command.timeoutSeconds), context, command);
          break;
        }
        case 'poll':
          await runPoll(command, context);
          break;
        case 'background':
          background.push(await startBackground(command, context));
          break;
      }
    }
  } finally {
    await Promise.all(background.map((process) => process.stop()));
  }
}
