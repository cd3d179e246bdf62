import type { Check } from './check.js';
import {
  expectContentType,
  expectJsonError,
  expectJsonObject,
  expectStatus,
  fail,
  snippet,
} from './expect.js';
import type { Answer } from './http-client.js';
import { type Exposition, parseExposition, type Sample } from './prometheus-text.js';
import type { SuiteContext } from './suite.js';

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';
const FAMILIES = { [REQUESTS]: 'counter', [DURATION]: 'histogram' };
const LABELS = ['method', 'route', 'status'] as const;
// The shared runtime leaves these out of the traffic metrics: probes would inflate success rates.
const NOT_COUNTED = new Set(['/healthz', '/readyz', '/metrics']);
// What every request sample must show, as a failure says it expected it.
const REQUEST_RULES: [string, (labels: Sample['labels'], prefix: string) => boolean][] = [
  [
    `${REQUESTS} labelled method, route, status`,
    (l) => LABELS.every((key) => l[key] !== undefined),
  ],
  ['an HTTP status in the status label', (l) => /^[1-5][0-9][0-9]$/.test(l.status ?? '')],
  // Every path the suite requested carries its prefix; seeing it in a label means raw paths
  // are recorded, whose cardinality grows with every link.
  ['route labels that are templates', (l, prefix) => !l.route?.includes(prefix)],
  ['probes and scrapes not counted', (l) => !NOT_COUNTED.has(l.route ?? '')],
];
// Behind a Service with several canary replicas, the one scraped may not have served the suite yet.
const SCRAPE_ATTEMPTS = 3;

/** healthz (the gate: without an answer nothing else is tried), readyz and version. */
export function probeChecks({ http, service }: SuiteContext): Check[] {
  return [
    ...['healthz', 'readyz'].map((name) => ({
      name,
      gate: name === 'healthz',
      run: async () => expectStatus(await http.request('GET', `/${name}`), 200),
    })),
    {
      name: 'version',
      run: async () => {
        const answer = await http.request('GET', '/version');
        expectStatus(answer, 200);
        const body = expectJsonObject(answer);
        if (body.name !== service) fail(answer, `name "${service}"`, snippet(body.name));
        if ([body.version, body.commit].some((v) => typeof v !== 'string' || v.trim() === '')) {
          fail(answer, '{name, version, commit} with non-empty strings', snippet(body));
        }
      },
    },
  ];
}

/** The JSON 404 and the traffic metrics; last, so the metrics have the suite's requests to show. */
export function surfaceChecks(context: SuiteContext, unknownRoutePath: string): Check[] {
  const { http } = context;
  return [
    {
      name: 'unknown route',
      run: async () => {
        const answer = await http.request('GET', unknownRoutePath);
        expectJsonError(answer, 404, 'not_found');
        expectContentType(answer, 'application/json');
      },
    },
    {
      name: 'metrics',
      run: async () => {
        for (let attempt = 1; ; attempt++) {
          const { answer, exposition } = await scrape(context);
          const requests = exposition.samples.filter((sample) => sample.name === REQUESTS);
          if (requests.length > 0) {
            expectCountedRequests(answer, requests, context.prefix);
            expectHistograms(answer, requests, exposition.samples);
            return;
          }
          if (attempt === SCRAPE_ATTEMPTS) {
            fail(answer, `${REQUESTS} samples after the suite's requests`, 'none');
          }
          await http.request('GET', unknownRoutePath);
        }
      },
    },
  ];
}

async function scrape({ http }: SuiteContext): Promise<{ answer: Answer; exposition: Exposition }> {
  const answer = await http.request('GET', '/metrics');
  expectStatus(answer, 200);
  expectContentType(answer, 'text/plain');
  let exposition: Exposition;
  try {
    exposition = parseExposition(answer.text);
  } catch (error) {
    return fail(answer, 'Prometheus text', (error as Error).message);
  }
  for (const [name, type] of Object.entries(FAMILIES)) {
    const actual = exposition.types.get(name);
    if (actual !== type) fail(answer, `${name} of type ${type}`, actual ?? 'no such metric');
  }
  return { answer, exposition };
}

function formatSample({ name, labels }: Sample): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name}{${pairs.join(',')}}`;
}

/** The series a sample belongs to across the counter and the histogram (le aside). */
function seriesOf({ labels }: Sample): string {
  return JSON.stringify(LABELS.map((label) => labels[label]));
}

function expectCountedRequests(answer: Answer, requests: readonly Sample[], prefix: string): void {
  for (const sample of requests) {
    const broken = REQUEST_RULES.find(([, holds]) => !holds(sample.labels, prefix));
    if (broken) fail(answer, broken[0], formatSample(sample));
  }
}

function expectHistograms(answer: Answer, requests: readonly Sample[], samples: readonly Sample[]) {
  for (const request of requests) {
    const described = formatSample({ ...request, name: DURATION });
    const own = (suffix: string) =>
      samples.filter(
        (sample) =>
          sample.name === `${DURATION}${suffix}` && seriesOf(sample) === seriesOf(request),
      );
    const [count] = own('_count');
    if (!count) fail(answer, `${DURATION}_count for ${described}`, 'none');
    if (own('_sum').length === 0) fail(answer, `${DURATION}_sum for ${described}`, 'none');
    const buckets = own('_bucket');
    const unlabelled = buckets.find((sample) => sample.labels.le === undefined);
    if (unlabelled) {
      fail(answer, `an le label on every ${DURATION}_bucket`, formatSample(unlabelled));
    }
    const inf = buckets.find((sample) => sample.labels.le === '+Inf');
    if (!inf) fail(answer, `a ${DURATION}_bucket with le="+Inf" for ${described}`, 'none');
    if (inf.value !== count.value) {
      const expected = `le="+Inf" bucket equal to _count (${count.value}) for ${described}`;
      fail(answer, expected, String(inf.value));
    }
  }
}
