import { randomUUID } from 'node:crypto';
import { CONFORMANCE_SERVICES, type ConformanceService } from '@appdist/catalogue';
import { backendSuite } from './backend-suite.js';
import { cacheSuite } from './cache-suite.js';
import { type CheckResult, elapsedSince, runChecks } from './check.js';
import { Cleanup } from './cleanup.js';
import { probeChecks, surfaceChecks } from './common-checks.js';
import { databaseSuite } from './database-suite.js';
import { frontendSuite } from './frontend-suite.js';
import { HttpClient } from './http-client.js';
import type { ServiceSuite, SuiteContext } from './suite.js';

export type { CheckResult } from './check.js';

export interface ConformanceReport {
  service: ConformanceService;
  url: string;
  /** True when every check passed, cleanup included. */
  ok: boolean;
  durationMs: number;
  /** In the order run; the last one is `cleanup`. */
  checks: CheckResult[];
}

export interface ConformanceOptions {
  service: ConformanceService;
  /** Base URL of the service under test, e.g. `http://backend-canary.app:8080`. */
  url: string;
  /** Ends the run: the interrupted check fails with `aborted: <reason>`, the rest are skipped, cleanup still runs. */
  signal?: AbortSignal;
  /** Per request; default 5000. */
  timeoutMs?: number;
  /** Starts every code and key the suite creates; default `conformance-<random>`. */
  prefix?: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/**
 * Longest prefix a caller may choose: suites append at most 8 characters (`-bad-url`), and a
 * link code is at most 32 characters.
 */
export const MAX_PREFIX_LENGTH = 24;
// Characters that are valid both in a link code ([A-Za-z0-9_-]) and in a cache key ([A-Za-z0-9._:-]).
const PREFIX_PATTERN = new RegExp(`^[A-Za-z0-9-]{1,${MAX_PREFIX_LENGTH}}$`);

// One per service the catalogue marks `conformance`, in `<service>-suite.ts`: a missing one is a type error.
const SUITES: Record<ConformanceService, ServiceSuite> = {
  frontend: frontendSuite,
  backend: backendSuite,
  cache: cacheSuite,
  database: databaseSuite,
};

export function isConformanceService(value: string): value is ConformanceService {
  return (CONFORMANCE_SERVICES as readonly string[]).includes(value);
}

/** An http(s) URL that paths can be appended to: no query, no fragment. */
function isBaseUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, search, hash } = new URL(value);
  return (protocol === 'http:' || protocol === 'https:') && search === '' && hash === '';
}

/** Mistakes of the caller, not of the service: these reject instead of producing a report. */
function checkOptions(service: string, url: string, timeoutMs: number, prefix: string): void {
  if (!isConformanceService(service)) {
    throw new TypeError(
      `unknown service ${JSON.stringify(service)}: expected one of ${CONFORMANCE_SERVICES.join(', ')}`,
    );
  }
  if (!isBaseUrl(url)) {
    throw new TypeError(
      `url must be an http:// or https:// URL without query or fragment, got ${JSON.stringify(url)}`,
    );
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(
      `prefix must be 1 to ${MAX_PREFIX_LENGTH} letters, digits or '-' (valid in codes and keys alike), got ${JSON.stringify(prefix)}`,
    );
  }
}

/**
 * Runs the conformance suite of one service against its URL: probes and version first, then
 * the service's own contract, then the JSON 404 and the metrics, then cleanup of everything the
 * suite wrote. A failing service yields `ok: false` with the failing checks named; only invalid
 * options reject (TypeError).
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const start = performance.now();
  const { service, url } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Random per run, so concurrent runs against one service never meet.
  const prefix = options.prefix ?? `conformance-${randomUUID().slice(0, 8)}`;
  checkOptions(service, url, timeoutMs, prefix);
  // Without a caller's signal the run is still bounded: every request has its timeout.
  const signal = options.signal ?? new AbortController().signal;
  const cleanup = new Cleanup();
  const context: SuiteContext = {
    service,
    http: new HttpClient(url, { signal, timeoutMs }),
    prefix,
    cleanup,
    signal,
  };
  const suite = SUITES[service];
  const checks = [
    ...probeChecks(context),
    ...suite.checks(context),
    ...surfaceChecks(context, suite.unknownRoutePath?.(prefix) ?? `/${prefix}/no-such-route`),
  ];
  const results: CheckResult[] = [];
  try {
    results.push(...(await runChecks(checks, signal)));
  } finally {
    // Also after an abort: what the suite wrote must not stay on a service with real traffic.
    results.push(await cleanup.run(url, timeoutMs));
  }
  return {
    service,
    url,
    ok: results.every((result) => result.ok),
    durationMs: elapsedSince(start),
    checks: results,
  };
}
