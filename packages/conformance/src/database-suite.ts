import { isRecord } from '@appdist/catalogue/repository';
import type { Check } from './check.js';
import { expectJsonError, expectJsonObject, expectStatus, fail, snippet } from './expect.js';
import type { Answer } from './http-client.js';
import { expectLinkPage, LinkApi, linkLifecycleChecks, targetFor } from './links.js';
import { EXPECTED_SCHEMA_VERSION } from './schema-version.js';
import type { ServiceSuite, SuiteContext } from './suite.js';

const PAGE_LIMIT = 2;
const PAGED_LINKS = 3;
// Reaches the end of a test database; on a live one, with more links than a check should page
// through, the walk stops here once it has passed the suite's own links.
const MAX_PAGES = 50;

function linkChecks({ prefix }: SuiteContext, links: LinkApi): Check[] {
  const code = `${prefix}-link`;
  const url = targetFor(code);
  return [
    ...linkLifecycleChecks(links, code, url),
    {
      name: 'delete',
      needs: ['create'],
      run: async () => {
        expectStatus(await links.remove(code), 204);
        expectJsonError(await links.get(code), 404, 'not_found');
        expectJsonError(await links.remove(code), 404, 'not_found');
      },
    },
  ];
}

/** Walks the listing `PAGE_LIMIT` at a time; returns the suite's codes in the order seen. */
async function walkPages(
  links: LinkApi,
  ours: readonly string[],
): Promise<{ seen: string[]; last: Answer }> {
  const seen: string[] = [];
  const listed = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    const answer = await links.list(PAGE_LIMIT, cursor);
    expectStatus(answer, 200);
    const { items, nextCursor } = expectLinkPage(answer);
    if (items.length > PAGE_LIMIT) {
      fail(answer, `at most ${PAGE_LIMIT} items`, String(items.length));
    }
    for (const { code } of items) {
      if (listed.has(code)) fail(answer, 'every link on one page only', `${code} again`);
      listed.add(code);
      if (ours.includes(code)) seen.push(code);
    }
    const passedOurs = seen.length === ours.length;
    if (nextCursor === null || (page >= MAX_PAGES && passedOurs)) return { seen, last: answer };
    if (page >= MAX_PAGES) {
      fail(
        answer,
        `the suite's links within ${MAX_PAGES} pages`,
        `${seen.length} of ${ours.length}`,
      );
    }
    cursor = nextCursor;
  }
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
      if (!isDeepEqual(seen, newestFirst)) {
        fail(
          last,
          `${newestFirst.join(', ')} once each, newest first`,
          seen.join(', ') || 'none of them',
        );
      }
    },
  };
}

function isDeepEqual(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: string;
}

function isAppliedMigration(value: unknown): value is AppliedMigration {
  return (
    isRecord(value) &&
    Number.isInteger(value.version) &&
    typeof value.name === 'string' &&
    typeof value.appliedAt === 'string' &&
    !Number.isNaN(Date.parse(value.appliedAt))
  );
}

function schemaCheck({ http }: SuiteContext): Check {
  return {
    name: 'migrations',
    run: async () => {
      const answer = await http.request('GET', '/v1/migrations');
      expectStatus(answer, 200);
      const body = expectJsonObject(answer);
      const { version, applied } = body;
      const migrations: unknown[] = Array.isArray(applied) ? applied : [];
      const valid = migrations.filter(isAppliedMigration);
      if (typeof version !== 'number' || !Number.isInteger(version) || !Array.isArray(applied)) {
        fail(answer, '{version, applied}', snippet(body));
      }
      if (valid.length !== migrations.length) {
        fail(answer, 'applied: [{version, name, appliedAt}]', snippet(applied));
      }
      if (version < EXPECTED_SCHEMA_VERSION) {
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
  unknownRoutePath: (prefix) => `/${prefix}/no-such-route`,
  checks(context) {
    const links = new LinkApi(context.http, '/v1/links', context.cleanup);
    return [...linkChecks(context, links), pagingCheck(context, links), schemaCheck(context)];
  },
};
