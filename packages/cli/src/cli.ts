import { CONFORMANCE_SERVICES, DISTRIBUTIONS, NAMESPACE } from '@appdist/catalogue';
import { type E2ECommandOptions, type Output, runE2ECommand } from '@appdist/e2e/e2e-command';
import { type ImagesPlanOptions, runImagesPlan } from '@appdist/images/plan';
import { KustomizeError } from '@appdist/kustomize/errors';
import { CrdsInvalidError, CrdsNotFoundError } from '@appdist/validation/crds';
import { Command, CommanderError } from 'commander';
import { type ConformanceCommandOptions, runConformanceCommand } from './conformance-command.js';
import {
  DEFAULT_TESTER_URL,
  GATE_ACTIONS,
  type GateAction,
  type GateOptions,
  runGateCommand,
  TESTER_PORT_FORWARD,
} from './operator-commands.js';
import { addReleaseCommands } from './release-commands.js';
import { runRender } from './render-command.js';
import { UsageError } from './targets.js';
import { formatOption, runValidate, type ValidateOptions } from './validate-command.js';

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
      'The appdist command line: render and validate the distributions providers receive, run conformance suites, approve, halt or roll back canaries, run the Kind end-to-end test, and release.',
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
      `folders to validate (a path, or a name under dist/); default: ${DISTRIBUTIONS.map((name) => `dist/${name}`).join(', ')} and examples/provider`,
    )
    .addOption(formatOption('text'))
    .option(
      '--crds <dir>',
      'folder of upstream CRDs (default: $APPDIST_CRDS_DIR, then ../shared/crds)',
    )
    .option(
      '--options',
      "also validate each provider option the catalogue lists (dist/components/<option>) composed with each distribution, reported distribution by distribution in the catalogue's order",
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
    .addOption(formatOption('yaml'))
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
    .command('images')
    .description(
      "Show what `docker buildx bake` builds from docker-bake.hcl (targets, tags, platforms, attestations, cache, output): resolved by buildx where it is on the PATH, else as the file writes them; --check also checks the file against the catalogue and every target's Dockerfile.",
    )
    .argument(
      '[targets...]',
      'bake targets or groups (default: the "default" group, the five release images; "kind" for the Kind e2e images)',
    )
    .addOption(formatOption('text'))
    .option('--file <path>', 'the bake file (default: docker-bake.hcl at the repository root)')
    .option(
      '--check',
      'also check each target: context and Dockerfile exist, COPY sources are in the build context, and the Dockerfile keeps the essentials (pinned bases, numeric non-root USER, node in exec form, EXPOSE 8080, NODE_ENV=production, OCI labels)',
    )
    .addHelpText(
      'after',
      `
Variables come from the environment, as for docker buildx bake: REGISTRY, TAG,
VERSIONS (default: from services/*/package.json, as ci/bake.sh sets it), GIT_COMMIT.

Exit codes: 0 fine, 1 a check failed or the bake file does not resolve, 2 usage error.

Examples:
  $ appdist images                            # the release images
  $ appdist images kind --format json         # like docker buildx bake kind --print
  $ TAG=sha-3f2c1e0 appdist images backend
  $ appdist images --check                    # every Dockerfile's essentials, before a build`,
    )
    .action(async (targets: string[], options: ImagesPlanOptions) => {
      setExitCode(await runImagesPlan({ ...options, targets, cwd }, output));
    });

  program
    .command('conformance')
    .description(
      "Run one service's conformance suite against a running instance, as the tester does before a canary gets traffic.",
    )
    .requiredOption('--service <service>', CONFORMANCE_SERVICES.join(', '))
    .requiredOption('--url <url>', 'base URL of the instance, e.g. http://localhost:8081')
    .addOption(formatOption('text'))
    .option('--timeout <seconds>', 'bound for the whole suite', '60')
    .addHelpText(
      'after',
      `
Exit codes: 0 every check passed, 1 a check failed, 2 usage error.

Examples:
  $ appdist conformance --service backend --url http://localhost:8081
  $ appdist conformance --service frontend --url http://localhost:8080 --format json`,
    )
    .action(async (options: ConformanceCommandOptions) => {
      setExitCode(await runConformanceCommand(options, output));
    });

  program
    .command('e2e')
    .description(
      'The Kind end-to-end run of one distribution: a cluster with its mesh and Flagger, the app on locally built images, conformance and smoke tests, a good release promoted and a bad one rolled back. --plan prints every command without running any.',
    )
    .requiredOption('--dist <dist>', DISTRIBUTIONS.join(', '))
    .option('--plan', 'print the commands in order, grouped by step; run nothing')
    .option(
      '--image <service=image...>',
      'a locally built image for a service (repeatable); default: the image dist/ pins, which `bash ci/bake.sh kind --load` builds',
    )
    .option('--tag <tag>', "the tag of every image not given by --image (docker-bake.hcl's TAG)")
    .option(
      '--artifacts <dir>',
      'folder for tools, kubeconfig, the rendered manifest, logs and collected artifacts (default: $APPDIST_E2E_ARTIFACTS/<dist>, else e2e-artifacts/<dist>)',
    )
    .option('--keep-cluster', 'leave the Kind cluster running at the end')
    .addHelpText(
      'after',
      `
A real run needs kind v0.27.0 and a Docker engine; it downloads kubectl, istioctl or linkerd
(checksums verified) into the artifacts folder. Versions: packages/e2e/src/versions.ts.
Exit codes: 0 passed (or a plan), 1 a step failed (artifacts collected), 2 cannot run as asked.

Examples:
  $ appdist e2e --dist app-istio --plan
  $ appdist e2e --dist app-linkerd --tag sha-3f2c1e0
  $ appdist e2e --dist app-kubernetes --image backend=localhost:5000/appdist/backend:pr-42 --keep-cluster`,
    )
    .action(async ({ image, ...options }: E2ECommandOptions & { image?: string[] }) => {
      setExitCode(await runE2ECommand({ ...options, images: image }, output, { cwd }));
    });

  for (const action of Object.keys(GATE_ACTIONS) as GateAction[]) {
    program
      .command(action)
      .description(GATE_ACTIONS[action].description)
      .argument(
        '<canary>',
        `the canary: <name> or <namespace>/<name> (namespace default: ${NAMESPACE})`,
      )
      .option(
        '--tester <url>',
        `the tester (default: $APPDIST_TESTER_URL, then ${DEFAULT_TESTER_URL})`,
      )
      .option('--namespace <namespace>', 'namespace when <canary> has none', NAMESPACE)
      .addHelpText(
        'after',
        `
In a cluster, reach the tester first: ${TESTER_PORT_FORWARD}

Examples:
  $ appdist ${action} backend
  $ appdist ${action} ${NAMESPACE}/frontend --tester ${DEFAULT_TESTER_URL}`,
      )
      .action(async (canary: string, options: GateOptions) => {
        setExitCode(await runGateCommand(action, canary, options, output));
      });
  }

  addReleaseCommands(program, output, cwd, setExitCode);

  program.addHelpText(
    'after',
    `
Examples:
  $ npx appdist validate
  $ npx appdist render app-istio
  $ npx appdist images --check
  $ npx appdist conformance --service backend --url http://localhost:8081
  $ npx appdist approve backend
  $ npx appdist e2e --dist app-istio --plan
  $ npx appdist release plan
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
    // The CRD folder is read while the first render runs, so its errors arrive here.
    if (
      error instanceof UsageError ||
      error instanceof CrdsInvalidError ||
      error instanceof CrdsNotFoundError
    ) {
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
