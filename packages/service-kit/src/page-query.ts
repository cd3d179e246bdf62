import { z } from 'zod';
import { parseInput } from './errors.js';

const MAX_LIMIT = 100;
const LIMIT_RULE = `must be an integer from 1 to ${MAX_LIMIT}`;

const pageQuery = z.object({
  limit: z
    .string(LIMIT_RULE)
    .regex(/^[0-9]{1,3}$/, LIMIT_RULE)
    .transform(Number)
    .pipe(z.number().min(1, LIMIT_RULE).max(MAX_LIMIT, LIMIT_RULE))
    .default(20),
  // The raw cursor, undefined for the first page; whoever made it decodes it.
  cursor: z
    .string('must be a single string')
    .optional()
    .transform((cursor) => (cursor === '' ? undefined : cursor)),
});

export type PageQuery = z.output<typeof pageQuery>;

/** A list's `?limit&cursor` (limit 1 to 100, default 20), or the 400 that answers it. */
export const parsePageQuery = (query: unknown): PageQuery =>
  parseInput(
    pageQuery,
    query,
    { '': 'invalid_query', limit: 'invalid_limit', cursor: 'invalid_cursor' },
    'query',
  );
