import { z } from 'zod';
import type { Check } from './check.js';
import type { TrackedWrite } from './cleanup.js';
import { expectJsonError, expectJsonObject, expectStatus, fail, snippet } from './expect.js';
import type { Answer } from './http-client.js';
import type { SuiteContext } from './suite.js';

// A just-created link is on the first page unless concurrent traffic pushed it further.
const LIST_PAGE_SIZE = 100;
const LIST_MAX_PAGES = 5;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The target of a suite's link. Already in the form the backend stores (it normalises URLs),
 * so what comes back must equal what was sent; the code sits in the query, so a page that
 * shows the target is not mistaken for one showing the short URL `…/<code>`. Never fetched.
 */
export function targetFor(code: string): string {
  return `https://example.com/appdist-conformance?link=${code}`;
}

/** A link as the backend and the database service answer it: createdAt in ISO 8601, a click count. */
const linkSchema = z.object({
  code: z.string(),
  url: z.string(),
  createdAt: z
    .string()
    .regex(ISO_8601)
    .refine((value) => !Number.isNaN(Date.parse(value))),
  clicks: z.int().nonnegative(),
});
export type Link = z.infer<typeof linkSchema>;
const pageSchema = z.object({
  items: z.array(linkSchema),
  nextCursor: z.string().min(1).nullable(),
});

/** A `status` answer with a link body of this code and url. */
export function expectLink(
  answer: Answer,
  status: number,
  expected: { code: string; url: string },
) {
  expectStatus(answer, status);
  const body = expectJsonObject(answer);
  const link = linkSchema.safeParse(body).data;
  if (!link || link.code !== expected.code || link.url !== expected.url) {
    const { code, url } = expected;
    const shape = `{code: ${JSON.stringify(code)}, url: ${JSON.stringify(url)}, createdAt (ISO 8601), clicks}`;
    fail(answer, `a link ${shape}`, snippet(body));
  }
  return link;
}

/** The links API of one service: `/api/links` on the backend (and through the frontend), `/v1/links` on the database. */
export type LinkApi = ReturnType<typeof linkApi>;

export function linkApi({ http, cleanup }: Pick<SuiteContext, 'http' | 'cleanup'>, base: string) {
  const path = (code: string) => `${base}/${encodeURIComponent(code)}`;
  return {
    http,
    base,
    /** For cleanup, before anything creates the link, so an interrupted create is undone too. */
    tracked: (code: string, url: string): TrackedWrite => ({
      label: `link ${code}`,
      deletePath: path(code),
      claim: { path: base, json: { code, url } },
    }),
    create(code: string, url: string): Promise<Answer> {
      const json = { code, url };
      return cleanup.write(http, this.tracked(code, url), { method: 'POST', path: base, json });
    },
    get: (code: string) => http.request('GET', path(code)),
    remove: (code: string) => http.request('DELETE', path(code)),
    list: (limit: number, cursor?: string) =>
      http.request(
        'GET',
        `${base}?${new URLSearchParams({ limit: String(limit), ...(cursor && { cursor }) })}`,
      ),
  };
}

/** Lists newest first, `limit` at a time, until `visit` says stop, the listing ends, or `maxPages` were read. */
export async function walkListing(
  links: LinkApi,
  [limit, maxPages]: [number, number],
  visit: (items: Link[], answer: Answer) => boolean,
): Promise<{ last: Answer; end: 'visit' | 'listing' | 'pages' }> {
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    const answer = await links.list(limit, cursor);
    expectStatus(answer, 200);
    const body = expectJsonObject(answer);
    const { items, nextCursor } = pageSchema.safeParse(body).data ?? {};
    if (!items || nextCursor === undefined) {
      return fail(answer, '{items: [links], nextCursor: string or null}', snippet(body));
    }
    if (visit(items, answer)) return { last: answer, end: 'visit' };
    if (nextCursor === null) return { last: answer, end: 'listing' };
    if (page === maxPages) return { last: answer, end: 'pages' };
    cursor = nextCursor;
  }
}

/** The link is listed: searched newest first, over the few pages live traffic may have added since. */
async function expectListed(links: LinkApi, code: string): Promise<void> {
  const { last, end } = await walkListing(links, [LIST_PAGE_SIZE, LIST_MAX_PAGES], (items) =>
    items.some((link) => link.code === code),
  );
  if (end === 'listing') fail(last, `${code} in the listing`, 'a complete listing without it');
  const newest = LIST_PAGE_SIZE * LIST_MAX_PAGES;
  if (end === 'pages') fail(last, `${code} among the newest ${newest} links`, 'not there');
}

/**
 * What both link APIs (the backend's and the database's) promise of a new link: `create` answers
 * 201 with clicks 0, `read` returns it as created, `list` shows it, then the service's own checks
 * of it, then `delete` makes it (and whatever `alsoGone` showed it) 404. Later checks need 'create'.
 */
export function linkLifecycleChecks(
  links: LinkApi,
  code: string,
  { own = [], alsoGone = [] }: { own?: Check[]; alsoGone?: string[] } = {},
): Check[] {
  const url = targetFor(code);
  let created: Link | undefined;
  return [
    {
      name: 'create',
      run: async () => {
        const answer = await links.create(code, url);
        created = expectLink(answer, 201, { code, url });
        if (created.clicks !== 0) fail(answer, 'clicks 0 on a new link', String(created.clicks));
      },
    },
    {
      name: 'read',
      needs: ['create'],
      run: async () => {
        const answer = await links.get(code);
        const link = expectLink(answer, 200, { code, url });
        if (link.createdAt !== created?.createdAt) {
          fail(answer, `createdAt ${created?.createdAt} as created`, link.createdAt);
        }
      },
    },
    {
      name: 'list',
      needs: ['create'],
      run: () => expectListed(links, code),
    },
    ...own,
    {
      name: 'delete',
      needs: ['create'],
      run: async () => {
        expectStatus(await links.remove(code), 204);
        expectJsonError(await links.get(code), 404, 'not_found');
        for (const path of alsoGone) {
          expectJsonError(await links.http.request('GET', path), 404, 'not_found');
        }
        expectJsonError(await links.remove(code), 404, 'not_found');
      },
    },
  ];
}
