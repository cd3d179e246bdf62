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
  return text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
}

function logOutput(log: (line: string) => void, text: string): void {
  if (text) for (const line of text.trimEnd().split('\n')) log(`  ${line}`);
}

/** What every process of a run gets: the run's environment and its interruption. */
function processOptions(context: ExecutionContext) {
  return {
    env: context.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    ...(context.signal && { cancelSignal: context.signal }),
  } as const;
}

/** Runs the process; `failure` says why it failed (exit code or timeout, the end of its stderr). */
async function runProcess(command: ExecCommand, context: ExecutionContext) {
  const { argv, timeoutSeconds, stdoutFile } = command;
  if (stdoutFile) await mkdir(dirname(stdoutFile), { recursive: true });
  const result = await execa(argv[0], argv.slice(1), {
    ...processOptions(context),
    timeout: timeoutSeconds * 1000,
    stdout: stdoutFile ? { file: stdoutFile } : 'pipe',
    stripFinalNewline: false,
  });
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  let failure = '';
  if (result.timedOut) failure = `timed out after ${timeoutSeconds}s`;
  else if (result.isCanceled) failure = 'interrupted';
  else if (result.failed) {
    failure =
      result.exitCode !== undefined
        ? `exited with ${result.exitCode}`
        : (result.shortMessage ?? 'could not start');
  }
  const detail = tail(result.stderr || (stdoutFile ? '' : stdout));
  return { ok: !result.failed, stdout, failure: detail ? `${failure}:\n${detail}` : failure };
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
  const outcome = await runProcess(command, context);
  if (!command.stdoutFile) logOutput(context.log, outcome.stdout);
  if (!outcome.ok) {
    if (!command.bestEffort) throw new CommandFailure(shown, outcome.failure);
    context.log(`  (best effort) ${outcome.failure.split('\n')[0]}`);
    return;
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
    const outcome = await runProcess(command.command, context);
    last = outcome.ok ? outcome.stdout : outcome.failure;
    logOutput(context.log, last);
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

/** A process that lives until its step ends (its log folder exists). */
function startBackground(command: BackgroundCommand, context: ExecutionContext) {
  const log = { file: command.logFile, append: true };
  return execa(command.argv[0], command.argv.slice(1), {
    ...processOptions(context),
    stdout: log,
    stderr: log,
  });
}

const BASH = ['bash', '-o', 'errexit', '-o', 'nounset', '-o', 'pipefail', '-c'];

/**
 * Runs the commands of one step in order and stops at the first failure (a CommandFailure).
 * Background processes started by the step are stopped when it ends, whatever happened.
 */
export async function runStep(step: Step, context: ExecutionContext): Promise<void> {
  const background: Array<ReturnType<typeof startBackground>> = [];
  try {
    for (const command of step.commands) {
      context.signal?.throwIfAborted();
      context.log(`$ ${formatCommand(command)}`);
      if (command.kind === 'exec') await runExec(command, context);
      else if (command.kind === 'shell') {
        const bash = exec([...BASH, command.script], command.timeoutSeconds);
        await runExec(bash, context, command);
      } else if (command.kind === 'poll') await runPoll(command, context);
      else {
        await mkdir(dirname(command.logFile), { recursive: true });
        background.push(startBackground(command, context));
      }
    }
  } finally {
    for (const process of background) process.kill();
    await Promise.all(background);
  }
}
