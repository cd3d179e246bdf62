import { isRecord } from '@appdist/catalogue/repository';
import type { Check } from './check.js';
import type { Cleanup, WriteHandle } from './cleanup.js';
import { expectJsonObject, expectStatus, fail, snippet } from './expect.js';
import type { Answer, HttpClient } from './http-client.js';

/** A link as the backend and the database service answer it. */
export interface Link {
  code: string;
  url: string;
  createdAt: string;
  clicks: number;
}

export interface LinkPage {
  items: Link[];
  nextCursor: string | null;
}

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

function asLink(value: unknown): Link | undefined {
  if (!isRecord(value)) return undefined;
  const { code, url, createdAt, clicks } = value;
  if (typeof code !== 'string' || typeof url !== 'string' || typeof createdAt !== 'string') {
    return undefined;
  }
  if (!ISO_8601.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return undefined;
  if (typeof clicks !== 'number' || !Number.isSafeInteger(clicks) || clicks < 0) return undefined;
  return { code, url, createdAt, clicks };
}

/** A link body with this code and url, createdAt in ISO 8601 and a click count. */
export function expectLink(answer: Answer, expected: { code: string; url: string }): Link {
  const body = expectJsonObject(answer);
  const link = asLink(body);
  if (!link || link.code !== expected.code || link.url !== expected.url) {
    fail(
      answer,
      `a link {code: ${JSON.stringify(expected.code)}, url: ${JSON.stringify(expected.url)}, createdAt (ISO 8601), clicks}`,
      snippet(body),
    );
  }
  return link;
}

export function expectLinkPage(answer: Answer): LinkPage {
  const body = expectJsonObject(answer);
  const { items, nextCursor } = body;
  const links = Array.isArray(items) ? items.map(asLink) : undefined;
  const cursorOk = nextCursor === null || (typeof nextCursor === 'string' && nextCursor !== '');
  if (!links || links.some((link) => link === undefined) || !cursorOk) {
    fail(answer, '{items: [links], nextCursor: string or null}', snippet(body));
  }
  return { items: links.filter((link): link is Link => link !== undefined), nextCursor };
}

/** The links API of one service: `/api/links` on the backend (and through the frontend), `/v1/links` on the database. */
export class LinkApi {
  readonly #http: HttpClient;
  readonly #base: string;
  readonly #cleanup: Cleanup;

  constructor(http: HttpClient, base: string, cleanup: Cleanup) {
    this.#http = http;
    this.#base = base;
    this.#cleanup = cleanup;
  }

  get base(): string {
    return this.#base;
  }

  path(code: string): string {
    return `${this.#base}/${encodeURIComponent(code)}`;
  }

  /** Registers the link for cleanup before anything creates it, so an interrupted create is undone too. */
  track(code: string, url: string): WriteHandle {
    return this.#cleanup.track({
      label: `link ${code}`,
      deletePath: this.path(code),
      claim: { path: this.#base, json: { code, url } },
    });
  }

  async create(code: string, url: string): Promise<Answer> {
    const write = this.track(code, url);
    const answer = await this.#http.request('POST', this.#base, { json: { code, url } });
    write.answered(answer.status);
    return answer;
  }

  get(code: string): Promise<Answer> {
    return this.#http.request('GET', this.path(code));
  }

  remove(code: string): Promise<Answer> {
    return this.#http.request('DELETE', this.path(code));
  }

  list(limit: number, cursor?: string): Promise<Answer> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor !== undefined) query.set('cursor', cursor);
    return this.#http.request('GET', `${this.#base}?${query}`);
  }
}

/** The link is listed: searched newest first, over the few pages live traffic may have added since. */
export async function expectListed(api: LinkApi, code: string): Promise<void> {
  let cursor: string | undefined;
  for (let page = 1; ; page++) {
    const answer = await api.list(LIST_PAGE_SIZE, cursor);
    expectStatus(answer, 200);
    const { items, nextCursor } = expectLinkPage(answer);
    if (items.some((link) => link.code === code)) return;
    if (nextCursor === null) {
      fail(answer, `${code} in the listing`, 'a complete listing without it');
    }
    if (page === LIST_MAX_PAGES) {
      fail(
        answer,
        `${code} among the newest ${LIST_PAGE_SIZE * LIST_MAX_PAGES} links`,
        'not there',
      );
    }
    cursor = nextCursor;
  }
}

/**
 * What both link APIs (the backend's and the database's) promise of a new link: `create` answers
 * 201 with clicks 0, `read` returns it as created, `list` shows it. Later checks need 'create'.
 */
export function linkLifecycleChecks(links: LinkApi, code: string, url: string): Check[] {
  let created: Link | undefined;
  return [
    {
      name: 'create',
      run: async () => {
        const answer = await links.create(code, url);
        expectStatus(answer, 201);
        created = expectLink(answer, { code, url });
        if (created.clicks !== 0) fail(answer, 'clicks 0 on a new link', String(created.clicks));
      },
    },
    {
      name: 'read',
      needs: ['create'],
      run: async () => {
        const answer = await links.get(code);
        expectStatus(answer, 200);
        const link = expectLink(answer, { code, url });
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
  ];
}
