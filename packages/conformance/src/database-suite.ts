import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Check } from './check.js';
import { expectJsonObject, expectStatus, fail, snippet } from './expect.js';
import { type LinkApi, linkApi, linkLifecycleChecks, targetFor, walkListing } from './links.js';
import { EXPECTED_SCHEMA_VERSION } from './schema-version.js';
import type { ServiceSuite, SuiteContext } from './suite.js';

const PAGE_LIMIT = 2;
const PAGED_LINKS = 3;
// Reaches the end of a test database; on a live one, with more links than a check should page
// through, the walk stops here once it has passed the suite's own links.
const MAX_PAGES = 50;

/** Walks the listing `PAGE_LIMIT` at a time; returns the suite's codes in the order seen. */
async function walkPages(links: LinkApi, ours: readonly string[]) {
  const seen: string[] = [];
  const listed = new Set<string>();
  const { last, end } = await walkListing(links, [PAGE_LIMIT, MAX_PAGES], (items, answer) => {
    if (items.length > PAGE_LIMIT)
      fail(answer, `at most ${PAGE_LIMIT} items`, String(items.length));
    for (const { code } of items) {
      if (listed.has(code)) fail(answer, 'every link on one page only', `${code} again`);
      listed.add(code);
      if (ours.includes(code)) seen.push(code);
    }
    return false;
  });
  if (end === 'pages' && seen.length !== ours.length) {
    fail(last, `the suite's links within ${MAX_PAGES} pages`, `${seen.length} of ${ours.length}`);
  }
  return { seen, last };
}

function pagingCheck({ prefix }: SuiteContext, links: LinkApi): Check {
  return {
    name: 'pagination',
    run: async () => {
      const codes = Array.from({ length: PAGED_LINKS }, (_, i) => `${prefix}-page-${i + 1}`);
      // One after the other, so their order of creation is known.
      for (const code of codes) expectStatus(await links.create(code, targetFor(code)), 201);
      const { seen, last } = await walkPages(links, codes);
      const newestFirst = [...codes].reverse();
      if (!isDeepStrictEqual(seen, newestFirst)) {
        fail(
          last,
          `${newestFirst.join(', ')} once each, newest first`,
          seen.join(', ') || 'none of them',
        );
      }
    },
  };
}

const migrationSchema = z.object({
  version: z.int(),
  name: z.string(),
  appliedAt: z.string().refine((value) => !Number.isNaN(Date.parse(value))),
});

function schemaCheck({ http }: SuiteContext): Check {
  return {
    name: 'migrations',
    run: async () => {
      const answer = await http.request('GET', '/v1/migrations');
      expectStatus(answer, 200);
      const body = expectJsonObject(answer);
      const { version, applied } = body;
      if (!Number.isInteger(version) || !Array.isArray(applied)) {
        fail(answer, '{version, applied}', snippet(body));
      }
      const valid = z.array(migrationSchema).safeParse(applied).data;
      if (!valid) fail(answer, 'applied: [{version, name, appliedAt}]', snippet(applied));
      if (typeof version !== 'number' || version < EXPECTED_SCHEMA_VERSION) {
        fail(answer, `schema version ≥ ${EXPECTED_SCHEMA_VERSION}`, String(version));
      }
      const newest = Math.max(0, ...valid.map((migration) => migration.version));
      if (version !== newest) {
        fail(answer, `version equal to the newest applied migration (${newest})`, String(version));
      }
    },
  };
}

/** The data API: links, paging and the schema version. */
export const databaseSuite: ServiceSuite = {
  checks(context) {
    const links = linkApi(context, '/v1/links');
    return [
      ...linkLifecycleChecks(links, `${context.prefix}-link`),
      pagingCheck(context, links),
      schemaCheck(context),
    ];
  },
};
