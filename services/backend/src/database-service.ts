import { HttpError, ServiceUnavailableError } from '@appdist/service-kit/errors';
import {
  type ClientRequest,
  type ClientResponse,
  type ServiceClient,
  UpstreamUnavailableError,
} from '@appdist/service-kit/http-client';
import type { PageQuery } from '@appdist/service-kit/page-query';
import { z } from 'zod';

const linkSchema = z.object({
  code: z.string(),
  url: z.string(),
  createdAt: z.string(),
  clicks: z.number().int().nonnegative(),
});

const linkPageSchema = z.object({
  items: z.array(linkSchema),
  nextCursor: z.string().nullable(),
});

const upstreamErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export type Link = z.infer<typeof linkSchema>;
export type LinkPage = z.infer<typeof linkPageSchema>;

export interface ClickBatch {
  batchId: string;
  counts: Record<string, number>;
}

/** The database service's contract, with every failure already turned into the client's answer. */
export interface DatabaseService {
  createLink(input: { code: string; url: string }): Promise<Link>;
  listLinks(query: PageQuery): Promise<LinkPage>;
  getLink(code: string): Promise<Link>;
  deleteLink(code: string): Promise<void>;
  applyClicks(batch: ClickBatch): Promise<void>;
  checkReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export function createDatabaseService(client: ServiceClient): DatabaseService {
  async function send<T>(request: ClientRequest, expected: number): Promise<ClientResponse<T>> {
    let response: ClientResponse<T>;
    try {
      response = await client.request<T>(request);
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) {
        // The reason names internal addresses: readiness shows it, API clients do not.
        const unavailable = new ServiceUnavailableError('the database service is unavailable');
        unavailable.cause = error;
        throw unavailable;
      }
      throw error;
    }
    if (response.status !== expected) throw answerFor(response);
    return response;
  }

  async function sendParsed<T>(
    request: ClientRequest,
    expected: number,
    schema: z.ZodType<T>,
  ): Promise<T> {
    const response = await send<unknown>(request, expected);
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) {
      throw new HttpError(502, 'bad_gateway', 'database service sent an unexpected answer');
    }
    return parsed.data;
  }

  return {
    createLink: (input) =>
      sendParsed({ method: 'POST', path: '/v1/links', body: input }, 201, linkSchema),
    listLinks: ({ limit, cursor }) => {
      const query = new URLSearchParams({ limit: String(limit) });
      if (cursor !== undefined) query.set('cursor', cursor);
      return sendParsed({ method: 'GET', path: `/v1/links?${query}` }, 200, linkPageSchema);
    },
    getLink: (code) =>
      sendParsed({ method: 'GET', path: `/v1/links/${encodeURIComponent(code)}` }, 200, linkSchema),
    deleteLink: async (code) => {
      await send({ method: 'DELETE', path: `/v1/links/${encodeURIComponent(code)}` }, 204);
    },
    applyClicks: async (batch) => {
      // The database applies a batchId at most once, so repeating this POST is safe.
      await send({ method: 'POST', path: '/v1/clicks', body: batch, idempotent: true }, 200);
    },
    checkReady: async (timeoutMs) => {
      try {
        // No retries: readiness reports the database as it is now.
        await send({ method: 'GET', path: '/readyz', idempotent: false, timeoutMs }, 200);
      } catch (error) {
        throw error instanceof Error && error.cause instanceof Error ? error.cause : error;
      }
    },
    close: () => client.close(),
  };
}

/** What the backend's client sees for a database answer other than the expected one. */
function answerFor(response: ClientResponse<unknown>): HttpError {
  const upstream = upstreamErrorSchema.safeParse(response.body);
  const message = upstream.success ? upstream.data.error.message : undefined;
  switch (response.status) {
    case 400:
      return new HttpError(
        400,
        upstream.success ? upstream.data.error.code : 'bad_request',
        message ?? 'invalid request',
      );
    case 404:
      return new HttpError(404, 'not_found', message ?? 'link not found');
    case 409:
      return new HttpError(409, 'code_taken', message ?? 'code is already taken');
    case 502:
    case 503:
    case 504:
      return new ServiceUnavailableError(
        `the database service is unavailable (${response.status})`,
        retryAfterSeconds(response.headers['retry-after']),
      );
    default:
      // Anything else means the two services disagree on the contract, not that it is down.
      return new HttpError(502, 'bad_gateway', `database service answered ${response.status}`);
  }
}

function retryAfterSeconds(header: string | string[] | undefined): number {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(value) && value >= 1 && value <= 300 ? value : 1;
}
