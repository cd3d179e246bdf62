import { HttpError } from '@appdist/service-kit/errors';
import type { JsonValue } from './store.js';

const KEY_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;
const MAX_TTL_SECONDS = 2_592_000; // 30 days
// JSON.stringify recurses: a 16 KiB body can nest ~8000 levels, past V8's stack, which would
// make storing (and echoing) the value a 500. No cached value needs more than a few levels.
const MAX_VALUE_DEPTH = 64;

export interface PutRequest {
  value: JsonValue;
  ttlSeconds?: number;
}

export function parseKey(key: unknown): string {
  if (typeof key === 'string' && KEY_PATTERN.test(key)) return key;
  throw new HttpError(400, 'invalid_key', 'key must match [A-Za-z0-9._:-]{1,200}');
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** `{"value": <any JSON>, "ttlSeconds"?: 1..2592000}`; other fields are ignored. */
export function parsePutBody(body: unknown): PutRequest {
  if (!isObject(body) || !Object.hasOwn(body, 'value')) {
    throw new HttpError(400, 'invalid_value', 'body must be a JSON object with a "value" field');
  }
  // express.json produced it, so it is JSON already.
  const value = body.value as JsonValue;
  if (nestedDeeperThan(value, MAX_VALUE_DEPTH)) {
    throw new HttpError(
      400,
      'invalid_value',
      `value must not nest arrays and objects more than ${MAX_VALUE_DEPTH} levels deep`,
    );
  }
  const ttlSeconds = body.ttlSeconds;
  if (ttlSeconds === undefined) return { value };
  if (
    typeof ttlSeconds !== 'number' ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < 1 ||
    ttlSeconds > MAX_TTL_SECONDS
  ) {
    throw new HttpError(
      400,
      'invalid_ttl',
      `ttlSeconds must be an integer from 1 to ${MAX_TTL_SECONDS}`,
    );
  }
  return { value, ttlSeconds };
}

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
export function parseIncrBody(body: unknown): number {
  if (body === undefined) return 1;
  if (isObject(body)) {
    if (body.by === undefined) return 1;
    if (typeof body.by === 'number' && Number.isSafeInteger(body.by)) return body.by;
  }
  throw new HttpError(400, 'invalid_by', 'by must be an integer within ±(2^53 - 1)');
}
