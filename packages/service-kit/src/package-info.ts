import { readFileSync } from 'node:fs';

/** Name and version of the package a compiled entry point belongs to (`dist/main.js` → `../package.json`). */
export function readPackageInfo(entryUrl: string): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', entryUrl), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name: pkg.name.replace(/^@[^/]+\//, ''), version: pkg.version };
}
