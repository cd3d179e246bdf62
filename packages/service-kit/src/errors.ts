import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from './logger.js';
import { sendJson } from './response.js';

/** An error with its HTTP answer: every error body is `{"error": {"code", "message"}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A dependency is down: 503 with Retry-After, so clients and meshes back off instead of failing hard. */
export class ServiceUnavailableError extends HttpError {
  constructor(message: string, retryAfterSeconds = 1) {
    super(503, 'service_unavailable', message, { 'retry-after': String(retryAfterSeconds) });
    this.name = 'ServiceUnavailableError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

// Errors of express.json (body-parser, by `type`) and of Node's HTTP parser (by `code`), each
// with its precise 4xx.
const KNOWN_ERRORS: Readonly<Record<string, [status: number, code: string, message: string]>> = {
  'entity.parse.failed': [400, 'invalid_json', 'request body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'request body is too large'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'unsupported content encoding'],
  'charset.unsupported': [415, 'unsupported_charset', 'unsupported charset'],
  'request.aborted': [400, 'request_aborted', 'request body was aborted'],
  'request.size.invalid': [
    400,
    'invalid_body',
    'request body size does not match its Content-Length',
  ],
  'stream.encoding.set': [500, 'internal', 'internal error'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'payload_too_large', 'chunk extensions are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request did not arrive in time'],
};

/** The HTTP answer to an error; `fallback` when it is neither an HttpError nor a known one. */
export function toHttpError(
  err: unknown,
  fallback = new HttpError(500, 'internal', 'internal error'),
): HttpError {
  if (err instanceof HttpError) return err;
  const { type, code, status, message } = (err ?? {}) as Record<string, unknown>;
  const key = String(type ?? code);
  // Own keys only: `code: 'constructor'` must not find Object's.
  const known = Object.hasOwn(KNOWN_ERRORS, key) ? KNOWN_ERRORS[key] : undefined;
  if (known) return new HttpError(...known);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(
      status,
      'bad_request',
      typeof message === 'string' && message ? message : 'bad request',
    );
  }
  return fallback;
}

/** The rule every request body states first. */
export const OBJECT_RULE = 'must be a JSON object';

/** Reports `message` as the issue of the value being transformed, which is then never used. */
export function reject(context: z.RefinementCtx, message: string): never {
  context.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/**
 * Parses a request's input (its body, query or a path parameter) with the zod schema of its
 * contract, or throws the 400 that answers it. The code is the one `codes` gives the top-level
 * field of the first issue (`''`: the input itself, and fields without a code of their own); the
 * message is that issue's field path (`name` for the input itself), then the rule the schema
 * states: `metadata.url: must be an http:// or https:// URL`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  codes: { readonly '': string; readonly [field: string]: string },
  name = 'body',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String) ?? [];
  const code = codes[path[0] ?? ''] ?? codes[''];
  throw new HttpError(400, code, `${path.join('.') || name}: ${issue?.message ?? 'is invalid'}`);
}

/** Answers an error in the JSON error shape; only unexpected errors are logged (as 500s). */
export function sendError(
  err: unknown,
  request: { method: string; path: string },
  res: ServerResponse,
  logger: Logger,
): void {
  const httpError = toHttpError(err);
  if (httpError.status >= 500 && !(err instanceof HttpError)) {
    logger.error({ err, method: request.method, path: request.path }, 'unhandled error');
  }
  sendJson(res, httpError.status, errorBody(httpError.code, httpError.message), httpError.headers);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    sendError(err, req, res, logger);
  };
}
