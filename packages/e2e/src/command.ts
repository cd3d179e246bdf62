/**
 * The commands of an end-to-end run: data, so that `--plan` prints exactly the list a real run
 * executes. Every kind carries its own bound (a timeout, or attempts × interval).
 */

/** Bound of a `kubectl rollout status` and similar waits; the process gets a little more. */
export const ROLLOUT_TIMEOUT_SECONDS = 300;

/** Checks a command's stdout; returns why it is wrong, or undefined when it is right. */
export interface OutputExpectation {
  description: string;
  check(stdout: string): string | undefined;
}

export type PollVerdict = { state: 'done' } | { state: 'wait' } | { state: 'fail'; reason: string };

/** When a poll is over: `done`, keep waiting, or `fail` at once (e.g. a Canary went `Failed`). */
export interface PollCondition {
  description: string;
  check(stdout: string): PollVerdict;
}

/** One program with its arguments, run without a shell. */
export interface ExecCommand {
  kind: 'exec';
  argv: readonly [string, ...string[]];
  timeoutSeconds: number;
  /** Where stdout goes instead of the log (collected artifacts). */
  stdoutFile?: string;
  expect?: OutputExpectation;
  /** A file the command writes (a response body) that explains a failed expectation. */
  explainFile?: string;
  /** Artifact collection: a failure is logged and the next command runs. */
  bestEffort?: boolean;
}

/** A shell line, for what needs a pipe (`linkerd install | kubectl apply -f -`). Runs in bash with pipefail. */
export interface ShellCommand {
  kind: 'shell';
  script: string;
  timeoutSeconds: number;
}

/** Runs `command` until `until` says done, at most `attempts` times, `intervalSeconds` apart; prints every attempt. */
export interface PollCommand {
  kind: 'poll';
  command: ExecCommand;
  attempts: number;
  intervalSeconds: number;
  until: PollCondition;
}

/** A process that lives until its step ends (a port-forward); its output goes to `logFile`. */
export interface BackgroundCommand {
  kind: 'background';
  argv: readonly [string, ...string[]];
  logFile: string;
}

export type Command = ExecCommand | ShellCommand | PollCommand | BackgroundCommand;

const SAFE_WORD = /^[A-Za-z0-9_\-+=.,/:@%^]+$/;

/** `word` as one shell word: unchanged when nothing in it is special, else single-quoted. */
export function shellQuote(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** The command as one line a person could paste into bash; bounds and checks as a comment. */
export function formatCommand(command: Command): string {
  switch (command.kind) {
    case 'exec': {
      const redirect = command.stdoutFile ? ` > ${shellQuote(command.stdoutFile)}` : '';
      const notes = [
        command.expect ? `expect ${command.expect.description}` : '',
        command.bestEffort ? 'best effort' : '',
      ].filter(Boolean);
      return `${shellJoin(command.argv)}${redirect}${notes.length > 0 ? `  # ${notes.join('; ')}` : ''}`;
    }
    case 'shell':
      return command.script;
    case 'poll':
      return `${shellJoin(command.command.argv)}  # poll: at most ${command.attempts} × ${command.intervalSeconds}s until ${command.until.description}`;
    case 'background':
      return `${shellJoin(command.argv)} > ${shellQuote(command.logFile)} 2>&1 &  # until the step ends`;
  }
}

/** `argv` as written, or a line of plain words split at each space (no word in it may hold one). */
export function argvOf(argv: string | readonly string[]): ExecCommand['argv'] {
  const words = typeof argv === 'string' ? argv.split(' ') : argv;
  if (!words[0]) throw new Error('a command needs a program');
  return words as ExecCommand['argv'];
}

export function exec(
  argv: string | readonly string[],
  timeoutSeconds: number,
  extra: Partial<Omit<ExecCommand, 'kind' | 'argv' | 'timeoutSeconds'>> = {},
): ExecCommand {
  return { kind: 'exec', argv: argvOf(argv), timeoutSeconds, ...extra };
}

export function shell(script: string, timeoutSeconds: number): ShellCommand {
  return { kind: 'shell', script, timeoutSeconds };
}

export function rolloutStatus(namespace: string, resource: string): ExecCommand {
  return exec(
    `kubectl -n ${namespace} rollout status ${resource} --timeout=${ROLLOUT_TIMEOUT_SECONDS}s`,
    ROLLOUT_TIMEOUT_SECONDS + 30,
  );
}

export function outputIs(expected: string): OutputExpectation {
  return {
    description: `output ${expected}`,
    check: (stdout) =>
      stdout === expected
        ? undefined
        : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(stdout)}`,
  };
}

export function outputContains(expected: string): OutputExpectation {
  return {
    description: `output containing ${expected}`,
    check: (stdout) =>
      stdout.includes(expected)
        ? undefined
        : `expected ${JSON.stringify(expected)} in ${JSON.stringify(stdout)}`,
  };
}

export function outputLacks(unwanted: string): OutputExpectation {
  return {
    description: `no ${unwanted} in the output`,
    check: (stdout) =>
      stdout.includes(unwanted)
        ? `${JSON.stringify(unwanted)} is there: ${JSON.stringify(stdout)}`
        : undefined,
  };
}
