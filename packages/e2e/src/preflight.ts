import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { E2E_VERSIONS } from './versions.js';

/** Programs a real run calls besides the ones it downloads (git: `kubectl apply -k` of a remote overlay). */
const REQUIRED_PROGRAMS = ['docker', 'kind', 'curl', 'git', 'bash', 'sha256sum', 'tar'] as const;

async function findOnPath(name: string, path: string | undefined): Promise<string | undefined> {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface PreflightOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
}

/**
 * Why a real run cannot start on this machine; empty when it can. A Kind cluster needs kind and
 * a running Docker engine, and the downloads are linux-amd64 builds.
 */
export async function preflightProblems(options: PreflightOptions = {}): Promise<string[]> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const problems: string[] = [];
  if (platform !== 'linux' || arch !== 'x64') {
    problems.push(`${platform}/${arch}: the pinned tools are linux-amd64 builds`);
  }
  const found = new Map<string, string>();
  for (const program of REQUIRED_PROGRAMS) {
    const path = await findOnPath(program, env.PATH);
    if (path) found.set(program, path);
    else if (program === 'kind')
      problems.push(`kind is not on the PATH (install kind ${E2E_VERSIONS.kind.version})`);
    else problems.push(`${program} is not on the PATH`);
  }
  const docker = found.get('docker');
  if (docker) {
    const info = await execa(docker, ['info', '--format', '{{.ServerVersion}}'], {
      env,
      extendEnv: false,
      reject: false,
      timeout: 20_000,
      stdin: 'ignore',
    });
    if (info.failed) {
      const reason = (typeof info.stderr === 'string' ? info.stderr : '').trim().split('\n')[0];
      problems.push(`docker cannot reach a Docker engine${reason ? ` (${reason})` : ''}`);
    }
  }
  return problems;
}
