import { execa } from 'execa';
import which from 'which';
import { E2E_VERSIONS } from './versions.js';

/** Programs a real run calls besides the ones it downloads (git: `kubectl apply -k` of a remote overlay). */
const REQUIRED_PROGRAMS = ['docker', 'kind', 'curl', 'git', 'bash', 'sha256sum', 'tar'] as const;

/**
 * Why a real run cannot start on this machine; empty when it can. A Kind cluster needs kind and
 * a running Docker engine, and the downloads are linux-amd64 builds.
 */
export async function preflightProblems(machine: {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
}): Promise<string[]> {
  const { env, platform, arch } = machine;
  const problems: string[] = [];
  if (platform !== 'linux' || arch !== 'x64') {
    problems.push(`${platform}/${arch}: the pinned tools are linux-amd64 builds`);
  }
  let docker: string | null = null;
  for (const program of REQUIRED_PROGRAMS) {
    // which() reads an empty PATH as the current folder; a shell would find nothing.
    const path = env.PATH ? await which(program, { path: env.PATH, nothrow: true }) : null;
    if (program === 'docker') docker = path;
    if (path) continue;
    const install = program === 'kind' ? ` (install kind ${E2E_VERSIONS.kind.version})` : '';
    problems.push(`${program} is not on the PATH${install}`);
  }
  if (docker) {
    const info = await execa(docker, ['info', '--format', '{{.ServerVersion}}'], {
      env,
      extendEnv: false,
      reject: false,
      timeout: 20_000,
      stdin: 'ignore',
    });
    if (info.failed) {
      const reason = info.stderr.trim().split('\n')[0];
      problems.push(`docker cannot reach a Docker engine${reason ? ` (${reason})` : ''}`);
    }
  }
  return problems;
}
