import { describe, expect, it } from 'vitest';
import { type Advisory, type AuditReport, unexplained } from '../src/audit.js';

describe('dependency audit', () => {
  it('judges an audit report by severity and the accepted list', () => {
    const advisory = (severity: string, id: string): Advisory => ({
      source: 1,
      name: 'pkg',
      title: `a ${severity} one`,
      url: `https://github.com/advisories/${id}`,
      severity,
    });
    const report: AuditReport = {
      vulnerabilities: {
        a: { severity: 'critical', via: [advisory('critical', 'GHSA-aaaa-bbbb-cccc')] },
        b: { severity: 'high', via: [advisory('high', 'GHSA-dddd-eeee-ffff'), 'a'] },
        c: { severity: 'moderate', via: [advisory('moderate', 'GHSA-gggg-hhhh-jjjj')] },
        d: { severity: 'high', via: [advisory('high', 'GHSA-kkkk-mmmm-nnnn')] },
      },
    };
    const accepted = new Map([
      ['GHSA-DDDD-EEEE-FFFF', 'only reachable from the CLI, never in a service'],
      ['GHSA-KKKK-MMMM-NNNN', ''],
    ]);
    expect(unexplained(report, accepted)).toEqual([
      'a: critical GHSA-AAAA-BBBB-CCCC a critical one',
      // Accepted without a reason is not accepted.
      'd: high GHSA-KKKK-MMMM-NNNN a high one',
    ]);
  });
});
