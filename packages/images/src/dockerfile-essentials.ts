import { parseImageReference } from '@appdist/catalogue';
import { type ImageConfig, readDockerfile } from './dockerfile.js';

export type EssentialRule = 'parse' | 'from-pinned' | keyof typeof CONFIG_CHECKS;

/** What every service image keeps; each finding names the rule that produced it. */
export interface EssentialFinding {
  rule: EssentialRule;
  line?: number;
  message: string;
}

const OCI_LABELS = ['title', 'source', 'version', 'revision', 'licenses'].map(
  (name) => `org.opencontainers.image.${name}`,
);
const PORT = '8080';
const NODE_CMD = 'CMD ["node", "dist/main.js"]';

/** Why a base image is not pinned, or undefined when it is (a version tag or a digest). */
function unpinned(image: string, unset: string[]): string | undefined {
  if (unset.length > 0) {
    return `${unset.join(', ')} has no value: declare it with a default in an ARG before the first FROM`;
  }
  if (image === 'scratch') return undefined;
  const { name, tag, digest } = parseImageReference(image);
  const pin = `(${name}:<major.minor.patch>…)`;
  if (digest !== undefined) {
    return /^sha256:[0-9a-f]{64}$/.test(digest) ? undefined : `"${digest}" is not a sha256 digest`;
  }
  if (tag === undefined)
    return `no tag means "latest", which moves with every release; pin a version tag ${pin}`;
  if (tag === 'latest') return `"latest" moves with every release; pin a version tag ${pin}`;
  if (!/\d+\.\d+/.test(tag))
    return `tag "${tag}" is not a version; pin at least major.minor ${pin}`;
  return undefined;
}

/** What a check found: a message about the final stage's FROM line, or one at its own line. */
type Problem = string | { line: number; message: string } | undefined;

function nonRootUser({ user }: ImageConfig): Problem {
  if (user === undefined)
    return 'the final stage sets no USER, so the container runs as root; add USER 1000:1000';
  const [uid = '', gid] = user.value.split(':', 2);
  if (!/^\d+$/.test(uid) || (gid !== undefined && !/^\d+$/.test(gid))) {
    return {
      line: user.line,
      message: `USER ${user.value} is not numeric: runAsNonRoot can only verify a numeric user; use USER 1000:1000`,
    };
  }
  if (Number(uid) === 0)
    return { line: user.line, message: `USER ${user.value} is root; use USER 1000:1000` };
  return undefined;
}

/** node as PID 1, started in exec form: a shell or a package manager would not pass SIGTERM on. */
function nodeAsPid1({ entrypoint, cmd }: ImageConfig): Problem {
  const start = entrypoint ?? cmd;
  if (start === undefined)
    return `the final stage sets no CMD, so the base image's command runs; add ${NODE_CMD}`;
  const instruction = entrypoint === undefined ? 'CMD' : 'ENTRYPOINT';
  const fail = (message: string) => ({ line: start.line, message: `${instruction} ${message}` });
  if (start.form === 'shell') {
    return fail(
      `${start.command} is shell form: /bin/sh -c runs as PID 1 and SIGTERM never reaches node; use the exec form ${instruction} ["node", "dist/main.js"]`,
    );
  }
  const argv = start.argv.concat(entrypoint && cmd?.form === 'exec' ? cmd.argv : []);
  const program = argv[0]?.split('/').at(-1) ?? '';
  const written = JSON.stringify(start.argv);
  const shell = /^(ba)?sh$/.test(program) ? 'a shell' : undefined;
  const wrapper = shell ?? /^(npm|npx|yarn|pnpm)$/.exec(program)?.[0];
  if (wrapper !== undefined) {
    return fail(
      `${written} runs ${wrapper} as PID 1, which does not pass SIGTERM on to node; start node itself: ${NODE_CMD}`,
    );
  }
  if (program !== 'node') return fail(`${written} starts ${program || 'nothing'}, not node`);
  if (argv.length < 2) return fail(`${written} starts node without a script`);
  return undefined;
}

/** The checks of the final stage's configuration, in the order findings are reported. */
const CONFIG_CHECKS = {
  'user-non-root': nonRootUser,
  'cmd-exec-node': nodeAsPid1,
  'expose-8080': ({ expose }: ImageConfig): Problem =>
    expose.includes(PORT) || expose.includes(`${PORT}/tcp`)
      ? undefined
      : `EXPOSE ${PORT} is missing: the services listen on ${PORT} (containerPort "http" in dist/)`,
  'node-env-production': ({ env }: ImageConfig): Problem =>
    env.NODE_ENV === 'production'
      ? undefined
      : `NODE_ENV is ${env.NODE_ENV === undefined ? 'unset' : `"${env.NODE_ENV}"`} in the final stage; set ENV NODE_ENV=production (Express and pino run in development mode otherwise)`,
  'oci-labels': ({ labels }: ImageConfig): Problem => {
    const missing = OCI_LABELS.filter((label) => !labels[label]);
    const message = `missing or empty OCI labels in the final stage: ${missing.join(', ')}`;
    return missing.length > 0 ? message : undefined;
  },
};

/**
 * The essentials every service Dockerfile keeps, as far as its text shows them: pinned bases, a
 * numeric non-root user, node as PID 1 in exec form, port 8080, NODE_ENV=production and the OCI
 * labels. `buildArgs` are the values a build passes (the bake target's args); defaults apply
 * otherwise.
 */
export function checkDockerfile(
  text: string,
  buildArgs: Record<string, string> = {},
): EssentialFinding[] {
  const { problems, bases, config } = readDockerfile(text, buildArgs);
  if (problems.length > 0) return problems.map((problem) => ({ rule: 'parse', ...problem }));
  return [
    ...bases.flatMap(({ written, image, unset, line }) => {
      const message = unpinned(image, unset);
      return message === undefined
        ? []
        : [{ rule: 'from-pinned' as const, line, message: `FROM ${written}: ${message}` }];
    }),
    ...Object.entries(CONFIG_CHECKS).flatMap(([rule, check]) => {
      const problem = check(config);
      if (problem === undefined) return [];
      const found = typeof problem === 'string' ? { line: config.line, message: problem } : problem;
      return [{ rule: rule as EssentialRule, ...found }];
    }),
  ];
}

export function formatFinding({ line, message, rule }: EssentialFinding): string {
  return `${line === undefined ? '' : `line ${line}: `}${message} (rule ${rule})`;
}
