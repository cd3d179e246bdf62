import { randomInt } from 'node:crypto';
import { OBJECT_RULE, parseInput, reject } from '@appdist/service-kit/errors';
import { z } from 'zod';

export const CODE_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
const MAX_URL_LENGTH = 2048;
const CODE_RULE = 'must match [A-Za-z0-9_-]{3,32}';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GENERATED_CODE_LENGTH = 7;

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

const URL_RULE = `must be an http or https URL of at most ${MAX_URL_LENGTH} characters`;

const createLink = z.object(
  {
    url: z
      .string(URL_RULE)
      .transform((value, context) => normalizeUrl(value) ?? reject(context, URL_RULE)),
    /** Absent when the caller lets the backend pick a code. */
    code: z.string(CODE_RULE).regex(CODE_PATTERN, CODE_RULE).optional(),
  },
  OBJECT_RULE,
);

export type CreateLinkInput = z.output<typeof createLink>;

/** Validates a POST /api/links body; throws the 400 the client should see. */
export const parseCreateLink = (body: unknown): CreateLinkInput =>
  parseInput(createLink, body, { '': 'invalid_body', url: 'invalid_url', code: 'invalid_code' });
