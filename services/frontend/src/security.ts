import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers with a CSP that allows nothing inline: pages carry no script at all and
 * style only from /static, so an injected tag or attribute could not run or restyle anything.
 */
const helmetMiddleware = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      // No upgrade-insecure-requests: TLS ends at the ingress, and the local stack and
      // tests serve plain HTTP, where an upgraded form post would go nowhere.
    },
  },
  // Short links are often private: the target learns nothing about where the click came from.
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * The headers helmet sets, taken once: with fixed directives they do not depend on the
 * request, and setting them from a list costs a redirect far less than running helmet's
 * dozen middlewares for each one.
 */
function captureHelmetHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.push([name.toLowerCase(), String(value)]);
    },
    removeHeader() {},
  };
  let called = false;
  helmetMiddleware(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
      called = true;
    },
  );
  if (!called) throw new Error('helmet did not finish synchronously: its headers vary by request');
  return headers;
}

const SECURITY_HEADERS = captureHelmetHeaders();

// A redirect has no body for the document headers (CSP, framing, sniffing) to protect. What
// acts on it is what the target learns (Referrer-Policy) and HTTPS for this host (HSTS).
const REDIRECT_HEADER_NAMES = new Set(['referrer-policy', 'strict-transport-security']);
const REDIRECT_SECURITY_HEADERS = SECURITY_HEADERS.filter(([name]) =>
  REDIRECT_HEADER_NAMES.has(name),
);

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
}

/** The security headers of a redirect: fewer, since no page is rendered from it. */
export function setRedirectSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of REDIRECT_SECURITY_HEADERS) res.setHeader(name, value);
}

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    setSecurityHeaders(res);
    next();
  };
}
