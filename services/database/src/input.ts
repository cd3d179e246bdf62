import { HttpError } from '@appdist/service-kit/errors';

// The rules of the contract in docs/architecture.md; the backend applies the same ones first.
const CODE = /^[A-Za-z0-9_-]{3,32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Whitespace and control characters have no place in a URL that ends up in a Location header.
const URL_FORBIDDEN = /[\s\p{Cc}]/u;
const MAX_URL_LENGTH = 2048;
const MAX_BATCH_ENTRIES = 1000;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

const invalidCode = () => new HttpError(400, 'invalid_code', 'code must match [A-Za-z0-9_-]{3,32}');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Extra fields are ignored rather than rejected: a newer caller may send fields this release
// does not know yet while both run side by side.
function objectBody(body: unknown): Record<string, unknown> {
  if (!isObject(body)) {
    throw new HttpError(400, 'invalid_body', 'request body must be a JSON object');
  }
  return body;
}

export function isCode(value: unknown): value is string {
  return typeof value === 'string' && CODE.test(value);
}

export function parseCode(value: unknown): string {
  if (!isCode(value)) throw invalidCode();
  return value;
}

export function parseUrl(value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length > MAX_URL_LENGTH ||
    !/^https?:\/\//i.test(value) ||
    URL_FORBIDDEN.test(value) ||
    // A lone surrogate cannot be stored as UTF-8; PostgreSQL would get U+FFFD, not the input.
    !value.isWellFormed() ||
    !URL.canParse(value)
  ) {
    throw new HttpError(
      400,
      'invalid_url',
      `url must be an absolute http or https URL of at most ${MAX_URL_LENGTH} characters`,
    );
  }
  return value;
}

export function parseNewLink(body: unknown): { code: string; url: string } {
  const fields = objectBody(body);
  return { code: parseCode(fields.code), url: parseUrl(fields.url) };
}

export function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = typeof value === 'string' && /^[0-9]{1,3}$/.test(value) ? Number(value) : 0;
  if (limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(400, 'invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/** The raw cursor, undefined for the first page; the repository decodes it. */
export function parseCursor(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new HttpError(400, 'invalid_cursor', 'cursor must be a single string');
  }
  return value;
}

export function parseClickBatch(body: unknown): {
  batchId: string;
  counts: Map<string, number>;
} {
  const fields = objectBody(body);
  if (typeof fields.batchId !== 'string' || !UUID.test(fields.batchId)) {
    throw new HttpError(400, 'invalid_batch', 'batchId must be a UUID');
  }
  const invalidCounts = new HttpError(
    400,
    'invalid_counts',
    `counts must map up to ${MAX_BATCH_ENTRIES} valid codes to positive integers`,
  );
  if (!isObject(fields.counts)) throw invalidCounts;
  const entries = Object.entries(fields.counts);
  if (entries.length > MAX_BATCH_ENTRIES) throw invalidCounts;
  const counts = new Map<string, number>();
  for (const [code, n] of entries) {
    if (!isCode(code) || typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw invalidCounts;
    }
    counts.set(code, n);
  }
  return { batchId: fields.batchId.toLowerCase(), counts };
}
