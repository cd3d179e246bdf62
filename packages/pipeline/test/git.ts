import { run } from './sandbox.js';

/** Runs git in `cwd` as a fixed test identity and returns its trimmed output; throws on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await run('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** A repository in `dir` with everything in it committed on branch main. */
export async function initRepository(dir: string): Promise<void> {
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'config', 'user.name', 'Test');
  await git(dir, 'config', 'user.email', 'test@example.com');
  await git(dir, 'add', '--all');
  await git(dir, 'commit', '--quiet', '--message', 'initial');
}
