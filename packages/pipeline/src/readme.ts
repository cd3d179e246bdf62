/**
 * The command the README gives for running the tests: in its Quick start block, the line whose
 * comment speaks of tests (`npm test   # lint, typecheck, unit and integration tests`).
 */
export function readmeTestCommand(readme: string): string {
  const quickStart = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (quickStart === undefined) throw new Error('README has no sh block under "## Quick start"');
  for (const line of quickStart.split('\n')) {
    const [command, comment] = line.split('#', 2);
    if (command?.trim() && comment && /\btests?\b/.test(comment)) return command.trim();
  }
  throw new Error('the Quick start block has no command commented as running the tests');
}
