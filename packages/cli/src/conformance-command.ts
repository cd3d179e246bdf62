import { CONFORMANCE_SERVICES } from '@appdist/catalogue';
import { isConformanceService, runConformance } from '@appdist/conformance/run';
import type { Output } from '@appdist/e2e/e2e-command';
import { UsageError } from './targets.js';

export interface ConformanceCommandOptions {
  service: string;
  url: string;
  format: 'text' | 'json';
  timeout: string;
}

export async function runConformanceCommand(
  options: ConformanceCommandOptions,
  output: Output,
): Promise<number> {
  if (!isConformanceService(options.service)) {
    throw new UsageError(
      `--service: ${JSON.stringify(options.service)} is not one of ${CONFORMANCE_SERVICES.join(', ')}`,
    );
  }
  if (!/^https?:\/\/[^/\s]+/.test(options.url)) {
    throw new UsageError(`--url: ${JSON.stringify(options.url)} is not an http:// or https:// URL`);
  }
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(
      `--timeout: ${JSON.stringify(options.timeout)} is not a positive number of seconds`,
    );
  }
  const report = await runConformance({
    service: options.service,
    url: options.url.replace(/\/+$/, ''),
    signal: AbortSignal.timeout(timeoutSeconds * 1000),
  });
  if (options.format === 'json') {
    output.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const check of report.checks) {
      const status = check.ok ? 'ok  ' : 'FAIL';
      output.stdout(
        `${status} ${check.name} (${Math.round(check.durationMs)} ms)${check.message ? `: ${check.message}` : ''}\n`,
      );
    }
    const failed = report.checks.filter((check) => !check.ok).length;
    output.stdout(
      `${report.service} conformance: ${report.checks.length - failed} passed, ${failed} failed (${Math.round(report.durationMs)} ms) at ${report.url}\n`,
    );
  }
  return report.ok ? 0 : 1;
}
