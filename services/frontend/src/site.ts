import type { ServerResponse } from 'node:http';
import type { DirectRoute } from '@appdist/service-kit/direct-route';
import type { Logger } from '@appdist/service-kit/logger';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import { z } from 'zod';
import { type BackendApi, BackendError, type CreateResult } from './backend-api.js';
import type { FrontendConfig } from './config.js';
import { isHttpUrl } from './html.js';
import { errorPage, type FormError, type FormValues, homePage, notFoundPage } from './pages.js';
import { setRedirectSecurityHeaders, setSecurityHeaders } from './security.js';
import { STATIC_ASSETS } from './static-assets.js';

/** The backend's code rule; anything else cannot exist, so it is a 404 without a backend call. */
const CODE_SHAPE = /^[A-Za-z0-9_-]{3,32}$/;

// Single-segment paths the service itself answers (or may answer): never short codes.
const RESERVED_CODES = new Set(['healthz', 'readyz', 'version', 'metrics', 'static', 'api']);

export interface SiteOptions {
  backend: BackendApi;
  config: Pick<FrontendConfig, 'PUBLIC_URL' | 'RECENT_LINKS'>;
}

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

function sendPage(
  res: ServerResponse,
  status: number,
  page: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...headers,
    // Pages show live counts and per-request messages: never serve them from a cache.
    'cache-control': 'no-store',
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page),
  });
  res.end(page);
}

function shortUrlBase(req: Request, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.host}`;
}

// A field sent twice, or not at all, reads as empty, as an empty input does.
const formText = z.string().trim().catch('');
const createForm = z.object({ url: formText, code: formText }).catch({ url: '', code: '' });

function formError(result: Extract<CreateResult, { ok: false }>, values: FormValues): FormError {
  switch (result.code) {
    case 'invalid_url':
      return {
        field: 'url',
        message:
          'Enter a full web address starting with http:// or https:// (at most 2048 characters).',
      };
    case 'invalid_code':
      return { field: 'code', message: 'A custom code is 3 to 32 letters, digits, _ or -.' };
    case 'code_taken':
      return {
        field: 'code',
        message: `The code “${values.code}” is already taken: choose another one.`,
      };
    case 'invalid_body':
      // The backend's wording of it changed; the form keeps the sentence users saw.
      return { field: null, message: 'request body must be a JSON object' };
    default:
      return { field: null, message: result.message };
  }
}

export function mountStatic(app: Express): void {
  app.get('/static/:name', (req, res, next) => {
    const asset = STATIC_ASSETS.get(req.params.name);
    if (!asset) {
      next();
      return;
    }
    // Pages link to ?v=<hash>, which never changes meaning, so browsers may keep it a year;
    // an unversioned request gets a short lifetime.
    const versioned = req.query.v === asset.hash;
    res.set(
      'cache-control',
      versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    );
    res.set('etag', `"${asset.hash}"`);
    res.type(asset.contentType);
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.send(asset.body);
  });
}

export function mountPages(app: Express, { backend, config }: SiteOptions): void {
  app.get('/', async (req, res) => {
    const createdCode = req.query.created;
    const [recent, created] = await Promise.all([
      backend.recentLinks(config.RECENT_LINKS),
      typeof createdCode === 'string' && CODE_SHAPE.test(createdCode)
        ? backend.getLink(createdCode)
        : undefined,
    ]);
    sendPage(
      res,
      200,
      homePage({
        shortUrlBase: shortUrlBase(req, config.PUBLIC_URL),
        recent,
        ...(created ? { created } : {}),
      }),
    );
  });

  app.post('/', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const values: FormValues = createForm.parse(req.body);
    const result = await backend.createLink({
      url: values.url,
      ...(values.code ? { code: values.code } : {}),
    });
    if (result.ok) {
      // Post/redirect/get: reloading the result page does not create the link again.
      res.redirect(303, `/?created=${encodeURIComponent(result.link.code)}`);
      return;
    }
    const recent = await backend.recentLinks(config.RECENT_LINKS);
    sendPage(
      res,
      result.status === 409 ? 409 : 400,
      homePage({
        shortUrlBase: shortUrlBase(req, config.PUBLIC_URL),
        recent,
        form: values,
        error: formError(result, values),
      }),
    );
  });
}

/**
 * `GET /:code`, the redirect: served without Express (see DirectRoute). Codes that cannot
 * exist and reserved names are left to Express, whose fallback answers them with the 404 page.
 */
export function redirectRoute({
  backend,
  logger,
}: {
  backend: BackendApi;
  logger: Logger;
}): DirectRoute {
  return {
    route: '/:code',
    accepts: (code) => CODE_SHAPE.test(code) && !RESERVED_CODES.has(code),
    async handle(code, _req, res) {
      const target = await backend.resolve(code);
      if (target === undefined) {
        setSecurityHeaders(res);
        sendPage(res, 404, notFoundPage());
        return;
      }
      const location = redirectLocation(target);
      setRedirectSecurityHeaders(res);
      res.writeHead(302, {
        location,
        // Every visit must reach the backend to be counted.
        'cache-control': 'private, no-store',
        'content-length': '0',
      });
      res.end();
    },
    onError(error, request, res) {
      setSecurityHeaders(res);
      sendErrorPage(error, request, res, logger);
    },
  };
}

/**
 * The backend only stores http(s) URLs; checked again so a bad row can never become a
 * javascript: or data: redirect. The URL's own serialisation is safe in a header.
 */
function redirectLocation(target: string): string {
  if (isHttpUrl(target)) return new URL(target).href;
  throw new BackendError(502, 'backend resolved a code to a non-http URL');
}

const CLIENT_ERROR_MESSAGES: Record<number, string> = {
  413: 'That was more than this form accepts.',
  415: 'This form only accepts ordinary form submissions.',
};

/** HTML 404 and error pages for everything outside /api, which keeps the JSON errors. */
export function mountFallbacks(app: Express, logger: Logger): void {
  app.use((req, res, next) => {
    if (isApiPath(req.path)) {
      next();
      return;
    }
    sendPage(res, 404, notFoundPage());
  });

  const htmlErrors: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent || isApiPath(req.path)) {
      next(err);
      return;
    }
    sendErrorPage(err, req, res, logger);
  };
  app.use(htmlErrors);
}

/** An error as an HTML page: 503 or 502 when the backend failed, the 4xx it carries, else 500. */
function sendErrorPage(
  err: unknown,
  request: { method: string; path: string },
  res: ServerResponse,
  logger: Logger,
): void {
  if (err instanceof BackendError) {
    logger.warn({ err, path: request.path }, 'backend unavailable for a page');
    sendPage(
      res,
      err.status,
      errorPage(
        err.status === 503
          ? {
              title: 'Back in a moment',
              message:
                'Links cannot be looked up or created right now. Please try again in a few seconds.',
            }
          : {
              title: 'Something went wrong',
              message: 'The link service gave an unexpected answer. Please try again.',
            },
      ),
      err.status === 503 ? { 'retry-after': err.retryAfter } : {},
    );
    return;
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendPage(
      res,
      status,
      errorPage({
        title: 'Request not accepted',
        message: CLIENT_ERROR_MESSAGES[status] ?? 'The request could not be read.',
      }),
    );
    return;
  }
  logger.error({ err, method: request.method, path: request.path }, 'unhandled error');
  sendPage(
    res,
    500,
    errorPage({ title: 'Something went wrong', message: 'Please try again in a moment.' }),
  );
}
