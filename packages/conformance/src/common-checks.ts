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
import {
  type Exposition,
  ExpositionError,
  parseExposition,
  type Sample,
} from './prometheus-text.js';
import type { SuiteContext } from './suite.js';

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';
const LABELS = ['method', 'route', 'status'] as const;
// The shared runtime leaves these out of the traffic metrics: probes would inflate success rates.
const NOT_COUNTED = new Set(['/healthz', '/readyz', '/metrics']);
// Behind a Service with several canary replicas, the one scraped may not have served the suite yet.
const SCRAPE_ATTEMPTS = 3;

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** healthz (the gate: without an answer nothing else is tried), readyz and version. */
export function probeChecks({ http, service }: SuiteContext): Check[] {
  return [
    {
      name: 'healthz',
      gate: true,
      run: async () => expectStatus(await http.request('GET', '/healthz'), 200),
    },
    {
      name: 'readyz',
      run: async () => expectStatus(await http.request('GET', '/readyz'), 200),
    },
    {
      name: 'version',
      run: async () => {
        const answer = await http.request('GET', '/version');
        expectStatus(answer, 200);
        const body = expectJsonObject(answer);
        if (body.name !== service) fail(answer, `name "${service}"`, snippet(body.name));
        if (!nonEmptyString(body.version) || !nonEmptyString(body.commit)) {
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
          expectFamilies(answer, exposition);
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
  try {
    return { answer, exposition: parseExposition(answer.text) };
  } catch (error) {
    if (error instanceof ExpositionError) fail(answer, 'Prometheus text', error.message);
    throw error;
  }
}

function expectFamilies(answer: Answer, { types }: Exposition): void {
  for (const [name, type] of [
    [REQUESTS, 'counter'],
    [DURATION, 'histogram'],
  ] as const) {
    const actual = types.get(name);
    if (actual !== type) fail(answer, `${name} of type ${type}`, actual ?? 'no such metric');
  }
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
    const { labels } = sample;
    if (LABELS.some((label) => labels[label] === undefined)) {
      fail(answer, `${REQUESTS} labelled method, route, status`, formatSample(sample));
    }
    if (!/^[1-5][0-9][0-9]$/.test(labels.status ?? '')) {
      fail(answer, 'an HTTP status in the status label', formatSample(sample));
    }
    const route = labels.route ?? '';
    // Every path the suite requested carries its prefix; seeing it in a label means raw paths
    // are recorded, whose cardinality grows with every link.
    if (route.includes(prefix)) {
      fail(answer, 'route labels that are templates', formatSample(sample));
    }
    if (NOT_COUNTED.has(route)) {
      fail(answer, 'probes and scrapes not counted', formatSample(sample));
    }
  }
}

function expectHistograms(
  answer: Answer,
  requests: readonly Sample[],
  samples: readonly Sample[],
): void {
  const byName = (suffix: string) =>
    samples.filter((sample) => sample.name === `${DURATION}${suffix}`);
  const counts = byName('_count');
  const sums = byName('_sum');
  const buckets = byName('_bucket');
  for (const request of requests) {
    const series = seriesOf(request);
    const described = formatSample({ ...request, name: DURATION });
    const count = counts.find((sample) => seriesOf(sample) === series);
    if (!count) fail(answer, `${DURATION}_count for ${described}`, 'none');
    if (!sums.some((sample) => seriesOf(sample) === series)) {
      fail(answer, `${DURATION}_sum for ${described}`, 'none');
    }
    const own = buckets.filter((sample) => seriesOf(sample) === series);
    const unlabelled = own.find((sample) => sample.labels.le === undefined);
    if (unlabelled) {
      fail(answer, `an le label on every ${DURATION}_bucket`, formatSample(unlabelled));
    }
    const inf = own.find((sample) => sample.labels.le === '+Inf');
    if (!inf) fail(answer, `a ${DURATION}_bucket with le="+Inf" for ${described}`, 'none');
    if (inf.value !== count.value) {
      fail(
        answer,
        `le="+Inf" bucket equal to _count (${count.value}) for ${described}`,
        String(inf.value),
      );
    }
  }
}
