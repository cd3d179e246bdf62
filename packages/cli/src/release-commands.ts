import { type ReleaseCommandOptions, runReleaseCommand } from '@appdist/release/release-command';
import { type Command, Option } from 'commander';
import type { Output } from './validate-command.js';

type Format = ReleaseCommandOptions['format'];

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
}

function firstVersionOption(): Option {
  return new Option(
    '--first-version <version>',
    'the distribution version of the first release, while no MAJOR.MINOR.PATCH tag exists',
  ).default('1.0.0');
}

const EXIT_CODES = `
Exit codes: 0 done, 1 refused or failed (nothing to release, dirty tree, tag exists, out of sync), 2 usage error.`;

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
      'Release the distribution: service versions from changesets, image tags pinned in dist/base with kustomize, docker-bake.hcl defaults, CHANGELOG.md, the release commit and the annotated tag.',
    );

  release
    .command('plan')
    .description(
      'Show what a release would do: new service versions, the image tags to pin in dist/base, docker-bake.hcl defaults, the next distribution version and the changelog. Changes nothing.',
    )
    .addOption(formatOption())
    .addOption(firstVersionOption())
    .addHelpText(
      'after',
      `${EXIT_CODES}

Examples:
  $ appdist release plan
  $ appdist release plan --format json`,
    )
    .action(async (options: { format: Format; firstVersion: string }) => {
      setExitCode(
        await runReleaseCommand(
          { action: 'plan', format: options.format, initialVersion: options.firstVersion, cwd },
          output,
        ),
      );
    });

  release
    .command('apply')
    .description(
      'Make the release: apply the changesets (versions, service CHANGELOG.md), pin the new image tags in dist/base with `kustomize edit set image`, update docker-bake.hcl defaults and CHANGELOG.md, commit "release: <version>" and create the annotated tag <version>. In a dirty working tree it shows the dry run and refuses.',
    )
    .option('--dry-run', 'change nothing: show what would be written')
    .option(
      '--allow-dirty',
      'apply despite uncommitted changes; only the release files are committed',
    )
    .option(
      '--no-tag',
      'commit without tagging; tag with `appdist release tag` once the end-to-end tests passed',
    )
    .addOption(formatOption())
    .addOption(firstVersionOption())
    .addHelpText(
      'after',
      `${EXIT_CODES}

Examples:
  $ appdist release apply --dry-run
  $ appdist release apply
  $ appdist release apply --no-tag            # the release PR; CI tags after the Kind e2e`,
    )
    .action(
      async (options: {
        dryRun?: boolean;
        allowDirty?: boolean;
        tag: boolean;
        format: Format;
        firstVersion: string;
      }) => {
        setExitCode(
          await runReleaseCommand(
            {
              action: 'apply',
              dryRun: options.dryRun ?? false,
              allowDirty: options.allowDirty ?? false,
              tag: options.tag,
              format: options.format,
              initialVersion: options.firstVersion,
              cwd,
            },
            output,
          ),
        );
      },
    );

  release
    .command('tag')
    .description(
      'Tag HEAD as the release CHANGELOG.md names last (annotated, the release notes as message), once the end-to-end tests passed on it. Refuses when dist/base or docker-bake.hcl do not pin the service versions.',
    )
    .option('--dry-run', 'change nothing: show the tag that would be created')
    .option('--allow-dirty', 'tag despite uncommitted changes')
    .addOption(formatOption())
    .addHelpText(
      'after',
      `${EXIT_CODES}

Examples:
  $ appdist release tag --dry-run
  $ appdist release tag --format json        # {"version": "1.1.0", …}, or {"error": {"reason": …}}`,
    )
    .action(async (options: { dryRun?: boolean; allowDirty?: boolean; format: Format }) => {
      setExitCode(
        await runReleaseCommand(
          {
            action: 'tag',
            dryRun: options.dryRun ?? false,
            allowDirty: options.allowDirty ?? false,
            format: options.format,
            cwd,
          },
          output,
        ),
      );
    });
}
