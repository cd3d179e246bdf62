import { isRecord } from '@appdist/catalogue/repository';
import { HttpError, OBJECT_RULE, parseInput } from '@appdist/service-kit/errors';
import { z } from 'zod';

// The rules of the contract in docs/services.md; the backend applies the same ones first.
const CODE = /^[A-Za-z0-9_-]{3,32}$/;
const CODE_RULE = 'must match [A-Za-z0-9_-]{3,32}';
// Whitespace and control characters have no place in a URL that ends up in a Location header.
const URL_FORBIDDEN = /[\s\p{Cc}]/u;
const MAX_URL_LENGTH = 2048;
const URL_RULE = `must be an absolute http or https URL of at most ${MAX_URL_LENGTH} characters`;
const MAX_BATCH_ENTRIES = 1000;
const COUNTS_RULE = `must map up to ${MAX_BATCH_ENTRIES} valid codes to positive integers`;

const code = z.string(CODE_RULE).regex(CODE, CODE_RULE);

const url = z.string(URL_RULE).refine(
  (value) =>
    value.length <= MAX_URL_LENGTH &&
    /^https?:\/\//i.test(value) &&
    !URL_FORBIDDEN.test(value) &&
    // A lone surrogate cannot be stored as UTF-8; PostgreSQL would get U+FFFD, not the input.
    value.isWellFormed() &&
    URL.canParse(value),
  URL_RULE,
);

// Extra fields are ignored rather than rejected: a newer caller may send fields this release
// does not know yet while both run side by side.
const newLink = z.object({ code, url }, OBJECT_RULE);

const clickBatch = z.object(
  {
    batchId: z.guid('must be a UUID').transform((id) => id.toLowerCase()),
    // A Map of the body's own entries: a record would lose a code named `__proto__` (assigning
    // it sets the prototype), and such codes count as any other.
    counts: z.preprocess(
      (counts) => (isRecord(counts) ? new Map(Object.entries(counts)) : counts),
      z
        .map(
          z.string().regex(CODE, COUNTS_RULE),
          z.int(COUNTS_RULE).min(1, COUNTS_RULE),
          COUNTS_RULE,
        )
        .refine((counts) => counts.size <= MAX_BATCH_ENTRIES, COUNTS_RULE),
    ),
  },
  OBJECT_RULE,
);

/** A path parameter: a regex, not a schema, on the read every redirect may end in. */
export function parseCode(value: string): string {
  if (!CODE.test(value)) throw new HttpError(400, 'invalid_code', `code: ${CODE_RULE}`);
  return value;
}

export const parseNewLink = (body: unknown) =>
  parseInput(newLink, body, { '': 'invalid_body', code: 'invalid_code', url: 'invalid_url' });

export const parseClickBatch = (body: unknown) =>
  parseInput(clickBatch, body, {
    '': 'invalid_body',
    batchId: 'invalid_batch',
    counts: 'invalid_counts',
  });
