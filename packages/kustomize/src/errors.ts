/** kustomize (or `kubectl kustomize`) failed: carries its stderr and the directory it ran on. */
export class KustomizeError extends Error {
  readonly dir: string;
  readonly stderr: string;
  readonly command: readonly string[];
  readonly exitCode: number | undefined;

  constructor(options: {
    dir: string;
    stderr: string;
    command: readonly string[];
    exitCode: number | undefined;
    summary: string;
  }) {
    const detail = options.stderr.trim();
    super(
      detail
        ? `${options.summary} in ${options.dir}:\n${detail}`
        : `${options.summary} in ${options.dir}`,
    );
    this.name = 'KustomizeError';
    this.dir = options.dir;
    this.stderr = options.stderr;
    this.command = options.command;
    this.exitCode = options.exitCode;
  }
}
