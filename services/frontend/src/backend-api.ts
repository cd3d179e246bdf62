import { type ServiceClient, UpstreamUnavailableError } from '@appdist/service-kit/http-client';
import { z } from 'zod';
import type { LinkView } from './pages.js';

const linkSchema = z.object({
  code: z.string(),
  url: z.string(),
  createdAt: z.string(),
  clicks: z.number(),
});
const linkListSchema = z.object({ items: z.array(linkSchema) });
const resolvedSchema = z.object({ url: z.string() });
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Why a page could not be built from the backend: 503 when it is down, 502 when it misbehaved. */
export class BackendError extends Error {
  readonly status: 502 | 503;
  readonly retryAfter: string;
  constructor(status: 502 | 503, message: string, retryAfter = '1', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendError';
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

export type CreateResult =
  | { ok: true; link: LinkView }
  | { ok: false; status: number; code: string; message: string };

export interface BackendApi {
  recentLinks(limit: number): Promise<LinkView[]>;
  /** undefined when there is no such link. */
  getLink(code: string): Promise<LinkView | undefined>;
  createLink(input: { url: string; code?: string }): Promise<CreateResult>;
  /** The target URL (the backend counts one click), or undefined for an unknown code. */
  resolve(code: string): Promise<string | undefined>;
}

/** The backend's JSON API as the pages need it, each answer checked against its contract. */
export function createBackendApi(client: ServiceClient): BackendApi {
  async function call(
    request: Parameters<ServiceClient['request']>[0],
  ): Promise<{ status: number; body: unknown }> {
    let response: Awaited<ReturnType<ServiceClient['request']>>;
    try {
      response = await client.request(request);
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) {
        throw new BackendError(503, error.message, '1', { cause: error });
      }
      throw error;
    }
    if (response.status === 503) {
      const retryAfter = response.headers['retry-after'];
      throw new BackendError(
        503,
        'backend answered 503',
        typeof retryAfter === 'string' ? retryAfter : '1',
      );
    }
    if (response.status >= 500) {
      throw new BackendError(502, `backend answered ${response.status}`);
    }
    return { status: response.status, body: response.body };
  }

  function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const result = schema.safeParse(body);
    if (!result.success) throw new BackendError(502, `backend sent an invalid ${what}`);
    return result.data;
  }

  function unexpected(status: number, what: string): BackendError {
    return new BackendError(502, `backend answered ${status} to ${what}`);
  }

  /** The resource of one code, undefined when the backend knows no such code. */
  async function getByCode<T>(
    path: string,
    code: string,
    schema: z.ZodType<T>,
    what: { call: string; answer: string },
  ): Promise<T | undefined> {
    const { status, body } = await call({
      method: 'GET',
      path: `${path}/${encodeURIComponent(code)}`,
    });
    if (status === 404) return undefined;
    if (status !== 200) throw unexpected(status, what.call);
    return parse(schema, body, what.answer);
  }

  return {
    async recentLinks(limit) {
      const { status, body } = await call({ method: 'GET', path: `/api/links?limit=${limit}` });
      if (status !== 200) throw unexpected(status, 'a link listing');
      return parse(linkListSchema, body, 'link listing').items;
    },

    getLink: (code) =>
      getByCode('/api/links', code, linkSchema, { call: 'a link lookup', answer: 'link' }),

    async createLink(input) {
      const { status, body } = await call({ method: 'POST', path: '/api/links', body: input });
      if (status === 201) return { ok: true, link: parse(linkSchema, body, 'link') };
      if (status >= 400 && status < 500) {
        const error = errorSchema.safeParse(body);
        return error.success
          ? { ok: false, status, ...error.data.error }
          : { ok: false, status, code: 'bad_request', message: `backend answered ${status}` };
      }
      throw unexpected(status, 'a link creation');
    },

    async resolve(code) {
      return (
        await getByCode('/api/resolve', code, resolvedSchema, {
          call: 'a resolve',
          answer: 'resolve answer',
        })
      )?.url;
    },
  };
}
