import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '@appdist/service-kit/errors';
import type { ServiceClient } from '@appdist/service-kit/http-client';
import type { Logger } from '@appdist/service-kit/logger';
import { currentRequestId, REQUEST_ID_HEADER } from '@appdist/service-kit/request-context';
import type { Request, RequestHandler } from 'express';

// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus host, which
// the pool sets for the backend, and expect, which Node has already answered.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'expect',
]);

const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'];

/** End-to-end headers only: hop-by-hop ones, proxy-* and whatever `Connection` lists are dropped. */
function endToEndHeaders(
  headers: IncomingHttpHeaders,
  drop: readonly string[] = [],
): Record<string, string | string[]> {
  const connection = headers.connection;
  const listed = new Set(
    (Array.isArray(connection) ? connection.join(',') : (connection ?? ''))
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower.startsWith('proxy-') || listed.has(lower)) continue;
    if (drop.includes(lower)) continue;
    out[lower] = value;
  }
  return out;
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function forwardedHeaders(req: Request): Record<string, string> {
  const previous = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? '';
  return {
    'x-forwarded-for': previous ? `${previous}, ${client}` : client,
    // trust proxy is on, so these already honour what an ingress in front of us said.
    'x-forwarded-proto': req.protocol,
    'x-forwarded-host': req.host,
  };
}

export interface ForwarderOptions {
  backend: ServiceClient;
  timeoutMs: number;
  logger: Logger;
}

/**
 * Streams /api/* to the backend as received: method, path, query, body bytes and end-to-end
 * headers, and streams the answer back the same way. The body is never parsed here; the
 * app mounts this under a raw-body prefix so the JSON parser leaves the stream unread.
 */
export function apiForwarder({ backend, timeoutMs, logger }: ForwarderOptions): RequestHandler {
  return async (req, res, next) => {
    res.locals.route = '/api/*';
    // Absolute-form request targets would otherwise name another host to the pool.
    if (!req.originalUrl.startsWith('/')) {
      next(new HttpError(400, 'bad_request', 'request target must be a path'));
      return;
    }
    const withBody = hasBody(req);
    const headers: Record<string, string | string[]> = {
      ...endToEndHeaders(req.headers, [
        ...FORWARDED,
        REQUEST_ID_HEADER,
        ...(withBody ? [] : ['content-length']),
      ]),
      ...forwardedHeaders(req),
    };
    const requestId = currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;

    // A client that goes away cancels the backend call instead of leaving it running.
    const abort = new AbortController();
    let clientGone = false;
    res.once('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      abort.abort();
    });
    // Bounds the wait for the backend's headers by our own timer as well: undici starts its
    // headersTimeout only once the request is written, which a busy pool can delay. A body
    // gets a clock of its own, which restarts when it has arrived: a client that uploads slowly
    // (or never sends the body it announced) is answered 408, not blamed on the backend.
    let waiting = true;
    let clientTooSlow = withBody;
    let headersDeadline = setTimeout(() => abort.abort(), timeoutMs);
    if (withBody) {
      req.once('end', () => {
        clientTooSlow = false;
        if (!waiting) return;
        clearTimeout(headersDeadline);
        headersDeadline = setTimeout(() => abort.abort(), timeoutMs);
      });
    }

    let upstream: Awaited<ReturnType<ServiceClient['pool']['request']>>;
    try {
      upstream = await backend.pool.request({
        method: req.method,
        path: req.originalUrl,
        headers,
        body: withBody ? req : null,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: abort.signal,
      });
    } catch (error) {
      if (clientGone) return;
      if (clientTooSlow && abort.signal.aborted) {
        next(new HttpError(408, 'request_timeout', 'the request body did not arrive in time'));
        return;
      }
      logger.warn({ err: error, path: req.path }, 'backend unavailable for a forwarded request');
      next(
        new HttpError(503, 'backend_unavailable', 'the backend is unavailable, try again shortly', {
          'retry-after': '1',
        }),
      );
      return;
    } finally {
      waiting = false;
      clearTimeout(headersDeadline);
    }

    res.status(upstream.statusCode);
    for (const [name, value] of Object.entries(endToEndHeaders(upstream.headers))) {
      res.setHeader(name, value);
    }
    try {
      await pipeline(upstream.body, res);
    } catch (error) {
      // Headers are gone already: all that is left is to cut the response short.
      if (!clientGone) {
        logger.warn({ err: error, path: req.path }, 'forwarded response interrupted');
      }
      res.destroy();
    }
  };
}
