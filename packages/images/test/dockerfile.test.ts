// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are HCL and Dockerfile text, whose ${…} is theirs, not JavaScript's.

import { describe, expect, it } from 'vitest';
import { readDockerfile, substitute } from '../src/dockerfile.js';
import {
  checkDockerfile,
  type EssentialRule,
  formatFinding,
} from '../src/dockerfile-essentials.js';

/** A Dockerfile that keeps every essential; the failure cases below each break one. */
const GOOD = `# syntax=docker/dockerfile:1
ARG NODE=24.21.0
FROM node:\${NODE}-bookworm-slim AS base
WORKDIR /app

FROM base AS build
# a comment between instructions
RUN --mount=type=cache,target=/root/.npm \\
    # a comment inside a continuation
    npm ci \\
 && npm run build

FROM base
ARG VERSION=1.0.0
LABEL org.opencontainers.image.title="api" \\
      org.opencontainers.image.source="https://example.com/api" \\
      org.opencontainers.image.licenses="Apache-2.0" \\
      org.opencontainers.image.version="\${VERSION}" \\
      org.opencontainers.image.revision="abc"
ENV NODE_ENV=production
COPY --from=build /app/dist ./dist
WORKDIR services/api
USER 1000:1000
EXPOSE 8080
CMD ["node", "dist/main.js"]
`;

function rules(text: string): EssentialRule[] {
  return checkDockerfile(text).map((finding) => finding.rule);
}

function messages(text: string): string[] {
  return checkDockerfile(text).map(formatFinding);
}

describe('reading a Dockerfile with dockerfile-ast', () => {
  it('finds the base images behind stages, with the global ARG values', () => {
    expect(readDockerfile(GOOD).bases).toEqual([
      {
        written: 'node:${NODE}-bookworm-slim',
        image: 'node:24.21.0-bookworm-slim',
        unset: [],
        line: 3,
      },
    ]);
    expect(readDockerfile(GOOD, { NODE: '25.0.0' }).bases[0]?.image).toBe(
      'node:25.0.0-bookworm-slim',
    );
  });

  it('honours the escape directive', () => {
    const { config } = readDockerfile('# escape=`\nFROM node:24.21.0 AS a\nLABEL a=1 `\n  b=2\n');
    expect(config.labels).toEqual({ a: '1', b: '2' });
  });

  it('rejects what BuildKit would not read', () => {
    expect(readDockerfile('RUN echo\nFROM node:24.21.0').problems).toEqual([
      { line: 1, message: 'RUN before the first FROM (only ARG may come first)' },
    ]);
    expect(readDockerfile('# only a comment\n').problems).toEqual([
      { message: 'no FROM instruction' },
    ]);
    expect(readDockerfile(GOOD).problems).toEqual([]);
  });

  it('resolves the final image: inherited stage config, ARG and ENV substitution, build args', () => {
    const { config } = readDockerfile(GOOD, { VERSION: '2.0.0' });
    expect(config.workdir).toBe('/app/services/api');
    expect(config.user).toEqual({ value: '1000:1000', line: 23 });
    expect(config.env).toEqual({ NODE_ENV: 'production' });
    expect(config.labels['org.opencontainers.image.version']).toBe('2.0.0');
    expect(config.expose).toEqual(['8080']);
    expect(config.cmd).toEqual({ form: 'exec', argv: ['node', 'dist/main.js'], line: 25 });
    expect(readDockerfile(GOOD).config.labels['org.opencontainers.image.version']).toBe('1.0.0');
  });

  it('lists the paths COPY takes from the build context', () => {
    const { sources } = readDockerfile(
      'FROM node:24.21.0 AS a\nCOPY . .\nCOPY --from=a /x /y\nCOPY a.json b/c.sh ./\nCOPY ["d e.txt", "/f"]\nCOPY *.md /docs/\n',
    );
    expect(sources).toEqual([
      { path: 'a.json', line: 4 },
      { path: 'b/c.sh', line: 4 },
      { path: 'd e.txt', line: 5 },
    ]);
  });
});

describe('substitute', () => {
  it('expands $NAME, ${NAME} and the :- and :+ forms; unset names are empty', () => {
    const variables = { A: 'a', EMPTY: '' };
    expect(substitute('$A-${A}-${B}-\\$A', variables)).toBe('a-a--$A');
    expect(substitute('${B:-fallback} ${EMPTY:-x} ${EMPTY-y} ${A:+set} ${B:+set}', variables)).toBe(
      'fallback x  set ',
    );
  });
});

describe('checkDockerfile', () => {
  it('finds nothing in a Dockerfile that keeps the essentials', () => {
    expect(checkDockerfile(GOOD)).toEqual([]);
  });

  it('fails a latest base, a root user and `npm start` in shell form, each with its own message', () => {
    const bad = GOOD.replace('FROM node:${NODE}-bookworm-slim AS base', 'FROM node:latest AS base')
      .replace('USER 1000:1000', 'USER root')
      .replace('CMD ["node", "dist/main.js"]', 'CMD npm start');
    expect(messages(bad)).toEqual([
      'line 3: FROM node:latest: "latest" moves with every release; pin a version tag (node:<major.minor.patch>…) (rule from-pinned)',
      'line 23: USER root is not numeric: runAsNonRoot can only verify a numeric user; use USER 1000:1000 (rule user-non-root)',
      'line 25: CMD npm start is shell form: /bin/sh -c runs as PID 1 and SIGTERM never reaches node; use the exec form CMD ["node", "dist/main.js"] (rule cmd-exec-node)',
    ]);
  });

  it('requires every base image pinned to a version or digest', () => {
    const withFrom = (from: string) => GOOD.replace('node:${NODE}-bookworm-slim', from);
    expect(messages(withFrom('node'))).toEqual([
      'line 3: FROM node: no tag means "latest", which moves with every release; pin a version tag (node:<major.minor.patch>…) (rule from-pinned)',
    ]);
    expect(messages(withFrom('node:lts-bookworm-slim'))).toEqual([
      'line 3: FROM node:lts-bookworm-slim: tag "lts-bookworm-slim" is not a version; pin at least major.minor (node:<major.minor.patch>…) (rule from-pinned)',
    ]);
    expect(messages(withFrom('node:${UNDECLARED}'))).toEqual([
      'line 3: FROM node:${UNDECLARED}: UNDECLARED has no value: declare it with a default in an ARG before the first FROM (rule from-pinned)',
    ]);
    expect(messages(withFrom(`node@sha256:${'a'.repeat(64)}`))).toEqual([]);
    expect(messages(withFrom(`node:24.21.0-bookworm-slim@sha256:${'b'.repeat(64)}`))).toEqual([]);
    expect(rules(withFrom('node@sha256:short'))).toEqual(['from-pinned']);
    // A build arg can unpin the base: the check uses the values the build passes.
    expect(checkDockerfile(GOOD, { NODE: 'latest' }).map((f) => f.rule)).toEqual(['from-pinned']);
  });

  it('requires a numeric, non-root USER in the final stage', () => {
    expect(messages(GOOD.replace('USER 1000:1000\n', ''))).toEqual([
      'line 13: the final stage sets no USER, so the container runs as root; add USER 1000:1000 (rule user-non-root)',
    ]);
    expect(messages(GOOD.replace('USER 1000:1000', 'USER 0'))).toEqual([
      'line 23: USER 0 is root; use USER 1000:1000 (rule user-non-root)',
    ]);
    expect(rules(GOOD.replace('USER 1000:1000', 'USER 1000:node'))).toEqual(['user-non-root']);
    expect(rules(GOOD.replace('USER 1000:1000', 'USER 1000'))).toEqual([]);
  });

  it('requires node itself as the process, in exec form', () => {
    const withCmd = (cmd: string) => GOOD.replace('CMD ["node", "dist/main.js"]', cmd);
    expect(messages(withCmd('CMD ["npm", "start"]'))).toEqual([
      'line 25: CMD ["npm","start"] runs npm as PID 1, which does not pass SIGTERM on to node; start node itself: CMD ["node", "dist/main.js"] (rule cmd-exec-node)',
    ]);
    expect(messages(withCmd('CMD ["sh", "-c", "node dist/main.js"]'))).toEqual([
      'line 25: CMD ["sh","-c","node dist/main.js"] runs a shell as PID 1, which does not pass SIGTERM on to node; start node itself: CMD ["node", "dist/main.js"] (rule cmd-exec-node)',
    ]);
    expect(messages(withCmd('ENTRYPOINT node dist/main.js'))).toEqual([
      'line 25: ENTRYPOINT node dist/main.js is shell form: /bin/sh -c runs as PID 1 and SIGTERM never reaches node; use the exec form ENTRYPOINT ["node", "dist/main.js"] (rule cmd-exec-node)',
    ]);
    expect(messages(withCmd(''))).toEqual([
      'line 13: the final stage sets no CMD, so the base image\'s command runs; add CMD ["node", "dist/main.js"] (rule cmd-exec-node)',
    ]);
    expect(rules(withCmd('CMD ["node"]'))).toEqual(['cmd-exec-node']);
    expect(rules(withCmd('CMD ["/usr/local/bin/node", "dist/main.js"]'))).toEqual([]);
    expect(rules(withCmd('ENTRYPOINT ["node"]\nCMD ["dist/main.js"]'))).toEqual([]);
  });

  it('requires EXPOSE 8080, NODE_ENV=production and the OCI labels', () => {
    expect(messages(GOOD.replace('EXPOSE 8080', 'EXPOSE 3000'))).toEqual([
      'line 13: EXPOSE 8080 is missing: the services listen on 8080 (containerPort "http" in dist/) (rule expose-8080)',
    ]);
    expect(rules(GOOD.replace('EXPOSE 8080', 'EXPOSE 8080/tcp'))).toEqual([]);
    expect(messages(GOOD.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=development'))).toEqual([
      'line 13: NODE_ENV is "development" in the final stage; set ENV NODE_ENV=production (Express and pino run in development mode otherwise) (rule node-env-production)',
    ]);
    const unlabelled = GOOD.replace(
      /LABEL[^\n]*(\\\n[^\n]*)*\n/,
      'LABEL org.opencontainers.image.title="api"\n',
    );
    expect(messages(unlabelled)).toEqual([
      'line 13: missing or empty OCI labels in the final stage: org.opencontainers.image.source, org.opencontainers.image.version, org.opencontainers.image.revision, org.opencontainers.image.licenses (rule oci-labels)',
    ]);
  });

  it('reports an unreadable Dockerfile as a finding', () => {
    expect(messages('RUN echo\n')).toEqual([
      'line 1: RUN before the first FROM (only ARG may come first) (rule parse)',
    ]);
  });
});
