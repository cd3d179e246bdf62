/** kustomize (or `kubectl kustomize`) failed: carries its stderr and the directory it ran on. */
export class KustomizeError extends Error {
  override name = 'KustomizeError';

  constructor(
    summary: string,
    readonly dir: string,
    readonly stderr: string,
    readonly exitCode: number | undefined,
  ) {
    const detail = stderr.trim();
    super(detail ? `${summary} in ${dir}:\n${detail}` : `${summary} in ${dir}`);
  }
}
