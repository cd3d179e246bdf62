import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** A provider's remote base on our repository: `https://github.com/appdist/appdist//<path>?ref=<tag>`. */
const REMOTE_BASE =
  /(?:https:\/\/)?github\.com\/appdist\/appdist(?:\.git)?\/\/([^?\s"'#]+)\?ref=[^\s"'#]+/g;

/**
 * Rewrites every remote base on this repository to the same path in a local checkout, relative
 * to `fromDir` (the folder of the file): kustomize refuses absolute paths to directories.
 */
export function pointRemoteBasesAt(text: string, checkout: string, fromDir: string): string {
  return text.replace(REMOTE_BASE, (_match, path: string) =>
    relative(fromDir, join(checkout, path)),
  );
}

/**
 * Copies examples/provider to a temp folder with its remote bases pointed at `checkout`, so
 * the example renders against the working tree (offline, and before the release it will
 * reference exists). The copy reads files outside its folder: render it with load restrictor
 * none.
 */
export async function prepareProviderExample(
  checkout: string,
  example = join(checkout, 'examples', 'provider'),
): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'appdist-provider-'));
  try {
    await cp(example, dir, { recursive: true });
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      if (!entry.isFile() || !/(\.ya?ml|^Kustomization)$/.test(entry.name)) continue;
      const file = join(entry.parentPath, entry.name);
      const text = await readFile(file, 'utf8');
      const rewritten = pointRemoteBasesAt(text, checkout, entry.parentPath);
      if (rewritten !== text) await writeFile(file, rewritten);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Does this kustomization text pull a remote base from our repository? */
export function referencesRemoteBase(text: string): boolean {
  REMOTE_BASE.lastIndex = 0;
  return REMOTE_BASE.test(text);
}
