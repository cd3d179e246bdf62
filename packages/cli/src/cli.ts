import { KustomizeError } from '@appdist/kustomize/errors';
import { Command, CommanderError, Option } from 'commander';
import { runConformanceCommand } from './conformance-command.js';
import { DEFAULT_TESTER_URL, type GateAction, runGateCommand } from './operator-commands.js';
import { runRender } from './render-command.js';
import { UsageError } from './targets.js';
import { type Output, runValidate, type ValidateOptions } from './validate-command.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The appdist command line. Every action reports its exit code through `setExitCode`. */
export function createProgram(
  output: Output,
  cwd: string,
  setExitCode: (code: number) => void,
): Command {
  const program = new Command('appdist')
    .description(
      'The appdist command line: render and validate the distributions providers receive, run conformance suites, and approve, halt or roll back canaries.',
    )
    .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
    .showSuggestionAfterError()
    .showHelpAfterError('(appdist --help lists the commands)')
    .exitOverride();

  program
    .command('validate')
    .description(
      'Render distributions with real kustomize and check every object: schemas (Kubernetes, Flux, Istio, Gateway API, Flagger and Linkerd CRDs), unknown fields, cross-references and the rules of docs/distribution.md.',
    )
    .argument(
      '[dir...]',
      'folders to validate (a path, or a name under dist/); default: dist/app-kubernetes, dist/app-istio, dist/app-linkerd and examples/provider',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .option(
      '--crds <dir>',
      'folder of upstream CRDs (default: $APPDIST_CRDS_DIR, then ../shared/crds)',
    )
    .option(
      '--options',
      'also validate every option component of dist/components (alerts-slack, manual-approval, …) composed with each distribution',
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 nothing found, 1 findings or a render failed, 2 usage error.

Examples:
  $ appdist validate                          # every distribution and the provider example
  $ appdist validate app-istio                # one distribution, by name
  $ appdist validate --options                # plus alerts-slack, manual-approval, … on each
  $ appdist validate ./my-overlay --format json
  $ appdist validate --crds ./crds            # CRDs fetched by packages/validation/scripts/fetch-crds.sh`,
    )
    .action(async (dirs: string[], options: ValidateOptions) => {
      setExitCode(await runValidate(dirs, options, output, cwd));
    });

  program
    .command('render')
    .description(
      'Print the manifests kustomize renders for one distribution (or the provider example).',
    )
    .argument('<dist>', 'a distribution name such as app-istio, or a path')
    .addOption(
      new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ appdist render app-linkerd
  $ appdist render dist/app-istio --format json
  $ appdist render examples/provider          # remote bases pointed at this checkout`,
    )
    .action(async (dist: string, options: { format: 'yaml' | 'json' }) => {
      setExitCode(await runRender(dist, options, output, cwd));
    });

  program
    .command('conformance')
    .description(
      "Run one service's conformance suite against a running instance, as the tester does before a canary gets traffic.",
    )
    .requiredOption('--service <service>', 'frontend, backend, cache or database')
    .requiredOption('--url <url>', 'base URL of the instance, e.g. http://localhost:8081')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
    )
    .option('--timeout <seconds>', 'bound for the whole suite', '60')
    .addHelpText(
      'after',
      `
Exit codes: 0 every check passed, 1 a check failed, 2 usage error.

Examples:
  $ appdist conformance --service backend --url http://localhost:8081
  $ appdist conformance --service frontend --url http://localhost:8080 --format json`,
    )
    .action(
      async (options: {
        service: string;
        url: string;
        format: 'text' | 'json';
        timeout: string;
      }) => {
        setExitCode(await runConformanceCommand(options, output));
      },
    );

  const gates: Array<[GateAction, string]> = [
    [
      'approve',
      'Open the approval gate of a canary: its confirm-rollout/confirm-promotion webhooks pass.',
    ],
    ['halt', 'Close the approval gate of a canary: Flagger waits at its next confirm webhook.'],
    [
      'rollback',
      'Ask Flagger to roll a canary back: its rollback webhook answers 2xx from now on.',
    ],
  ];
  for (const [action, description] of gates) {
    program
      .command(action)
      .description(description)
      .argument('<canary>', 'the canary: <name> or <namespace>/<name> (namespace default: app)')
      .option(
        '--tester <url>',
        `the tester (default: $APPDIST_TESTER_URL, then ${DEFAULT_TESTER_URL})`,
      )
      .option('--namespace <namespace>', 'namespace when <canary> has none', 'app')
      .addHelpText(
        'after',
        `
In a cluster, reach the tester first: kubectl -n app port-forward svc/tester 8090:80

Example:
  $ appdist ${action} backend
  $ appdist ${action} app/frontend --tester http://localhost:8090`,
      )
      .action(async (canary: string, options: { tester?: string; namespace?: string }) => {
        setExitCode(await runGateCommand(action, canary, options, output));
      });
  }

  program.addHelpText(
    'after',
    `
Examples:
  $ npx appdist validate
  $ npx appdist render app-istio
  $ npx appdist conformance --service backend --url http://localhost:8081
  $ npx appdist approve backend
  $ npx appdist validate --help`,
  );
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the process exit code. */
export async function run(
  argv: readonly string[],
  output: Output = processOutput,
  cwd: string = process.cwd(),
): Promise<number> {
  let exitCode = 0;
  const program = createProgram(output, cwd, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully; the message is already printed.
      if (error.exitCode === 0) return 0;
      return EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      output.stderr(`appdist: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof KustomizeError) {
      output.stderr(
        `appdist: kustomize cannot render ${error.dir}: fix the kustomization there\n${error.stderr.trim().replace(/^/gm, '  ')}\n`,
      );
      return EXIT_FAILED;
    }
    throw error;
  }
}
