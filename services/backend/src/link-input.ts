import { randomInt } from 'node:crypto';
import { HttpError } from '@appdist/service-kit/errors';

export const CODE_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
export const MAX_URL_LENGTH = 2048;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GENERATED_CODE_LENGTH = 7;

export interface CreateLinkInput {
  url: string;
  /** Absent when the caller lets the backend pick a code. */
  code: string | undefined;
}

export function isValidCode(value: unknown): value is string {
  return typeof value === 'string' && CODE_PATTERN.test(value);
}

/** A random 7-character base62 code; randomInt is uniform, so no modulo bias. */
export function generateCode(): string {
  let code = '';
  for (let i = 0; i < GENERATED_CODE_LENGTH; i++) code += BASE62[randomInt(BASE62.length)];
  return code;
}

/**
 * The URL as it will be stored and redirected to, or undefined when it is not an http(s) URL
 * of at most 2048 characters. The parser's serialisation is stored (punycode host,
 * percent-encoded path) so the target is always safe to put in a Location header.
 */
export function normalizeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.hostname === '' || parsed.href.length > MAX_URL_LENGTH) return undefined;
  return parsed.href;
}

/** Validates a POST /api/links body; throws the 400 the client should see. */
export function parseCreateLink(body: unknown): CreateLinkInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', 'request body must be a JSON object');
  }
  const { url, code } = body as Record<string, unknown>;
  const normalized = normalizeUrl(url);
  if (normalized === undefined) {
    throw new HttpError(
      400,
      'invalid_url',
      `url must be an http or https URL of at most ${MAX_URL_LENGTH} characters`,
    );
  }
  if (code !== undefined && !isValidCode(code)) {
    throw new HttpError(400, 'invalid_code', 'code must match [A-Za-z0-9_-]{3,32}');
  }
  return { url: normalized, code };
}

/** Validates the list query; limit defaults to 20. */
export function parseListQuery(query: Record<string, unknown>): {
  limit: number;
  cursor: string | undefined;
} {
  const { limit, cursor } = query;
  let parsedLimit = 20;
  if (limit !== undefined) {
    parsedLimit = typeof limit === 'string' && /^\d{1,3}$/.test(limit) ? Number(limit) : 0;
    if (parsedLimit < 1 || parsedLimit > 100) {
      throw new HttpError(400, 'invalid_limit', 'limit must be an integer from 1 to 100');
    }
  }
  if (cursor !== undefined && typeof cursor !== 'string') {
    throw new HttpError(400, 'invalid_cursor', 'cursor must be a single string');
  }
  return { limit: parsedLimit, cursor: cursor === '' ? undefined : cursor };
}
