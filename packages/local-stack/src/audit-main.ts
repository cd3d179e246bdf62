#!/usr/bin/env node
import { acceptedAdvisories, audit, unexplained } from './audit.js';
import { REPOSITORY_ROOT as root } from './stack.js';

const { report, output } = await audit(root);
if (!report || report.error || report.statusCode || !report.vulnerabilities) {
  process.stderr.write(
    'npm audit got no answer from the registry advisory endpoint (POST /-/npm/v1/security/advisories/bulk); ' +
      `run it where the registry serves advisories. npm said:\n${output}\n`,
  );
  process.exit(2);
}
const accepted = await acceptedAdvisories(`${root}docs/operations.md`);
const findings = unexplained(report, accepted);
process.stdout.write(
  `npm audit --omit=dev: ${JSON.stringify(report.metadata?.vulnerabilities ?? {})}; ${accepted.size} accepted in docs/operations.md\n`,
);
for (const finding of findings) process.stdout.write(`unexplained: ${finding}\n`);
process.exit(findings.length > 0 ? 1 : 0);
