import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './logger.js';
import { sendJson } from './response.js';

/** An error with its HTTP answer: every error body is `{"error": {"code", "message"}}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    code: string,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
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

// Errors raised by express.json (body-parser) carry a `type`; map each to a precise 4xx.
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': {
    status: 400,
    code: 'invalid_json',
    message: 'request body is not valid JSON',
  },
  'entity.too.large': {
    status: 413,
    code: 'payload_too_large',
    message: 'request body is too large',
  },
  'encoding.unsupported': {
    status: 415,
    code: 'unsupported_encoding',
    message: 'unsupported content encoding',
  },
  'charset.unsupported': {
    status: 415,
    code: 'unsupported_charset',
    message: 'unsupported charset',
  },
  'request.aborted': { status: 400, code: 'request_aborted', message: 'request body was aborted' },
  'request.size.invalid': {
    status: 400,
    code: 'invalid_body',
    message: 'request body size does not match its Content-Length',
  },
  'stream.encoding.set': { status: 500, code: 'internal', message: 'internal error' },
};

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string') {
    const known = BODY_PARSER_ERRORS[type];
    if (known) return new HttpError(known.status, known.code, known.message);
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', (err as Error).message || 'bad request');
  }
  return new HttpError(500, 'internal', 'internal error');
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
