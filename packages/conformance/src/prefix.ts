import { randomUUID } from 'node:crypto';

/**
 * Longest prefix a caller may choose: suites append at most 8 characters (`-bad-url`), and a
 * link code is at most 32 characters.
 */
export const MAX_PREFIX_LENGTH = 24;

// Characters that are valid both in a link code ([A-Za-z0-9_-]) and in a cache key ([A-Za-z0-9._:-]).
const PREFIX_PATTERN = new RegExp(`^[A-Za-z0-9-]{1,${MAX_PREFIX_LENGTH}}$`);

export function isValidPrefix(value: string): boolean {
  return PREFIX_PATTERN.test(value);
}

/** `conformance-1a2b3c4d`: random per run, so concurrent runs against one service never meet. */
export function defaultPrefix(): string {
  return `conformance-${randomUUID().slice(0, 8)}`;
}
