import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Puts stand-ins from test/fakes (docker, gh, kind, npm, npx, apt-get: see their headers) into `bin`. */
export async function installFakes(bin: string, ...names: string[]): Promise<void> {
  await mkdir(bin, { recursive: true });
  for (const name of names) {
    await copyFile(join(import.meta.dirname, 'fakes', name), join(bin, name));
    await chmod(join(bin, name), 0o755);
  }
}

/** The calls a fake saw, one a line, as it logged them to $FAKE_LOG. */
export async function fakeCalls(log: string): Promise<string[]> {
  try {
    return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}
