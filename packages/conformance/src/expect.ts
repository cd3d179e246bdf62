import { isRecord } from '@appdist/catalogue/repository';
import { CheckFailure } from './check.js';
import type { Answer } from './http-client.js';

const SNIPPET_LENGTH = 160;

/** A value as it appears in a message: JSON, cut short so one bad answer cannot flood the report. */
export function snippet(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}…` : text;
}

export function fail(answer: Pick<Answer, 'request'>, expected: string, got: string): never {
  throw new CheckFailure(`${answer.request}: expected ${expected}, got ${got}`);
}

/** The `error` of a JSON error body, if the answer carries one. */
function errorOf(answer: Answer): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(answer.text);
    return isRecord(body) && isRecord(body.error) ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** `500 (fault_injected)`: the status, and the error code when there is one, which usually says why. */
function statusOf(answer: Answer): string {
  const code = errorOf(answer)?.code;
  return typeof code === 'string' ? `${answer.status} (${code})` : String(answer.status);
}

export function expectStatus(answer: Answer, ...expected: number[]): void {
  if (!expected.includes(answer.status)) fail(answer, expected.join(' or '), statusOf(answer));
}

export function expectJsonObject(answer: Answer): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    fail(answer, 'a JSON body', snippet(answer.text));
  }
  if (!isRecord(body)) fail(answer, 'a JSON object', snippet(body));
  return body;
}

/** The shared error contract: the status and `{"error": {"code", "message"}}` with this code. */
export function expectJsonError(answer: Answer, status: number, code: string): void {
  const expected = `${status} ${code}`;
  if (answer.status !== status) fail(answer, expected, statusOf(answer));
  const body = expectJsonObject(answer);
  const { error } = body;
  if (!isRecord(error) || typeof error.code !== 'string' || typeof error.message !== 'string') {
    fail(answer, `${expected} with {"error": {"code", "message"}}`, snippet(body));
  }
  if (error.code !== code) fail(answer, expected, `${answer.status} ${error.code}`);
}

/** Compares the media type only, so `text/html; charset=utf-8` is `text/html`. */
export function expectContentType(answer: Answer, mediaType: string): void {
  const actual = answer.headers.get('content-type') ?? '';
  if (actual.split(';')[0]?.trim().toLowerCase() !== mediaType) {
    fail(answer, `content-type ${mediaType}`, actual === '' ? 'none' : actual);
  }
}
