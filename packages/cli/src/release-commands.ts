import type { Output } from '@appdist/e2e/e2e-command';
import { type ReleaseCommandOptions, runReleaseCommand } from '@appdist/release/release-command';
import { type Command, Option } from 'commander';
import { formatOption } from './validate-command.js';

type ReleaseAction = ReleaseCommandOptions['action'];
type ParsedOptions = Omit<ReleaseCommandOptions, 'action' | 'cwd' | 'initialVersion'> & {
  firstVersion?: string;
};

/** Each command with its own options, in the order `--help` lists them (then --format). */
const COMMANDS: ReadonlyArray<{
  action: ReleaseAction;
  description: string;
  options: Array<[flags: string, description: string]>;
  examples: string;
}> = [
  {
    action: 'plan',
    description:
      'Show what a release would do: new service versions, the image tags to pin in dist/base, the next distribution version and the changelog. Changes nothing.',
    options: [],
    examples: `
  $ appdist release plan
  $ appdist release plan --format json`,
  },
  {
    action: 'apply',
    description:
      'Make the release: apply the changesets (versions, service CHANGELOG.md), pin the new image tags in dist/base with `kustomize edit set image`, update CHANGELOG.md, commit "release: <version>" and create the annotated tag <version>. In a dirty working tree it shows the dry run and refuses.',
    options: [
      ['--dry-run', 'change nothing: show what would be written'],
      ['--allow-dirty', 'apply despite uncommitted changes; only the release files are committed'],
      [
        '--no-tag',
        'commit without tagging; tag with `appdist release tag` once the end-to-end tests passed',
      ],
    ],
    examples: `
  $ appdist release apply --dry-run
  $ appdist release apply
  $ appdist release apply --no-tag            # the release PR; CI tags after the Kind e2e`,
  },
  {
    action: 'tag',
    description:
      'Tag HEAD as the release CHANGELOG.md names last (annotated, the release notes as message), once the end-to-end tests passed on it. Refuses when dist/base does not pin the service versions.',
    options: [
      ['--dry-run', 'change nothing: show the tag that would be created'],
      ['--allow-dirty', 'tag despite uncommitted changes'],
    ],
    examples: `
  $ appdist release tag --dry-run
  $ appdist release tag --format json        # {"version": "1.1.0", …}, or {"error": {"reason": …}}`,
  },
];

/** `appdist release plan|apply|tag`: the release tool of @appdist/release. */
export function addReleaseCommands(
  program: Command,
  output: Output,
  cwd: string,
  setExitCode: (code: number) => void,
): void {
  const release = program
    .command('release')
    .description(
      'Release the distribution: service versions from changesets, image tags pinned in dist/base with kustomize, CHANGELOG.md, the release commit and the annotated tag.',
    );
  for (const { action, description, options, examples } of COMMANDS) {
    const command = release.command(action).description(description);
    for (const [flags, help] of options) command.option(flags, help);
    command.addOption(formatOption('text'));
    if (action !== 'tag') {
      command.addOption(
        new Option(
          '--first-version <version>',
          'the distribution version of the first release, while no MAJOR.MINOR.PATCH tag exists',
        ).default('1.0.0'),
      );
    }
    command
      .addHelpText(
        'after',
        `
Exit codes: 0 done, 1 refused or failed (nothing to release, dirty tree, tag exists, out of sync), 2 usage error.

Examples:${examples}`,
      )
      .action(async ({ firstVersion, ...options }: ParsedOptions) => {
        setExitCode(
          await runReleaseCommand(
            { ...options, action, cwd, ...(firstVersion ? { initialVersion: firstVersion } : {}) },
            output,
          ),
        );
      });
  }
}
