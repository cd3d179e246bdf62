import { randomUUID } from 'node:crypto';
import type { CheckResult, ConformanceReport } from '../../src/run.js';

/** A prefix of its own per test, `cf-` and random hex, so a test finds exactly its own leftovers. */
export function testPrefix(length = 16): string {
  return `cf-${randomUUID().replaceAll('-', '')}`.slice(0, length);
}

export function checkNamed(report: ConformanceReport, name: string): CheckResult {
  const check = report.checks.find((result) => result.name === name);
  if (!check)
    throw new Error(`no check named ${name} in ${report.checks.map((c) => c.name).join(', ')}`);
  return check;
}

/** Names and messages of the failed checks: a failing assertion shows what went wrong. */
export function failures(report: ConformanceReport): { name: string; message?: string }[] {
  return report.checks
    .filter((check) => !check.ok)
    .map(({ name, message }) => ({ name, ...(message === undefined ? {} : { message }) }));
}

export function failedNames(report: ConformanceReport): string[] {
  return failures(report).map((failure) => failure.name);
}

interface LinkPage {
  items: { code: string }[];
  nextCursor: string | null;
}

/** Every link code in the database service, read through its own API. */
export async function linkCodes(databaseUrl: string): Promise<string[]> {
  const codes: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await fetch(`${databaseUrl}/v1/links?limit=100${query}`);
    if (res.status !== 200) throw new Error(`listing links: ${res.status}`);
    const page = (await res.json()) as LinkPage;
    codes.push(...page.items.map((item) => item.code));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return codes;
}

/** The link codes a test with this prefix left in the database service. */
export async function leftovers(databaseUrl: string, prefix: string): Promise<string[]> {
  return (await linkCodes(databaseUrl)).filter((code) => code.startsWith(prefix));
}
