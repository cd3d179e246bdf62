#!/usr/bin/env node
import { runLocalE2E } from './e2e.js';
import { REPOSITORY_ROOT as root } from './stack.js';

// npm run e2e:local: the release gates proven on this machine, step by step with timings, on
// stores of its own (an embedded PostgreSQL and in-process stores), so nothing else is needed.
const verbose = process.argv.includes('--verbose');
const started = performance.now();
const results = await runLocalE2E({
  root,
  log: (line) => {
    if (verbose || !line.startsWith('      ')) process.stdout.write(`${line}\n`);
  },
});
const failed = results.filter((result) => !result.ok).length;
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `\ne2e:local: ${results.length - failed} passed, ${failed} failed (${seconds} s)\n`,
);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
