#!/usr/bin/env node
// Committed entry point, so `npx appdist` exists right after `npm ci`: on a fresh clone the
// CLI and the packages it uses are compiled once, then every call runs the compiled code.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/main.js', import.meta.url);
if (!existsSync(compiled)) {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  process.stderr.write('appdist: first run, building the CLI…\n');
  execFileSync(
    'npx',
    ['turbo', 'run', 'build', '--filter=@appdist/cli...', '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    },
  );
}
await import(compiled.href);
