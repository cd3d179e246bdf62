import { CONFORMANCE_SERVICES } from '@appdist/catalogue';
import type { CheckResult, ConformanceReport, runConformance } from '@appdist/conformance/run';
import type { Logger } from '@appdist/service-kit/logger';
import type { Express, Response } from 'express';
import { z } from 'zod';
import {
  canaryId,
  hookPayload,
  httpUrl,
  parsePayload,
  requiredText,
  type WebhookPayload,
} from './payload.js';
import type { TesterMetrics } from './tester-metrics.js';

export type RunConformance = typeof runConformance;

export interface ConformanceHookOptions {
  run: RunConformance;
  timeoutMs: number;
  metrics: TesterMetrics;
  logger: Logger;
  /** Aborts every run still going, when the tester shuts down. */
  shutdownSignal: AbortSignal;
}

// Flagger copies a 4xx body into the Canary's events: a few short lines, never a report dump.
const MAX_LINES = 8;
const MAX_LINE_LENGTH = 200;

const conformancePayload = hookPayload(
  z.looseObject({
    service: requiredText.pipe(
      z.enum(CONFORMANCE_SERVICES, `must be one of ${CONFORMANCE_SERVICES.join(', ')}`),
    ),
    url: httpUrl,
  }),
);

/** `POST /hooks/conformance`: runs a service's suite against a canary before it gets traffic. */
export function conformanceHook(app: Express, options: ConformanceHookOptions): void {
  app.post('/hooks/conformance', async (req, res) => {
    const payload = parsePayload(conformancePayload, req.body);
    const { service, url } = payload.metadata;
    const deadline = new AbortController();
    // Flagger gave up (its webhook timeout) and closed the connection: stop testing for nobody.
    const callerGone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) callerGone.abort(new Error('the caller closed the connection'));
    });
    const signal = AbortSignal.any([deadline.signal, callerGone.signal, options.shutdownSignal]);
    // Async wrapper: a runner that throws at once is handled like one that rejects.
    const running = (async () =>
      options.run({ service, url: url.href.replace(/\/+$/, ''), signal }))();
    let outcome: ConformanceReport | 'timeout';
    try {
      outcome = await untilDeadline(running, options.timeoutMs, deadline);
    } catch (error) {
      // Only invalid options reject; a suite that cannot run still fails the canary, saying why.
      options.metrics.conformanceRuns.inc({ service, result: 'error' });
      options.logger.error({ err: error, service, url: url.href }, 'conformance suite crashed');
      const reason = error instanceof Error ? error.message : String(error);
      failed(res, `${service} conformance could not run: ${oneLine(reason)}`);
      return;
    }
    if (outcome === 'timeout') {
      // Answer now, within Flagger's webhook timeout; the suite's cleanup goes on meanwhile.
      options.metrics.conformanceRuns.inc({ service, result: 'timeout' });
      failed(res, `${service} conformance failed: timed out after ${options.timeoutMs} ms`);
      void running.then(
        (report) => options.logger.warn(runSummary(payload, report, 'timeout'), 'conformance run'),
        () => undefined,
      );
      return;
    }
    const report = outcome;
    const result = report.ok ? 'passed' : 'failed';
    options.metrics.conformanceRuns.inc({ service, result });
    options.logger.info(runSummary(payload, report, result), 'conformance run');
    if (report.ok) {
      res.json(report);
    } else {
      failed(res, failureText(report));
    }
  });
}

/** The report, or `timeout` once the deadline passed (the signal tells the suite to stop). */
function untilDeadline(
  running: Promise<ConformanceReport>,
  timeoutMs: number,
  deadline: AbortController,
): Promise<ConformanceReport | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      deadline.abort(new Error(`timed out after ${timeoutMs} ms`));
      resolve('timeout');
    }, timeoutMs);
  });
  return Promise.race([running, timedOut]).finally(() => clearTimeout(timer));
}

function runSummary(
  payload: Pick<WebhookPayload, 'name' | 'namespace' | 'checksum'>,
  report: ConformanceReport,
  result: string,
) {
  return {
    canary: canaryId(payload),
    checksum: payload.checksum,
    service: report.service,
    url: report.url,
    result,
    durationMs: report.durationMs,
    failures: report.checks.filter((check) => !check.ok).map(describe),
  };
}

/** 412: the canary does not meet its contract; 4xx so the text reaches the Canary's events. */
function failed(res: Response, text: string): void {
  res.status(412).type('text/plain').send(`${text}\n`);
}

/**
 * First line: the first failing check (`backend conformance failed: create link: expected 201,
 * got 500`); then one line per further failure; checks skipped because of those are counted.
 */
export function failureText(report: ConformanceReport): string {
  const failures = report.checks.filter((check) => !check.ok);
  const [first, ...rest] = failures;
  const head = `${report.service} conformance failed: ${first ? describe(first) : 'no check passed'}`;
  const skipped = rest.filter((check) => check.message?.startsWith('skipped:') === true);
  const further = rest.filter((check) => !skipped.includes(check));
  const lines = [head, ...further.slice(0, MAX_LINES - 1).map(describe)];
  const untold = further.length - (MAX_LINES - 1);
  if (untold > 0) lines.push(`… ${untold} more failing ${untold === 1 ? 'check' : 'checks'}`);
  if (skipped.length > 0) {
    lines.push(`${skipped.length} ${skipped.length === 1 ? 'check' : 'checks'} skipped`);
  }
  return lines.map((line) => oneLine(line)).join('\n');
}

function describe(check: CheckResult): string {
  return check.message ? `${check.name}: ${check.message}` : check.name;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LINE_LENGTH ? `${flat.slice(0, MAX_LINE_LENGTH - 1)}…` : flat;
}
