import { type Dockerfile, DockerfileParser } from 'dockerfile-ast';
import { baseImages, finalImageConfig, type ImageConfig, structureProblems } from './dockerfile.js';

/** What every service image keeps; each finding names the rule that produced it. */
export type EssentialRule =
  | 'parse'
  | 'from-pinned'
  | 'user-non-root'
  | 'cmd-exec-node'
  | 'expose-8080'
  | 'node-env-production'
  | 'oci-labels';

export interface EssentialFinding {
  rule: EssentialRule;
  line?: number;
  message: string;
}

export const REQUIRED_OCI_LABELS = [
  'org.opencontainers.image.title',
  'org.opencontainers.image.source',
  'org.opencontainers.image.version',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.licenses',
] as const;

export const SERVICE_PORT = '8080';

/** `registry/name:tag@sha256:…` split into its parts. */
export function parseImageReference(reference: string): {
  name: string;
  tag?: string;
  digest?: string;
} {
  const [withoutDigest = '', digest] = reference.split('@', 2);
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const name = colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
  return {
    name,
    ...(colon < 0 ? {} : { tag: withoutDigest.slice(colon + 1) }),
    ...(digest === undefined ? {} : { digest }),
  };
}

function checkBaseImages(dockerfile: Dockerfile, buildArgs: Record<string, string>) {
  return baseImages(dockerfile, buildArgs).flatMap(({ written, image, unset, line }) => {
    const fail = (message: string): EssentialFinding[] => [
      { rule: 'from-pinned', line, message: `FROM ${written}: ${message}` },
    ];
    if (unset.length > 0) {
      return fail(
        `${unset.join(', ')} has no value: declare it with a default in an ARG before the first FROM`,
      );
    }
    if (image === 'scratch') return [];
    const { name, tag, digest } = parseImageReference(image);
    const pin = `pin a version tag (${name}:<major.minor.patch>…)`;
    if (digest !== undefined) {
      return /^sha256:[0-9a-f]{64}$/.test(digest) ? [] : fail(`"${digest}" is not a sha256 digest`);
    }
    if (tag === undefined)
      return fail(`no tag means "latest", which moves with every release; ${pin}`);
    if (tag === 'latest') return fail(`"latest" moves with every release; ${pin}`);
    if (!/\d+\.\d+/.test(tag)) {
      return fail(
        `tag "${tag}" is not a version; pin at least major.minor (${name}:<major.minor.patch>…)`,
      );
    }
    return [];
  });
}

function checkUser(config: ImageConfig): EssentialFinding[] {
  if (config.user === undefined) {
    return [
      {
        rule: 'user-non-root',
        line: config.line,
        message: 'the final stage sets no USER, so the container runs as root; add USER 1000:1000',
      },
    ];
  }
  const { value, line } = config.user;
  const [user = '', group] = value.split(':', 2);
  if (!/^\d+$/.test(user) || (group !== undefined && !/^\d+$/.test(group))) {
    return [
      {
        rule: 'user-non-root',
        line,
        message: `USER ${value} is not numeric: runAsNonRoot can only verify a numeric user; use USER 1000:1000`,
      },
    ];
  }
  if (Number(user) === 0) {
    return [{ rule: 'user-non-root', line, message: `USER ${value} is root; use USER 1000:1000` }];
  }
  return [];
}

const WRAPPERS: Record<string, string> = {
  npm: 'npm',
  npx: 'npx',
  yarn: 'yarn',
  pnpm: 'pnpm',
  sh: 'a shell',
  bash: 'a shell',
};

function checkCommand(config: ImageConfig): EssentialFinding[] {
  const fail = (line: number, message: string): EssentialFinding[] => [
    { rule: 'cmd-exec-node', line, message },
  ];
  const { entrypoint, cmd } = config;
  const start = entrypoint ?? cmd;
  if (start === undefined) {
    return fail(
      config.line,
      'the final stage sets no CMD, so the base image\'s command runs; add CMD ["node", "dist/main.js"]',
    );
  }
  const instruction = entrypoint === undefined ? 'CMD' : 'ENTRYPOINT';
  if (start.form === 'shell') {
    return fail(
      start.line,
      `${instruction} ${start.command} is shell form: /bin/sh -c runs as PID 1 and SIGTERM never reaches node; use the exec form ${instruction} ["node", "dist/main.js"]`,
    );
  }
  const argv = [
    ...start.argv,
    ...(entrypoint !== undefined && cmd?.form === 'exec' ? cmd.argv : []),
  ];
  const program = (argv[0] ?? '').split('/').at(-1) ?? '';
  const written = JSON.stringify(start.argv);
  const wrapper = WRAPPERS[program];
  if (wrapper !== undefined) {
    return fail(
      start.line,
      `${instruction} ${written} runs ${wrapper} as PID 1, which does not pass SIGTERM on to node; start node itself: CMD ["node", "dist/main.js"]`,
    );
  }
  if (program !== 'node') {
    return fail(start.line, `${instruction} ${written} starts ${program || 'nothing'}, not node`);
  }
  if (argv.length < 2) {
    return fail(start.line, `${instruction} ${written} starts node without a script`);
  }
  return [];
}

function checkExpose(config: ImageConfig): EssentialFinding[] {
  if (config.expose.some((port) => port === SERVICE_PORT || port === `${SERVICE_PORT}/tcp`))
    return [];
  return [
    {
      rule: 'expose-8080',
      line: config.line,
      message: `EXPOSE ${SERVICE_PORT} is missing: the services listen on ${SERVICE_PORT} (containerPort "http" in dist/)`,
    },
  ];
}

function checkNodeEnv(config: ImageConfig): EssentialFinding[] {
  if (config.env.NODE_ENV === 'production') return [];
  return [
    {
      rule: 'node-env-production',
      line: config.line,
      message: `NODE_ENV is ${config.env.NODE_ENV === undefined ? 'unset' : `"${config.env.NODE_ENV}"`} in the final stage; set ENV NODE_ENV=production (Express and pino run in development mode otherwise)`,
    },
  ];
}

function checkLabels(config: ImageConfig): EssentialFinding[] {
  const missing = REQUIRED_OCI_LABELS.filter((label) => (config.labels[label] ?? '') === '');
  if (missing.length === 0) return [];
  return [
    {
      rule: 'oci-labels',
      line: config.line,
      message: `missing or empty OCI labels in the final stage: ${missing.join(', ')}`,
    },
  ];
}

/**
 * The essentials every service Dockerfile keeps: pinned bases, a numeric non-root user, node
 * as PID 1 in exec form, port 8080, NODE_ENV=production and the OCI labels. `buildArgs` are the
 * values a build passes (the bake target's args); defaults apply otherwise.
 */
export function checkDockerfile(
  text: string,
  buildArgs: Record<string, string> = {},
): EssentialFinding[] {
  const dockerfile = DockerfileParser.parse(text);
  const unreadable = structureProblems(dockerfile);
  if (unreadable.length > 0) return unreadable.map((problem) => ({ rule: 'parse', ...problem }));
  const config = finalImageConfig(dockerfile, buildArgs);
  return [
    ...checkBaseImages(dockerfile, buildArgs),
    ...checkUser(config),
    ...checkCommand(config),
    ...checkExpose(config),
    ...checkNodeEnv(config),
    ...checkLabels(config),
  ];
}

export function formatFinding(finding: EssentialFinding): string {
  const where = finding.line === undefined ? '' : `line ${finding.line}: `;
  return `${where}${finding.message} (rule ${finding.rule})`;
}
