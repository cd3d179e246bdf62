import { HttpError, OBJECT_RULE, parseInput } from '@appdist/service-kit/errors';
import { z } from 'zod';
import type { JsonValue } from './store.js';

const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;
const MAX_TTL_SECONDS = 2_592_000; // 30 days
// JSON.stringify recurses: a 16 KiB body can nest ~8000 levels, past V8's stack, which would
// make storing (and echoing) the value a 500. No cached value needs more than a few levels.
const MAX_VALUE_DEPTH = 64;

/** A path parameter: a regex, not a schema, on the read behind every cached redirect. */
export function parseKey(key: string): string {
  if (KEY_PATTERN.test(key)) return key;
  throw new HttpError(400, 'invalid_key', 'key: must match [A-Za-z0-9._:-]{1,200}');
}

/** `{"value": <any JSON>, "ttlSeconds"?: 1..2592000}`; other fields are ignored. */
const putBody = z.object(
  {
    // express.json produced it, so it is JSON already.
    value: z
      .custom<JsonValue>((value) => value !== undefined, 'is required')
      .refine(
        (value) => !nestedDeeperThan(value, MAX_VALUE_DEPTH),
        `must not nest arrays and objects more than ${MAX_VALUE_DEPTH} levels deep`,
      ),
    ttlSeconds: z
      .int('must be an integer')
      .min(1, `must be from 1 to ${MAX_TTL_SECONDS}`)
      .max(MAX_TTL_SECONDS, `must be from 1 to ${MAX_TTL_SECONDS}`)
      .optional(),
  },
  OBJECT_RULE,
);

/** Iterative, so that checking a deep value cannot overflow the stack itself. */
function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** `{"by"?: safe integer}`, default 1; an absent body counts as `{}`. */
const incrBody = z
  .object({ by: z.int('must be an integer within ±(2^53 - 1)').default(1) }, OBJECT_RULE)
  .optional()
  .transform((body) => body?.by ?? 1);

export const parsePutBody = (body: unknown) =>
  parseInput(putBody, body, { '': 'invalid_value', ttlSeconds: 'invalid_ttl' });

export const parseIncrBody = (body: unknown) => parseInput(incrBody, body, { '': 'invalid_by' });
