// npm run audit: production dependencies against the registry's advisories, judged with the
// accepted list in docs/operations.md. Not part of npm test: it needs the registry's advisory
// endpoint, which some registries (and mirrors) do not serve.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface Advisory {
  source: number;
  name: string;
  title: string;
  url: string;
  severity: string;
}

export interface AuditReport {
  vulnerabilities?: Record<string, { severity: string; via: (Advisory | string)[] }>;
  metadata?: { vulnerabilities?: Record<string, number> };
  error?: { code?: string; summary?: string; detail?: string };
  statusCode?: number;
}

/** `npm audit --omit=dev --json` from the root; npm exits 1 on findings, so the JSON decides. */
export function audit(root: string): Promise<{ report: AuditReport | undefined; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['audit', '--omit=dev', '--json'],
      { cwd: root, timeout: 45_000, maxBuffer: 32 * 1024 * 1024 },
      (_error, stdout, stderr) => {
        let report: AuditReport | undefined;
        try {
          report = JSON.parse(stdout) as AuditReport;
        } catch {
          report = undefined;
        }
        resolve({ report, output: `${stdout}\n${stderr}`.trim().slice(0, 1_000) });
      },
    );
  });
}

/**
 * The accepted findings of docs/operations.md ("Dependency audit"): table rows whose first cell
 * is an advisory id (GHSA-…), with the package and why it does not apply to appdist.
 */
export async function acceptedAdvisories(operationsDoc: string): Promise<Map<string, string>> {
  const doc = await readFile(operationsDoc, 'utf8');
  const accepted = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const id = /^(GHSA(-[0-9a-z]{4}){3})$/i.exec(cells[1] ?? '')?.[1];
    if (id) accepted.set(id.toUpperCase(), cells[4] ?? '');
  }
  return accepted;
}

/** High and critical advisories that no accepted entry (with a reason) explains. */
export function unexplained(report: AuditReport, accepted: ReadonlyMap<string, string>): string[] {
  const findings: string[] = [];
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via) {
      // A string names another vulnerable package; its own advisories are listed under it.
      if (typeof via === 'string') continue;
      if (via.severity !== 'high' && via.severity !== 'critical') continue;
      const id = /GHSA(-[0-9a-z]{4}){3}/i.exec(via.url)?.[0]?.toUpperCase() ?? via.url;
      if (!accepted.get(id)) findings.push(`${name}: ${via.severity} ${id} ${via.title}`);
    }
  }
  return findings;
}
