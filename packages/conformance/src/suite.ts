import type { Check } from './check.js';
import type { Cleanup } from './cleanup.js';
import type { HttpClient } from './http-client.js';

/** What a suite's checks share during one run. */
export interface SuiteContext {
  /** The name the service must report in /version. */
  service: string;
  http: HttpClient;
  /** Starts every code and key the suite writes, so it never touches real data. */
  prefix: string;
  cleanup: Cleanup;
  signal: AbortSignal;
}

/** One service's part of the conformance run; the shared checks come from common-checks. */
export interface ServiceSuite {
  /** A path no route answers, for the JSON 404 check and as a request the metrics count; default `/<prefix>/no-such-route`. */
  unknownRoutePath?(prefix: string): string;
  checks(context: SuiteContext): Check[];
}
